"""Outreach pages: the content library and editor (live SMS preview), the segment builder (live
count), the campaign wizard (preview, cost, quota), approvals for the provincial police, a running
campaign's progress, and a person's message history with the refusals recorded by officers.

Every page works without JavaScript; a small script (outreach/live.js) refreshes the SMS preview
and the segment count while typing. Outreach staff never see a name: counts and statuses only.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from outreach import audience, routing, selectors
from outreach.channels import mask
from outreach.forms import (
    AnswerForm,
    CampaignForm,
    ContentForm,
    OptOutForm,
    ReviewForm,
    SegmentForm,
)
from outreach.models import Campaign, Channel, ContentItem, Message, Question, Segment
from outreach.services import campaigns as campaign_services
from outreach.services import content as content_services
from outreach.services import optouts, public, zalo_links
from registry import access
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import AccessEvent
from registry.views.common import refused, verified_required


def _apply(form: Any, error: ValidationError | ApplicationError) -> None:
    if isinstance(error, ApplicationError):
        form.add_error(None, str(error.message))
        return
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in messages.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _can(request: HttpRequest, *capabilities: str) -> dict[str, bool]:
    return {c.replace(".", "_"): access.has(request.user, c) for c in capabilities}


CAPS = (
    "question.answer",
    "content.view",
    "content.edit",
    "content.approve",
    "segment.manage",
    "campaign.view",
    "campaign.manage",
    "campaign.approve",
    "campaign.launch",
)


@verified_required
def home(request: HttpRequest) -> HttpResponse:
    can = _can(request, *CAPS)
    if not (can["content_view"] or can["campaign_view"]):
        access.require(request.user, "content.view")
    return render(
        request,
        "outreach/home.html",
        {
            "can": can,
            "contents": list(selectors.content_list()[:50]),
            "campaigns": list(selectors.campaign_list()[:50]) if can["campaign_view"] else [],
            "segments": list(Segment.objects.all()[:50]) if can["segment_manage"] else [],
            "pending_content": selectors.content_list().filter(status="in_review").count(),
            "pending_campaigns": Campaign.objects.filter(status="pending_approval").count(),
        },
    )


# --- content ------------------------------------------------------------------------------------


@verified_required
def content_edit(request: HttpRequest, uuid: UUID | None = None) -> HttpResponse:
    access.require(request.user, "content.view")
    item = get_object_or_404(ContentItem, uuid=uuid) if uuid else None
    form = ContentForm(request.POST or None, instance=item)
    if request.method == "POST":
        access.require(request.user, "content.edit")
        if form.is_valid():
            values = {f: form.cleaned_data[f] for f in ContentForm.Meta.fields}
            try:
                item = content_services.content_save(actor=request.user, item=item, **values)
                return redirect("outreach-content", uuid=item.uuid)
            except (ValidationError, ApplicationError) as error:
                _apply(form, error)
    return _content_page(request, form, item, ReviewForm())


def _content_page(
    request: HttpRequest,
    form: ContentForm,
    item: ContentItem | None,
    review: ReviewForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "outreach/content_edit.html",
        {
            "form": form,
            "item": item,
            "preview": content_services.sms_preview(item) if item else None,
            "problems": content_services.text_problems(item) if item else {},
            "review": review,
            "can": _can(request, *CAPS),
            "versions": item.versions.order_by("-number")[:10] if item else [],
            "placeholders": content_services.text.PLACEHOLDERS,
        },
        status=status,
    )


@verified_required
@require_POST
def content_preview(request: HttpRequest) -> JsonResponse:
    """The live SMS preview of the editor (no saving)."""
    access.require(request.user, "content.view")
    form = ContentForm(request.POST)
    form.is_valid()
    item = ContentItem(
        kind=form.cleaned_data.get("kind") or ContentItem.Kind.NEWS,
        title=form.cleaned_data.get("title") or "",
        body=form.cleaned_data.get("body") or "",
        sms_text=form.cleaned_data.get("sms_text") or "",
    )
    if not item.sms_text:
        item.sms_text = content_services.text.strip_diacritics(item.body)
    preview = content_services.sms_preview(item)
    preview["flags"] = content_services.text.discretion_flags(item.title, item.body, item.sms_text)
    preview["unknown"] = content_services.text.unknown_placeholders(item.body + item.sms_text)
    return JsonResponse(preview)


CONTENT_ACTIONS = {
    "submit": lambda user, item, note: content_services.content_submit(actor=user, item=item),
    "approve": lambda user, item, note: content_services.content_approve(
        actor=user, item=item, override_reason=note
    ),
    "reject": lambda user, item, note: content_services.content_reject(
        actor=user, item=item, note=note
    ),
    "publish": lambda user, item, note: content_services.content_publish(actor=user, item=item),
    "archive": lambda user, item, note: content_services.content_archive(actor=user, item=item),
}


@verified_required
@require_POST
def content_action(request: HttpRequest, uuid: UUID, action: str) -> HttpResponse:
    access.require(request.user, "content.view")
    item = get_object_or_404(ContentItem, uuid=uuid)
    step = CONTENT_ACTIONS.get(action)
    if step is None:
        return HttpResponse(status=404)
    review = ReviewForm(request.POST)
    review.is_valid()
    try:
        step(request.user, item, review.cleaned_data.get("note") or "")
    except (ValidationError, ApplicationError) as error:
        _apply(review, error)
        return _content_page(request, ContentForm(instance=item), item, review, status=400)
    return redirect("outreach-content", uuid=item.uuid)


# --- segments -----------------------------------------------------------------------------------


@verified_required
def segment_edit(request: HttpRequest, uuid: UUID | None = None) -> HttpResponse:
    access.require(request.user, "segment.manage")
    segment = get_object_or_404(Segment, uuid=uuid) if uuid else None
    initial = SegmentForm.initial_for(segment) if segment else None
    form = SegmentForm(request.POST or None, initial=initial)
    count = None
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("save"):
                segment = campaign_services.segment_save(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    filters=form.filters(),
                    segment=segment,
                )
                return redirect("outreach-segment", uuid=segment.uuid)
            count = selectors.segment_count(form.filters())
        except ValidationError as error:
            _apply(form, error)
    elif segment is not None:
        count = selectors.segment_count(segment.filters)
    return render(
        request, "outreach/segment_edit.html", {"form": form, "segment": segment, "count": count}
    )


@verified_required
@require_POST
def segment_count(request: HttpRequest) -> JsonResponse:
    """The live count of the segment builder: how many people, never who."""
    access.require(request.user, "segment.manage")
    form = SegmentForm(
        {**request.POST.dict(), "name": "x"}
        | {
            k: request.POST.getlist(k)
            for k in ("communes", "need_types", "need_statuses", "referral_statuses")
        }
    )
    if not form.is_valid():
        return JsonResponse({"count": None, "errors": form.errors}, status=400)
    try:
        return JsonResponse({"count": selectors.segment_count(form.filters())})
    except ValidationError as error:
        return JsonResponse({"count": None, "errors": error.message_dict}, status=400)


# --- campaigns ----------------------------------------------------------------------------------


@verified_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "campaign.manage")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_services.campaign_save(actor=request.user, **form.values())
            return redirect("outreach-campaign", uuid=campaign.uuid)
        except (ValidationError, ApplicationError) as error:
            _apply(form, error)
    return render(request, "outreach/campaign_new.html", {"form": form})


@verified_required
def campaign_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    access.require(request.user, "campaign.view")
    campaign = get_object_or_404(
        Campaign.objects.select_related("content", "segment", "content_version"), uuid=uuid
    )
    written = campaign.outbox_written_at is not None
    outcome = audience.outcome(campaign) if written and not campaign.sandbox else None
    # Before launch, and after it while no message has been processed yet (a night launch), the
    # page predicts; once sending has begun it reports what happened.
    predicting = not campaign.sandbox and (
        not written or (outcome is not None and outcome["waiting"] == outcome["people"])
    )
    explained = audience.explain_cached(campaign) if predicting else None
    count = explained.recipients if explained else campaign.planned_recipients
    version = campaign.content_version or content_services.version_of(campaign.content)
    sample = campaign_services.values_for("Lò Văn Hùng", "Phường Tô Hiệu")
    previews = [
        {
            "channel": Channel(c).label,
            "text": campaign_services.render(version, c, sample)[0],
        }
        for c in campaign.channels
    ]
    return render(
        request,
        "outreach/campaign_detail.html",
        {
            "campaign": campaign,
            "count": count,
            "explained": explained,
            "outcome": None if predicting else outcome,
            "estimate": campaign_services.estimate(campaign, count),
            "previews": previews,
            "channel_labels": [Channel(c).label for c in campaign.channels],
            "hotline_missing": campaign_services.uses_hotline(campaign)
            and not settings.OUTREACH_HOTLINE,
            "starts": selectors.campaign_start(campaign),
            "paused_budget": selectors.paused_budget(campaign),
            "progress": selectors.campaign_progress(campaign),
            "window": settings.OUTREACH_SEND_WINDOW.replace("-", "–"),
            "review": ReviewForm(),
            "can": _can(request, *CAPS),
            "refresh": campaign.status == Campaign.Status.RUNNING,
        },
    )


CAMPAIGN_ACTIONS = {
    "submit": lambda user, c, note: campaign_services.campaign_submit(actor=user, campaign=c),
    "approve": lambda user, c, note: campaign_services.campaign_approve(actor=user, campaign=c),
    "reject": lambda user, c, note: campaign_services.campaign_reject(
        actor=user, campaign=c, note=note
    ),
    "launch": lambda user, c, note: campaign_services.campaign_launch(actor=user, campaign=c),
    "pause": lambda user, c, note: campaign_services.campaign_pause(actor=user, campaign=c),
    "resume": lambda user, c, note: campaign_services.campaign_resume(actor=user, campaign=c),
    "cancel": lambda user, c, note: campaign_services.campaign_cancel(actor=user, campaign=c),
}


@verified_required
@require_POST
def campaign_action(request: HttpRequest, uuid: UUID, action: str) -> HttpResponse:
    access.require(request.user, "campaign.view")
    campaign = get_object_or_404(Campaign, uuid=uuid)
    step = CAMPAIGN_ACTIONS.get(action)
    if step is None:
        return HttpResponse(status=404)
    review = ReviewForm(request.POST)
    review.is_valid()
    try:
        step(request.user, campaign, review.cleaned_data.get("note") or "")
    except (ValidationError, ApplicationError) as error:
        messages = [error.message] if isinstance(error, ApplicationError) else error.messages
        return refused(request, messages)
    return redirect("outreach-campaign", uuid=campaign.uuid)


@verified_required
def approvals(request: HttpRequest) -> HttpResponse:
    if not (
        access.has(request.user, "content.approve") or access.has(request.user, "campaign.approve")
    ):
        access.require(request.user, "content.approve")
    return render(
        request,
        "outreach/approvals.html",
        {
            "contents": selectors.content_list().filter(status=ContentItem.Status.IN_REVIEW),
            "campaigns": selectors.campaign_list().filter(status=Campaign.Status.PENDING_APPROVAL),
        },
    )


# --- a person's messages ------------------------------------------------------------------------


@verified_required
def person_messages(request: HttpRequest, uuid: UUID) -> HttpResponse:
    with transaction.atomic():
        person = selectors.person_for_messages(request.user, uuid)
        form = OptOutForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            optouts.opt_out_record(
                actor=request.user,
                person=person,
                channel=form.cleaned_data["channel"],
                source=form.cleaned_data["source"],
                note=form.cleaned_data["note"],
            )
            return redirect("outreach-person-messages", uuid=person.uuid)
        messages = list(selectors.person_messages(person))
        audit_record(
            actor=request.user,
            action=AccessEvent.Action.VIEW,
            objects=[person],
            purpose="message history",
        )
    rows = [
        {
            "message": m,
            "destination": mask(m.destination or ""),
        }
        for m in messages
    ]
    return render(
        request,
        "outreach/person_messages.html",
        {
            "person": person,
            "rows": rows,
            "opt_outs": selectors.person_opt_outs(person),
            "form": form,
            "can_opt_out": access.has(request.user, "optout.create"),
            "can_link_zalo": access.has(request.user, "zalo.link"),
        },
    )


@verified_required
def person_zalo(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Link the person's Zalo: issue a one-time code (shown here with its QR code, or sent by
    SMS) that the person sends to the Official Account."""
    with transaction.atomic():
        person = selectors.person_for_messages(request.user, uuid)
        access.require(request.user, "zalo.link")
        issued = None
        error = ""
        if request.method == "POST":
            try:
                issued = zalo_links.link_code_issue(
                    actor=request.user, person=person, send_sms=bool(request.POST.get("send_sms"))
                )
            except ValidationError as refused:
                error = " ".join(refused.messages)
        else:
            audit_record(
                actor=request.user,
                action=AccessEvent.Action.VIEW,
                objects=[person],
                purpose="zalo link status",
            )
        follower = zalo_links.link_status(person)
    qr = zalo_links.qr_svg(zalo_links.instructions_url(issued.code)) if issued else ""
    return render(
        request,
        "outreach/person_zalo.html",
        {
            "person": person,
            "follower": follower,
            "issued": issued,
            "qr": qr,
            "error": error,
            "hours": settings.ZALO_LINK_CODE_HOURS,
        },
        status=400 if error else 200,
    )


@verified_required
def console_messages(request: HttpRequest) -> HttpResponse:
    """The console channel's last messages, for developers on the embedded default (DEBUG, no
    real provider): the one-time codes of "manage my messages" and Zalo linking can be read
    here. Never in production: without DEBUG the page does not exist."""
    if not (settings.DEBUG and settings.OUTREACH_CONSOLE_PAGE):
        raise Http404
    if not access.roles(request.user) and not request.user.is_staff:
        raise Http404
    with transaction.atomic():
        rows = list(
            Message.objects.filter(provider=routing.CONSOLE)
            .order_by("-sent_at", "-id")
            .select_related("campaign")[:50]
        )
        audit_record(
            actor=request.user, action=AccessEvent.Action.LIST, objects=rows, model=Message,
            purpose="console channel (development)",
        )  # fmt: skip
    return render(
        request,
        "outreach/console.html",
        {
            "rows": [
                {
                    "message": m,
                    "channel": Channel(m.channel).label,
                    "destination": mask(m.destination or ""),
                }
                for m in rows
            ]
        },
    )


# --- citizens' questions from the website -------------------------------------------------------


@verified_required
def questions(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "question.answer")
    with transaction.atomic():
        waiting = list(
            Question.objects.filter(status=Question.Status.NEW).order_by("created_at")[:50]
        )
        audit_record(
            actor=request.user, action=AccessEvent.Action.LIST, objects=waiting, model=Question
        )
    rows = [{"question": q, "phone": mask(q.phone or ""), "form": AnswerForm()} for q in waiting]
    return render(
        request,
        "outreach/questions.html",
        {"rows": rows, "can_publish": access.has(request.user, "content.approve")},
    )


@verified_required
@require_POST
def question_action(request: HttpRequest, uuid: UUID, action: str) -> HttpResponse:
    access.require(request.user, "question.answer")
    question = get_object_or_404(Question, uuid=uuid)
    form = AnswerForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        if action == "answer":
            public.question_answer(actor=request.user, question=question, answer=data["answer"])
        elif action == "publish":
            public.question_publish(
                actor=request.user, question=question, title=data["title"], answer=data["answer"]
            )
        elif action == "reject":
            public.question_reject(actor=request.user, question=question)
        else:
            return HttpResponse(status=404)
    except ValidationError as error:
        return refused(request, error.messages)
    return redirect("outreach-questions")
