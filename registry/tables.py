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

from registry import access
from registry.models import Case, User
from registry.templatetags.workspace import status_tag, vn_date
from registry.worklists import next_deadline

# Sort parameter → (path of the key, descending). Every key is non-null for the rows it sorts.
CASE_SORTS = {
    "name": ("person__folded_name", False),
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
