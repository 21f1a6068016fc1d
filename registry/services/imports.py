"""Writes for the import of prison release notices: upload, check (the dry run), commit.

The check and the commit run the same plan (``_plan``): the commit re-reads the file and checks it
again inside its transaction, so what the dry run showed is what the commit does — unless the
registry changed in between, in which case the commit follows the registry (a person registered
meanwhile becomes a duplicate). The commit writes every new person, custody record, EXPECTED case
and its notice milestone in one transaction, or nothing; rows already registered are skipped, so
importing the same file twice creates no duplicates.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access, imports, validation
from registry.audit import audit_bulk, audit_record
from registry.bulk import RowInserter
from registry.errors import ApplicationError
from registry.expungement import compute_expungement
from registry.models import (
    Case,
    CaseMilestone,
    CustodyRecord,
    ExpungementPeriod,
    ImportBatch,
    Person,
    User,
)
from registry.models.access import AccessEvent
from registry.services import existence
from registry.services.cases import ADDRESS_CHECK_WORKING_DAYS
from registry.workdays import add_working_days

S = ImportBatch.Status
CHUNK = 2000
MAX_PROBLEMS = 2000  # messages kept in the log; the counts always cover every row
Progress = Callable[[str, int, int], None]


def progress_key(batch: ImportBatch) -> str:
    return f"import-progress:{batch.uuid}"


def cache_progress(batch: ImportBatch) -> Progress:
    """Progress for the page (shared cache), so that it shows while the transaction is open."""

    def report(phase: str, done: int, total: int) -> None:
        cache.set(progress_key(batch), {"phase": phase, "done": done, "total": total}, 3600)

    return report


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


@transaction.atomic
def import_batch_upload(*, actor: User, file_name: str, data: bytes) -> ImportBatch:
    """Keep an uploaded file (encrypted) as a new batch; a file refused outright is logged as
    REFUSED with its reason and nothing else is kept."""
    access.units_to_import(actor)  # PermissionDenied for roles that do not import
    name = (file_name or "tep")[-200:]
    batch = ImportBatch(
        uuid=uuid.uuid4(),
        file_name=name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        uploaded_by=actor,
    )
    try:
        batch.file_kind = imports.file_kind(name, data)
        imports.check_size(data)
        batch.content = base64.b64encode(data).decode()
    except imports.FileRefused as refusal:
        batch.file_kind = batch.file_kind or "?"
        batch.status, batch.refusal = S.REFUSED, str(refusal)[:500]
    batch.save()
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[batch])
    return batch


@dataclass
class Plan:
    sheet_rows: int
    new: list[imports.CheckedRow]
    duplicates: list[imports.CheckedRow]
    errors: list[imports.CheckedRow]
    mapping: dict[str, int]
    headers: list[str]
    mapping_problems: list[str] = field(default_factory=list)


def _plan(
    batch: ImportBatch,
    actor: User,
    mapping: dict[str, int] | None,
    progress: Progress,
    disclose: bool = True,
) -> Plan:
    """Read and check every row; find duplicates in the file and against the registry (the
    commit's re-check discloses nothing new: ``disclose`` False)."""
    data = base64.b64decode(batch.content or "")
    sheet = imports.read_file(batch.file_name, data)
    mapping = (
        mapping if mapping is not None else (batch.mapping or imports.guess_mapping(sheet.headers))
    )
    problems = imports.mapping_problems(mapping, sheet.headers)
    if problems:  # nothing can be checked until the columns are mapped
        return Plan(len(sheet.rows), [], [], [], mapping, sheet.headers, problems)
    checker = imports.RowChecker(mapping, allowed_units=access.units_to_import(actor))
    total = len(sheet.rows)
    checked: list[imports.CheckedRow] = []
    for offset, row in enumerate(sheet.rows):
        checked.append(checker.check(sheet.first_row_number + offset, row))
        if offset % 1000 == 999:
            progress("check", offset + 1, total)
    _find_duplicates(checked, actor=actor if disclose else None)
    progress("check", total, total)
    new = [r for r in checked if not r.errors and not r.duplicate]
    return Plan(
        total,
        new,
        [r for r in checked if r.duplicate and not r.errors],
        [r for r in checked if r.errors],
        mapping,
        sheet.headers,
    )


def _find_duplicates(rows: list[imports.CheckedRow], actor: User | None = None) -> None:
    """Against the file itself (an error: the file must say each person once) and against the
    registry (a duplicate: skipped). A person is the same by national ID; without an ID on either
    side, by folded name, birth year and commune. A match outside the ``actor``'s scope is an
    audited, counted read that never names the managing commune (``services.existence``); past
    the day's limit every row with an ID is held, matched or not."""
    id_field = Person._meta.get_field("national_id_index")
    seen_ids: dict[str, int] = {}
    seen_names: dict[tuple, int] = {}
    keys: list[tuple[str | None, tuple]] = []
    for row in rows:
        if row.errors:
            keys.append((None, ()))
            continue
        index = id_field.compute(row.person.get("national_id"))  # type: ignore[attr-defined]
        name_key = (
            validation.fold(row.person.get("full_name") or ""),
            row.person.get("birth_year"),
            row.commune.pk if row.commune else None,
        )
        keys.append((index, name_key))
        first = seen_ids.get(index) if index else None
        if first is None and not index:
            first = seen_names.get(name_key)
        if first is not None:
            row.errors.append(
                (_("Cả dòng"), _("Trùng người với dòng %(n)s của tệp.") % {"n": first})
            )
            continue
        if index:
            seen_ids[index] = row.number
        seen_names.setdefault(name_key, row.number)
    for start in range(0, len(rows), CHUNK):
        chunk = [
            (row, key)
            for row, key in zip(
                rows[start : start + CHUNK], keys[start : start + CHUNK], strict=True
            )
            if not row.errors
        ]
        indexes = [key[0] for _row, key in chunk if key[0]]
        matched = {
            p.national_id_index: p
            for p in Person.objects.filter(national_id_index__in=indexes).only(
                "pk", "uuid", "national_id_index"
            )
        }
        registered = set(matched)
        outside, answered = (
            existence.import_matches_disclose(actor=actor, people=matched, purpose="import dry run")
            if actor is not None
            else (set(), True)
        )
        # A namesake is a duplicate only where a national ID is missing on one side: rows with an
        # ID look only at people without one; rows without an ID look at everyone.
        with_id = {key[1][0] for _row, key in chunk if key[0]}
        without_id = {key[1][0] for _row, key in chunk if not key[0]}
        people: dict[tuple, list[str | None]] = {}
        namesakes = Person.objects.filter(
            Q(folded_name__in=with_id, national_id_index__isnull=True)
            | Q(folded_name__in=without_id)
        ).values_list("folded_name", "birth_year", "cases__commune_id", "national_id_index")
        for folded, year, commune_id, index in namesakes:
            people.setdefault((folded, year, commune_id), []).append(index)
        for row, (index, name_key) in chunk:
            if index and not answered and (index not in registered or index in outside):
                row.errors.append((_("Cả dòng"), existence.limit_message()))
            elif index and index in outside:
                row.duplicate = _(
                    "Đã có hồ sơ do đơn vị khác quản lý: bỏ qua; Công an tỉnh đã được báo để "
                    "xem xét chuyển hồ sơ."
                )
            elif index and index in registered:
                row.duplicate = _("Đã có trong sổ theo dõi (trùng số định danh).")
            elif any(not index or not other for other in people.get(name_key, [])):
                row.duplicate = _(
                    "Có thể đã có trong sổ theo dõi (cùng họ tên, năm sinh và xã); hãy kiểm tra "
                    "và nhập tay nếu là người khác."
                )


def _record_plan(batch: ImportBatch, plan: Plan) -> None:
    problems = []
    for row in plan.errors:
        problems.extend(
            {"row": row.number, "column": column, "message": message, "kind": "error"}
            for column, message in row.errors
        )
    problems.extend(
        {"row": r.number, "column": "", "message": r.duplicate, "kind": "duplicate"}
        for r in plan.duplicates
    )
    problems.sort(key=lambda p: (p["row"], p["kind"]))
    batch.mapping, batch.headers = plan.mapping, plan.headers
    batch.rows_total = plan.sheet_rows
    batch.rows_new, batch.rows_duplicate = len(plan.new), len(plan.duplicates)
    batch.rows_error = plan.sheet_rows if plan.mapping_problems else len(plan.errors)
    batch.problems = problems[:MAX_PROBLEMS]
    batch.refusal = " ".join(plan.mapping_problems)


def import_batch_check(
    *,
    actor: User,
    batch: ImportBatch,
    mapping: dict[str, int] | None = None,
    progress: Progress = _no_progress,
) -> ImportBatch:
    """The dry run: what the commit would do, row by row. Writes only the batch (the log)."""
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status not in (S.UPLOADED, S.CHECKED, S.CHECKING):
        raise ApplicationError(_("Lượt nhập này đã kết thúc; hãy tải tệp lên lại."))
    started = time.perf_counter()
    try:
        plan = _plan(batch, actor, mapping, progress)
    except imports.FileRefused as refusal:
        batch.status, batch.refusal, batch.content = S.REFUSED, str(refusal)[:500], None
    else:
        _record_plan(batch, plan)
        batch.status = S.CHECKED
    batch.checked_at = timezone.now()
    batch.seconds = round(time.perf_counter() - started, 2)
    batch.save()
    return batch


def import_batch_claim(batch: ImportBatch) -> None:
    """CHECKED → COMMITTING, once: a second click, a second worker or a re-delivered task finds
    the batch taken and stops here."""
    if batch.rows_error:
        raise ApplicationError(
            _("Tệp còn %(n)s dòng lỗi: sửa tệp rồi tải lên lại; chưa có gì được ghi.")
            % {"n": batch.rows_error}
        )
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=S.CHECKED, rows_error=0).update(
        status=S.COMMITTING, refusal=""
    )
    if not claimed:
        raise ApplicationError(_("Lượt nhập này không ở bước chờ nhập (đã nhập hoặc đang nhập)."))


def import_batch_commit(
    *,
    actor: User,
    batch: ImportBatch,
    progress: Progress = _no_progress,
    claimed: bool = False,
) -> ImportBatch:
    """Register every new row (person, custody record, EXPECTED case, notice milestone) in one
    transaction, or nothing. Refused while any row has an error. ``claimed``: the caller already
    moved the batch to COMMITTING with ``import_batch_claim``."""
    batch = ImportBatch.objects.get(pk=batch.pk)
    if not claimed:
        import_batch_claim(batch)
    elif batch.status != S.COMMITTING:
        raise ApplicationError(_("Lượt nhập này không ở bước chờ nhập (đã nhập hoặc đang nhập)."))
    started = time.perf_counter()
    try:
        with transaction.atomic():
            plan = _plan(batch, actor, batch.mapping, progress, disclose=False)
            if plan.errors or plan.mapping_problems:
                raise ApplicationError(
                    _("Dữ liệu đã thay đổi từ lần chạy thử: %(n)s dòng lỗi. Hãy chạy thử lại.")
                    % {"n": len(plan.errors)}
                )
            created = _write(actor, plan.new, progress)
            _record_plan(batch, plan)
            batch.status, batch.cases_created = S.COMMITTED, created
            batch.committed_at, batch.content = timezone.now(), None
            batch.seconds = round(time.perf_counter() - started, 2)
            batch.save()
            audit_record(actor=actor, action=AccessEvent.Action.UPDATE, objects=[batch])
    except (ApplicationError, imports.FileRefused, IntegrityError, DatabaseError) as error:
        message = (
            str(error)
            if isinstance(error, ApplicationError | imports.FileRefused)
            else _(
                "Có người vừa được đăng ký trùng trong lúc nhập; chưa có gì được ghi. "
                "Hãy chạy thử lại."
            )
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=S.CHECKED if isinstance(error, ApplicationError) else S.FAILED,
            refusal=message[:500],
        )
        raise ApplicationError(message) from error
    return batch


def _write(actor: User, rows: list[imports.CheckedRow], progress: Progress) -> int:
    """Rows straight to COPY (``RowInserter``): people, custody records, cases, milestones."""
    periods = list(ExpungementPeriod.objects.all())
    due_dates: dict[dt.date, dt.date] = {}
    writers = {
        model: RowInserter(model, index_normalised=("national_id", "phone"))
        for model in (Person, CustodyRecord, Case, CaseMilestone)
    }
    total = len(rows)
    for start in range(0, total, CHUNK):
        chunk = rows[start : start + CHUNK]
        people = [
            {
                **row.person,
                "uuid": uuid.uuid4(),
                "folded_name": validation.fold(row.person["full_name"]),
            }
            for row in chunk
        ]
        person_ids = writers[Person].insert(people)
        records = []
        for row, person, person_id in zip(chunk, people, person_ids, strict=True):
            custody = row.custody
            result = compute_expungement(
                release_date=custody["release_date"],
                main_penalty=custody["main_penalty"],
                sentence_months=custody.get("sentence_months"),
                additional_penalty_months=None,
                obligations_fulfilled=None,
                penal_code_articles=custody.get("penal_code_articles"),
                offence_date=None,
                date_of_birth=person.get("date_of_birth"),
                periods=[p for p in periods if p.is_valid_on(custody["release_date"])],
            )
            records.append(
                {
                    **custody,
                    "uuid": uuid.uuid4(),
                    "person_id": person_id,
                    "expungement_eligible_date": result.eligible_on,
                    "expungement_explanation": result.explanation,
                }
            )
        record_ids = writers[CustodyRecord].insert(records)
        cases = []
        for row, person_id, record_id in zip(chunk, person_ids, record_ids, strict=True):
            notice = row.notice_received_on
            if notice not in due_dates:
                due_dates[notice] = add_working_days(notice, ADDRESS_CHECK_WORKING_DAYS)
            cases.append(
                {
                    "uuid": uuid.uuid4(),
                    "person_id": person_id,
                    "custody_record_id": record_id,
                    "commune_id": row.commune.pk,
                    "opened_by_id": actor.pk,
                    "reporting_deadline": row.reporting_deadline,
                    "address_check_due": due_dates[notice],
                }
            )
        case_ids = writers[Case].insert(cases)
        writers[CaseMilestone].insert(
            [
                {
                    "case_id": case_id,
                    "kind": CaseMilestone.Kind.NOTICE_RECEIVED,
                    "date": row.notice_received_on,
                    "recorded_by_id": actor.pk,
                }
                for row, case_id in zip(chunk, case_ids, strict=True)
            ]
        )
        person_uuids = [str(p["uuid"]) for p in people]
        for model, written in ((Person, people), (CustodyRecord, records), (Case, cases)):
            audit_bulk(
                actor=actor,
                action=AccessEvent.Action.CREATE,
                model=model,
                object_ids=[str(r["uuid"]) for r in written],
                person_ids=person_uuids,
                purpose="import",
            )
        progress("commit", start + len(chunk), total)
    return total
