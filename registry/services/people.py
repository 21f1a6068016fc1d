"""Writes for people and custody records: validation, normalisation, encryption, one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from registry import validation
from registry.audit import audit_record, change_record
from registry.expungement import compute_expungement
from registry.models import CustodyRecord, ExpungementPeriod, Person, User
from registry.models.access import AccessEvent

PERSON_FIELDS = (
    "full_name",
    "gender",
    "birth_year",
    "date_of_birth",
    "national_id",
    "phone",
    "address",
    "ethnicity",
    "family_contact",
)


# Read once: a TextChoices' ``values`` is rebuilt on every access (imports check many rows).
_GENDERS = frozenset(Person.Gender.values)
_RELEASE_KINDS = frozenset(CustodyRecord.ReleaseKind.values)
_PENALTIES = frozenset(CustodyRecord.PenaltyKind.values)
_LATER_DATES = (
    ("judgment_date", _("Ngày bản án")),
    ("offence_date", _("Ngày phạm tội")),
    ("certificate_date", _("Ngày cấp giấy chứng nhận")),
)


def _collect(
    errors: dict[str, list[Any]], field: str, check: Any, *args: Any, **kwargs: Any
) -> Any:
    """Run one check; file its ValidationError under ``field`` instead of stopping at the first."""
    try:
        return check(*args, **kwargs)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.error_list)
        return None


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise person fields; raises one ValidationError listing every problem."""
    errors: dict[str, list[Any]] = {}
    clean = dict(data)
    if "full_name" in data:
        clean["full_name"] = _collect(errors, "full_name", validation.clean_name, data["full_name"])
    if data.get("gender") not in _GENDERS:
        errors.setdefault("gender", []).append(
            ValidationError(_("Chọn giới tính: nam hoặc nữ."), code="gender_required")
        )
    birth_year = _collect(
        errors,
        "date_of_birth",
        validation.validate_birth,
        data.get("date_of_birth"),
        data.get("birth_year"),
    )
    clean["birth_year"] = birth_year
    if data.get("national_id"):
        clean["national_id"] = _collect(
            errors,
            "national_id",
            validation.validate_national_id,
            data["national_id"],
            birth_year=birth_year,
            gender=data.get("gender"),
        )
    if data.get("phone"):
        clean["phone"] = _collect(errors, "phone", validation.normalize_phone, data["phone"])
    for field in ("address", "ethnicity", "family_contact"):
        if field in data:
            clean[field] = (data[field] or "").strip() or None
    if errors:
        raise ValidationError(errors)
    return clean


def _check_national_id_free(person: Person) -> None:
    field = Person._meta.get_field("national_id_index")
    person.national_id_index = field.compute(person.national_id)
    if person.national_id_index is None:
        return
    taken = Person.objects.filter(national_id_index=person.national_id_index).exclude(pk=person.pk)
    if taken.exists():
        raise ValidationError(
            {"national_id": _("Số định danh này đã có trong sổ theo dõi (một người khác).")},
            code="national_id_taken",
        )


def _save_person(person: Person, update_fields: list[str] | None = None) -> None:
    person.folded_name = validation.fold(person.full_name)
    _check_national_id_free(person)
    person.full_clean(exclude=["national_id_index", "phone_index"])
    try:
        with transaction.atomic():
            person.save(update_fields=update_fields)
    except IntegrityError as error:  # a concurrent insert of the same national ID
        raise ValidationError(
            {"national_id": _("Số định danh này đã có trong sổ theo dõi (một người khác).")}
        ) from error


@transaction.atomic
def person_create(
    *,
    actor: User,
    full_name: str,
    gender: str,
    birth_year: int | None = None,
    date_of_birth: dt.date | None = None,
    national_id: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    ethnicity: str | None = None,
    family_contact: str | None = None,
    is_demo: bool = False,
) -> Person:
    """Register a person. Raises ValidationError (per field) and writes nothing on bad input."""
    clean = _clean_person(
        dict(
            full_name=full_name,
            gender=gender,
            birth_year=birth_year,
            date_of_birth=date_of_birth,
            national_id=national_id,
            phone=phone,
            address=address,
            ethnicity=ethnicity,
            family_contact=family_contact,
        )
    )
    person = Person(is_demo=is_demo, **clean)
    _save_person(person)
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[person])
    return person


# Changes to these need a reason and leave a ChangeLog row (legally significant fields).
LOGGED_PERSON_FIELDS = ("national_id", "phone")


@transaction.atomic
def person_update(*, actor: User, person: Person, reason: str = "", **changes: Any) -> Person:
    """Change some fields of a person; the same checks as ``person_create`` apply to the result.
    A change of national ID or phone needs ``reason`` and is written to the change log."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    current = {field: getattr(person, field) for field in PERSON_FIELDS}
    clean = _clean_person({**current, **changes})
    logged = [f for f in LOGGED_PERSON_FIELDS if f in changes and clean[f] != current[f]]
    if logged and not reason.strip():
        raise ValidationError(
            {"reason": _("Cần ghi lý do khi sửa số định danh hoặc số điện thoại.")}
        )
    for field in changes:
        setattr(person, field, clean[field])
    if "date_of_birth" in changes or "birth_year" in changes:
        person.birth_year = clean["birth_year"]
    _save_person(person)
    for field in logged:
        change_record(
            actor=actor,
            obj=person,
            field=field,
            old=current[field],
            new=clean[field],
            reason=reason,
        )
    audit_record(actor=actor, action=AccessEvent.Action.UPDATE, objects=[person])
    return person


def _clean_custody(person: Person, data: dict[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    release_date: dt.date | None = data.get("release_date")
    if release_date is None:
        errors["release_date"] = [ValidationError(_("Chưa nhập ngày chấp hành xong án."))]
    else:
        _collect(
            errors,
            "release_date",
            validation.validate_release_date,
            release_date,
            birth_year=person.birth_year,
            date_of_birth=person.date_of_birth,
        )
    if data.get("release_kind") not in _RELEASE_KINDS:
        errors["release_kind"] = [
            ValidationError(_("Chọn hình thức: chấp hành xong, đặc xá hoặc tha tù trước thời hạn."))
        ]
    penalty = data.get("main_penalty")
    if penalty not in _PENALTIES:
        errors["main_penalty"] = [ValidationError(_("Chọn loại hình phạt chính."))]
    months = data.get("sentence_months")
    if penalty == CustodyRecord.PenaltyKind.PRISON and not (
        isinstance(months, int) and 1 <= months <= 360
    ):
        errors["sentence_months"] = [
            ValidationError(
                _("Thời hạn tù phải từ 1 đến 360 tháng (tù có thời hạn tối đa 30 năm).")
            )
        ]
    extra = data.get("additional_penalty_months")
    if extra is not None and not (isinstance(extra, int) and 0 <= extra <= 240):
        errors["additional_penalty_months"] = [
            ValidationError(_("Thời hạn hình phạt bổ sung không hợp lệ."))
        ]
    today = validation.today()
    for field, label in _LATER_DATES:
        value = data.get(field)
        if value is not None and value > today:  # the message is built only when needed
            errors.setdefault(field, []).append(
                ValidationError(
                    _("%(label)s không được ở tương lai.") % {"label": label},
                    code=f"{field}_future",
                )
            )
    judgment, offence = data.get("judgment_date"), data.get("offence_date")
    if judgment and release_date and judgment > release_date:
        errors.setdefault("judgment_date", []).append(
            ValidationError(_("Ngày bản án phải trước ngày chấp hành xong án."))
        )
    if offence and judgment and offence > judgment:
        errors.setdefault("offence_date", []).append(
            ValidationError(_("Ngày phạm tội phải trước ngày bản án."))
        )
    if errors:
        raise ValidationError(errors)


def person_and_custody_check(*, person: dict[str, Any], custody: dict[str, Any]) -> None:
    """Every problem of a new person and their custody record at once, without writing: one
    ValidationError by field. Values a form could not read arrive as None."""
    errors: dict[str, list[Any]] = {}
    clean: dict[str, Any] = {}
    try:
        clean = _clean_person(dict(person))
    except ValidationError as error:
        errors.update(error.error_dict)
    probe = Person(birth_year=clean.get("birth_year"), date_of_birth=person.get("date_of_birth"))
    try:
        _clean_custody(probe, dict(custody))
    except ValidationError as error:
        for field, problems in error.error_dict.items():
            errors.setdefault(field, []).extend(problems)
    if errors:
        raise ValidationError(errors)


def custody_record_fill_expungement(record: CustodyRecord) -> None:
    """Compute and store the expungement-eligible date and how it was computed."""
    result = compute_expungement(
        release_date=record.release_date,
        main_penalty=record.main_penalty,
        sentence_months=record.sentence_months,
        additional_penalty_months=record.additional_penalty_months,
        obligations_fulfilled=record.obligations_fulfilled,
        penal_code_articles=record.penal_code_articles,
        offence_date=record.offence_date,
        date_of_birth=record.person.date_of_birth,
        periods=ExpungementPeriod.objects.filter(ExpungementPeriod.valid_on_q(record.release_date)),
    )
    record.expungement_eligible_date = result.eligible_on
    record.expungement_explanation = result.explanation


@transaction.atomic
def custody_record_create(
    *,
    actor: User,
    person: Person,
    release_date: dt.date,
    release_kind: str,
    main_penalty: str,
    sentence_months: int | None = None,
    additional_penalty_months: int | None = None,
    obligations_fulfilled: bool | None = None,
    court: str | None = None,
    judgment_number: str | None = None,
    judgment_date: dt.date | None = None,
    offence: str | None = None,
    penal_code_articles: str | None = None,
    offence_date: dt.date | None = None,
    prison: str | None = None,
    certificate_number: str | None = None,
    certificate_date: dt.date | None = None,
    additional_penalties: str | None = None,
    civil_obligations: str | None = None,
) -> CustodyRecord:
    """Record a judgment and its release; the expungement date is computed and stored."""
    data = {k: v for k, v in locals().items() if k not in {"actor", "person"}}
    _clean_custody(person, data)
    record = CustodyRecord(person=person, **data)
    custody_record_fill_expungement(record)
    record.full_clean()
    record.save()
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[record])
    return record


@transaction.atomic
def custody_certificate_record(
    *, actor: User, record: CustodyRecord, number: str, issued_on: dt.date, issuer: str
) -> CustodyRecord:
    """The release certificate (PT70; PT72 for an amnesty) on the custody record: its number, the
    day it was issued and who issued it. The loan rules need it (Decision 22/2023 art. 3(1)); a
    notice registered without it is completed here. Each change is logged with its old value."""
    errors: dict[str, Any] = {}
    if not number.strip():
        errors["number"] = _("Ghi số giấy chứng nhận (PT70, PT72).")
    if not issuer.strip():
        errors["issuer"] = _("Ghi nơi cấp (trại giam, trại tạm giam …).")
    if issued_on > validation.today():
        errors["issued_on"] = _("Ngày cấp giấy chứng nhận không được ở tương lai.")
    elif issued_on < record.release_date:
        errors["issued_on"] = _(
            "Ngày cấp giấy chứng nhận không được trước ngày chấp hành xong án (%(date)s)."
        ) % {"date": record.release_date.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    locked = CustodyRecord.objects.select_for_update().get(pk=record.pk)
    new = {
        "certificate_number": number.strip(),
        "certificate_date": issued_on,
        "certificate_issuer": issuer.strip(),
    }
    for field, value in new.items():
        old = getattr(locked, field)
        if old != value:
            change_record(
                actor=actor,
                obj=locked,
                field=field,
                old=old,
                new=value,
                reason="release certificate recorded",
            )
        setattr(locked, field, value)
    locked.save(update_fields=[*new, "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.UPDATE, objects=[locked])
    return locked
