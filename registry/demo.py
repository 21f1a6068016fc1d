"""Deterministic, clearly synthetic demo and benchmark data (``manage.py seed_demo``).

Every demo person is flagged ``is_demo``; their citizen IDs pass validation but use the reserved
serial range ``99xxxx`` (digits 7–12), so a demo ID is recognisable at a glance. Names are common
Vietnamese, Thái and H'Mông family, middle and given names. The same ``seed`` gives the same people.

Rows are generated as tuples and written in bulk: PostgreSQL's COPY when available (1,000,000
people in a few minutes), multi-row INSERTs elsewhere. Everything is one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.utils import timezone

from registry import crypto
from registry.expungement import compute_expungement
from registry.fields import BlindIndexField, EncryptedField
from registry.models import (
    AdministrativeUnit,
    Agency,
    Case,
    CaseMilestone,
    Consent,
    CustodyRecord,
    ExpungementPeriod,
    Need,
    NeedType,
    Person,
    Referral,
    ReferralTransition,
    User,
)
from registry.selectors import need_type_responsibility
from registry.validation import fold

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Lò",
    "Cầm",
    "Quàng",
    "Tòng",
    "Lường",
    "Hà",
    "Vì",
    "Giàng",
    "Sùng",
    "Mùa",
    "Thào",
    "Lầu",
    "Lý",
    "Điêu",
]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Hữu", "Thanh", "Quang", "A", "Seo", "Công", "Xuân"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Kim"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hùng",
    "Hải",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tuấn",
    "Thắng",
    "Việt",
    "Chinh",
    "Khánh",
    "Lực",
    "Pàng",
    "Chứ",
    "Dếnh",
    "Ánh",
    "Toàn",
]
GIVEN_FEMALE = ["Hoa", "Lan", "Mai", "Hương", "Thảo", "Linh", "Yến", "Xuân", "Dung", "Páo", "Mỷ"]
ETHNICITIES = ["Thái", "Kinh", "H'Mông", "Mường", "Dao", "Khơ Mú", "Xinh Mun", "Lào"]
OFFENCES = [
    ("Tàng trữ trái phép chất ma túy", "249"),
    ("Mua bán trái phép chất ma túy", "251"),
    ("Trộm cắp tài sản", "173"),
    ("Cố ý gây thương tích", "134"),
    ("Lừa đảo chiếm đoạt tài sản", "174"),
    ("Vận chuyển trái phép chất ma túy", "250"),
    ("Đánh bạc", "321"),
    ("Cướp tài sản", "168"),
]
PRISONS = ["Trại giam Yên Hạ", "Trại giam Thanh Xuân", "Trại giam Nam Hà", "Trại giam Tân Lập"]
# Birth-registration province codes of demo IDs, Sơn La (014) first; the next is used when a
# (province, century/sex, year) block of 10,000 reserved serials is used up.
ID_PROVINCES = ["014", "010", "011", "012", "015", "017", "025", "001", "019", "008"]
RESERVED_SERIAL = 990000
PHONE_PREFIXES = [
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "086",
    "096",
    "097",
    "098",
    "091",
    "094",
    "088",
    "083",
    "084",
    "085",
    "070",
    "079",
    "077",
    "076",
    "078",
]


class Sealer:
    """Seal and index values for raw rows of one model, as its encrypted fields would."""

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.fields = {f.name: f for f in model._meta.concrete_fields}
        self.ring = crypto.keyring()

    def seal(self, name: str, value: Any, row_uuid: uuid.UUID) -> bytes | None:
        if value is None:
            return None
        enc: EncryptedField = self.fields[name]  # type: ignore[assignment]
        return self.ring.seal(
            enc.encode(value), crypto.associated_data(self.table, enc.column, row_uuid)
        )

    def index(self, name: str, normalised: str | None) -> str | None:
        bidx: BlindIndexField = self.fields[name]  # type: ignore[assignment]
        return None if normalised is None else self.ring.blind_index(bidx.purpose, normalised)


class RowWriter:
    """Bulk-writes tuples to a table: COPY on PostgreSQL, executemany INSERT elsewhere."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.table, self.columns = model._meta.db_table, list(columns)
        by_column = {f.column: f for f in model._meta.concrete_fields}
        self.fields = [by_column[c] for c in self.columns]
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                prepared = [
                    [
                        f.get_db_prep_save(v, connection)
                        for f, v in zip(self.fields, row, strict=True)
                    ]
                    for row in self.rows
                ]
                sql = f"INSERT INTO {self.table} ({cols}) VALUES ({marks})"  # noqa: S608 (model names only)
                cursor.executemany(sql, prepared)
        self.rows.clear()


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(_NoStyle(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name: str) -> Callable[[str], str]:
        return lambda text: text


@dataclass
class DemoSeeder:
    seed: int
    actor: User
    today: dt.date = field(default_factory=timezone.localdate)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 (reproducible fake data, not secrets)
        self.now = timezone.now()
        self.communes = list(
            AdministrativeUnit.objects.filter(unit_list="2025", level="commune").order_by("code")
        )
        self.need_types = list(NeedType.objects.filter(is_active=True).order_by("ordering"))
        self.periods = list(ExpungementPeriod.objects.all())
        self.agency_for_need = self._agencies_by_need_type()
        self.serials: dict[tuple[str, int, int], int] = {}
        self.ids = {
            m: _next_id(m)
            for m in (
                Person,
                CustodyRecord,
                Case,
                CaseMilestone,
                Need,
                Consent,
                Referral,
                ReferralTransition,
            )
        }
        self.person_sealer, self.custody_sealer = Sealer(Person), Sealer(CustodyRecord)
        self.writers = {
            Person: RowWriter(
                Person,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "uuid",
                    "full_name",
                    "folded_name",
                    "gender",
                    "birth_year",
                    "national_id",
                    "national_id_index",
                    "date_of_birth",
                    "phone",
                    "phone_index",
                    "address",
                    "ethnicity",
                    "family_contact",
                    "is_demo",
                ],
            ),
            CustodyRecord: RowWriter(
                CustodyRecord,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "uuid",
                    "person_id",
                    "release_date",
                    "release_kind",
                    "court",
                    "judgment_number",
                    "judgment_date",
                    "offence",
                    "penal_code_articles",
                    "main_penalty",
                    "sentence_months",
                    "prison",
                    "certificate_number",
                    "certificate_date",
                    "obligations_fulfilled",
                    "expungement_explanation",
                    "expungement_eligible_date",
                ],
            ),
            Case: RowWriter(
                Case,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "uuid",
                    "person_id",
                    "custody_record_id",
                    "commune_id",
                    "status",
                    "close_reason",
                    "closed_on",
                    "assigned_officer_id",
                    "classification",
                    "reporting_deadline",
                    "address_check_due",
                    "opened_by_id",
                    "version",
                ],
            ),
            CaseMilestone: RowWriter(
                CaseMilestone,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "uuid",
                    "case_id",
                    "kind",
                    "date",
                    "recorded_by_id",
                ],
            ),
            Need: RowWriter(
                Need,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "uuid",
                    "case_id",
                    "need_type_id",
                    "priority",
                    "status",
                    "identified_by_id",
                ],
            ),
            Referral: RowWriter(
                Referral,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "uuid",
                    "need_id",
                    "agency_id",
                    "sent_by_id",
                    "status",
                    "outcome",
                    "reason",
                    "lawful_basis",
                    "consent_id",
                    "program",
                    "sent_at",
                    "response_due",
                    "version",
                ],
            ),
            Consent: RowWriter(
                Consent,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "uuid",
                    "person_id",
                    "purpose",
                    "channel",
                    "agency_id",
                    "need_type_id",
                    "status",
                    "evidence",
                    "recorded_by_id",
                    "given_on",
                ],
            ),
            ReferralTransition: RowWriter(
                ReferralTransition,
                [
                    "id",
                    "created_at",
                    "updated_at",
                    "referral_id",
                    "from_status",
                    "to_status",
                    "actor_id",
                    "reason",
                ],
            ),
        }
        self.consent_sealer = Sealer(Consent)

    def _agencies_by_need_type(self) -> dict[int, tuple[int, bool]]:
        """need type id → (province-level agency responsible today, whether it has a legal duty)."""
        chosen: dict[int, tuple[int, bool]] = {}
        for need_type in self.need_types:
            rule = need_type_responsibility(need_type=need_type, on=self.today)
            agency = (
                Agency.objects.filter(
                    Agency.valid_on_q(self.today),
                    need_types=need_type,
                    level=Agency.Level.PROVINCE,
                    kind=getattr(rule, "agency_kind", None),
                )
                .order_by("id")
                .first()
            )
            if agency is not None and rule is not None:
                chosen[need_type.pk] = (agency.pk, rule.legal_duty)
        return chosen

    def _take_id(self, model: type[models.Model]) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _national_id(self, birth_year: int, gender: str) -> str:
        century_digit = (birth_year // 100 - 19) * 2 + (0 if gender == "male" else 1)
        for province in ID_PROVINCES:
            key = (province, century_digit, birth_year % 100)
            serial = self.serials.get(key, 0)
            if serial < 10000:
                self.serials[key] = serial + 1
                return (
                    f"{province}{century_digit}{birth_year % 100:02d}{RESERVED_SERIAL + serial:06d}"
                )
        raise RuntimeError("reserved demo ID range exhausted for this birth year")

    def person(self) -> None:
        rng, ts = self.rng, self.now
        gender = "male" if rng.random() < 0.9 else "female"
        if gender == "male":
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
        else:
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
        birth_year = rng.randint(1962, 2004)
        born = dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
        national_id = self._national_id(birth_year, gender)
        phone = (
            f"+84{rng.choice(PHONE_PREFIXES)[1:]}{rng.randint(0, 9999999):07d}"
            if rng.random() < 0.75
            else None
        )
        commune = rng.choice(self.communes)
        pid, puid, ps = self._take_id(Person), self._uuid(), self.person_sealer
        self.writers[Person].add(
            (
                pid,
                ts,
                ts,
                puid,
                name,
                fold(name),
                gender,
                birth_year,
                ps.seal("national_id", national_id, puid),
                ps.index("national_id_index", national_id),
                ps.seal("date_of_birth", born, puid),
                ps.seal("phone", phone, puid),
                ps.index("phone_index", phone),
                ps.seal("address", f"Bản {rng.randint(1, 30)}, {commune.full_name}", puid),
                ps.seal("ethnicity", rng.choice(ETHNICITIES), puid),
                ps.seal("family_contact", "Người thân (dữ liệu mẫu)", puid)
                if rng.random() < 0.5
                else None,
                True,
            )
        )
        self._custody_and_case(pid, born, commune)

    def _custody_and_case(self, person_id: int, born: dt.date, commune: AdministrativeUnit) -> None:
        rng, ts, cs = self.rng, self.now, self.custody_sealer
        release = self.today - dt.timedelta(days=rng.randint(-60, 5 * 365))
        months = rng.choice([6, 9, 12, 18, 24, 30, 36, 48, 60, 72, 84, 96, 120, 180, 240])
        judgment = release - dt.timedelta(days=months * 30 + rng.randint(30, 200))
        offence, article = rng.choice(OFFENCES)
        paid = rng.random() > 0.1
        result = compute_expungement(
            release_date=release,
            main_penalty="prison",
            sentence_months=months,
            additional_penalty_months=None,
            obligations_fulfilled=paid,
            penal_code_articles=article,
            offence_date=None,
            date_of_birth=born,
            periods=self.periods,
        )
        kind = rng.choices(["completed", "amnesty", "conditional"], weights=[85, 8, 7])[0]
        cid, cuid = self._take_id(CustodyRecord), self._uuid()
        self.writers[CustodyRecord].add(
            (
                cid,
                ts,
                ts,
                cuid,
                person_id,
                release,
                kind,
                cs.seal("court", "Tòa án nhân dân tỉnh Sơn La", cuid),
                cs.seal("judgment_number", f"{rng.randint(1, 400)}/{judgment.year}/HS-ST", cuid),
                cs.seal("judgment_date", judgment, cuid),
                cs.seal("offence", offence, cuid),
                cs.seal("penal_code_articles", article, cuid),
                cs.seal("main_penalty", "prison", cuid),
                cs.seal("sentence_months", months, cuid),
                cs.seal("prison", rng.choice(PRISONS), cuid),
                cs.seal("certificate_number", f"{rng.randint(1, 9999)}/GCN", cuid),
                cs.seal("certificate_date", release, cuid),
                cs.seal("obligations_fulfilled", paid, cuid),
                cs.seal("expungement_explanation", result.explanation, cuid),
                result.eligible_on,
            )
        )
        self._case(person_id, cid, commune, release, result.eligible_on)

    def _case(
        self,
        person_id: int,
        custody_id: int,
        commune: AdministrativeUnit,
        release: dt.date,
        eligible: dt.date | None,
    ) -> None:
        rng, ts, actor = self.rng, self.now, self.actor.pk
        notice = min(release - dt.timedelta(days=60), self.today)
        steps = [("notice_received", notice)]
        if release > self.today:
            status = rng.choice(["expected", "awaiting_arrival"])
        else:
            status = "active" if rng.random() < 0.97 else "awaiting_arrival"
        if status in ("awaiting_arrival", "active"):
            steps.append(("address_verified", min(notice + dt.timedelta(days=2), self.today)))
        if status == "active":
            steps.append(
                ("presented", min(release + dt.timedelta(days=rng.randint(1, 10)), self.today))
            )
        close_reason, closed_on = "", None
        if status == "active" and eligible and eligible < self.today and rng.random() < 0.8:
            status, close_reason, closed_on = "closed", "expunged", eligible
            steps.append(("expunged", eligible))
        case_id = self._take_id(Case)
        self.writers[Case].add(
            (
                case_id,
                ts,
                ts,
                self._uuid(),
                person_id,
                custody_id,
                commune.pk,
                status,
                close_reason,
                closed_on,
                actor if status == "active" else None,
                rng.choice("AAABBC") if status == "active" else "",
                release + dt.timedelta(days=15),
                notice + dt.timedelta(days=5),
                actor,
                1,
            )
        )
        for kind, day in steps:
            self.writers[CaseMilestone].add(
                (self._take_id(CaseMilestone), ts, ts, self._uuid(), case_id, kind, day, actor)
            )
        if status in ("active", "awaiting_arrival"):
            for need_type in rng.sample(self.need_types, k=rng.choice([0, 1, 1, 2, 2, 3])):
                self._need(person_id, case_id, need_type, release)

    def _need(self, person_id: int, case_id: int, need_type: NeedType, release: dt.date) -> None:
        rng, ts, actor = self.rng, self.now, self.actor.pk
        agency, legal_duty = self.agency_for_need.get(need_type.pk, (None, False))
        referred = agency is not None and rng.random() < 0.6
        need_id = self._take_id(Need)
        outcome_status = (
            rng.choice(["requested", "accepted", "in_progress", "completed", "rejected"])
            if referred
            else None
        )
        need_status = "identified"
        if outcome_status == "completed":
            need_status = "met"
        elif outcome_status in ("requested", "accepted", "in_progress"):
            need_status = "referred"
        self.writers[Need].add(
            (
                need_id,
                ts,
                ts,
                self._uuid(),
                case_id,
                need_type.pk,
                rng.choice(["normal", "normal", "high", "low"]),
                need_status,
                actor,
            )
        )
        if not referred:
            return
        sent = max(release, self.today - dt.timedelta(days=400)) + dt.timedelta(
            days=rng.randint(0, 30)
        )
        sent = min(sent, self.today)
        sent_at = dt.datetime.combine(sent, dt.time(9), tzinfo=dt.UTC)
        due = sent + dt.timedelta(days=need_type.response_working_days + 4)
        consent_id = None
        if not legal_duty:
            consent_id, consent_uuid = self._take_id(Consent), self._uuid()
            self.writers[Consent].add(
                (
                    consent_id,
                    ts,
                    ts,
                    consent_uuid,
                    person_id,
                    "referral",
                    "",
                    agency,
                    need_type.pk,
                    "given",
                    self.consent_sealer.seal(
                        "evidence", "Phiếu đồng ý (dữ liệu mẫu)", consent_uuid
                    ),
                    actor,
                    sent,
                )
            )
        referral_id = self._take_id(Referral)
        self.writers[Referral].add(
            (
                referral_id,
                ts,
                ts,
                self._uuid(),
                need_id,
                agency,
                actor,
                outcome_status,
                "achieved" if outcome_status == "completed" else "",
                "Không đủ điều kiện (dữ liệu mẫu)" if outcome_status == "rejected" else "",
                "legal_duty" if legal_duty else "consent",
                consent_id,
                "",
                sent_at,
                due,
                1,
            )
        )
        path = {
            "requested": [],
            "accepted": ["accepted"],
            "in_progress": ["accepted", "in_progress"],
            "completed": ["accepted", "in_progress", "completed"],
            "rejected": ["rejected"],
        }[outcome_status]
        previous = ""
        for to_status in ["requested", *path]:
            self.writers[ReferralTransition].add(
                (
                    self._take_id(ReferralTransition),
                    ts,
                    ts,
                    referral_id,
                    previous,
                    to_status,
                    actor,
                    "",
                )
            )
            previous = to_status

    def flush(self) -> None:
        for writer in self.writers.values():  # parents before children: dict order
            writer.flush()

    def finish(self) -> None:
        self.flush()
        _reset_sequences(self.writers)
