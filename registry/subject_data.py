"""Everything the registry holds about one person, for an access request (PDP Law 91/2025): as
JSON (machine-readable, field names) and as a PDF (Vietnamese field labels). A read: the caller
checks the capability and scope and writes the audit row.

Other apps add what they hold with ``register_subject_section`` (the outreach app adds messages,
opt-outs and Zalo links), so that the registry never imports them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.fields import BlindIndexField
from registry.models import (
    AccessEvent,
    Case,
    ChangeLog,
    Consent,
    CustodyRecord,
    DataSubjectRequest,
    Person,
)
from registry.models.cases import INDEX_COPIES
from registry.models.loans import JudicialRecordRequest, LoanApplication
from registry.models.training import Enrollment, JobPlacement

HIDDEN = {"id", "content", *INDEX_COPIES}


@dataclass
class SubjectSection:
    key: str
    title: str
    records: list[list[tuple[str, str, Any]]]  # each record: (field name, label, value)


SectionBuilder = Callable[[Person], Iterable[SubjectSection]]
_SECTIONS: list[SectionBuilder] = []


def register_subject_section(builder: SectionBuilder) -> SectionBuilder:
    if builder not in _SECTIONS:
        _SECTIONS.append(builder)
    return builder


def _value(obj: models.Model, field: models.Field) -> Any:
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else str(related)
    value = getattr(obj, field.attname)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    return value


def record(obj: models.Model, exclude: Iterable[str] = ()) -> list[tuple[str, str, Any]]:
    """The object's fields as (name, label, value), decrypted, without keys and blind indexes."""
    skip = HIDDEN | set(exclude)
    return [
        (f.name, str(f.verbose_name), _value(obj, f))
        for f in obj._meta.concrete_fields
        if f.name not in skip and not isinstance(f, BlindIndexField)
    ]


def section(key: str, title: str, objects: Iterable[models.Model], **kw: Any) -> SubjectSection:
    return SubjectSection(key, title, [record(obj, **kw) for obj in objects])


@register_subject_section
def _registry(person: Person) -> Iterable[SubjectSection]:
    yield section("person", _("Thông tin cá nhân"), [person], exclude={"folded_name"})
    yield section("custody_records", _("Hồ sơ thi hành án"), person.custody_records.all())
    yield section("cases", _("Hồ sơ tái hòa nhập"), person.cases.select_related("commune"))
    yield from _case_children(person)
    yield from _about_person(person)


def _case_children(person: Person) -> Iterable[SubjectSection]:
    cases = Case.objects.filter(person=person)
    from registry.models import CaseMilestone, CaseNote, Need, Referral, ReferralTransition

    yield section(
        "milestones", _("Các mốc của hồ sơ"), CaseMilestone.objects.filter(case__in=cases)
    )
    yield section("needs", _("Nhu cầu hỗ trợ"), Need.objects.filter(case__in=cases))
    referrals = Referral.objects.filter(need__case__in=cases).select_related("agency")
    yield section("referrals", _("Đề nghị hỗ trợ gửi các cơ quan"), referrals)
    yield section(
        "referral_steps",
        _("Các bước xử lý đề nghị"),
        ReferralTransition.objects.filter(referral__in=referrals),
        exclude={"actor"},
    )
    yield section("notes", _("Ghi chép thăm gặp"), CaseNote.objects.filter(case__in=cases))
    yield section("loans", _("Hồ sơ vay vốn"), LoanApplication.objects.filter(case__in=cases))
    yield section(
        "enrollments", _("Học nghề"), Enrollment.objects.filter(referral__need__case__in=cases)
    )
    yield section(
        "job_placements", _("Việc làm"), JobPlacement.objects.filter(referral__need__case__in=cases)
    )
    yield section(
        "judicial_record_requests",
        _("Yêu cầu cấp phiếu lý lịch tư pháp"),
        JudicialRecordRequest.objects.filter(case__in=cases),
    )


def _about_person(person: Person) -> Iterable[SubjectSection]:
    yield section("consents", _("Sự đồng ý"), Consent.objects.filter(person=person))
    yield section(
        "data_requests", _("Yêu cầu về dữ liệu"), DataSubjectRequest.objects.filter(person=person)
    )
    object_uuids = [
        person.uuid,
        *CustodyRecord.objects.filter(person=person).values_list("uuid", flat=True),
    ]
    yield section(
        "change_log",
        _("Lịch sử sửa thông tin quan trọng"),
        ChangeLog.objects.filter(object_uuid__in=object_uuids),
        exclude={"actor"},
    )
    # Who read or changed the person's data: when, which role, what — not the staff's names.
    events = AccessEvent.objects.filter(person_ids__contains=[str(person.uuid)]).order_by("at")
    yield SubjectSection(
        "access_log",
        _("Nhật ký truy cập dữ liệu của bạn"),
        [
            [
                ("at", _("lúc"), timezone.localtime(e.at).isoformat(timespec="seconds")),
                ("role", _("vai trò"), e.role),
                ("action", _("thao tác"), e.get_action_display()),
                ("object_type", _("loại dữ liệu"), e.object_type),
            ]
            for e in events
        ],
    )


def subject_data(person: Person) -> list[SubjectSection]:
    return [part for builder in _SECTIONS for part in builder(person)]


def to_json(person: Person, sections: list[SubjectSection]) -> dict[str, Any]:
    return {
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "controller": "Công an tỉnh Sơn La — Sổ theo dõi tái hòa nhập cộng đồng",
        "subject": str(person.uuid),
        **{
            s.key: [{name: value for name, _label, value in r} for r in s.records] for s in sections
        },
    }


def to_pdf(person: Person, sections: list[SubjectSection]) -> bytes:
    from fpdf import FPDF

    from registry.reports.exports import FONTS

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(
        0, 7, _("Dữ liệu cá nhân chúng tôi đang lưu về bạn"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        5,
        _("Lập ngày %(d)s theo yêu cầu của chủ thể dữ liệu (Luật Bảo vệ dữ liệu cá nhân 2025).")
        % {"d": timezone.localdate().strftime("%d/%m/%Y")},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for part in sections:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, f"{part.title} ({len(part.records)})", new_x="LMARGIN", new_y="NEXT")
        for item in part.records:
            pdf.set_font("DejaVu", "", 8)
            for _name, label, value in item:
                if value in (None, "", [], {}):
                    continue
                text = "có" if value is True else "không" if value is False else str(value)
                pdf.multi_cell(0, 4, f"{label}: {text}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
    return bytes(pdf.output())
