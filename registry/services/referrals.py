"""The referral loop: sending a need to the agency responsible for it, and every later step.

Each step is checked against ``Referral.TRANSITIONS``, the state machine drawn on the model: for
each action, the statuses it may start from, the status it leads to, and whether a reason is
required.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import selectors, validation
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import Agency, Consent, Need, Referral, ReferralTransition, User
from registry.models.access import AccessEvent
from registry.models.transitions import illegal_transition
from registry.services.notifications import members_of, notify, referral_url
from registry.workdays import add_working_days

R = Referral.Status


# The state machine drawn on ``Referral`` (kept under its old name for the API and the tests).
REFERRAL_ACTIONS = Referral.TRANSITIONS


# What a finished referral means for its need.
_NEED_AFTER = {
    (R.COMPLETED, Referral.Outcome.ACHIEVED): Need.Status.MET,
    (R.COMPLETED, Referral.Outcome.PARTLY): Need.Status.MET,
    (R.COMPLETED, Referral.Outcome.NOT_ACHIEVED): Need.Status.UNMET,
}


def _lawful_basis(
    need: Need, agency: Agency, consent: Consent | None
) -> tuple[str, Consent | None]:
    """A legal duty of the receiver for this need today, else the person's valid consent."""
    today = validation.today()
    duty = selectors.need_type_responsibility(need_type=need.need_type, on=today)
    if duty is not None and duty.legal_duty and duty.agency_kind == agency.kind:
        return Referral.LawfulBasis.LEGAL_DUTY, None
    consent = consent or selectors.consent_valid_for_referral(
        person=need.case.person, agency=agency, need_type=need.need_type, on=today
    )
    if consent is None or not selectors.consent_covers_referral(
        consent, person=need.case.person, agency=agency, need_type=need.need_type, on=today
    ):
        raise ApplicationError(
            _(
                "Chưa có căn cứ chia sẻ thông tin: cơ quan nhận không có nhiệm vụ luật định với "
                "nhu cầu này và người được hỗ trợ chưa đồng ý chia sẻ cho cơ quan đó."
            ),
            extra={"code": "no_lawful_basis"},
        )
    return Referral.LawfulBasis.CONSENT, consent


@transaction.atomic
def referral_send(
    *,
    actor: User,
    need: Need,
    agency: Agency,
    sender_agency: Agency | None = None,
    consent: Consent | None = None,
    program: str = "",
    note: str | None = None,
) -> Referral:
    """IDENTIFIED need → REFERRED, with a REQUESTED referral to ``agency`` and its deadline."""
    locked = (
        Need.objects.select_for_update().select_related("case__person", "need_type").get(pk=need.pk)
    )
    if locked.case.status == locked.case.Status.CLOSED:
        raise illegal_transition(_("gửi đề nghị"), locked.case.get_status_display())
    Need.TRANSITIONS.check("refer", locked.status, locked.get_status_display())
    today = validation.today()
    if not agency.is_valid_on(today):
        raise ValidationError(
            {"agency": _("Cơ quan này không còn hoạt động; chọn cơ quan kế thừa.")}
        )
    if not agency.need_types.filter(pk=locked.need_type_id).exists():
        raise ValidationError({"agency": _("Cơ quan này không phụ trách loại nhu cầu đã chọn.")})
    basis, consent = _lawful_basis(locked, agency, consent)
    now = timezone.now()
    referral = Referral(
        need=locked,
        agency=agency,
        sender_agency=sender_agency,
        sent_by=actor,
        lawful_basis=basis,
        consent=consent,
        program=program,
        note=note,
        sent_at=now,
        response_due=add_working_days(today, locked.need_type.response_working_days),
    )
    referral.full_clean()
    referral.save()
    ReferralTransition.objects.create(
        referral=referral, from_status="", to_status=R.REQUESTED, actor=actor
    )
    locked.status = Need.Status.REFERRED
    locked.save(update_fields=["status", "updated_at"])
    need.status = locked.status
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[referral])
    notify(
        users=[u for u in members_of(agency.pk) if u.pk != actor.pk],
        text=_("Đề nghị mới: %(need)s, hạn trả lời %(due)s.")
        % {"need": locked.need_type.name, "due": referral.response_due.strftime("%d/%m/%Y")},
        url=referral_url(referral),
    )
    return referral


@transaction.atomic
def referral_transition(
    *, actor: User, referral: Referral, action: str, reason: str = "", outcome: str = ""
) -> Referral:
    """Apply one action of ``REFERRAL_ACTIONS``; raises ApplicationError for an illegal step and
    ValidationError for a missing reason or outcome."""
    step = Referral.TRANSITIONS[action]
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError(
            {"reason": _("Cần ghi lý do khi %(action)s.") % {"action": step.label}}
        )
    if action == "complete" and outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": _("Chọn kết quả: đạt, đạt một phần hoặc không đạt.")})
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    Referral.TRANSITIONS.check(action, locked.status, locked.get_status_display())
    _step(locked, actor=actor, action=action, reason=reason, outcome=outcome)
    return _after_steps(locked, actor=actor, cancelled=action == "cancel")


def _step(
    locked: Referral,
    *,
    actor: User,
    action: str | None,
    reason: str = "",
    outcome: str = "",
    event: str = "",
    on: dt.date | None = None,
) -> ReferralTransition:
    """Move the locked referral by ``action`` (None: the status stays) and record the step."""
    previous, now = locked.status, timezone.now()
    if action is not None:
        step = Referral.TRANSITIONS[action]
        locked.status = step.target
        locked.reason = reason or locked.reason
        locked.outcome = outcome or locked.outcome
        if previous == R.REQUESTED and action != "cancel":
            locked.responded_at = now
        if step.target in Referral.TERMINAL:
            locked.closed_at = now
        locked.version = F("version") + 1
        locked.save(
            update_fields=[
                "status",
                "reason",
                "outcome",
                "responded_at",
                "closed_at",
                "version",
                "updated_at",
            ]
        )
        locked.refresh_from_db(fields=["version"])
    return ReferralTransition.objects.create(
        referral=locked,
        from_status=previous,
        to_status=locked.status,
        actor=actor,
        reason=reason[:500],
        event=event,
        happened_on=on,
    )


def _after_steps(
    locked: Referral, *, actor: User, cancelled: bool = False, text: str = ""
) -> Referral:
    """The need follows the referral; the access is audited; the sender (the receiving agency for
    a cancellation) is told."""
    _update_need_after(locked)
    locked.refresh_from_db()
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[locked])
    watchers = [locked.sent_by] if not cancelled else members_of(locked.agency_id)
    notify(
        users=[u for u in watchers if u.pk != actor.pk],
        text=text
        or _("Đề nghị %(need)s: %(status)s.")
        % {"need": locked.need.need_type.name, "status": locked.get_status_display()},
        url=referral_url(locked),
    )
    return locked


@transaction.atomic
def referral_record_event(
    *,
    actor: User,
    referral: Referral,
    event: str,
    on: dt.date | None = None,
    detail: str = "",
    action: str | None = None,
    outcome: str = "",
) -> Referral:
    """The loop closed: a piece of the agency's work on the referral (an enrolment, a job, a loan
    disbursed, a certificate issued …) recorded as a step of the referral, so that it appears on
    the police case's timeline and the referring officer is notified.

    ``action`` is the step the work means (``complete`` for a job found, ``fail`` for a loan
    refused …), taken through ``start`` when the referral was only accepted; a referral already in
    the step's target status just records the event; any other status refuses the step
    (ApplicationError). Without ``action`` the status stays (a follow-up, a loan approved). Call it
    inside the transaction of the agency's own service."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if action is not None:
        step = Referral.TRANSITIONS[action]
        if locked.status == step.target:
            action = None
        else:
            if locked.status == R.ACCEPTED and action in ("complete", "hold"):
                _step(locked, actor=actor, action="start")
            Referral.TRANSITIONS.check(action, locked.status, locked.get_status_display())
            if step.needs_reason and not detail.strip():
                raise ValidationError(
                    {"reason": _("Cần ghi lý do khi %(action)s.") % {"action": step.label}}
                )
    _step(
        locked,
        actor=actor,
        action=action,
        reason=detail.strip(),
        outcome=outcome,
        event=event,
        on=on,
    )
    label = ReferralTransition.Event(event).label
    text = _("%(need)s: %(event)s%(detail)s (%(status)s).") % {
        "need": locked.need.need_type.name,
        "event": label,
        "detail": f" — {detail.strip()}" if detail.strip() else "",
        "status": locked.get_status_display(),
    }
    return _after_steps(locked, actor=actor, text=text)


def _update_need_after(referral: Referral) -> None:
    if referral.status not in Referral.TERMINAL:
        return
    need = Need.objects.select_for_update().get(pk=referral.need_id)
    if need.status != Need.Status.REFERRED:
        return
    still_open = need.referrals.exclude(status__in=Referral.TERMINAL).exists()
    target = _NEED_AFTER.get((referral.status, referral.outcome))
    if target is None and still_open:
        return
    need.status = target or Need.Status.IDENTIFIED  # refused or dropped: may be referred again
    need.save(update_fields=["status", "updated_at"])


def referral_accept(*, actor: User, referral: Referral) -> Referral:
    return referral_transition(actor=actor, referral=referral, action="accept")


def referral_reject(*, actor: User, referral: Referral, reason: str) -> Referral:
    return referral_transition(actor=actor, referral=referral, action="reject", reason=reason)


def referral_start(*, actor: User, referral: Referral) -> Referral:
    return referral_transition(actor=actor, referral=referral, action="start")


def referral_hold(*, actor: User, referral: Referral, reason: str) -> Referral:
    return referral_transition(actor=actor, referral=referral, action="hold", reason=reason)


def referral_resume(*, actor: User, referral: Referral) -> Referral:
    return referral_transition(actor=actor, referral=referral, action="resume")


def referral_complete(
    *, actor: User, referral: Referral, outcome: str, reason: str = ""
) -> Referral:
    return referral_transition(
        actor=actor, referral=referral, action="complete", outcome=outcome, reason=reason
    )


def referral_fail(*, actor: User, referral: Referral, reason: str) -> Referral:
    return referral_transition(actor=actor, referral=referral, action="fail", reason=reason)


def referral_cancel(*, actor: User, referral: Referral, reason: str) -> Referral:
    return referral_transition(actor=actor, referral=referral, action="cancel", reason=reason)
