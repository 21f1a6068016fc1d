"""Output serializers show only the fields of the reader's field profile; input serializers are
plain and hand validated data to the registry's services. Related objects are named by their
public key: uuid, or the code of reference data."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.db import models
from django.db.models import F
from rest_framework import serializers

from registry import access
from registry.fields import (
    BlindIndexField,
    EncryptedBooleanField,
    EncryptedDateField,
    EncryptedIntegerField,
    EncryptedTextField,
)
from registry.models import (
    AdministrativeUnit,
    Agency,
    Case,
    CaseMilestone,
    CaseNote,
    Consent,
    CustodyRecord,
    Need,
    NeedType,
    Person,
    Referral,
    ReferralTransition,
    User,
)
from registry.models.cases import INDEX_COPIES

PUBLIC_KEY = {AdministrativeUnit: "code", Agency: "code", NeedType: "code", User: "username"}


class PublicKeyField(serializers.SlugRelatedField):
    """A relation shown by its public key. A list loads the key alone, as the annotation
    ``shown_key(name)`` (``load_only_shown``), rather than building the related model for each
    row; a single object reads it from the related model as usual."""

    def get_attribute(self, instance: Any) -> Any:
        loaded = instance.__dict__.get(shown_key(self.field_name), _ABSENT)
        return super().get_attribute(instance) if loaded is _ABSENT else loaded

    def to_representation(self, obj: Any) -> Any:
        return super().to_representation(obj) if isinstance(obj, models.Model) else obj


_ABSENT = object()


def shown_key(name: str) -> str:
    return f"shown_{name}_key"


class PolicySerializer(serializers.ModelSerializer):
    """A read-only model serializer trimmed to ``access.fields_for(request.user, model)``."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        EncryptedTextField: serializers.CharField,
        EncryptedDateField: serializers.DateField,
        EncryptedIntegerField: serializers.IntegerField,
        EncryptedBooleanField: serializers.BooleanField,
    }

    _prototypes: ClassVar[dict[type, dict[str, serializers.Field]]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        """The fields built from the model once per class, copied for each instance: DRF
        introspects the model on every instance (about 2.5 ms a request at twenty fields)."""
        cls = type(self)
        if cls not in PolicySerializer._prototypes:
            PolicySerializer._prototypes[cls] = super().get_fields()
        return copy.deepcopy(PolicySerializer._prototypes[cls])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            allowed = set(access.fields_for(request.user, self.Meta.model))
            for name in list(self.fields):
                if name not in allowed:
                    self.fields.pop(name)

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if model_field.choices and (model_field.blank or model_field.null):
            kwargs["allow_null"] = True  # an unset choice is null, never "" (not in the enum)
        return field_class, kwargs

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        for name, field in self.fields.items():
            if isinstance(field, serializers.ChoiceField) and data.get(name) == "":
                data[name] = None
        return data

    def build_relational_field(self, field_name: str, relation_info: Any) -> Any:
        related = relation_info.related_model
        return PublicKeyField, {
            "slug_field": PUBLIC_KEY.get(related, "uuid"),
            "read_only": True,
            "allow_null": True,
        }


def load_only_shown(queryset: models.QuerySet, serializer: PolicySerializer) -> models.QuerySet:
    """Load only what the serializer, trimmed to the role's profile, shows — a relation as its
    public key alone (an annotation ``PublicKeyField`` reads) — and the person's uuid for the audit
    row (``access.PERSON_UUID``): a list's rows build one model each, not the selector's chain of
    models with all their columns (issue 20: the API lists were 13–25× their bare SQL; building
    six models a row was still a quarter of the bank's referral list)."""
    model = serializer.Meta.model
    columns = {"id", *(["uuid"] if any(f.name == "uuid" for f in model._meta.fields) else [])}
    keys: dict[str, F] = {}
    for name in serializer.fields:
        field = model._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            keys[shown_key(name)] = F(f"{name}__{PUBLIC_KEY.get(field.related_model, 'uuid')}")
        elif field.concrete:
            columns.add(name)
        else:
            return queryset  # a field this cannot express: load everything, as before
    person = access.PERSON_PATH.get(model)
    if person:
        keys[access.PERSON_UUID] = F(f"{person}__uuid")
    return queryset.select_related(None).only(*columns).annotate(**keys)


def _public_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name != "id"
        and f.name not in INDEX_COPIES
        and not isinstance(f, BlindIndexField)
        and not f.name.endswith("_index")
    ]


def policy_serializer(model: type[models.Model]) -> type[PolicySerializer]:
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": _public_fields(model),
            "read_only_fields": _public_fields(model),
        },
    )
    return type(f"{model.__name__}Out", (PolicySerializer,), {"Meta": meta})


PersonOut = policy_serializer(Person)
CustodyRecordOut = policy_serializer(CustodyRecord)
CaseOut = policy_serializer(Case)
NeedOut = policy_serializer(Need)
ReferralOut = policy_serializer(Referral)
CaseNoteOut = policy_serializer(CaseNote)
ConsentOut = policy_serializer(Consent)


class MilestoneOut(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseMilestone
        fields = ["uuid", "kind", "date", "recorded_by"]


class TransitionOut(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReferralTransition
        fields = ["created_at", "from_status", "to_status", "actor", "reason"]


class UnitOut(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = AdministrativeUnit
        fields = [
            "code",
            "name",
            "full_name",
            "name_en",
            "unit_type",
            "level",
            "unit_list",
            "parent",
            "successor",
            "valid_from",
            "valid_to",
        ]


class AgencyOut(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    need_types = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "kind",
            "level",
            "jurisdiction",
            "successor",
            "valid_from",
            "valid_to",
            "need_types",
        ]


class NeedTypeOut(serializers.ModelSerializer):
    class Meta:
        model = NeedType
        fields = ["code", "name", "name_en", "response_working_days", "is_active"]


# --- input ----------------------------------------------------------------------------------
# Strict types: a number where the schema says text (or text where it says a number or a
# boolean) is refused, as the schema promises, instead of being coerced.


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictUUIDField(serializers.UUIDField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class PersonIn(serializers.Serializer):
    full_name = StrictCharField(max_length=150)
    gender = serializers.ChoiceField(choices=Person.Gender.choices)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    birth_year = StrictIntegerField(required=False, allow_null=True, min_value=1900, max_value=2100)
    national_id = StrictCharField(required=False, allow_blank=True, max_length=40)
    phone = StrictCharField(required=False, allow_blank=True, max_length=40)
    address = StrictCharField(required=False, allow_blank=True, max_length=500)
    ethnicity = StrictCharField(required=False, allow_blank=True, max_length=60)
    family_contact = StrictCharField(required=False, allow_blank=True, max_length=300)


class CustodyIn(serializers.Serializer):
    release_date = serializers.DateField()
    release_kind = serializers.ChoiceField(choices=CustodyRecord.ReleaseKind.choices)
    main_penalty = serializers.ChoiceField(choices=CustodyRecord.PenaltyKind.choices)
    sentence_months = StrictIntegerField(
        required=False, allow_null=True, min_value=0, max_value=1000
    )
    additional_penalty_months = StrictIntegerField(
        required=False, allow_null=True, min_value=0, max_value=1000
    )
    obligations_fulfilled = StrictBooleanField(required=False, allow_null=True)
    court = StrictCharField(required=False, allow_blank=True, max_length=200)
    judgment_number = StrictCharField(required=False, allow_blank=True, max_length=100)
    judgment_date = serializers.DateField(required=False, allow_null=True)
    offence = StrictCharField(required=False, allow_blank=True, max_length=300)
    penal_code_articles = StrictCharField(required=False, allow_blank=True, max_length=100)
    offence_date = serializers.DateField(required=False, allow_null=True)
    prison = StrictCharField(required=False, allow_blank=True, max_length=200)
    certificate_number = StrictCharField(required=False, allow_blank=True, max_length=100)
    certificate_date = serializers.DateField(required=False, allow_null=True)
    additional_penalties = StrictCharField(required=False, allow_blank=True, max_length=500)
    civil_obligations = StrictCharField(required=False, allow_blank=True, max_length=500)


class CustodyCreateIn(CustodyIn):
    person = StrictUUIDField()


class PrisonNoticeIn(serializers.Serializer):
    commune = StrictCharField(max_length=8, help_text="Mã xã, phường (danh mục từ 01/07/2025)")
    person = PersonIn()
    custody = CustodyIn()
    notice_received_on = serializers.DateField(required=False, allow_null=True)
    reporting_deadline = serializers.DateField(required=False, allow_null=True)


class PersonPatchIn(serializers.Serializer):
    phone = StrictCharField(required=False, allow_blank=True, max_length=40)
    national_id = StrictCharField(required=False, allow_blank=True, max_length=40)
    address = StrictCharField(required=False, allow_blank=True, max_length=500)
    family_contact = StrictCharField(required=False, allow_blank=True, max_length=300)
    reason = StrictCharField(required=False, allow_blank=True, max_length=500)


class CaseIn(serializers.Serializer):
    person = StrictUUIDField()
    commune = StrictCharField(max_length=8)


class MilestoneIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseMilestone.Kind.choices)
    date = serializers.DateField()
    note = StrictCharField(required=False, allow_blank=True, max_length=1000)


class CaseActionIn(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.ChoiceField(choices=Case.CloseReason.choices, required=False)


class NeedIn(serializers.Serializer):
    case = StrictUUIDField()
    need_type = StrictSlugField(max_length=40)
    priority = serializers.ChoiceField(choices=Need.Priority.choices, required=False)
    note = StrictCharField(required=False, allow_blank=True, max_length=1000)


class ReferralIn(serializers.Serializer):
    need = StrictUUIDField()
    agency = StrictSlugField(max_length=60)
    consent = StrictUUIDField(required=False, allow_null=True)
    program = StrictCharField(required=False, allow_blank=True, max_length=200)
    note = StrictCharField(required=False, allow_blank=True, max_length=1000)


class ReferralActionIn(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=500)
    outcome = serializers.ChoiceField(choices=Referral.Outcome.choices, required=False)


class NoteIn(serializers.Serializer):
    case = StrictUUIDField()
    kind = serializers.ChoiceField(choices=CaseNote.Kind.choices)
    happened_on = serializers.DateField()
    text = StrictCharField(max_length=5000)


class ConsentIn(serializers.Serializer):
    person = StrictUUIDField()
    purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)
    channel = serializers.ChoiceField(
        choices=Consent.Channel.choices, required=False, allow_blank=True
    )
    agency = StrictSlugField(required=False, allow_blank=True, max_length=60)
    need_type = StrictSlugField(required=False, allow_blank=True, max_length=40)
    evidence = StrictCharField(max_length=1000)
    given_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)


class MessageOut(serializers.Serializer):
    message = serializers.CharField()
    extra = serializers.DictField()


class UnitLookupOut(serializers.Serializer):
    commune = UnitOut()


class PersonSearchIn(serializers.Serializer):
    national_id = StrictCharField(required=False, allow_blank=True, max_length=40)
    phone = StrictCharField(required=False, allow_blank=True, max_length=40)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("national_id")) == bool(attrs.get("phone")):
            raise serializers.ValidationError(
                "Nhập số định danh hoặc số điện thoại (một trong hai)."
            )
        return attrs
