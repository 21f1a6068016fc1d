"""Needs, referrals and consents from the case page: referring a need to the agency responsible
for it (recording the person's consent in the same step when the law asks for it), and the
irreversible steps — withdrawing a need, cancelling a referral, withdrawing a consent — each
through a confirmation page that says what will happen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access, selectors, services
from registry.audit import audit_record
from registry.forms.casework import ReasonForm, ReferForm
from registry.models import AccessEvent, Case, Consent, Need, Referral
from registry.views.casework import case_context
from registry.views.common import Problems, attempt, done, form_status, verified_required

A = AccessEvent.Action


@verified_required
def need_refer(request: HttpRequest, uuid: str) -> HttpResponse:
    """Refer a need to an agency proposed from the need-type responsibilities; without a legal duty
    of the receiver, the person's consent (with its evidence) is recorded first."""
    need = access.get_for_user(request.user, Need, uuid)
    access.require(request.user, "referral.create")
    agencies = selectors.agencies_for_need(need=need, on=timezone.localdate())
    form = ReferForm(request.POST or None, agencies=agencies)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = attempt(form, lambda: _refer(request.user, need, form.cleaned_data))
        if outcome.ok:
            return done(
                request,
                _("Đã gửi đề nghị “%(need)s” tới %(agency)s.")
                % {"need": need.need_type.name, "agency": form.cleaned_data["agency"].name},
                "case-needs",
                uuid=need.case.uuid,
            )
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[need], purpose="refer a need")
        context = case_context(request, need.case, "needs")
        context.update({"form": form, "need": need})
    return render(request, "casework/refer_form.html", context, status=form_status(form, outcome))


def _refer(user: Any, need: Need, data: dict[str, Any]) -> Referral:
    consent = None
    if data["consent_evidence"].strip():
        consent = services.consent_record(
            actor=user,
            person=need.case.person,
            purpose="referral",
            agency=data["agency"],
            need_type=need.need_type,
            evidence=data["consent_evidence"],
        )
    return services.referral_send(
        actor=user, need=need, agency=data["agency"], consent=consent, note=data["note"] or None
    )


def _confirm(
    request: HttpRequest,
    *,
    case: Case,
    subject: Any,
    title: str,
    consequences: list[str],
    button: str,
    call: Callable[[forms.Form], Any],
    message: str,
    form: forms.Form,
) -> HttpResponse:
    """The confirmation page of an irreversible step: GET says what will happen; POST does it
    and returns to the case's needs with a banner, or shows the refusal on the same page."""
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = attempt(form, lambda: call(form))
        if outcome.ok:
            return done(request, message, "case-needs", uuid=case.uuid)
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[subject], purpose=title)
        context = case_context(request, case, "needs")
        context.update(
            {"title": title, "consequences": consequences, "button": button, "form": form}
        )
    return render(request, "casework/confirm.html", context, status=form_status(form, outcome))


@verified_required
def referral_cancel(request: HttpRequest, uuid: str) -> HttpResponse:
    referral = access.get_for_user(request.user, Referral, uuid)
    access.require(request.user, "referral.cancel")
    Referral.TRANSITIONS.check("cancel", referral.status, referral.get_status_display())
    return _confirm(
        request,
        case=referral.need.case,
        subject=referral,
        title=_("Hủy đề nghị “%(need)s” gửi %(agency)s")
        % {"need": referral.need.need_type.name, "agency": referral.agency.name},
        consequences=[
            _("Cơ quan nhận được báo rằng đề nghị đã bị hủy và dừng xử lý."),
            _("Nhu cầu trở lại “đã xác định”: có thể gửi lại cho cơ quan khác."),
            _("Không thể hoàn tác; lý do hủy được ghi vào lịch sử đề nghị."),
        ],
        button=_("Hủy đề nghị"),
        call=lambda form: services.referral_cancel(
            actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
        ),
        message=_("Đã hủy đề nghị."),
        form=ReasonForm(request.POST or None),
    )


@verified_required
def need_withdraw(request: HttpRequest, uuid: str) -> HttpResponse:
    need = access.get_for_user(request.user, Need, uuid)
    access.require(request.user, "need.transition")
    Need.TRANSITIONS.check("withdraw", need.status, need.get_status_display())
    return _confirm(
        request,
        case=need.case,
        subject=need,
        title=_("Bỏ nhu cầu “%(need)s”") % {"need": need.need_type.name},
        consequences=[
            _("Nhu cầu được ghi là “không còn nhu cầu” và không gửi cơ quan nào nữa."),
            _("Không thể hoàn tác; nếu người được quản lý cần lại, hãy thêm một nhu cầu mới."),
        ],
        button=_("Bỏ nhu cầu"),
        call=lambda form: services.need_withdraw(actor=request.user, need=need),
        message=_("Đã bỏ nhu cầu."),
        form=Problems(request.POST if request.method == "POST" else None),
    )


@verified_required
def consent_withdraw(request: HttpRequest, uuid: str) -> HttpResponse:
    consent = access.get_for_user(request.user, Consent, uuid)
    access.require(request.user, "consent.transition")
    Consent.TRANSITIONS.check("withdraw", consent.status, consent.get_status_display())
    case = access.case_list_for_user(request.user).filter(person=consent.person).first()
    if case is None:
        raise Http404
    return _confirm(
        request,
        case=case,
        subject=consent,
        title=_("Rút lại sự đồng ý: %(purpose)s") % {"purpose": consent.get_purpose_display()},
        consequences=[
            _(
                "Có hiệu lực ngay: không chia sẻ thêm thông tin và không gửi tin nhắn theo sự "
                "đồng ý này nữa."
            ),
            _("Không thể hoàn tác; nếu người được quản lý đồng ý lại, hãy ghi một sự đồng ý mới."),
        ],
        button=_("Rút lại sự đồng ý"),
        call=lambda form: services.consent_withdraw(actor=request.user, consent=consent),
        message=_("Đã ghi nhận rút lại sự đồng ý."),
        form=Problems(request.POST if request.method == "POST" else None),
    )
