"""Home Affairs work on training and job referrals: courses, matching, enrolment, completion,
placements and their follow-ups at 3, 6 and 12 months."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from registry import validation
from registry.audit import audit_record
from registry.models import (
    AccessEvent,
    AdministrativeUnit,
    Agency,
    Referral,
    ReferralTransition,
    User,
)
from registry.models.training import Enrollment, JobFollowUp, JobPlacement, TrainingCourse
from registry.models.transitions import illegal_transition
from registry.services.referrals import referral_record_event
from registry.workdays import add_months

FOLLOW_UP_MONTHS = (3, 6, 12)
WORKING = {Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS}
E = ReferralTransition.Event
# A seat is taken by an enrolment that did not drop out.
TAKES_A_SEAT = (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED)


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def seats_taken() -> Count:
    """Annotation: the seats of a course taken by its enrolments (dropping out frees one)."""
    return Count("enrollments", filter=Q(enrollments__status__in=TAKES_A_SEAT))


def courses_with_seats(queryset: QuerySet[TrainingCourse]) -> QuerySet[TrainingCourse]:
    """Courses annotated with ``taken`` and ``seats_left``, counted from the enrolments."""
    return queryset.annotate(taken=seats_taken()).annotate(seats_left=F("seats") - F("taken"))


@transaction.atomic
def course_create(
    *,
    actor: User,
    agency: Agency,
    trade: str,
    provider: str,
    commune: AdministrativeUnit,
    starts_on: dt.date,
    ends_on: dt.date,
    seats: int,
    support: str = "",
) -> TrainingCourse:
    errors: dict[str, str] = {}
    if not trade.strip():
        errors["trade"] = _("Ghi tên nghề.")
    if ends_on < starts_on:
        errors["ends_on"] = _("Ngày kết thúc phải sau ngày khai giảng.")
    if seats < 1:
        errors["seats"] = _("Khóa học phải có ít nhất một chỗ.")
    if errors:
        raise ValidationError(errors)
    course = TrainingCourse(
        agency=agency,
        trade=trade.strip(),
        folded_trade=validation.fold(trade),
        provider=provider,
        commune=commune,
        starts_on=starts_on,
        ends_on=ends_on,
        seats=seats,
        support=support,
    )
    course.full_clean()
    course.save()
    return course


def courses_for_referral(
    *, referral: Referral, trade: str = "", on: dt.date | None = None
) -> QuerySet[TrainingCourse]:
    """Open courses with seats left that have not started, the person's commune first, then the
    trade wanted (unaccented match) if given."""
    on = on or validation.today()
    courses = (
        courses_with_seats(TrainingCourse.objects.filter(is_active=True, starts_on__gte=on))
        .filter(seats_left__gt=0)
        .select_related("commune", "agency")
    )
    if trade.strip():
        courses = courses.filter(folded_trade__contains=validation.fold(trade))
    same_commune_first = Case(
        When(commune_id=referral.need.case.commune_id, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return courses.order_by(same_commune_first, "starts_on", "id")


@transaction.atomic
def enrollment_create(*, actor: User, referral: Referral, course: TrainingCourse) -> Enrollment:
    """Enrol the person of a referral the agency is working on; seats are counted under a lock."""
    if referral.status not in WORKING:
        raise illegal_transition(_("ghi danh"), referral.get_status_display())
    locked = TrainingCourse.objects.select_for_update().get(pk=course.pk)
    taken = locked.enrollments.filter(status__in=TAKES_A_SEAT).count()
    if taken >= locked.seats:
        raise ValidationError({"course": _("Khóa học đã hết chỗ.")})
    if Enrollment.objects.filter(course=locked, referral=referral).exists():
        raise ValidationError({"course": _("Người này đã ghi danh khóa học này.")})
    enrollment = Enrollment.objects.create(course=locked, referral=referral, enrolled_by=actor)
    audit_record(
        actor=actor, action=AccessEvent.Action.CREATE, objects=[referral], purpose="enrolment"
    )
    referral_record_event(
        actor=actor,
        referral=referral,
        event=E.ENROLLED,
        on=validation.today(),
        detail=_("%(trade)s — %(provider)s, khai giảng %(start)s")
        % {"trade": locked.trade, "provider": locked.provider, "start": _d(locked.starts_on)},
        action="start",
    )
    return enrollment


@transaction.atomic
def enrollment_finish(
    *, actor: User, enrollment: Enrollment, completed: bool, on: dt.date, attended_days: int = 0
) -> Enrollment:
    """ENROLLED → COMPLETED or DROPPED. A completed course completes a training referral (its
    need met); dropping out of the last course fails it (the need may be referred again). A job
    referral stays open until the job is found."""
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("course", "referral__need__need_type")
        .get(pk=enrollment.pk)
    )
    if locked.status != Enrollment.Status.ENROLLED:
        raise illegal_transition(_("kết thúc khóa học"), locked.get_status_display())
    if on > validation.today():
        raise ValidationError({"on": _("Ngày kết thúc không được ở tương lai.")})
    if completed and on < locked.course.starts_on:
        raise ValidationError(
            {
                "on": _(
                    "Chưa thể ghi hoàn thành trước ngày khai giảng: khóa học bắt đầu ngày %(date)s."
                )
                % {"date": _d(locked.course.starts_on)}
            }
        )
    locked.status = Enrollment.Status.COMPLETED if completed else Enrollment.Status.DROPPED
    locked.finished_on, locked.attended_days = on, attended_days
    locked.save(update_fields=["status", "finished_on", "attended_days", "updated_at"])
    audit_record(
        actor=actor,
        action=AccessEvent.Action.TRANSITION,
        objects=[locked.referral],
        purpose="enrolment",
    )
    course = f"{locked.course.trade} — {locked.course.provider}"
    referral = locked.referral
    if completed:
        is_training = referral.need.need_type.code == "training"
        referral_record_event(
            actor=actor,
            referral=referral,
            event=E.COURSE_COMPLETED,
            on=on,
            detail=_("%(course)s, %(days)d buổi có mặt")
            % {"course": course, "days": attended_days},
            action="complete" if is_training else None,
            outcome=Referral.Outcome.ACHIEVED if is_training else "",
        )
    else:
        others = referral.enrollments.filter(status__in=TAKES_A_SEAT).exists()
        referral_record_event(
            actor=actor,
            referral=referral,
            event=E.DROPPED,
            on=on,
            detail=_("Bỏ học: %(course)s") % {"course": course},
            action=None if others or referral.status in Referral.TERMINAL else "fail",
        )
    return locked


@transaction.atomic
def placement_record(
    *, actor: User, referral: Referral, employer: str, job_title: str, started_on: dt.date
) -> JobPlacement:
    """A job found for the person; creates the follow-ups due 3, 6 and 12 months later."""
    if referral.status not in WORKING | {Referral.Status.COMPLETED}:
        raise illegal_transition(_("ghi nhận việc làm"), referral.get_status_display())
    if not employer.strip() or not job_title.strip():
        raise ValidationError({"employer": _("Ghi nơi làm việc và công việc.")})
    if started_on > validation.today():
        raise ValidationError({"started_on": _("Ngày bắt đầu làm việc không được ở tương lai.")})
    placement = JobPlacement.objects.create(
        referral=referral,
        employer=employer.strip(),
        job_title=job_title.strip(),
        started_on=started_on,
        recorded_by=actor,
    )
    JobFollowUp.objects.bulk_create(
        JobFollowUp(placement=placement, months=m, due_on=add_months(started_on, m))
        for m in FOLLOW_UP_MONTHS
    )
    audit_record(
        actor=actor, action=AccessEvent.Action.CREATE, objects=[referral], purpose="job placement"
    )
    referral_record_event(
        actor=actor,
        referral=referral,
        event=E.JOB_PLACED,
        on=started_on,
        detail=_("%(job)s — %(employer)s, từ %(start)s")
        % {"job": placement.job_title, "employer": placement.employer, "start": _d(started_on)},
        action="complete",
        outcome=Referral.Outcome.ACHIEVED,
    )
    return placement


@transaction.atomic
def follow_up_record(
    *, actor: User, follow_up: JobFollowUp, employed: bool, on: dt.date
) -> JobFollowUp:
    locked = (
        JobFollowUp.objects.select_for_update(of=("self",))
        .select_related("placement__referral")
        .get(pk=follow_up.pk)
    )
    if locked.outcome != JobFollowUp.Outcome.DUE:
        raise illegal_transition(_("ghi kết quả theo dõi"), locked.get_outcome_display())
    if on > validation.today():
        raise ValidationError({"on": _("Ngày theo dõi không được ở tương lai.")})
    if on < locked.placement.started_on:
        raise ValidationError(
            {
                "on": _("Chưa thể theo dõi trước khi bắt đầu làm việc (ngày %(date)s).")
                % {"date": _d(locked.placement.started_on)}
            }
        )
    locked.outcome = JobFollowUp.Outcome.EMPLOYED if employed else JobFollowUp.Outcome.NOT_EMPLOYED
    locked.checked_on = on
    locked.save(update_fields=["outcome", "checked_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AccessEvent.Action.UPDATE,
        objects=[locked.placement.referral],
        purpose=f"job follow-up {locked.months} months",
    )
    referral_record_event(
        actor=actor,
        referral=locked.placement.referral,
        event=E.FOLLOW_UP,
        on=on,
        detail=_("sau %(months)d tháng: %(outcome)s")
        % {"months": locked.months, "outcome": locked.get_outcome_display()},
    )
    return locked


def follow_ups_due(*, agency: Agency, on: dt.date) -> QuerySet[JobFollowUp]:
    """Follow-ups of the agency's placements that are due and not yet recorded."""
    return JobFollowUp.objects.filter(
        placement__referral__agency=agency, outcome=JobFollowUp.Outcome.DUE, due_on__lte=on
    ).select_related("placement__referral")
