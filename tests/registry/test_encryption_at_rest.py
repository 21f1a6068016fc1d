"""What is in the database: ciphertext for every encrypted field, bound to its row, and still
readable after a key rotation once the old key is gone."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from registry import crypto, services
from registry.fields import EncryptedField
from registry.models import Case, CaseNote, Consent, CustodyRecord, Need, Person, Referral
from registry.selectors import person_find_by_national_id
from registry.services.keys import encrypted_models, encryption_rotate
from tests import factories

pytestmark = pytest.mark.django_db


def raw_row(model, pk) -> dict:
    columns = [f.column for f in model._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE id = %s", [pk]
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def plain_text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@pytest.fixture
def officer():
    return factories.UserFactory(username="alice")


@pytest.fixture
def full_case(officer):
    """One record of every model with encrypted fields, every encrypted field filled."""
    case = factories.make_case(officer)
    services.case_record_milestone(
        actor=officer,
        case=case,
        kind="reception_meeting",
        on=timezone.localdate(),
        note="Cam kết HCD-05 đã ký",
    )
    services.case_assign_helper(
        actor=officer, case=case, helper="Ông Lường Văn Khánh, trưởng bản", on=timezone.localdate()
    )
    services.case_note_add(
        actor=officer,
        case=case,
        kind="visit",
        happened_on=timezone.localdate(),
        text="Đã đến thăm gia đình, anh Pàng đang làm nương.",
    )
    need = services.need_identify(
        actor=officer, case=case, need_type=factories.need_type("loan"), note="Muốn vay vốn nuôi bò"
    )
    bank = factories.need_type("loan").agencies.get()
    consent = services.consent_record(
        actor=officer,
        person=case.person,
        purpose="referral",
        evidence="Phiếu đồng ý ký ngày hôm nay",
        agency=bank,
    )
    services.referral_send(actor=officer, need=need, agency=bank, consent=consent, note="Hộ nghèo")
    return case


class EncryptionAtRestTests:
    def test_every_encrypted_field_is_ciphertext_in_the_table(self, full_case) -> None:
        checked = 0
        for model, fields in encrypted_models():
            for obj in model.objects.all():
                row = raw_row(model, obj.pk)
                for field in fields:
                    plain = getattr(obj, field.attname)
                    stored = row[field.column]
                    if plain is None:
                        assert stored is None
                        continue
                    stored = bytes(stored)
                    assert plain_text(plain).encode() not in stored, (
                        f"{model.__name__}.{field.name}"
                    )
                    assert crypto.keyring().open(stored, field.aad(obj)) == field.encode(plain)
                    checked += 1
        # Person 6 + custody ≥ 14 + case helper + milestone note + note + need + consent + referral
        assert checked >= 25
        for model in (Person, CustodyRecord, Case, CaseNote, Consent, Need, Referral):
            assert any(m is model for m, _ in encrypted_models())

    def test_the_plain_national_id_and_phone_are_nowhere_in_the_person_row(self, full_case) -> None:
        person = full_case.person
        row = raw_row(Person, person.pk)
        flat = " ".join(str(bytes(v) if isinstance(v, memoryview) else v) for v in row.values())
        assert person.national_id not in flat
        assert "912345678" not in flat
        assert row["national_id_index"] and len(row["national_id_index"]) == 64

    def test_a_ciphertext_moved_to_another_row_does_not_decrypt(self, officer) -> None:
        first = factories.make_person(officer)
        second = factories.make_person(
            officer,
            full_name="Cầm Thị Hoa",
            gender="female",
            date_of_birth=dt.date(1990, 1, 2),
            national_id=factories.national_id(1990, "female"),
            phone=None,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE registry_person SET national_id = (SELECT national_id FROM registry_person "
                "WHERE id = %s) WHERE id = %s",
                [first.pk, second.pk],
            )
        moved = Person.objects.get(pk=second.pk)
        with pytest.raises(crypto.DecryptionError):
            _ = moved.national_id

    def test_encrypted_fields_cannot_be_filtered_on(self) -> None:
        with pytest.raises(TypeError, match="blind index"):
            Person.objects.filter(national_id="014085000001")

    def test_serialisation_carries_ciphertext_only(self, full_case) -> None:
        field = Person._meta.get_field("national_id")
        assert isinstance(field, EncryptedField)
        serialised = field.value_to_string(full_case.person)
        assert full_case.person.national_id not in serialised


class KeyRotationTests:
    def test_after_rotation_the_old_key_can_be_removed(self, full_case) -> None:
        old = crypto.keyring()
        old_spec = f"{old.primary_id}:{_b64(old.keys[old.primary_id])}"
        index_key = _b64(old.blind_index_key)
        expected = {
            (m, o.pk, f.attname): getattr(o, f.attname)
            for m, fields in encrypted_models()
            for o in m.objects.all()
            for f in fields
        }
        assert expected
        new_spec = f"rotated:{crypto.new_key()}"
        with override_settings(
            FIELD_ENCRYPTION_KEYS=f"{new_spec},{old_spec}", BLIND_INDEX_KEY=index_key
        ):
            call_command("rotate_encryption_keys", batch_size=2, verbosity=0)
        with override_settings(FIELD_ENCRYPTION_KEYS=new_spec, BLIND_INDEX_KEY=index_key):
            for (model, pk, attname), value in expected.items():
                obj = model.objects.get(pk=pk)
                assert getattr(obj, attname) == value
                if value is not None:
                    assert (
                        crypto.sealed_key_id(
                            bytes(raw_row(model, pk)[obj._meta.get_field(attname).column])
                        )
                        == "rotated"
                    )
            # blind indexes keep working: the index key did not change
            assert person_find_by_national_id(full_case.person.national_id) == full_case.person

    def test_a_second_run_has_nothing_left_to_do(self, full_case) -> None:
        old = crypto.keyring()
        spec = f"r2:{crypto.new_key()},{old.primary_id}:{_b64(old.keys[old.primary_id])}"
        with override_settings(
            FIELD_ENCRYPTION_KEYS=spec, BLIND_INDEX_KEY=_b64(old.blind_index_key)
        ):
            first = sum(changed for _, _, changed in encryption_rotate(batch_size=3))
            second = sum(changed for _, _, changed in encryption_rotate(batch_size=3))
        assert first > 0 and second == 0


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
