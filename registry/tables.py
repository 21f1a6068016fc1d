"""Tables and lists of the staff pages, drawn in one Python pass with GOV.UK's table markup
(templates/tables/govuk.html: a card per row on a phone, sortable headers where the view sorts).
Columns outside the viewer's field profile are left out before the table is drawn.

A table is its columns — a header and a function from a row to the cell's HTML — and its rows,
each drawn once into a ``<tr>``. django-tables2 drew these until issue 20: its per-cell machinery
(an accessor resolved and a render method's signature inspected for every cell, a bound row per
row, a template node per cell) was a quarter of the case list's, search's and inbox's server time
(docs/decisions/0004-tables-drawn-in-one-pass.md, docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access
from registry.models import Case, Referral, User
from registry.templatetags.workspace import colour_tag, status_tag, vn_date
from registry.views.display import display
from registry.worklists import next_deadline

# Sort parameter → (path of the key, descending). Every key is non-null for the rows it sorts.
CASE_SORTS = {
    "name": ("sort_name", False),  # the person's folded name, on the case (its index)
    "commune": ("commune__folded_name", False),
    "status": ("status", False),
    "newest": ("created_at", True),
}

EMPTY = "—"
_UUID_MARK = "00000000-0000-0000-0000-000000000000"


def links(name: str, *more: str) -> Callable[..., str]:
    """``reverse(name, args=[uuid, *more])`` for many rows: the URL is reversed once (with a
    placeholder uuid) and each row's is put together from its two halves — a ``reverse`` costs
    about 60 µs, a page of 150 links 9 ms. Only for URL patterns whose first argument is a uuid."""
    head, tail = reverse(name, args=[_UUID_MARK, *more]).split(_UUID_MARK)
    return lambda uuid: f"{head}{uuid}{tail}"


def link(href: str, text: str) -> SafeString:
    return format_html('<a class="govuk-link" href="{}">{}</a>', href, text)


@dataclass(frozen=True)
class Column:
    name: str
    header: Any  # a (lazy) translated string
    cell: Callable[[Any], Any]  # the row → the cell's HTML (a plain string is escaped)
    # The ``sort`` parameter its header links to, if the view sorts by it (search results do not:
    # a posted query has no sorted pages).
    sort: str | None = None


class Table:
    """Rows under their columns. ``rows`` are drawn on first use, each cell once."""

    empty_text = gettext_lazy("Không có hồ sơ nào khớp bộ lọc.")

    def __init__(self, records: Sequence[Any], columns: Iterable[Column]) -> None:
        self.records = records
        self.columns = list(columns)

    @cached_property
    def rows(self) -> list[SafeString]:
        cells = [
            ('<td class="govuk-table__cell" data-label="' + escape(c.header) + '">', c.cell)
            for c in self.columns
        ]
        drawn = []
        for record in self.records:
            uuid = getattr(record, "uuid", None)
            row = ['<tr class="govuk-table__row"', f' data-uuid="{uuid}">' if uuid else ">"]
            for opening, cell in cells:
                row.append(opening + conditional_escape(cell(record)) + "</td>")
            row.append("</tr>")
            drawn.append(mark_safe("".join(row)))  # noqa: S308 (headers and cells escaped above)
        return drawn


def _late() -> SafeString:
    """The red "overdue" tag after a date."""
    return format_html(" {}", colour_tag(_("quá hạn"), "red"))


def _person_name(person: Any) -> str:
    return person.full_name or EMPTY


# --- the commune's worklist --------------------------------------------------------------------


def worklist_lines(
    sections: dict[str, Sequence[Any]], *, today: Any
) -> dict[str, list[SafeString]]:
    """The worklist's lines (templates/casework/worklist.html), each a ``<li>`` with the person's
    name linked to the case (the referral for a referral) and what is due."""
    case_page, referral_page = links("case-page"), links("referral-detail")
    due = _("hạn")

    def line(uuid: Any, href: str, text: str, detail: Any) -> SafeString:
        return format_html(
            '<li data-uuid="{}"><a class="govuk-link" href="{}">{}</a> — {}</li>',
            uuid,
            href,
            text,
            detail,
        )

    def case_line(case: Case, detail: Any) -> SafeString:
        return line(case.uuid, case_page(case.uuid), case.person.full_name, detail)

    def arrival(case: Case) -> Any:
        late = case.address_check_due < today
        return format_html(
            "{} {}{}",
            due,
            vn_date(case.address_check_due),
            _late() if late else "",
        )

    def visit(case: Case) -> str:
        last = vn_date(case.last_contact_on) or _("chưa có")
        group = _("nhóm %(group)s") % {"group": case.classification}
        return f"{group}; {_('lần gần nhất')} {last}"

    def referral_line(referral: Referral) -> SafeString:
        text = f"{referral.need.need_type.name} — {referral.need.case.person.full_name}"
        detail = f"{due} {vn_date(referral.response_due)}"
        return line(referral.uuid, referral_page(referral.uuid), text, detail)

    return {
        "expected": [case_line(c, arrival(c)) for c in sections["expected"]],
        "visits": [case_line(c, visit(c)) for c in sections["visits"]],
        "expungements": [
            case_line(c, vn_date(c.expungement_eligible_on)) for c in sections["expungements"]
        ],
        "referrals": [referral_line(r) for r in sections["referrals"]],
    }


# --- cases: the case list and search -------------------------------------------------------------


def _officer(case: Case) -> str:
    return display(case, "assigned_officer") or EMPTY


def _classification(case: Case) -> str:
    if not case.classification:
        return EMPTY
    return format_html(
        '<strong class="govuk-tag govuk-tag--purple" title="{}">{}</strong>',
        case.get_classification_display(),
        _("Nhóm %(group)s") % {"group": case.classification},
    )


class CaseTable(Table):
    """One row per case: the name (to the case page), age, commune, status, and — when the
    viewer's profile has them — the classification, the officer and the next deadline."""

    def __init__(self, records: Sequence[Case], *, user: User, sortable: bool = True) -> None:
        """``sortable``: headers link to the list sorted by their column (the case list)."""
        today = timezone.localdate()
        case_page = links("case-page")
        supervision = all(
            access.may_read(user, Case, name) for name in ("address_check_due", "last_contact_on")
        )

        def name(case: Case) -> Any:
            if not case.person.full_name:
                return EMPTY
            return link(case_page(case.uuid), case.person.full_name)

        def age(case: Case) -> str:
            born = case.person.birth_year
            return str(today.year - born) if born else EMPTY

        def deadline(case: Case) -> Any:
            found = next_deadline(case, today=today, sees_supervision=True)
            if found is None:
                return EMPTY
            late = _late() if found.day < today else ""
            return format_html("{}: {}{}", found.label, vn_date(found.day), late)

        def by(key: str) -> str | None:
            return key if sortable else None

        columns = [
            Column("name", gettext_lazy("Họ và tên"), name, sort=by("name")),
            Column("age", gettext_lazy("Tuổi"), age),
            Column(
                "commune",
                gettext_lazy("Xã, phường"),
                lambda c: c.commune.name,
                sort=by("commune"),
            ),
            Column("status", gettext_lazy("Trạng thái"), status_tag, sort=by("status")),
        ]
        if access.may_read(user, Case, "classification"):
            columns.append(Column("classification", gettext_lazy("Phân loại"), _classification))
        if access.may_read(user, Case, "assigned_officer"):
            columns.append(Column("officer", gettext_lazy("Cán bộ quản lý"), _officer))
        if supervision:
            columns.append(Column("deadline", gettext_lazy("Việc tiếp theo"), deadline))
        super().__init__(records, columns)


# --- the agencies' inbox and the overdue list ----------------------------------------------------


def _deadline(referral: Referral, today: Any) -> str:
    """The response deadline and, while unanswered, the days left (red once passed)."""
    if referral.status != Referral.Status.REQUESTED:
        return vn_date(referral.response_due)
    left = (referral.response_due - today).days
    if left < 0:
        tag = colour_tag(_("quá hạn %(days)d ngày") % {"days": -left}, "red")
    else:
        tag = colour_tag(_("còn %(days)d ngày") % {"days": left}, "orange" if left <= 3 else "grey")
    return format_html("{} {}", vn_date(referral.response_due), tag)


def _sender(referral: Referral) -> str:
    return format_html("{}<br>{}", display(referral, "sent_by"), referral.need.case.commune.name)


def _note(referral: Referral) -> str:
    note = referral.note or ""
    return note if len(note) <= 160 else note[:157] + "…"


class ReferralInboxTable(Table):
    """One row per referral with what the agency may see: the need, who sent it from which
    commune, the note sent with it, the deadline and days left, and the steps its state allows."""

    empty_text = gettext_lazy("Không có đề nghị nào khớp bộ lọc.")

    def __init__(self, records: Sequence[Referral], *, today: Any) -> None:
        detail = links("referral-detail")
        # Each step's button, its URL put together per row (registry/views/agencies.py).
        steps = {
            name: (step, links("referral-act", name))
            for name, step in Referral.TRANSITIONS.items()
            if name in Referral.AGENCY_ACTIONS
        }

        def select(referral: Referral) -> str:
            if referral.status != Referral.Status.REQUESTED:
                return ""
            return format_html(
                '<div class="govuk-checkboxes govuk-checkboxes--small">'
                '<div class="govuk-checkboxes__item">'
                '<input class="govuk-checkboxes__input" type="checkbox" name="referrals" '
                'value="{}" id="select-{}"><label class="govuk-label govuk-checkboxes__label" '
                'for="select-{}"><span class="app-visually-hidden">{}</span></label></div></div>',
                referral.uuid,
                referral.uuid,
                referral.uuid,
                _("Chọn %(name)s") % {"name": referral.need.case.person.full_name},
            )

        def person(referral: Referral) -> str:
            return link(detail(referral.uuid), _person_name(referral.need.case.person))

        def button(name: str, referral: Referral) -> str:
            """A step without a reason is a button of the page's form; a step that needs a
            reason, an outcome or a confirmation opens a page of its own."""
            step, url = steps[name]
            if step.destructive or step.needs_reason or name == "complete":
                return format_html(
                    '<a class="govuk-button govuk-button--{} app-mb-0" href="{}">{}</a>',
                    "warning" if step.destructive else "secondary",
                    url(referral.uuid),
                    step.button,
                )
            return format_html(
                '<button class="govuk-button app-mb-0" formaction="{}">{}</button>',
                url(referral.uuid),
                step.button,
            )

        def actions(referral: Referral) -> str:
            allowed = Referral.TRANSITIONS.allowed(referral.status, among=steps)
            buttons = format_html_join("", "{}", ((button(name, referral),) for name, _ in allowed))
            return format_html('<div class="govuk-button-group">{}</div>', buttons)

        super().__init__(
            records,
            [
                Column("select", gettext_lazy("Chọn"), select),
                Column("person", gettext_lazy("Người được hỗ trợ"), person),
                Column("need", gettext_lazy("Nhu cầu"), lambda r: r.need.need_type.name),
                Column("sender", gettext_lazy("Người gửi"), _sender),
                Column("note", gettext_lazy("Ghi chú gửi kèm"), _note),
                Column("deadline", gettext_lazy("Hạn trả lời"), lambda r: _deadline(r, today)),
                Column("status", gettext_lazy("Trạng thái"), status_tag),
                Column("actions", gettext_lazy("Việc cần làm"), actions),
            ],
        )


class OverdueTable(Table):
    """Referrals unanswered after their deadline: the person, where, which agency, how late."""

    empty_text = gettext_lazy("Không có đề nghị nào quá hạn khớp bộ lọc.")

    def __init__(self, records: Sequence[Referral], *, today: Any) -> None:
        detail = links("referral-detail")

        def late(referral: Referral) -> str:
            days = (today - referral.response_due).days
            tag = colour_tag(_("%(days)d ngày") % {"days": days}, "red")
            return format_html("{} {}", vn_date(referral.response_due), tag)

        super().__init__(
            records,
            [
                Column(
                    "person",
                    gettext_lazy("Người được hỗ trợ"),
                    lambda r: link(detail(r.uuid), _person_name(r.need.case.person)),
                ),
                Column("commune", gettext_lazy("Xã, phường"), lambda r: r.need.case.commune.name),
                Column("need", gettext_lazy("Nhu cầu"), lambda r: r.need.need_type.name),
                Column("agency", gettext_lazy("Cơ quan nhận"), lambda r: r.agency.name),
                Column("late", gettext_lazy("Quá hạn"), late),
                Column(
                    "escalated",
                    gettext_lazy("Đã báo Công an tỉnh"),
                    lambda r: vn_date(r.escalated_at) if r.escalated_at else EMPTY,
                ),
            ],
        )
