"""The supervision pages: the case's "Giám sát" tab and its actions, the commune's quarter page, the
transfers inbox of the receiving commune, the supervision worklist and its home cards; reads are
audited and scoped (another commune's officer gets 404)."""

from __future__ import annotations

import datetime as dt

import pytest

from registry import services
from registry.models import AccessEvent, Agency, Case, CaseMilestone, Membership, Role
from registry.models.supervision import HelperAssignment, QuarterlyGroup, Transfer
from registry.services import supervision as sv
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def lan(client):
    user = factories.commune_officer("lan", "Tô Hiệu")
    factories.sign_in(client, user)
    return user


@pytest.fixture
def binh():
    return factories.commune_officer("binh", "Mường Lạn")


def active(
    actor, name: str = "Lò Văn Pàng", meeting: bool = True, commune: str = "Tô Hiệu"
) -> Case:
    person = factories.make_person(actor, full_name=name, national_id=factories.national_id())
    case = factories.make_case(actor, person, commune)
    case = services.case_record_presentation(actor=actor, case=case)
    if meeting:
        services.case_record_milestone(
            actor=actor, case=case, kind=CaseMilestone.Kind.RECEPTION_MEETING, on=today()
        )
    return case


class CaseTabTests:
    def test_the_tab_is_audited_and_scoped(self, client, lan, binh) -> None:
        case = active(lan)
        page = client.get(f"/cases/{case.uuid}/supervision/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Giám sát" in text and "Đề xuất người giúp đỡ" in text
        assert AccessEvent.objects.filter(actor=lan, purpose="supervision").exists()
        factories.sign_in(client, binh)
        assert client.get(f"/cases/{case.uuid}/supervision/").status_code == 404

    def test_propose_then_decide_a_helper_from_the_tab(self, client, lan) -> None:
        case = active(lan)
        url = f"/cases/{case.uuid}/supervision/"
        refused = client.post(url + "helper-propose/", {"on": str(today()), "name": ""})
        assert refused.status_code == 400
        assert "Ghi tên người hoặc tổ chức giúp đỡ." in refused.content.decode()
        response = client.post(
            url + "helper-propose/",
            {
                "on": str(today()),
                "name": "Lò Thị Ánh",
                "form": "individual",
                "kind": "family",
                "relationship": "vợ",
            },
        )
        assert response.status_code == 302
        proposal = HelperAssignment.objects.get(case=case)
        assert "Lò Thị Ánh" in client.get("/supervision/").content.decode()
        response = client.post(
            url + "helper-decide/",
            {"item": str(proposal.uuid), "on": str(today()), "decision_number": "7/QĐ-UBND"},
        )
        assert response.status_code == 302
        proposal.refresh_from_db()
        assert proposal.status == "active"

    def test_the_commune_committee_records_the_chairs_decision(self, client, lan) -> None:
        case = active(lan)
        proposal = sv.helper_propose(
            actor=lan,
            case=case,
            helper=sv.helper_create(
                actor=lan, commune=case.commune, form="individual", kind="family", name="Bố"
            ),
        )
        chair = factories.UserFactory(username="chu-tich")
        Membership.objects.create(
            user=chair,
            role=Role.COMMUNE_COMMITTEE,
            agency=Agency.objects.get(
                level="commune", kind="commune_committee", jurisdiction=case.commune
            ),
        ).units.add(case.commune)
        factories.sign_in(client, chair)
        page = client.get(f"/cases/{case.uuid}/supervision/").content.decode()
        assert "HCD-07" in page and "Phân loại quý" not in page
        response = client.post(
            f"/cases/{case.uuid}/supervision/helper-decide/",
            {"item": str(proposal.uuid), "on": str(today()), "decision_number": "8/QĐ-UBND"},
        )
        assert response.status_code == 302
        # the committee proposes nothing itself
        assert (
            client.post(
                f"/cases/{case.uuid}/supervision/group/",
                {"quarter": f"{today().year}-{(today().month - 1) // 3 + 1}", "group": "A"},
            ).status_code
            == 403
        )

    def test_ending_management_asks_for_confirmation_first(self, client, lan) -> None:
        case = active(lan)
        proposal = sv.end_propose(actor=lan, case=case, ground="deceased", facts="Giấy báo tử")
        url = f"/cases/{case.uuid}/supervision/end-decide/"
        data = {"item": str(proposal.uuid), "on": str(today()), "decision_number": "9/QĐ"}
        page = client.post(url, data)
        assert page.status_code == 200 and "Việc này sẽ" in page.content.decode()
        case.refresh_from_db()
        assert case.status == "active"
        assert client.post(url, {**data, "confirm": "1"}).status_code == 302
        case.refresh_from_db()
        assert case.status == "closed" and case.close_reason == "deceased"

    def test_an_illegal_step_answers_409(self, client, lan) -> None:
        case = active(lan, meeting=False)
        response = client.post(
            f"/cases/{case.uuid}/supervision/helper-propose/",
            {"on": str(today()), "name": "Lò Thị Ánh", "form": "individual", "kind": "family"},
        )
        assert response.status_code == 409
        assert "HCD-05" in response.content.decode()


class QuarterPageTests:
    def test_a_commune_classifies_its_quarter_in_one_form(self, client, lan, binh) -> None:
        names = ("An", "Bình", "Cường")
        cases = [active(lan, f"Lò Văn {n}", meeting=False) for n in names]
        elsewhere = active(binh, "Cầm Văn Xa", meeting=False, commune="Mường Lạn")
        year, quarter = sv.quarter_of(today())
        page = client.get("/supervision/quarter/")
        text = page.content.decode()
        assert page.status_code == 200 and "Lò Văn An" in text and "Cầm Văn Xa" not in text
        data = {f"g_{c.pk}": "A" for c in cases}
        data[f"g_{cases[2].pk}"] = "C"
        refused = client.post(f"/supervision/quarter/?q={year}-{quarter}", data)
        assert refused.status_code == 400 and "Loại C cần ghi lý do." in refused.content.decode()
        assert not QuarterlyGroup.objects.exists()
        data[f"r_{cases[2].pk}"] = "Gây rối"
        response = client.post(f"/supervision/quarter/?q={year}-{quarter}", data)
        assert response.status_code == 302
        assert QuarterlyGroup.objects.filter(year=year, quarter=quarter).count() == 3
        assert not QuarterlyGroup.objects.filter(case=elsewhere).exists()
        again = client.get(response["Location"]).content.decode()
        assert "A: 2 · B: 0 · C: 1" in again


class TransferPageTests:
    def test_the_receiving_commune_accepts_from_its_inbox(self, client, lan, binh) -> None:
        case = active(lan)
        response = client.post(
            f"/cases/{case.uuid}/supervision/transfer-propose/",
            {
                "to_commune": factories.commune("Mường Lạn").pk,
                "new_address": "Bản Cang",
                "on": str(today()),
            },
        )
        assert response.status_code == 302
        transfer = Transfer.objects.get(case=case)
        factories.sign_in(client, binh)
        inbox = client.get("/transfers/").content.decode()
        assert "Lò Văn Pàng" in inbox and "Bản Cang" in inbox
        assert client.get(f"/cases/{case.uuid}/").status_code == 404  # not yet theirs
        accepted = client.post(f"/transfers/{transfer.uuid}/accept/", {"on": str(today())})
        assert accepted.status_code == 302
        assert client.get(f"/cases/{case.uuid}/").status_code == 200
        factories.sign_in(client, lan)
        assert client.get(f"/cases/{case.uuid}/").status_code == 404
        assert "Lò Văn Pàng" in client.get("/transfers/").content.decode()  # its own history

    def test_refusing_goes_through_a_confirmation(self, client, lan, binh) -> None:
        case = active(lan)
        transfer = sv.transfer_propose(
            actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address="X"
        )
        factories.sign_in(client, binh)
        url = f"/transfers/{transfer.uuid}/refuse/"
        assert client.post(url, {"reason": ""}).status_code == 400
        page = client.post(url, {"reason": "Không có ở địa chỉ"})
        assert page.status_code == 200 and "Từ chối tiếp nhận" in page.content.decode()
        assert client.post(url, {"reason": "Không có ở địa chỉ", "confirm": "1"}).status_code == 302
        transfer.refresh_from_db()
        assert transfer.status == "refused"
        # the sending commune cannot accept its own proposal
        other = sv.transfer_propose(
            actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address="Y"
        )
        factories.sign_in(client, lan)
        response = client.post(f"/transfers/{other.uuid}/accept/", {"on": str(today())})
        assert response.status_code == 403


class WorklistTests:
    def test_home_cards_and_the_header_count(self, client, lan) -> None:
        active(lan)
        home = client.get("/").content.decode()
        assert "Cần đề xuất người giúp đỡ" in home
        assert "/supervision/" in home
        work = client.get("/supervision/").content.decode()
        assert "Lò Văn Pàng" in work
        due = sv.helper_decision_due(Case.objects.get())
        assert due is not None and due > today() - dt.timedelta(days=1)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/supervision/", "/supervision/quarter/", "/transfers/"])
def test_the_lists_do_not_query_per_row(client, lan, binh, url) -> None:
    names = iter(("An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Lâm"))

    def more(count: int) -> None:
        for _ in range(count):
            case = active(lan, f"Lò Văn {next(names)}")
            if url == "/transfers/":
                sv.transfer_propose(
                    actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address="X"
                )

    if url == "/transfers/":
        factories.sign_in(client, binh)  # the receiving commune: one card and two forms per row
    more(2)
    few = _queries(client, url)
    more(4)
    assert _queries(client, url) == few
