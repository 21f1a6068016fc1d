"""Existence is a read (docs/existence.md).

Telling a caller that a national ID is already in the registry tells them that its holder served
a prison term. Where the person is outside the caller's scope, that answer is therefore an
audited read of that person: an access event naming them and the reason, at most
``EXISTENCE_READS_PER_DAY`` per user per day, saying no more than needed (never the commune or
the agency that manages them) and offering the lawful next step — the provincial police are told
at once and review a transfer of the case to the caller's commune.

Once a user has used up the day's answers, every registration or import row with a national ID
is held with the same message whether or not the ID exists, so the limit is no oracle either.
Callers run the check before their transaction: the read is recorded even though the
registration it answers is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access, crypto, validation
from registry.audit import audit_bulk, audit_record
from registry.errors import ApplicationError
from registry.models import AccessEvent, Membership, Notification, Person, Role, User

PURPOSE = "existence outside scope"


def _normalised(national_id: str | None) -> str | None:
    if not national_id:
        return None
    try:
        return validation.normalize_national_id(national_id)
    except ValidationError:
        return None  # the service's own validation answers bad input


def reads_left_today(actor: User) -> int:
    """How many more out-of-scope existence answers the user may get today (counted from the
    access log itself, so every process and restart agrees)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    used = sum(
        len(ids)
        for ids in AccessEvent.objects.filter(
            actor=actor, at__gte=start, purpose__startswith=PURPOSE
        ).values_list("person_ids", flat=True)
    )
    return max(0, settings.EXISTENCE_READS_PER_DAY - used)


def limit_message() -> str:
    return _(
        "Bạn đã dùng hết số lần đối chiếu với sổ theo dõi toàn tỉnh trong hôm nay; hồ sơ có số "
        "định danh được giữ lại. Liên hệ Công an tỉnh để được xem xét."
    )


def elsewhere_message() -> str:
    return _(
        "Người này đã có hồ sơ trong sổ theo dõi do một đơn vị khác quản lý; không tạo hồ sơ "
        "mới. Công an tỉnh đã được báo để xem xét chuyển hồ sơ về địa bàn của bạn (hoặc liên hệ "
        "Công an tỉnh)."
    )


def _tell_provincial_police(actor: User, count: int, purpose: str) -> None:
    text = _(
        "%(user)s đối chiếu %(n)s người đã có hồ sơ ở đơn vị khác (%(why)s): xem nhật ký truy "
        "cập và xem xét chuyển hồ sơ."
    ) % {"user": actor.get_username(), "n": count, "why": purpose}
    users = (
        Membership.objects.filter(role=Role.PROVINCIAL_POLICE, is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    Notification.objects.bulk_create(
        Notification(user_id=user_id, text=text[:300], url="/audit/") for user_id in users
    )


def national_id_check(
    *, actor: User, national_id: str | None, purpose: str, exclude: Person | None = None
) -> None:
    """Before registering (or changing) a national ID, outside any transaction: ApplicationError
    if it is in use — ``registered_here`` for a person in the caller's scope,
    ``registered_elsewhere`` (audited, counted, the provincial police told) outside it,
    ``existence_limit`` when the day's answers are used up (whatever the ID). Returns quietly for
    a new ID. The access event is committed even though the caller's write is refused."""
    normalised = _normalised(national_id)
    if normalised is None:
        return
    limited = not access.sees_whole_province(actor, "person.view")
    if limited and reads_left_today(actor) <= 0:
        with transaction.atomic():
            audit_record(actor=actor, action=AccessEvent.Action.DENIED, purpose=f"{PURPOSE}: limit")
        raise ApplicationError(limit_message(), extra={"code": "existence_limit"})
    digest = crypto.keyring().blind_index("person.national_id", normalised)
    found = Person.objects.filter(national_id_index=digest)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    person = found.first()
    if person is None:
        return
    if not limited or access.person_list_for_user(actor).filter(pk=person.pk).exists():
        with transaction.atomic():
            audit_record(
                actor=actor, action=AccessEvent.Action.SEARCH, objects=[person], purpose=purpose
            )
        raise ApplicationError(
            _("Người này đã có trong sổ theo dõi của bạn: mở hồ sơ hiện có thay vì tạo mới."),
            extra={"code": "registered_here", "person": str(person.uuid)},
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AccessEvent.Action.SEARCH,
            objects=[person],
            purpose=f"{PURPOSE}: {purpose}",
        )
        _tell_provincial_police(actor, 1, purpose)
    raise ApplicationError(elsewhere_message(), extra={"code": "registered_elsewhere"})


def import_matches_disclose(
    *, actor: User, people: dict[str, Person], purpose: str
) -> tuple[set[str], bool]:
    """For an import's dry run: ``people`` maps blind index → registered person for the rows
    that matched the registry. Returns the indexes of people outside the caller's scope, and
    whether the day's limit allows saying so (False: the caller must hold every row with an ID,
    matched or not). The disclosed people are recorded in one access event."""
    if not people or access.sees_whole_province(actor, "person.view"):
        return set(), True
    visible = set(
        access.person_list_for_user(actor)
        .filter(pk__in=[p.pk for p in people.values()])
        .values_list("pk", flat=True)
    )
    outside = {index: p for index, p in people.items() if p.pk not in visible}
    if not outside:
        return set(), True
    if len(outside) > reads_left_today(actor):
        audit_record(actor=actor, action=AccessEvent.Action.DENIED, purpose=f"{PURPOSE}: limit")
        return set(outside), False
    audit_bulk(
        actor=actor,
        action=AccessEvent.Action.SEARCH,
        model=Person,
        object_ids=[str(p.uuid) for p in outside.values()],
        person_ids=[str(p.uuid) for p in outside.values()],
        purpose=f"{PURPOSE}: {purpose}",
    )
    _tell_provincial_police(actor, len(outside), purpose)
    return set(outside), True
