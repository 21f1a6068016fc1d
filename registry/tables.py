"""Tables of the staff lists (django-tables2) drawn with GOV.UK's table markup
(templates/tables/govuk.html): a card per row on a phone, sortable headers where the view sorts.
Columns outside the viewer's field profile are excluded before the table is drawn."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2 import utils as tables_utils

from registry import access
from registry.models import Case, Referral, User
from registry.templatetags.workspace import status_tag, vn_date
from registry.worklists import next_deadline

# django-tables2 asks ``inspect`` for the signature of a column's render method on every cell
# (``utils.call_with_appropriate``): at 50 rows of seven columns, a third of a case list's table
# time (issue 20, docs/performance.md). A function's signature does not change, so it is read once
# per function (bound or not: a bound method's drops ``self``).
_inspect_signature = tables_utils.signature
_signatures: dict[tuple[Any, bool], tuple[tuple[str, ...], str | None]] = {}


def _kept_signature(fn: Any) -> tuple[tuple[str, ...], str | None]:
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    try:
        return _signatures[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable callable: inspected each time, as django-tables2 does
        return _inspect_signature(fn)
    found = _inspect_signature(fn)
    if len(_signatures) < 512:  # columns are few; never grow without bound
        _signatures[key] = found
    return found


tables_utils.signature = _kept_signature

# Sort parameter → (path of the key, descending). Every key is non-null for the rows it sorts.
CASE_SORTS = {
    "name": ("sort_name", False),  # the person's folded name, on the case (its index)
    "commune": ("commune__folded_name", False),
    "status": ("status", False),
    "newest": ("created_at", True),
}


class GovukTable(tables.Table):
    class Meta:
        template_name = "tables/govuk.html"
        orderable = False


class CaseTable(GovukTable):
    name = tables.Column(verbose_name=_("Họ và tên"), accessor="person__full_name")
    age = tables.Column(verbose_name=_("Tuổi"), accessor="person__birth_year", empty_values=())
    commune = tables.Column(verbose_name=_("Xã, phường"), accessor="commune__name")
    status = tables.Column(verbose_name=_("Trạng thái"))
    classification = tables.Column(verbose_name=_("Phân loại"))
    officer = tables.Column(verbose_name=_("Cán bộ quản lý"), accessor="assigned_officer")
    deadline = tables.Column(verbose_name=_("Việc tiếp theo"), empty_values=())

    sortable = {"name": "name", "commune": "commune", "status": "status"}

    def __init__(self, data: Any, *, user: User, **kwargs: Any) -> None:
        exclude = []
        if not access.may_read(user, Case, "classification"):
            exclude.append("classification")
        if not access.may_read(user, Case, "assigned_officer"):
            exclude.append("officer")
        self.supervision = all(
            access.may_read(user, Case, name) for name in ("address_check_due", "last_contact_on")
        )
        if not self.supervision:
            exclude.append("deadline")
        self.today = timezone.localdate()
        super().__init__(data, exclude=exclude, **kwargs)

    def render_name(self, record: Case) -> str:
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("case-page", args=[record.uuid]),
            record.person.full_name,
        )

    def render_age(self, value: int | None) -> str:
        return str(self.today.year - value) if value else "—"

    def render_status(self, record: Case) -> str:
        return status_tag(record)

    def render_classification(self, record: Case) -> str:
        if not record.classification:
            return "—"
        return format_html(
            '<strong class="govuk-tag govuk-tag--purple" title="{}">{}</strong>',
            record.get_classification_display(),
            _("Nhóm %(group)s") % {"group": record.classification},
        )

    def render_officer(self, value: User) -> str:
        return value.get_full_name() or value.get_username()

    def render_deadline(self, record: Case) -> str:
        found = next_deadline(record, today=self.today, sees_supervision=self.supervision)
        if found is None:
            return "—"
        late = found.day < self.today
        return format_html(
            "{}: {}{}",
            found.label,
            vn_date(found.day),
            format_html(' <strong class="govuk-tag govuk-tag--red">{}</strong>', _("quá hạn"))
            if late
            else "",
        )


# --- the agencies' inbox and the overdue list ----------------------------------------------------


def _deadline(referral: Referral, today: Any) -> str:
    """The response deadline and, while unanswered, the days left (red once passed)."""
    if referral.status != Referral.Status.REQUESTED:
        return vn_date(referral.response_due)
    left = (referral.response_due - today).days
    if left < 0:
        tag = format_html(
            '<strong class="govuk-tag govuk-tag--red">{}</strong>',
            _("quá hạn %(days)d ngày") % {"days": -left},
        )
    elif left <= 3:
        tag = format_html(
            '<strong class="govuk-tag govuk-tag--orange">{}</strong>',
            _("còn %(days)d ngày") % {"days": left},
        )
    else:
        tag = format_html(
            '<strong class="govuk-tag govuk-tag--grey">{}</strong>',
            _("còn %(days)d ngày") % {"days": left},
        )
    return format_html("{} {}", vn_date(referral.response_due), tag)


class ReferralInboxTable(GovukTable):
    """One row per referral with what the agency may see: the need, who sent it from which
    commune, the note sent with it, the deadline and days left, and the steps its state allows."""

    select = tables.Column(verbose_name=_("Chọn"), empty_values=(), accessor="uuid")
    person = tables.Column(verbose_name=_("Người được hỗ trợ"), accessor="need__case__person")
    need = tables.Column(verbose_name=_("Nhu cầu"), accessor="need__need_type__name")
    sender = tables.Column(verbose_name=_("Người gửi"), empty_values=(), accessor="sent_by")
    note = tables.Column(verbose_name=_("Ghi chú gửi kèm"), empty_values=())
    deadline = tables.Column(
        verbose_name=_("Hạn trả lời"), empty_values=(), accessor="response_due"
    )
    status = tables.Column(verbose_name=_("Trạng thái"))
    actions = tables.Column(verbose_name=_("Việc cần làm"), empty_values=(), accessor="uuid")

    def __init__(self, data: Any, *, today: Any, **kwargs: Any) -> None:
        self.today = today
        super().__init__(data, **kwargs)

    def render_select(self, record: Referral) -> str:
        if record.status != Referral.Status.REQUESTED:
            return ""
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small">'
            '<div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" type="checkbox" name="referrals" value="{}" '
            'id="select-{}"><label class="govuk-label govuk-checkboxes__label" for="select-{}">'
            '<span class="app-visually-hidden">{}</span></label></div></div>',
            record.uuid,
            record.uuid,
            record.uuid,
            _("Chọn %(name)s") % {"name": record.need.case.person.full_name},
        )

    def render_person(self, record: Referral) -> str:
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("referral-detail", args=[record.uuid]),
            record.need.case.person.full_name,
        )

    def render_sender(self, record: Referral) -> str:
        officer = record.sent_by.get_full_name() or record.sent_by.get_username()
        return format_html("{}<br>{}", officer, record.need.case.commune.name)

    def render_note(self, record: Referral) -> str:
        note = record.note or ""
        return note if len(note) <= 160 else note[:157] + "…"

    def render_deadline(self, record: Referral) -> str:
        return _deadline(record, self.today)

    def render_status(self, record: Referral) -> str:
        return status_tag(record)

    def render_actions(self, record: Referral) -> str:
        """Steps without a reason are buttons of the page's form; a step that needs a reason, an
        outcome or a confirmation opens a page of its own."""
        parts = []
        for name, step in Referral.TRANSITIONS.allowed(
            record.status, among=Referral.AGENCY_ACTIONS
        ):
            url = reverse("referral-act", args=[record.uuid, name])
            if step.destructive:
                parts.append(
                    format_html(
                        '<a class="govuk-button govuk-button--warning app-mb-0" href="{}">{}</a>',
                        url,
                        step.button,
                    )
                )
            elif step.needs_reason or name == "complete":
                parts.append(
                    format_html(
                        '<a class="govuk-button govuk-button--secondary app-mb-0" href="{}">{}</a>',
                        url,
                        step.button,
                    )
                )
            else:
                parts.append(
                    format_html(
                        '<button class="govuk-button app-mb-0" formaction="{}">{}</button>',
                        url,
                        step.button,
                    )
                )
        return format_html(
            '<div class="govuk-button-group">{}</div>',
            format_html("".join(["{}"] * len(parts)), *parts),
        )


class OverdueTable(GovukTable):
    """Referrals unanswered after their deadline: the person, where, which agency, how late."""

    person = tables.Column(verbose_name=_("Người được hỗ trợ"), accessor="need__case__person")
    commune = tables.Column(verbose_name=_("Xã, phường"), accessor="need__case__commune__name")
    need = tables.Column(verbose_name=_("Nhu cầu"), accessor="need__need_type__name")
    agency = tables.Column(verbose_name=_("Cơ quan nhận"), accessor="agency__name")
    late = tables.Column(verbose_name=_("Quá hạn"), empty_values=(), accessor="response_due")
    escalated = tables.Column(verbose_name=_("Đã báo Công an tỉnh"), empty_values=())

    def __init__(self, data: Any, *, today: Any, **kwargs: Any) -> None:
        self.today = today
        super().__init__(data, **kwargs)

    def render_person(self, record: Referral) -> str:
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("referral-detail", args=[record.uuid]),
            record.need.case.person.full_name,
        )

    def render_late(self, record: Referral) -> str:
        days = (self.today - record.response_due).days
        return format_html(
            '{} <strong class="govuk-tag govuk-tag--red">{}</strong>',
            vn_date(record.response_due),
            _("%(days)d ngày") % {"days": days},
        )

    def render_escalated(self, record: Referral) -> str:
        return vn_date(record.escalated_at) if record.escalated_at else "—"
