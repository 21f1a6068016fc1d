"""The campaign page a manager can trust (issue 19): every exclusion counted, cost per carrier,
the preview exactly as sent (hotline included), when a campaign launched at night starts,
Vietnamese labels, delivery rates per carrier — and never a name or a number."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from outreach import audience, routing
from outreach.models import Campaign, Channel, Message, OptOut, SmsRate
from outreach.services import campaigns as campaign_services
from outreach.services import dispatch
from registry.models import Case, Person
from tests import factories
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
)
from tests.outreach.test_pages import signed_in

pytestmark = pytest.mark.django_db
NIGHT = dt.datetime(2026, 11, 30, 22, 52, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def cells(page: str, table_id: str) -> list[list[str]]:
    table = page[page.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


@pytest.fixture
def gateway_on(fake):
    with override_settings(
        OUTREACH_SMS_GATEWAY="esms",
        OUTREACH_GATEWAY_BASE_URL=fake.url,
        OUTREACH_GATEWAY_API_KEY="fake-gateway-key",
        OUTREACH_GATEWAY_SECRET_KEY="fake-gateway-secret",
        OUTREACH_GATEWAY_BRANDNAME="CA SON LA",
        OUTREACH_HOTLINE="0212 3852 113",
    ):
        routing.clear_caches()
        yield fake
    routing.clear_caches()


def mixed_segment(officer) -> dict[str, Person]:
    """Twelve people, each kept or excluded for one reason."""
    people = {
        "viettel-1": person_with_consent(officer, "0961234567", channel="sms", name="Lò Văn A"),
        "viettel-2": person_with_consent(officer, "0971234567", channel="sms", name="Lò Văn B"),
        "vina": person_with_consent(officer, "0912345678", channel="sms", name="Lò Văn C"),
        "mobi": person_with_consent(officer, "0901234567", channel="", name="Lò Văn D"),
        "closed": person_with_consent(officer, "0981234567", channel="sms", name="Lò Văn E"),
        "demo": person_with_consent(officer, "0982234567", channel="sms", name="Lò Văn F"),
        "no-consent": person_with_consent(officer, "0983234567", channel=None, name="Lò Văn G"),
        "zalo-only": person_with_consent(officer, "0984234567", channel="zalo", name="Lò Văn H"),
        "opted-out": person_with_consent(officer, "0985234567", channel="sms", name="Lò Văn I"),
        "no-phone": person_with_consent(officer, "", channel="sms", name="Lò Văn K"),
    }
    Case.objects.filter(person=people["closed"]).update(
        status=Case.Status.CLOSED, close_reason="moved", closed_on=timezone.localdate()
    )
    Person.objects.filter(pk=people["demo"].pk).update(is_demo=True)
    OptOut.objects.create(
        destination_index=people["opted-out"].phone_index, channel="all", source="officer"
    )
    return people


class ExplainedCountTests:
    def test_each_exclusion_is_counted_and_the_cost_is_given_per_carrier(
        self, client, gateway_on, officer, editor, approver, manager
    ):
        people = mixed_segment(officer)
        SmsRate.objects.create(provider="esms", carrier="viettel", price_per_segment=795)
        SmsRate.objects.create(provider="esms", carrier="vinaphone", price_per_segment=810)
        SmsRate.objects.create(provider="esms", carrier="mobifone", price_per_segment=805)
        # One person already got a message today (cap 1 for this test).
        capped = person_with_consent(officer, "0351234567", channel="sms", name="Lò Văn L")
        earlier = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, earlier)
        Message.objects.filter(campaign=earlier).exclude(person=capped).delete()
        Message.objects.filter(campaign=earlier).update(counted_at=timezone.now())
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.APPROVED)
        with override_settings(OUTREACH_DAILY_CAP_PER_PERSON=1):
            explained = audience.explain(campaign)
            signed_in(client, manager)
            page = client.get(f"/outreach/campaigns/{campaign.uuid}/").content.decode()
        assert explained.selected == len(people) + 1
        assert {s["code"]: s["count"] for s in explained.steps()} == {
            "case_closed": 1,
            "demo_person": 1,
            "no_consent": 2,  # none at all, and Zalo only for an SMS campaign
            "opted_out": 1,
            "no_destination": 1,
            "daily_cap": 1,
        }
        assert explained.recipients == 4
        rows = cells(page, "explained-count")
        assert rows[0] == ["Nhóm “Nhóm thử” chọn", "11"]
        assert ["Loại: Hồ sơ đã kết thúc", "−\xa01"] in rows
        assert ["Loại: Đã nhận đủ số tin trong 24 giờ", "−\xa01"] in rows
        assert rows[-1] == ["Sẽ nhận tin", "4"]
        costs = cells(page, "cost-by-carrier")
        assert ["Viettel", "SMS thương hiệu (eSMS.vn)", "2", "1.590"] in costs
        assert ["VinaPhone", "SMS thương hiệu (eSMS.vn)", "1", "810"] in costs
        assert ["MobiFone", "SMS thương hiệu (eSMS.vn)", "1", "805"] in costs
        assert costs[-1] == ["Tổng cộng", "3.205"]
        for person in people.values():  # counts only: no name, no number
            assert person.full_name not in page
        assert "0961234567" not in page and "+84961234567" not in page

    def test_after_launch_the_count_is_explained_from_what_happened(
        self, client, gateway_on, officer, editor, approver, manager
    ):
        mixed_segment(officer)
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        with override_settings(OUTREACH_SEND_TO_DEMO=False):
            launch_and_write(manager, campaign)
            dispatch.dispatch(budget_seconds=10)
        campaign.refresh_from_db()
        outcome = audience.outcome(campaign)
        steps = {s["code"]: s["count"] for s in outcome["steps"]}
        assert outcome["selected"] == 10
        assert steps["case_closed"] == 1 and steps["no_destination"] == 1
        assert steps["no_consent"] == 2 and steps["opted_out"] == 1 and steps["demo_person"] == 1
        assert outcome["reached"] == 4


class PreviewTests:
    def test_the_preview_is_the_text_that_goes_out_with_the_hotline(
        self, client, gateway_on, officer, editor, approver, manager
    ):
        person_with_consent(officer, "0961234567", channel="sms", name="Lò Văn Hùng")
        content = approved_content(
            editor, approver, body="Chào ((ten)), gọi đường dây nóng ((hotline)) khi cần."
        )
        campaign = running_campaign(manager, approver, content, channels=[Channel.SMS])
        signed_in(client, manager)
        page = client.get(f"/outreach/campaigns/{campaign.uuid}/").content.decode()
        assert "Chao Hung, goi duong day nong 0212 3852 113 khi can." in page
        launch_and_write(manager, campaign)
        sent = Message.objects.get(campaign=campaign).body
        assert sent.startswith("Chao Hung, goi duong day nong 0212 3852 113 khi can.")
        preview = re.search(r'<pre class="sms">(.*?)</pre>', page, re.S).group(1)
        assert preview.replace("&#x27;", "'") == sent

    def test_a_campaign_cannot_be_submitted_while_the_hotline_is_missing(
        self, fake, officer, editor, approver, manager
    ):
        from django.core.exceptions import ValidationError

        content = approved_content(editor, approver, body="Gọi ((hotline)).")
        segment = campaign_services.segment_save(actor=manager, name="N", filters={})
        with override_settings(OUTREACH_HOTLINE=""), pytest.raises(ValidationError) as refused:
            campaign_services.campaign_save(
                actor=manager, name="C", content=content, segment=segment, channels=["sms"]
            )
        assert "hotline" in str(refused.value)


class NightLaunchTests:
    def test_a_campaign_launched_at_night_says_when_sending_starts(
        self, client, fake, officer, editor, approver, manager
    ):
        person_with_consent(officer, "0961234567", channel="sms")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        with (
            override_settings(OUTREACH_SEND_WINDOW="07:00-22:00"),
            time_machine.travel(NIGHT, tick=False),
        ):
            launch_and_write(manager, campaign)
            assert dispatch.dispatch(budget_seconds=5).sent == 0
            signed_in(client, manager)
            page = client.get(f"/outreach/campaigns/{campaign.uuid}/").content.decode()
        assert "tin nhắn sẽ đi từ 07:00 ngày 01/12/2026" in page
        assert "07:00–22:00" in page
        row = Message.objects.get(campaign=campaign)
        assert timezone.localtime(row.next_attempt_at).strftime("%d/%m %H:%M") == "01/12 07:00"


class ProgressTests:
    def test_progress_shows_vietnamese_labels_and_delivery_rates_per_carrier(
        self, client, gateway_on, officer, editor, approver, manager
    ):
        for phone in ("0961234567", "0971234567", "0912345678"):
            person_with_consent(officer, phone, channel="sms")
        gateway_on.faults({"route": "esms", "kind": "undelivered", "match": "912345678"})
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        dispatch.dispatch(budget_seconds=10)
        from tests.outreach.test_gateway import replay

        for report in gateway_on.control("reports")["reports"]:
            replay(client, report)
        signed_in(client, manager)
        page = client.get(f"/outreach/campaigns/{campaign.uuid}/").content.decode()
        progress = cells(page, "progress-table")
        assert ["SMS", "Đã đến máy", "2"] in progress
        assert ["SMS", "Không gửi được (số/tài khoản)", "1"] in progress
        assert "| created" not in page and ">sent<" not in page and ">delivered<" not in page
        rates = cells(page, "carrier-rates")
        assert ["Viettel", "2", "2", "0", "0", "100%"] in rates
        assert ["VinaPhone", "1", "0", "1", "0", "0%"] in rates

    def test_a_campaign_stopped_by_its_budget_says_so(
        self, client, gateway_on, officer, editor, approver, manager
    ):
        from outreach.models import ChannelBudget

        SmsRate.objects.create(provider="esms", carrier="", price_per_segment=800)
        ChannelBudget.objects.create(provider="esms", monthly_limit=800)
        for phone in ("0961234567", "0971234567"):
            person_with_consent(officer, phone, channel="sms")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        dispatch.dispatch(budget_seconds=10)
        signed_in(client, manager)
        page = client.get(f"/outreach/campaigns/{campaign.uuid}/").content.decode()
        assert "hết ngân sách tháng của kênh SMS thương hiệu (eSMS.vn)" in page
        assert "800 / 800 đồng" in page


def test_factories_make_people_without_phones_when_asked(officer):
    person = factories.make_person(officer, phone="")
    assert not person.phone
