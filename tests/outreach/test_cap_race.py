"""The daily cap is strict across workers (issue 19): two real Celery worker processes race over
two campaigns that reach the same people, with the cap at one message per person per 24 hours.

The rows are laid out so that the two workers hold the two campaigns' rows for the same people at
the same moment (worker 1 claims campaign A's rows for people 1–100 while worker 2 claims campaign
B's rows for the same people): a cap checked per claimed batch lets both through; the cap taken
under a per-person lock lets exactly one through. The fake provider counts what it accepted per
number.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from config.celery import app as celery_app
from outreach.models import Campaign, Channel, Message
from outreach.services import campaigns as campaign_services
from tests.outreach.conftest import TWILIO_TOKEN, approved_content, running_campaign
from tests.outreach.test_fault_tolerance import Topology, fresh_broker_connections, seed_people

BATCH = 100


@pytest.fixture
def race(committed_db, live_server, tmp_path):
    topo = Topology(live_server.url, tmp_path)
    topo.env.update(
        {
            "OUTREACH_DAILY_CAP_PER_PERSON": "1",
            "OUTREACH_BATCH_SIZE": str(BATCH),
            "OUTREACH_DISPATCH_EVERY_SECONDS": "0.5",
        }
    )
    with override_settings(
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN, OUTREACH_PUBLIC_BASE_URL=live_server.url
    ):
        topo.start()
        saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url")}
        celery_app.conf.update(task_always_eager=False, broker_url=topo.broker)
        fresh_broker_connections()
        try:
            yield topo
        finally:
            celery_app.conf.update(saved)
            fresh_broker_connections()
            topo.stop()


def two_campaigns_due_together(manager, approver, editor) -> tuple[Campaign, Campaign]:
    content = approved_content(editor, approver)
    pair = []
    for name in ("A", "B"):
        campaign = running_campaign(manager, approver, content, channels=[Channel.SMS])
        Campaign.objects.filter(pk=campaign.pk).update(
            name=f"Chiến dịch {name}", status=Campaign.Status.RUNNING
        )
        campaign.refresh_from_db()
        campaign_services.campaign_write_outbox(campaign=campaign)
        pair.append(campaign)
    a, b = pair
    # Due a few seconds from now, in blocks of one batch: A's rows of people 1–100, then B's rows
    # of the same people, then A's of 101–200 … so that the two workers claim the same people at
    # the same time.
    start = timezone.now() + dt.timedelta(seconds=3)
    people = sorted(
        set(Message.objects.filter(campaign__in=pair).values_list("person_id", flat=True))
    )
    order = 0
    for block in range(0, len(people), BATCH):
        chunk = people[block : block + BATCH]
        for campaign in (a, b):
            for person_id in chunk:
                Message.objects.filter(campaign=campaign, person_id=person_id).update(
                    next_attempt_at=start + dt.timedelta(microseconds=order)
                )
                order += 1
    return a, b


def test_two_workers_racing_over_two_campaigns_never_exceed_the_cap(
    race, officer, editor, approver, manager
):
    seed_people(400)
    a, b = two_campaigns_due_together(manager, approver, editor)
    people = Message.objects.filter(campaign=a).count()
    assert people == Message.objects.filter(campaign=b).count() >= 250

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        waiting = Message.objects.filter(
            campaign__in=[a, b], status__in=[Message.Status.CREATED, Message.Status.SENDING]
        ).count()
        if not waiting:
            break
        time.sleep(1)
    else:
        pytest.fail(f"{waiting} messages still waiting\n{race.logs()}")

    received = race.received()
    per_number = Counter(r["to"] for r in received)
    assert max(per_number.values()) == 1, per_number.most_common(3)
    sent_per_person = Counter(
        dict(
            Message.objects.filter(campaign__in=[a, b])
            .exclude(status=Message.Status.SKIPPED)
            .values("person_id")
            .annotate(n=Count("id"))
            .values_list("person_id", "n")
        )
    )
    assert set(sent_per_person.values()) == {1}
    assert len(sent_per_person) == people  # everyone got exactly one
    capped = Message.objects.filter(
        campaign__in=[a, b], status=Message.Status.SKIPPED, skip_reason="daily_cap"
    ).count()
    assert capped == people
    # Both workers really took part.
    for worker in ("w1", "w2"):
        assert "outreach.dispatch" in (race.tmp / f"{worker}.log").read_text(errors="replace")


@pytest.mark.usefixtures("committed_db")
def test_a_worker_taking_a_slot_makes_the_other_wait_then_refuses_it(
    officer, editor, approver, manager
):
    """The race above, made certain: worker A has taken the person's only slot and not yet
    committed; worker B, at that moment, takes a slot for the same person from another campaign.
    B must wait for A's commit and then be refused. Without the per-person lock B counts no slot
    (A's is not committed), takes one, and the person gets two messages; the two-worker test
    alone does not catch that, its window between the count and the commit is a few
    milliseconds."""
    import threading

    from django.db import connection, transaction

    from outreach.services.dispatch import take_cap_slots
    from tests.outreach.conftest import launch_and_write, person_with_consent

    person = person_with_consent(officer, "0961234567", channel="sms")
    content = approved_content(editor, approver)
    rows = []
    for _ in range(2):
        campaign = running_campaign(manager, approver, content, channels=[Channel.SMS])
        launch_and_write(manager, campaign)
        rows.append(Message.objects.get(campaign=campaign, person=person))
    a_row, b_row = rows
    # Committed, the launch's on_commit ran the (eager) dispatch: no slot is held from it.
    Message.objects.filter(person=person).update(counted_at=None)
    now = timezone.now()
    a_holds, b_started = threading.Event(), threading.Event()
    refused: dict[str, set[int]] = {}
    b_waited: list[float] = []
    errors: list[BaseException] = []
    hold = 1.5

    def worker_a() -> None:
        try:
            with transaction.atomic():  # the slot taken, the commit held back
                refused["a"] = take_cap_slots([a_row], now)
                a_holds.set()
                b_started.wait(timeout=10)
                time.sleep(hold)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            a_holds.set()
            connection.close()

    def worker_b() -> None:
        try:
            a_holds.wait(timeout=10)
            b_started.set()
            started = time.monotonic()
            refused["b"] = take_cap_slots([b_row], now)
            b_waited.append(time.monotonic() - started)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    with override_settings(OUTREACH_DAILY_CAP_PER_PERSON=1):
        threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert errors == []
    assert refused == {"a": set(), "b": {b_row.id}}
    assert b_waited[0] >= hold - 0.5  # B waited for A's commit
    assert list(
        Message.objects.filter(person=person, counted_at__isnull=False).values_list("id", flat=True)
    ) == [a_row.id]
