"""The search box on every staff page. It posts (a national ID or a phone number must never sit in
a URL or an access log); one exact match by identifier opens the case at once, a name gives the
list of the user's cases that match. Every search is audited with what it showed — never with
what was typed."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from registry import access
from registry.audit import audit_record
from registry.counts import reads_only
from registry.models import AccessEvent, Case
from registry.search import case_search
from registry.tables import CaseTable
from registry.views.common import verified_required


@reads_only
@verified_required
@require_POST
def search(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "person.view")
    query = request.POST.get("q", "")[:200]
    with transaction.atomic():
        result = case_search(user=request.user, query=query)
        audit_record(
            actor=request.user,
            action=AccessEvent.Action.SEARCH,
            objects=result.cases,
            model=Case,
            purpose=f"search by {result.kind or 'nothing'}",
        )
    if result.kind in ("national_id", "phone") and len(result.cases) == 1:
        return redirect("case-page", uuid=result.cases[0].uuid)
    return render(
        request,
        "search.html",
        {
            "result": result,
            # A name stays in the box to refine it; an identifier is not echoed back.
            "search_query": query if result.kind == "name" else "",
            "table": (
                CaseTable(result.cases, user=request.user, sortable=False) if result.cases else None
            ),
        },
        status=400 if result.problem else 200,
    )
