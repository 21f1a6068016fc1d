"""Writing and reviewing campaign content: checks of the text, versions, approval by the provincial
police (with the discretion check), publishing and archiving."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach import text
from outreach.models import ContentItem, ContentVersion
from registry import access
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import User
from registry.models.access import AccessEvent
from registry.models.transitions import illegal_transition

EDITABLE_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "sms_text",
    "zalo_text",
    "zns_template_id",
    "zns_params",
    "video_url",
)


def text_problems(item: ContentItem) -> dict[str, str]:
    """What stops this content from being sent: unknown placeholders, an SMS that is not GSM-7 or
    longer than the segment limit once labelled. Field name → message."""
    problems: dict[str, str] = {}
    for name in ("body", "sms_text", "zalo_text"):
        unknown = text.unknown_placeholders(getattr(item, name) or "")
        if unknown:
            problems[name] = _("Không có trường thay thế: %(names)s. Dùng: %(known)s.") % {
                "names": ", ".join(f"(({n}))" for n in unknown),
                "known": ", ".join(f"(({n}))" for n in text.PLACEHOLDERS),
            }
    for value in (item.zns_params or {}).values():
        if text.unknown_placeholders(str(value)):
            problems["zns_params"] = _("Tham số ZNS dùng trường thay thế không có.")
    if item.sms_text and "sms_text" not in problems:
        preview = sms_preview(item)
        if preview["non_gsm"]:
            problems["sms_text"] = _(
                "SMS còn ký tự ngoài bảng GSM-7 (%(chars)s): tin sẽ bị tính theo Unicode."
            ) % {"chars": " ".join(preview["non_gsm"])}
        elif preview["segments"] > settings.OUTREACH_SMS_MAX_SEGMENTS:
            problems["sms_text"] = _("SMS dài %(segments)d phần, quá giới hạn %(limit)d phần.") % {
                "segments": preview["segments"],
                "limit": settings.OUTREACH_SMS_MAX_SEGMENTS,
            }
    return problems


SAMPLE_VALUES = {
    "ten": "Hùng",
    "ho_ten": "Lò Văn Hùng",
    "xa": "Phường Tô Hiệu",
    "hotline": "0212 3xxx xxx",
}


def sms_preview(item: ContentItem) -> dict[str, Any]:
    """The SMS as a recipient would get it (with sample values), its encoding and segments."""
    source = item.sms_text or item.body
    values = {**SAMPLE_VALUES, "hotline": settings.OUTREACH_HOTLINE or SAMPLE_VALUES["hotline"]}
    filled = text.fill(source, values) if not text.unknown_placeholders(source) else source
    rendered = text.sms_text(
        filled, is_offer=item.is_offer, opt_out_text=settings.OUTREACH_OPT_OUT_TEXT
    )
    count = text.sms_count(rendered)
    return {
        "text": rendered,
        "encoding": count.encoding,
        "characters": count.characters,
        "segments": count.segments,
        "non_gsm": text.non_gsm_characters(rendered),
        "max_segments": settings.OUTREACH_SMS_MAX_SEGMENTS,
    }


def _flags(item: ContentItem) -> list[str]:
    return text.discretion_flags(item.title, item.body, item.sms_text, item.zalo_text)


def version_of(item: ContentItem) -> ContentVersion:
    """The item's current text as an (unsaved) version: what a preview renders."""
    return ContentVersion(
        content=item,
        number=item.version,
        title=item.title,
        body=item.body,
        sms_text=item.sms_text,
        zalo_text=item.zalo_text,
        zns_template_id=item.zns_template_id,
        zns_params=item.zns_params,
        is_offer=item.is_offer,
    )


def _snapshot(item: ContentItem) -> ContentVersion:
    version = version_of(item)
    version.save()
    return version


@transaction.atomic
def content_save(*, actor: User, item: ContentItem | None = None, **values: Any) -> ContentItem:
    """Create or edit content. Editing approved or published content starts a new draft version
    (what was sent keeps pointing at its own version)."""
    access.require(actor, "content.edit")
    creating = item is None
    if item is None:
        item = ContentItem(created_by=actor)
    else:
        item = ContentItem.objects.select_for_update().get(pk=item.pk)
        if item.status == ContentItem.Status.ARCHIVED:
            raise illegal_transition(_("sửa"), item.get_status_display())
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(item, name, values[name] if values[name] is not None else "")
    if not item.sms_text:
        item.sms_text = text.strip_diacritics(item.body)
    if not item.slug:
        item.slug = _unique_slug(item.title)
    if not creating and item.status != ContentItem.Status.DRAFT:
        if item.status != ContentItem.Status.IN_REVIEW:
            item.version += 1
        item.status = ContentItem.Status.DRAFT
        item.approved_by, item.approved_at, item.discretion_override = None, None, ""
    item.discretion_flags = _flags(item)
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action=AccessEvent.Action.CREATE if creating else AccessEvent.Action.UPDATE,
        objects=[item],
    )
    return item


def _unique_slug(title: str) -> str:
    from django.utils.text import slugify

    base = slugify(text.strip_diacritics(title))[:100] or "noi-dung"
    slug, n = base, 1
    while ContentItem.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def content_submit(*, actor: User, item: ContentItem) -> ContentItem:
    """DRAFT → IN_REVIEW, with the text checks passed."""
    access.require(actor, "content.edit")
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ContentItem.Status.DRAFT:
        raise illegal_transition(_("gửi duyệt"), item.get_status_display())
    problems = text_problems(item)
    if problems:
        raise ValidationError(problems)
    item.status = ContentItem.Status.IN_REVIEW
    item.discretion_flags = _flags(item)
    item.save(update_fields=["status", "discretion_flags", "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[item])
    return item


@transaction.atomic
def content_approve(*, actor: User, item: ContentItem, override_reason: str = "") -> ContentItem:
    """IN_REVIEW → APPROVED. Refused while the discretion check flags words, unless the approver
    gives a reason for overriding it."""
    access.require(actor, "content.approve")
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ContentItem.Status.IN_REVIEW:
        raise illegal_transition(_("duyệt"), item.get_status_display())
    flags = _flags(item)
    if flags and not override_reason.strip():
        raise ApplicationError(
            _(
                "Nội dung có từ ngữ có thể làm lộ quá khứ của người nhận: %(words)s. Sửa lại, "
                "hoặc ghi lý do vẫn duyệt."
            )
            % {"words": ", ".join(flags)},
            extra={"code": "discretion", "words": flags},
        )
    problems = text_problems(item)
    if problems:
        raise ValidationError(problems)
    item.status = ContentItem.Status.APPROVED
    item.discretion_flags = flags
    item.discretion_override = override_reason.strip() if flags else ""
    item.approved_by, item.approved_at = actor, timezone.now()
    item.save()
    _snapshot_if_missing(item)
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[item])
    return item


def _snapshot_if_missing(item: ContentItem) -> ContentVersion:
    existing = ContentVersion.objects.filter(content=item, number=item.version).first()
    return existing or _snapshot(item)


@transaction.atomic
def content_reject(*, actor: User, item: ContentItem, note: str) -> ContentItem:
    access.require(actor, "content.approve")
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ContentItem.Status.IN_REVIEW:
        raise illegal_transition(_("trả lại"), item.get_status_display())
    if not note.strip():
        raise ValidationError({"note": _("Ghi lý do trả lại để người soạn sửa.")})
    item.status, item.review_note = ContentItem.Status.DRAFT, note.strip()
    item.save(update_fields=["status", "review_note", "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[item])
    return item


@transaction.atomic
def content_publish(*, actor: User, item: ContentItem) -> ContentItem:
    """APPROVED → PUBLISHED (shown on the public website)."""
    access.require(actor, "content.approve")
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ContentItem.Status.APPROVED:
        raise illegal_transition(_("đăng"), item.get_status_display())
    if item.kind == ContentItem.Kind.STORY and not story_consented(item):
        raise ApplicationError(
            _("Chỉ đăng câu chuyện khi nhân vật đã đồng ý cho đăng (ghi nhận sự đồng ý trước)."),
            extra={"code": "story_without_consent"},
        )
    item.status, item.published_at = ContentItem.Status.PUBLISHED, timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[item])
    return item


@transaction.atomic
def content_archive(*, actor: User, item: ContentItem) -> ContentItem:
    access.require(actor, "content.approve")
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in (ContentItem.Status.APPROVED, ContentItem.Status.PUBLISHED):
        raise illegal_transition(_("lưu trữ"), item.get_status_display())
    item.status = ContentItem.Status.ARCHIVED
    item.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[item])
    return item


def story_consent_q(prefix: str = "") -> Any:
    """Stories whose person has a given, unexpired consent to publish (PDP Law: the consent is
    for this purpose; withdrawing it takes the story off the website)."""
    from django.db.models import Exists, OuterRef, Q

    from registry.models import Consent

    today = timezone.localdate()
    return Exists(
        Consent.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today),
            person=OuterRef(f"{prefix}story_person"),
            purpose=Consent.Purpose.PUBLISH_STORY,
            status=Consent.Status.GIVEN,
        )
    )


def story_consented(item: ContentItem) -> bool:
    return bool(
        item.story_person_id
        and ContentItem.objects.filter(pk=item.pk).filter(story_consent_q()).exists()
    )


def current_version(item: ContentItem) -> ContentVersion:
    """The version campaigns send: the approved text of the item."""
    if item.status not in (ContentItem.Status.APPROVED, ContentItem.Status.PUBLISHED):
        raise ApplicationError(
            _("Nội dung chưa được duyệt."), extra={"code": "content_not_approved"}
        )
    return _snapshot_if_missing(item)


@transaction.atomic
def content_load_seed(items: list[dict[str, Any]], *, system: User) -> dict[str, int]:
    """Load the province's seed content (fixtures/outreach/content.json): new items by slug are
    created approved and published by the system user, with a version; existing ones are left
    alone (editors may have changed them). Items the discretion check flags stay in review."""
    from registry.models import NeedType

    counts = {"created": 0, "kept": 0, "in_review": 0}
    for data in items:
        if ContentItem.objects.filter(slug=data["slug"]).exists():
            counts["kept"] += 1
            continue
        item = ContentItem(
            slug=data["slug"],
            created_by=system,
            **{f: data.get(f) or ("" if f != "zns_params" else {}) for f in EDITABLE_FIELDS},
        )
        item.discretion_flags = _flags(item)
        # A public page may need the words (expungement): the seed then carries the reason.
        item.discretion_override = (
            data.get("discretion_override", "") if item.discretion_flags else ""
        )
        if not item.sms_text:
            item.sms_text = text.strip_diacritics(item.body)
        problems = text_problems(item)
        if problems:
            raise ValidationError({data["slug"]: list(problems.values())})
        now = timezone.now()
        if item.discretion_flags and not item.discretion_override:
            item.status = ContentItem.Status.IN_REVIEW
            counts["in_review"] += 1
        else:
            # A story waits, approved, for its person's consent to publish.
            published = item.kind != ContentItem.Kind.STORY
            item.status = ContentItem.Status.PUBLISHED if published else ContentItem.Status.APPROVED
            item.approved_by, item.approved_at = system, now
            item.published_at = now if published else None
            counts["created"] += 1
        item.full_clean()
        item.save()
        item.need_types.set(NeedType.objects.filter(code__in=data.get("need_types", [])))
        if item.approved_at:
            _snapshot(item)
        audit_record(actor=None, username=system.get_username(), action="create", objects=[item])
    return counts
