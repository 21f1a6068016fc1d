"""The one search box: a name typed with or without diacritics, a national ID or a phone number,
answered with the cases the user may open.

Identifiers are matched exactly through the blind indexes (the plain value never reaches the
database) and arrive by POST, so they never sit in a URL or an access log; a name matches every
word it contains, case and diacritics ignored. Only cases in the user's scope are searched, so the
answer never says that someone exists elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from registry import access, selectors, validation
from registry.models import Case, User
from registry.worklists import TABLE_FIELDS, first_rows

LIMIT = 50
_ID_LIKE = re.compile(r"^[\d\s.\-]{12,16}$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s.\-()]{8,18}$")


@dataclass
class SearchResult:
    kind: str  # "national_id", "phone", "name" or "" (nothing to search)
    cases: list[Case]
    problem: str = ""  # why the query could not be searched (Vietnamese), never personal data

    @property
    def label(self) -> str:
        return {
            "national_id": str(_("số định danh cá nhân")),
            "phone": str(_("số điện thoại")),
            "name": str(_("họ tên")),
        }.get(self.kind, "")


def case_search(*, user: User, query: str) -> SearchResult:
    query = (query or "").strip()
    if not query:
        return SearchResult("", [])
    cases = access.case_list_for_user(user)
    digits = re.sub(r"[\s.\-]", "", query)
    if _ID_LIKE.match(query) and len(digits) == 12:
        try:
            person = selectors.person_find_by_national_id(digits)
        except ValidationError as error:
            return SearchResult("national_id", [], " ".join(error.messages))
        found = cases.filter(person=person) if person is not None else cases.none()
        return SearchResult("national_id", _ordered(found))
    if _PHONE_LIKE.match(query) and any(ch.isdigit() for ch in query):
        try:
            people = selectors.person_find_by_phone(query)
        except ValidationError as error:
            return SearchResult("phone", [], " ".join(error.messages))
        return SearchResult("phone", _ordered(cases.filter(person__in=people)))
    words = validation.fold(query).split()
    if not words:
        return SearchResult("", [])
    for word in words:
        # The case's copy of its person's folded name: read from the commune's name index.
        cases = cases.filter(sort_name__contains=word)
    return SearchResult("name", _ordered(cases))


def _ordered(cases: QuerySet[Case]) -> list[Case]:
    # Open cases first (a person may have older closed ones), then by name. The ids first, from
    # the commune's name index alone (5 ms at 13,000 cases a commune), then their rows: asked for
    # whole rows at once, the planner read every case of the commune from the table (≈ 120 ms).
    order = [F("closed_on").asc(nulls_first=True), "sort_name", "id"]
    return first_rows(cases.order_by(*order), LIMIT, fields=TABLE_FIELDS)
