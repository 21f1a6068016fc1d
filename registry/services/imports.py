"""Writes for the import of prison release notices: upload, check (the dry run), commit.

The check and the commit run the same plan (``_plan``). The dry run keeps the rows it found valid,
normalised and encrypted on the batch; a commit on the same day writes exactly those rows after
checking the registry again for duplicates (a person registered meanwhile becomes a duplicate),
inside its transaction. On another day, or if the file or the mapping changed, the commit
re-reads the file and checks every row again. The commit writes every new person, custody
record, EXPECTED case and its notice milestone in one transaction, or nothing; rows already
registered are skipped, so importing the same file twice creates no duplicates.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
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
    AdministrativeUnit,
    Case,
    CaseMilestone,
    CustodyRecord,
    ExpungementPeriod,
    ImportBatch,
    ImportColumnAlias,
    ImportSource,
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
def import_batch_upload(
    *, actor: User, file_name: str, data: bytes, source: ImportSource | None = None
) -> ImportBatch:
    """Keep an uploaded file (encrypted) as a new batch; a file refused outright is logged as
    REFUSED with its reason and nothing else is kept. ``source``: the sender whose remembered
    mapping applies (else it is recognised from the column names)."""
    access.units_to_import(actor)  # PermissionDenied for roles that do not import
    name = (file_name or "tep")[-200:]
    batch = ImportBatch(
        uuid=uuid.uuid4(),
        file_name=name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        uploaded_by=actor,
        source=source,
    )
    try:
        batch.file_kind = imports.file_kind(name, data)
        imports.check_size(data)
        batch.content = base64.b64encode(data).decode()
    except imports.FileRefused as refusal:
        batch.file_kind = batch.file_kind or "?"
        batch.status, batch.refusal = S.REFUSED, str(refusal)[:2000]
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
    layout: dict = field(default_factory=dict)
    encoding: str = ""
    source: ImportSource | None = None


def _read(batch: ImportBatch, vocabulary: imports.Vocabulary) -> imports.Sheet:
    data = base64.b64decode(batch.content or "")
    chosen = batch.encoding_chosen or (batch.source.encoding if batch.source else "")
    return imports.read_file(batch.file_name, data, names=vocabulary.every_name(), encoding=chosen)


def _plan(
    batch: ImportBatch,
    actor: User,
    mapping: dict[str, int] | None,
    progress: Progress,
    disclose: bool = True,
) -> Plan:
    """Read and check every row; find duplicates in the file and against the registry (the
    commit's re-check discloses nothing new: ``disclose`` False)."""
    vocabulary = imports.Vocabulary.load()
    sheet = _read(batch, vocabulary)
    source = batch.source or vocabulary.source_of(sheet.headers)
    names = vocabulary.names_for(source.pk if source else None)
    if mapping is None:
        mapping = batch.mapping or imports.guess_mapping(sheet.headers, names, sheet.parts)
    problems = imports.mapping_problems(mapping, sheet.headers, sheet.layout)
    plan = Plan(
        sheet_rows=len(sheet.rows),
        new=[],
        duplicates=[],
        errors=[],
        mapping=mapping,
        headers=sheet.headers,
        mapping_problems=problems,
        layout=sheet.layout,
        encoding=sheet.encoding,
        source=source,
    )
    if problems:  # nothing can be checked until the columns are mapped
        return plan
    checker = imports.RowChecker(
        mapping, allowed_units=access.units_to_import(actor), vocabulary=vocabulary
    )
    total = len(sheet.rows)
    checked: list[imports.CheckedRow] = []
    with validation.one_day():
        for offset, (number, row) in enumerate(zip(sheet.numbers, sheet.rows, strict=True)):
            checked.append(checker.check(number, row))
            if offset % 1000 == 999:
                progress("check", offset + 1, total)
    _find_duplicates(checked, actor=actor if disclose else None)
    progress("check", total, total)
    plan.new = [r for r in checked if not r.errors and not r.duplicate]
    plan.duplicates = [r for r in checked if r.duplicate and not r.errors]
    plan.errors = [r for r in checked if r.errors]
    return plan


# --- the rows kept between the dry run and the commit ----------------------------------------

_PERSON = (
    "full_name",
    "gender",
    "date_of_birth",
    "birth_year",
    "national_id",
    "phone",
    "address",
    "ethnicity",
)
_CUSTODY = (
    "release_date",
    "release_kind",
    "main_penalty",
    "sentence_months",
    "offence",
    "penal_code_articles",
    "court",
    "judgment_number",
    "judgment_date",
    "prison",
    "certificate_number",
    "certificate_date",
)


def _plain(value: object) -> object:
    return {"d": value.toordinal()} if isinstance(value, dt.date) else value


def _typed(value: object) -> object:
    return dt.date.fromordinal(value["d"]) if isinstance(value, dict) else value


def _plan_key(batch: ImportBatch, mapping: dict[str, int]) -> str:
    day = validation.today().isoformat()
    return f"{day}|{batch.file_sha256}|{json.dumps(mapping, sort_keys=True)}"[:300]


def _keep_rows(batch: ImportBatch, plan: Plan) -> None:
    """Keep the valid rows of a clean dry run for the commit (``batch.plan``, encrypted)."""
    if plan.errors or plan.mapping_problems:
        batch.plan, batch.plan_key = None, ""
        return
    rows = [
        [
            row.number,
            [_plain(row.person.get(key)) for key in _PERSON],
            [_plain(row.custody.get(key)) for key in _CUSTODY],
            row.commune.pk if row.commune else None,
            _plain(row.notice_received_on),
            _plain(row.reporting_deadline),
        ]
        for row in (*plan.new, *plan.duplicates)
    ]
    batch.plan = json.dumps(rows, separators=(",", ":"))
    batch.plan_key = _plan_key(batch, plan.mapping)


def _kept_plan(batch: ImportBatch, actor: User, progress: Progress) -> Plan | None:
    """The dry run's rows again, if they still hold: same day, file and mapping, and every
    commune still within the actor's scope. Duplicates are looked for again."""
    if not batch.plan or batch.plan_key != _plan_key(batch, batch.mapping):
        return None
    allowed = access.units_to_import(actor)
    stored = json.loads(batch.plan)
    units = AdministrativeUnit.objects.in_bulk({item[3] for item in stored})
    rows = []
    for number, person, custody, commune_id, notice, deadline in stored:
        if commune_id not in units or (allowed is not None and commune_id not in allowed):
            return None
        rows.append(
            imports.CheckedRow(
                number,
                person={k: _typed(v) for k, v in zip(_PERSON, person, strict=True)},
                custody={k: _typed(v) for k, v in zip(_CUSTODY, custody, strict=True)},
                commune=units[commune_id],
                notice_received_on=_typed(notice),  # type: ignore[arg-type]
                reporting_deadline=_typed(deadline),  # type: ignore[arg-type]
            )
        )
    _find_duplicates(rows)  # the commit discloses nothing the dry run did not
    progress("check", len(rows), len(rows))
    return Plan(
        batch.rows_total,
        [r for r in rows if not r.errors and not r.duplicate],
        [r for r in rows if r.duplicate and not r.errors],
        [r for r in rows if r.errors],
        batch.mapping,
        batch.headers,
        layout=batch.layout,
        encoding=batch.encoding,
        source=batch.source,
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
            for p in Person.objects.filter(national_id_index__in=indexes)
            .order_by()  # a dict: the model's ordering would only add a sort
            .only("pk", "uuid", "national_id_index")
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
        namesakes = (
            Person.objects.filter(
                Q(folded_name__in=with_id, national_id_index__isnull=True)
                | Q(folded_name__in=without_id)
            )
            .order_by()
            .values_list("folded_name", "birth_year", "cases__commune_id", "national_id_index")
        )
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
    batch.layout, batch.encoding, batch.source = plan.layout, plan.encoding, plan.source
    batch.rows_total = plan.sheet_rows
    batch.rows_new, batch.rows_duplicate = len(plan.new), len(plan.duplicates)
    batch.rows_error = plan.sheet_rows if plan.mapping_problems else len(plan.errors)
    batch.problems = problems[:MAX_PROBLEMS]
    batch.refusal = " ".join(plan.mapping_problems)[:2000]


def import_batch_check(
    *,
    actor: User,
    batch: ImportBatch,
    mapping: dict[str, int] | None = None,
    encoding: str | None = None,
    progress: Progress = _no_progress,
) -> ImportBatch:
    """The dry run: what the commit would do, row by row. Writes only the batch (the log).
    ``encoding`` overrules the detected one for a CSV ("" goes back to detection) and guesses
    the mapping afresh; a ``mapping`` chosen by a person is kept for the next checks."""
    batch = ImportBatch.objects.select_related("source").get(pk=batch.pk)
    if batch.status not in (S.UPLOADED, S.CHECKED, S.CHECKING):
        raise ApplicationError(_("Lượt nhập này đã kết thúc; hãy tải tệp lên lại."))
    if encoding is not None and encoding != batch.encoding_chosen:
        if encoding and encoding not in imports.ENCODING_LABELS:
            raise ApplicationError(_("Bảng mã không hợp lệ."))
        batch.encoding_chosen, batch.mapping = encoding, {}
    started = time.perf_counter()
    try:
        plan = _plan(batch, actor, mapping, progress)
    except imports.EncodingFailed as failure:  # a person's choice: they may choose again
        batch.status, batch.refusal = S.CHECKED, str(failure)[:2000]
        batch.rows_total = batch.rows_new = batch.rows_duplicate = batch.rows_error = 0
        batch.problems, batch.plan, batch.plan_key = [], None, ""
    except imports.FileRefused as refusal:
        batch.status, batch.refusal, batch.content = S.REFUSED, str(refusal)[:2000], None
        batch.plan, batch.plan_key = None, ""
    else:
        _record_plan(batch, plan)
        _keep_rows(batch, plan)
        batch.status = S.CHECKED
    batch.checked_at = timezone.now()
    batch.seconds = round(time.perf_counter() - started, 2)
    batch.save()
    return batch


@transaction.atomic
def import_source_remember(
    *, actor: User, batch: ImportBatch, name: str, mapping: dict[str, int] | None = None
) -> ImportSource:
    """Remember the batch's mapping for its source ("Trại giam Yên Hạ"): every mapped column
    whose name is not already known everywhere becomes an alias of that source, so that the next
    file using those names is recognised as the source's and mapped alike. A chosen encoding is
    remembered too. ``mapping``: the one just chosen on the page (default: the batch's)."""
    access.units_to_import(actor)
    name = " ".join((name or "").split())[:200]
    if not name:
        raise ApplicationError(_("Hãy ghi tên nguồn (ví dụ tên trại giam)."))
    mapping = batch.mapping if mapping is None else mapping
    if batch.status != S.CHECKED or not mapping or not batch.headers:
        raise ApplicationError(_("Chỉ ghi nhớ được cách ghép của một lần chạy thử."))
    source = ImportSource.objects.filter(name__iexact=name).first()
    created = source is None
    if source is None:
        source = ImportSource(name=name, created_by=actor)
    if batch.encoding_chosen:
        source.encoding = batch.encoding_chosen
    source.is_active = True
    source.full_clean()
    source.save()
    known = imports.Vocabulary.load().names
    for key, index in mapping.items():
        if key not in imports.BY_KEY or not 0 <= index < len(batch.headers):
            continue
        header = batch.headers[index][:200]
        if not header or re.search(r"\d{4}", header):  # a column name has no ID or date
            continue
        if known.get(imports.fold_header(header)) == key:
            continue  # already recognised in every file
        ImportColumnAlias.objects.update_or_create(
            alias=header, source=source, defaults={"field": key}
        )
    ImportBatch.objects.filter(pk=batch.pk).update(source=source)
    audit_record(
        actor=actor,
        action=AccessEvent.Action.CREATE if created else AccessEvent.Action.UPDATE,
        objects=[source],
    )
    return source


def import_batch_claim(batch: ImportBatch) -> None:
    """CHECKED → COMMITTING, once: a second click, a second worker or a re-delivered task finds
    the batch taken and stops here."""
    if batch.rows_error:
        raise ApplicationError(
            _("Tệp còn %(n)s dòng lỗi: sửa tệp rồi tải lên lại; chưa có gì được ghi.")
            % {"n": batch.rows_error}
        )
    if batch.status == S.CHECKED and batch.refusal:
        raise ApplicationError(_("Chưa nhập được: %(reason)s") % {"reason": batch.refusal})
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status=S.CHECKED, rows_error=0, refusal=""
    ).update(status=S.COMMITTING, refusal="")
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
    batch = ImportBatch.objects.select_related("source").get(pk=batch.pk)
    if not claimed:
        import_batch_claim(batch)
    elif batch.status != S.COMMITTING:
        raise ApplicationError(_("Lượt nhập này không ở bước chờ nhập (đã nhập hoặc đang nhập)."))
    started = time.perf_counter()
    try:
        with transaction.atomic():
            plan = _kept_plan(batch, actor, progress) or _plan(
                batch, actor, batch.mapping, progress, disclose=False
            )
            if plan.errors or plan.mapping_problems:
                raise ApplicationError(
                    _("Dữ liệu đã thay đổi từ lần chạy thử: %(n)s dòng lỗi. Hãy chạy thử lại.")
                    % {"n": len(plan.errors)}
                )
            created = _write(actor, plan.new, progress)
            _record_plan(batch, plan)
            batch.status, batch.cases_created = S.COMMITTED, created
            batch.committed_at, batch.content = timezone.now(), None
            batch.plan, batch.plan_key = None, ""
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
            **(
                {"status": S.CHECKED, "plan": None, "plan_key": ""}
                if isinstance(error, ApplicationError)
                else {"status": S.FAILED, "content": None, "plan": None, "plan_key": ""}
            ),
            refusal=message[:2000],
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
