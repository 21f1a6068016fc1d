"""What outreach holds about a person, for the registry's data-subject access export and its
retention job (registered in ``OutreachConfig.ready``; the registry never imports outreach).

Retention deletes a person's messages (bodies, destinations, receipts) and unlinks their Zalo
followers and opt-outs; an opt-out itself stays, bound to the number (blind index), so that the
number is never messaged again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.models import (
    DeliveryReceipt,
    Message,
    OptOut,
    PhoneCode,
    ZaloFollower,
    ZaloLinkCode,
)
from registry.models import Person
from registry.subject_data import SubjectSection, section


def subject_sections(person: Person) -> Iterable[SubjectSection]:
    yield section(
        "messages",
        _("Tin nhắn đã gửi cho bạn"),
        Message.objects.filter(person=person).order_by("created_at"),
        exclude={
            "campaign",
            "content_version",
            "test_recipient",
            "lease_until",
            "destination_index",
        },
    )
    yield section(
        "opt_outs",
        _("Từ chối nhận tin"),
        OptOut.objects.filter(person=person),
        exclude={"recorded_by"},
    )
    yield section(
        "zalo_followers", _("Tài khoản Zalo liên kết"), ZaloFollower.objects.filter(person=person)
    )


def forget_people(person_ids: list[int]) -> int:
    """Delete the people's messages and unlink their Zalo followers and opt-outs."""
    messages = Message.objects.filter(person_id__in=person_ids)
    receipts, _by_model = DeliveryReceipt.objects.filter(message__in=messages).delete()
    deleted, _by_model = messages.delete()
    codes, _by_model = ZaloLinkCode.objects.filter(person_id__in=person_ids).delete()
    deleted += codes
    unlinked = ZaloFollower.objects.filter(person_id__in=person_ids).update(
        person=None, linked_at=None
    )
    unlinked += OptOut.objects.filter(person_id__in=person_ids).update(person=None)
    return receipts + deleted + unlinked


def forget_expired_codes() -> int:
    """One-time codes of the website and Zalo link codes, used or expired more than a day ago."""
    day_ago = timezone.now() - dt.timedelta(days=1)
    deleted, _by_model = PhoneCode.objects.filter(
        Q(expires_at__lt=day_ago) | Q(used_at__lt=day_ago)
    ).delete()
    links, _by_model = ZaloLinkCode.objects.filter(
        Q(expires_at__lt=day_ago) | Q(used_at__lt=day_ago)
    ).delete()
    return deleted + links


def register() -> None:
    from registry.services.retention import register_retention_cleanup, register_retention_hook
    from registry.subject_data import register_subject_section

    register_subject_section(subject_sections)
    register_retention_hook(forget_people)
    register_retention_cleanup(forget_expired_codes)
