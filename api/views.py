"""The registry's REST API (/api/v1/). Interface only: every read goes through the access policy's
scoped selectors and field profiles and leaves one access event; every write is one registry
service. Out of scope answers 404, a forbidden action 403, an illegal transition 409."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters, serializers
from api.errors import Conflict
from registry import access, crypto, services, validation
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import (
    AccessEvent,
    AdministrativeUnit,
    Agency,
    Case,
    CaseNote,
    Consent,
    CustodyRecord,
    Need,
    NeedType,
    Person,
    Referral,
)
from registry.selectors import unit_responsible_today
from registry.services import existence

A = AccessEvent.Action


def etag(obj: models.Model) -> str:
    return (
        '"'
        + hashlib.sha256(f"{obj.pk}|{obj.updated_at.isoformat()}".encode()).hexdigest()[:32]
        + '"'
    )


def check_version(request: Request, obj: models.Model) -> None:
    """Refuse an update made from a stale copy: ``If-Match`` must carry the current ETag."""
    sent = request.headers.get("If-Match")
    if sent is None:
        raise Conflict(
            _("Thiếu tiêu đề If-Match (ETag của bản đang sửa)."), code="version_required"
        )
    if sent.strip() != etag(obj) and sent.strip() != "*":
        raise Conflict(
            _("Hồ sơ đã được người khác sửa; hãy tải lại rồi sửa tiếp."), code="version_conflict"
        )


class PolicyListApi(generics.ListAPIView):
    """A scoped list: the selector decides the rows, the field profile the columns."""

    model: type[models.Model]
    capability: str
    filter_backends = [filters.PolicyFilterBackend, filters.PolicyOrderingFilter]
    ordering_fields = ["id"]

    def get_queryset(self) -> models.QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no rows
            return self.model._default_manager.none()
        access.require(self.request.user, f"{self.capability}.view")
        return access.LIST_SELECTORS[self.model](self.request.user)

    @transaction.atomic
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer([], many=True)  # its fields: the role's profile
        queryset = self.filter_queryset(self.get_queryset())
        queryset = serializers.load_only_shown(queryset, serializer.child)
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        audit_record(actor=request.user, action=A.LIST, objects=rows, model=self.model)
        serializer.instance = rows
        data = serializer.data
        return self.get_paginated_response(data) if page is not None else Response(data)


class PolicyDetailApi(generics.RetrieveAPIView):
    model: type[models.Model]

    def get_object(self) -> models.Model:
        return access.get_for_user(self.request.user, self.model, self.kwargs["uuid"])

    @transaction.atomic
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        audit_record(actor=request.user, action=A.VIEW, objects=[obj])
        response = Response(self.get_serializer(obj).data)
        response["ETag"] = etag(obj)
        return response


def _lists(model, capability, out, filterset):  # type: ignore[no-untyped-def]
    list_api = type(
        f"{model.__name__}ListApi",
        (PolicyListApi,),
        {
            "model": model,
            "capability": capability,
            "serializer_class": out,
            "filterset_class": filterset,
        },
    )
    detail_api = type(
        f"{model.__name__}DetailApi", (PolicyDetailApi,), {"model": model, "serializer_class": out}
    )
    return list_api, detail_api


PersonListApi, PersonDetailApi = _lists(
    Person, "person", serializers.PersonOut, filters.PersonFilter
)
CustodyRecordListApi, CustodyRecordDetailApi = _lists(
    CustodyRecord, "custody", serializers.CustodyRecordOut, filters.CustodyRecordFilter
)
CaseListApi, CaseDetailApi = _lists(Case, "case", serializers.CaseOut, filters.CaseFilter)
NeedListApi, NeedDetailApi = _lists(Need, "need", serializers.NeedOut, filters.NeedFilter)
ReferralListApi, ReferralDetailApi = _lists(
    Referral, "referral", serializers.ReferralOut, filters.ReferralFilter
)
CaseNoteListApi, CaseNoteDetailApi = _lists(
    CaseNote, "note", serializers.CaseNoteOut, filters.CaseNoteFilter
)
ConsentListApi, ConsentDetailApi = _lists(
    Consent, "consent", serializers.ConsentOut, filters.ConsentFilter
)


def _commune_for(user: Any, code: str) -> AdministrativeUnit:
    unit = access.commune_to_open_case(user, code)
    if unit is None:
        raise Http404
    return unit


def _created(obj: models.Model, out: type, request: Request) -> Response:
    response = Response(out(obj, context={"request": request}).data, status=status.HTTP_201_CREATED)
    response["ETag"] = etag(obj)
    return response


def _blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: (None if value == "" else value) for key, value in data.items()}


class PrisonNoticeCreateApi(APIView):
    """Register a prison's release notice: the person, their custody record and an expected case."""

    @extend_schema(request=serializers.PrisonNoticeIn, responses={201: serializers.CaseOut})
    def post(self, request: Request) -> Response:
        access.require(request.user, "case.create")
        data = serializers.PrisonNoticeIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        commune = _commune_for(request.user, values["commune"])
        existence.national_id_check(
            actor=request.user,
            national_id=values["person"].get("national_id"),
            purpose="register notice",
        )
        case = services.prison_notice_register(
            actor=request.user,
            commune=commune,
            person=_blank_to_none(values["person"]),
            custody=_blank_to_none(values["custody"]),
            notice_received_on=values.get("notice_received_on"),
            reporting_deadline=values.get("reporting_deadline"),
        )
        return _created(case, serializers.CaseOut, request)


class PersonSearchApi(APIView):
    """Exact search by national ID or phone through the blind indexes, in the reader's scope. A
    POST, so that the identifier never appears in a URL or an access log."""

    @extend_schema(
        request=serializers.PersonSearchIn, responses={200: serializers.PersonOut(many=True)}
    )
    @transaction.atomic
    def post(self, request: Request) -> Response:
        access.require(request.user, "person.view")
        data = serializers.PersonSearchIn(data=request.data)
        data.is_valid(raise_exception=True)
        ring = crypto.keyring()
        people = access.person_list_for_user(request.user)
        try:
            if data.validated_data.get("national_id"):
                digest = ring.blind_index(
                    "person.national_id",
                    validation.normalize_national_id(data.validated_data["national_id"]),
                )
                people = people.filter(national_id_index=digest)
            else:
                digest = ring.blind_index(
                    "person.phone", validation.normalize_phone(data.validated_data["phone"])
                )
                people = people.filter(phone_index=digest)
        except DjangoValidationError:
            people = people.none()  # a malformed identifier matches nobody; say no more
        rows = list(people[:20])
        audit_record(actor=request.user, action=A.SEARCH, objects=rows, model=Person)
        return Response(serializers.PersonOut(rows, many=True, context={"request": request}).data)


class PersonUpdateApi(APIView):
    """Change a person's contact details or national ID (a reason is required for ID and phone)."""

    @extend_schema(
        request=serializers.PersonPatchIn,
        responses={200: serializers.PersonOut},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def patch(self, request: Request, uuid: str) -> Response:
        person = access.get_for_user(request.user, Person, uuid)
        access.require(request.user, "person.update")
        check_version(request, person)
        data = serializers.PersonPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        reason = changes.pop("reason", "")
        if changes.get("national_id"):
            existence.national_id_check(
                actor=request.user,
                national_id=changes["national_id"],
                purpose="change national ID",
                exclude=person,
            )
        person = services.person_update(
            actor=request.user, person=person, reason=reason, **_blank_to_none(changes)
        )
        response = Response(serializers.PersonOut(person, context={"request": request}).data)
        response["ETag"] = etag(person)
        return response


class CustodyRecordCreateApi(APIView):
    @extend_schema(
        request=serializers.CustodyCreateIn, responses={201: serializers.CustodyRecordOut}
    )
    def post(self, request: Request) -> Response:
        access.require(request.user, "custody.create")
        data = serializers.CustodyCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = access.get_for_user(request.user, Person, values.pop("person"))
        record = services.custody_record_create(
            actor=request.user, person=person, **_blank_to_none(values)
        )
        return _created(record, serializers.CustodyRecordOut, request)


class CaseCreateApi(APIView):
    @extend_schema(request=serializers.CaseIn, responses={201: serializers.CaseOut})
    def post(self, request: Request) -> Response:
        access.require(request.user, "case.create")
        data = serializers.CaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        person = access.get_for_user(request.user, Person, data.validated_data["person"])
        commune = _commune_for(request.user, data.validated_data["commune"])
        case = services.case_open(actor=request.user, person=person, commune=commune)
        return _created(case, serializers.CaseOut, request)


class CaseMilestonesApi(APIView):
    """The milestones of a case, and recording one (reception meeting HCD-05 …)."""

    @extend_schema(responses={200: serializers.MilestoneOut(many=True)})
    @transaction.atomic
    def get(self, request: Request, uuid: str) -> Response:
        case = access.get_for_user(request.user, Case, uuid)
        audit_record(actor=request.user, action=A.VIEW, objects=[case], purpose="milestones")
        return Response(
            serializers.MilestoneOut(case.milestones.select_related("recorded_by"), many=True).data
        )

    @extend_schema(request=serializers.MilestoneIn, responses={201: serializers.MilestoneOut})
    def post(self, request: Request, uuid: str) -> Response:
        case = access.get_for_user(request.user, Case, uuid)
        access.require(request.user, "case.update")
        data = serializers.MilestoneIn(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = services.case_record_milestone(
            actor=request.user,
            case=case,
            kind=data.validated_data["kind"],
            on=data.validated_data["date"],
            note=data.validated_data.get("note") or None,
        )
        return Response(serializers.MilestoneOut(milestone).data, status=status.HTTP_201_CREATED)


CASE_ACTIONS = {
    "verify-address": lambda user, case, data: services.case_verify_address(
        actor=user, case=case, on=data.get("date")
    ),
    "present": lambda user, case, data: services.case_record_presentation(
        actor=user, case=case, on=data.get("date")
    ),
    "close": lambda user, case, data: services.case_close(
        actor=user, case=case, reason=data.get("reason", ""), on=data.get("date")
    ),
}


class CaseActionApi(APIView):
    """Move a case: verify-address, present or close (close needs a reason)."""

    @extend_schema(
        request=serializers.CaseActionIn,
        responses={200: serializers.CaseOut},
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(CASE_ACTIONS))
        ],
    )
    def post(self, request: Request, uuid: str, action: str) -> Response:
        case = access.get_for_user(request.user, Case, uuid)
        if action not in CASE_ACTIONS:
            return Response({"message": _("Không có thao tác này."), "extra": {}}, status=404)
        access.require(request.user, "case.transition")
        data = serializers.CaseActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        if action == "close" and not data.validated_data.get("reason"):
            raise ApplicationError(
                _("Chọn lý do kết thúc hồ sơ."), extra={"code": "reason_required"}
            )
        case = CASE_ACTIONS[action](request.user, case, data.validated_data)
        return Response(serializers.CaseOut(case, context={"request": request}).data)


class NeedCreateApi(APIView):
    @extend_schema(request=serializers.NeedIn, responses={201: serializers.NeedOut})
    def post(self, request: Request) -> Response:
        access.require(request.user, "need.create")
        data = serializers.NeedIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = access.get_for_user(request.user, Case, data.validated_data["case"])
        need_type = get_object_or_404(NeedType, code=data.validated_data["need_type"])
        need = services.need_identify(
            actor=request.user,
            case=case,
            need_type=need_type,
            priority=data.validated_data.get("priority", Need.Priority.NORMAL),
            note=data.validated_data.get("note") or None,
        )
        return _created(need, serializers.NeedOut, request)


class NeedWithdrawApi(APIView):
    @extend_schema(request=None, responses={200: serializers.NeedOut})
    def post(self, request: Request, uuid: str) -> Response:
        need = access.get_for_user(request.user, Need, uuid)
        access.require(request.user, "need.transition")
        need = services.need_withdraw(actor=request.user, need=need)
        return Response(serializers.NeedOut(need, context={"request": request}).data)


class ReferralCreateApi(APIView):
    """Send a need to an agency; the lawful basis (legal duty or consent) is checked."""

    @extend_schema(request=serializers.ReferralIn, responses={201: serializers.ReferralOut})
    def post(self, request: Request) -> Response:
        access.require(request.user, "referral.create")
        data = serializers.ReferralIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        need = access.get_for_user(request.user, Need, values["need"])
        agency = get_object_or_404(Agency, code=values["agency"])
        consent = (
            access.get_for_user(request.user, Consent, values["consent"])
            if values.get("consent")
            else None
        )
        referral = services.referral_send(
            actor=request.user,
            need=need,
            agency=agency,
            consent=consent,
            program=values.get("program", ""),
            note=values.get("note") or None,
        )
        return _created(referral, serializers.ReferralOut, request)


class ReferralActionApi(APIView):
    """accept, reject (reason), start, hold (reason), resume, complete (outcome), fail (reason)
    by the receiving agency; cancel (reason) by the sender."""

    @extend_schema(
        request=serializers.ReferralActionIn,
        responses={200: serializers.ReferralOut},
        parameters=[
            OpenApiParameter(
                "action", str, OpenApiParameter.PATH, enum=list(services.REFERRAL_ACTIONS)
            )
        ],
    )
    def post(self, request: Request, uuid: str, action: str) -> Response:
        referral = access.get_for_user(request.user, Referral, uuid)
        if action not in services.REFERRAL_ACTIONS:
            return Response({"message": _("Không có thao tác này."), "extra": {}}, status=404)
        if action == "cancel":
            access.require(request.user, "referral.cancel")
        else:
            access.require(request.user, "referral.act")
            if referral.agency_id not in access.agencies_for(request.user, "referral.act"):
                raise PermissionDenied(_("Đề nghị này không gửi tới cơ quan của bạn."))
        data = serializers.ReferralActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_transition(
            actor=request.user,
            referral=referral,
            action=action,
            reason=data.validated_data.get("reason", ""),
            outcome=data.validated_data.get("outcome", ""),
        )
        return Response(serializers.ReferralOut(referral, context={"request": request}).data)


class ReferralTransitionsApi(APIView):
    @extend_schema(responses={200: serializers.TransitionOut(many=True)})
    @transaction.atomic
    def get(self, request: Request, uuid: str) -> Response:
        referral = access.get_for_user(request.user, Referral, uuid)
        audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="history")
        rows = referral.transitions.select_related("actor")
        return Response(serializers.TransitionOut(rows, many=True).data)


class CaseNoteCreateApi(APIView):
    @extend_schema(request=serializers.NoteIn, responses={201: serializers.CaseNoteOut})
    def post(self, request: Request) -> Response:
        access.require(request.user, "note.create")
        data = serializers.NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = access.get_for_user(request.user, Case, data.validated_data["case"])
        note = services.case_note_add(
            actor=request.user,
            case=case,
            kind=data.validated_data["kind"],
            happened_on=data.validated_data["happened_on"],
            text=data.validated_data["text"],
        )
        return _created(note, serializers.CaseNoteOut, request)


class ConsentCreateApi(APIView):
    @extend_schema(request=serializers.ConsentIn, responses={201: serializers.ConsentOut})
    def post(self, request: Request) -> Response:
        access.require(request.user, "consent.create")
        data = serializers.ConsentIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = access.get_for_user(request.user, Person, values["person"])
        consent = services.consent_record(
            actor=request.user,
            person=person,
            purpose=values["purpose"],
            evidence=values["evidence"],
            channel=values.get("channel", ""),
            given_on=values.get("given_on"),
            expires_on=values.get("expires_on"),
            agency=get_object_or_404(Agency, code=values["agency"])
            if values.get("agency")
            else None,
            need_type=get_object_or_404(NeedType, code=values["need_type"])
            if values.get("need_type")
            else None,
        )
        return _created(consent, serializers.ConsentOut, request)


class ConsentWithdrawApi(APIView):
    @extend_schema(request=None, responses={200: serializers.ConsentOut})
    def post(self, request: Request, uuid: str) -> Response:
        consent = access.get_for_user(request.user, Consent, uuid)
        access.require(request.user, "consent.transition")
        consent = services.consent_withdraw(actor=request.user, consent=consent)
        return Response(serializers.ConsentOut(consent, context={"request": request}).data)


# --- reference data (no personal data; any signed-in user) -----------------------------------


class AgencyListApi(generics.ListAPIView):
    serializer_class = serializers.AgencyOut
    queryset = Agency.objects.select_related("jurisdiction", "successor").prefetch_related(
        "need_types"
    )


class UnitListApi(generics.ListAPIView):
    serializer_class = serializers.UnitOut
    queryset = AdministrativeUnit.objects.select_related("parent", "successor")
    filter_backends = [filters.PolicyFilterBackend]
    filterset_fields = ["unit_list", "level", "code"]


class NeedTypeListApi(generics.ListAPIView):
    serializer_class = serializers.NeedTypeOut
    queryset = NeedType.objects.all()


class UnitLookupApi(APIView):
    """Which commune is responsible today for a commune as written on a document (old or new)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("commune", str, required=True, pattern=r"\S"),
            OpenApiParameter("district", str),
        ],
        responses={200: serializers.UnitOut},
    )
    def get(self, request: Request) -> Response:
        commune = request.query_params.get("commune", "")
        if not commune.strip():
            return Response(
                {"message": _("Thiếu tên xã."), "extra": {"fields": {"commune": [_("Bắt buộc.")]}}},
                status=400,
            )
        try:
            unit = unit_responsible_today(
                commune=commune, district=request.query_params.get("district") or None
            )
        except ApplicationError as error:  # no such commune: 404; several: 409 (name the district)
            answer = 404 if error.extra.get("code") == "unit_not_found" else 409
            return Response({"message": str(error.message), "extra": error.extra}, status=answer)
        return Response(serializers.UnitOut(unit).data)


PERMISSIONS = [IsAuthenticated]
