"""Typed factory_boy factories. People and cases go through the services, as in production, so
that validation, normalisation and encryption are exercised by every test that uses them."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from registry import services
from registry.models import AdministrativeUnit, Case, CustodyRecord, Need, NeedType, Person, User

_serial = itertools.count(1)


def national_id(birth_year: int = 1985, gender: str = "male", province: str = "014") -> str:
    """A valid citizen ID for the given birth year and gender, unique within the test run."""
    digit = (birth_year // 100 - 19) * 2 + (0 if gender == "male" else 1)
    return f"{province}{digit}{birth_year % 100:02d}{next(_serial):06d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"can-bo-{n}")
    first_name = "Cán bộ"


def commune(name: str = "Tô Hiệu") -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(unit_list="2025", level="commune", name=name)


def need_type(code: str) -> NeedType:
    return NeedType.objects.get(code=code)


def make_person(actor: User, **overrides: object) -> Person:
    data: dict[str, object] = {
        "full_name": "Lò Văn Pàng",
        "gender": "male",
        "date_of_birth": dt.date(1985, 3, 14),
        "national_id": national_id(1985, "male"),
        "phone": "0912345678",
        "address": "Bản Hìn, phường Tô Hiệu",
        "ethnicity": "Thái",
        "family_contact": "Lò Thị Ánh (vợ) 0987654321",
    }
    data.update(overrides)
    return services.person_create(actor=actor, **data)


def make_custody(actor: User, person: Person, **overrides: object) -> CustodyRecord:
    data: dict[str, object] = {
        "release_date": timezone.localdate() - dt.timedelta(days=30),
        "release_kind": CustodyRecord.ReleaseKind.COMPLETED,
        "main_penalty": CustodyRecord.PenaltyKind.PRISON,
        "sentence_months": 36,
        "obligations_fulfilled": True,
        "court": "Tòa án nhân dân tỉnh Sơn La",
        "judgment_number": "123/2022/HS-ST",
        "judgment_date": dt.date(2022, 5, 10),
        "offence": "Tàng trữ trái phép chất ma túy",
        "penal_code_articles": "249",
        "prison": "Trại giam Yên Hạ",
        "certificate_number": "456/GCN",
        "certificate_date": timezone.localdate() - dt.timedelta(days=30),
        "additional_penalties": "Phạt tiền 5.000.000 đồng",
        "civil_obligations": "Án phí 200.000 đồng (đã nộp)",
    }
    data.update(overrides)
    return services.custody_record_create(actor=actor, person=person, **data)


def make_case(actor: User, person: Person | None = None, commune_name: str = "Tô Hiệu") -> Case:
    person = person or make_person(actor)
    record = make_custody(actor, person)
    return services.case_open(
        actor=actor, person=person, commune=commune(commune_name), custody_record=record
    )


def make_need(actor: User, case: Case, code: str = "job") -> Need:
    return services.need_identify(actor=actor, case=case, need_type=need_type(code))


def sign_in(client, user: User) -> None:
    """A signed-in staff session: password done, second factor verified, started now."""
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session["signed_in_at"] = time.time()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def commune_officer(username: str, commune_name: str = "Tô Hiệu") -> User:
    """A commune police officer of one commune."""
    from registry.models import Agency, Membership, Role

    unit = commune(commune_name)
    user = UserFactory(username=username)
    Membership.objects.create(
        user=user,
        role=Role.COMMUNE_POLICE,
        agency=Agency.objects.get(level="commune", kind="police", jurisdiction=unit),
    ).units.add(unit)
    return user


# A court's expungement decision (Penal Code art. 71-72): closing by expungement before the date
# the custody record gives needs one.
COURT_EXPUNGEMENT = {"basis": "court", "reference": "01/2026/QĐ-TA"}


def close_expunged(actor: User, case: Case) -> Case:
    """Close a case by expungement on a court's decision of today."""
    return services.case_close(
        actor=actor,
        case=case,
        reason="expunged",
        reference_date=timezone.localdate(),
        **COURT_EXPUNGEMENT,
    )
