"""The HCD forms (Circular 10/2024 Art. 3): templates as data with validity dates, one context
provider per form, DOCX rendered for a case, PDF through LibreOffice headless."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from docx import Document

from registry import services
from registry.documents import defaults, render
from registry.documents.forms import BLANK, FORMS, case_facts
from registry.documents.generate import case_document, commune_document
from registry.errors import ApplicationError
from registry.models import Agency, DocumentTemplate, FormCode, Membership, Role
from registry.services.documents import document_template_upload
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        return subprocess.run(
            ["pdftotext", handle.name, "-"], check=True, capture_output=True, text=True
        ).stdout


def squash(text: str) -> str:
    """PDF text wraps long titles over lines: compare with single spaces."""
    return " ".join(text.split())


@pytest.fixture
def officer():
    return factories.commune_officer("lan-docs")


@pytest.fixture
def demo_case(officer):
    case = factories.make_case(officer)
    services.case_verify_address(actor=officer, case=case, on=today())
    services.case_record_presentation(actor=officer, case=case, on=today())
    services.case_record_milestone(
        actor=officer, case=case, kind="reception_meeting", on=today(), note="HCD-05"
    )
    return case


def every_form(case, officer, on):
    for code, spec in FORMS.items():
        if spec.scope == "case":
            yield case_document(code, case, officer, on)
        else:
            yield commune_document(code, case.commune, officer, on)


class DefaultTemplateTests:
    def test_each_default_carries_the_motto_code_title_and_a_signature(self) -> None:
        assert set(defaults.LAYOUTS) == set(FormCode.values)
        for code in FormCode.values:
            text = docx_text(defaults.build(code))
            assert all(line in text for line in MOTTO), code
            assert f"Mẫu {code} ban hành kèm theo Thông tư số 10/2024/TT-BCA" in text
            assert "{{ title }}" in text and "(Ký, ghi rõ họ tên" in text

    def test_every_form_renders_for_a_demo_case_with_blanks_where_data_is_missing(
        self, officer, demo_case
    ) -> None:
        for rendered in every_form(demo_case, officer, today()):
            text = docx_text(rendered.docx)
            assert defaults.title(rendered.code) in text, rendered.code
            assert "Phường Tô Hiệu" in text, rendered.code
            assert "{{" not in text and "{%" not in text, rendered.code
            if rendered.code not in ("HCD-12", "HCD-13"):  # statistics name nobody
                assert "Lò Văn Pàng" in text, rendered.code
        hcd08 = case_document("HCD-08", demo_case, officer, today())
        assert f"Người báo cáo: {BLANK}" in docx_text(hcd08.docx)  # the helper: 16a's data
        passed = case_document(
            "HCD-08", demo_case, officer, today(), {"helper_name": "Hội Phụ nữ", "quarter": "Quý 3"}
        )
        assert "Người báo cáo: Hội Phụ nữ" in docx_text(passed.docx)

    def test_a_field_outside_the_viewers_profile_prints_as_a_blank(self, demo_case) -> None:
        committee = factories.UserFactory(username="ubnd-docs")
        commune = factories.commune()
        Membership.objects.create(
            user=committee,
            role=Role.COMMUNE_COMMITTEE,
            agency=Agency.objects.get(
                level="commune", kind="commune_committee", jurisdiction=commune
            ),
        ).units.add(commune)
        facts = case_facts(demo_case, committee)
        assert facts["person_name"] == "Lò Văn Pàng"
        assert facts["national_id"] == BLANK and facts["offence"] == BLANK
        police = case_facts(demo_case, demo_case.opened_by)
        assert police["national_id"] == demo_case.person.national_id


class TemplateVersionTests:
    def test_a_replaced_template_is_used_from_its_valid_from_date(self, officer, demo_case):
        first_day = today() + dt.timedelta(days=10)
        replacement = defaults.build("HCD-05").replace(b"", b"")
        old = document_template_upload(
            actor=officer, form="HCD-05", title="BIÊN BẢN CŨ", content=replacement,
            file_name="cu.docx", valid_from=dt.date(2024, 7, 1),
        )  # fmt: skip
        new = document_template_upload(
            actor=officer, form="HCD-05", title="BIÊN BẢN LÀM VIỆC (MẪU SỬA ĐỔI)",
            content=replacement, file_name="moi.docx", valid_from=first_day,
        )  # fmt: skip
        old.refresh_from_db()
        assert old.valid_to == first_day - dt.timedelta(days=1)
        before = case_document("HCD-05", demo_case, officer, first_day - dt.timedelta(days=1))
        on = case_document("HCD-05", demo_case, officer, first_day)
        assert before.template.template == old and "BIÊN BẢN CŨ" in docx_text(before.docx)
        assert on.template.template == new
        assert "BIÊN BẢN LÀM VIỆC (MẪU SỬA ĐỔI)" in docx_text(on.docx)
        # Before any uploaded version: the built-in default.
        earliest = render.template_for("HCD-05", dt.date(2024, 6, 30))
        assert earliest.template is None and earliest.title == defaults.title("HCD-05")
        with pytest.raises(ApplicationError):  # versions never overlap
            document_template_upload(
                actor=officer, form="HCD-05", title="X", content=replacement,
                file_name="x.docx", valid_from=first_day,
            )  # fmt: skip
        assert DocumentTemplate.objects.filter(form="HCD-05").count() == 2

    def test_a_file_that_is_not_a_template_is_refused(self, officer) -> None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as problem:
            document_template_upload(
                actor=officer, form="HCD-01", title="X", content=b"not a docx",
                file_name="x.docx", valid_from=today(),
            )  # fmt: skip
        assert "không phải mẫu Word" in str(problem.value)


class PdfTests:
    def test_each_form_converts_to_pdf_headless_with_the_name_commune_and_title(
        self, officer, demo_case
    ) -> None:
        rendered = list(every_form(demo_case, officer, today()))
        pdfs = render.to_pdf_many([r.docx for r in rendered])
        for document, pdf in zip(rendered, pdfs, strict=True):
            assert pdf.startswith(b"%PDF"), document.code
            text = squash(pdf_text(pdf))
            assert squash(defaults.title(document.code)) in text, document.code
            assert "Phường Tô Hiệu" in text, document.code
            assert MOTTO[0] in text, document.code
            if document.code not in ("HCD-12", "HCD-13"):
                assert "Lò Văn Pàng" in text, document.code
        assert Path(render.soffice()).exists()


class SandboxTests:
    def test_an_uploaded_template_cannot_reach_python_internals(self, officer, demo_case) -> None:
        from docx import Document as NewDocument
        from jinja2.exceptions import SecurityError

        document = NewDocument()
        document.add_paragraph("{{ title.__class__.__mro__[1].__subclasses__() }}")
        buffer = io.BytesIO()
        document.save(buffer)
        document_template_upload(
            actor=officer, form="HCD-01", title="X", content=buffer.getvalue(),
            file_name="x.docx", valid_from=dt.date(2024, 7, 1),
        )  # fmt: skip
        with pytest.raises(SecurityError):
            case_document("HCD-01", demo_case, officer, today())


def test_the_defaults_are_written_out_for_editing(tmp_path) -> None:
    from django.core.management import call_command

    call_command("document_defaults", "--out", str(tmp_path), stdout=io.StringIO())
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 13 and written[0] == "mau-hcd-01.docx"
    assert "Mẫu HCD-13 ban hành kèm theo" in docx_text((tmp_path / "mau-hcd-13.docx").read_bytes())


class SupervisionDataTests:
    """HCD-04, 06–11 filled from the police's workflow (registry.models.supervision), in the
    viewer's scope and field profile."""

    @pytest.fixture
    def supervised(self, officer, demo_case):
        from registry.services import supervision as sv

        on = today()
        helper = sv.helper_create(
            actor=officer, commune=demo_case.commune, form="individual", kind="family",
            name="Lò Thị Xuân", phone="0912 345 678", relationship="vợ",
        )  # fmt: skip
        proposal = sv.helper_propose(actor=officer, case=demo_case, helper=helper, on=on)
        year, quarter = sv.quarter_of(on)
        return {"year": year, "quarter": quarter, "on": on, "proposal": proposal, "sv": sv}

    def test_helper_report_and_group_print_on_the_forms_and_the_dossier(
        self, officer, demo_case, supervised
    ) -> None:
        from registry.documents.forms import MISSING, PRESENT, dossier

        sv, on, year, quarter = (supervised[k] for k in ("sv", "on", "year", "quarter"))
        status = {spec.code: s for spec, s in dossier(demo_case, officer)}
        assert status["HCD-06"] == PRESENT and status["HCD-07"] == MISSING
        hcd06 = docx_text(case_document("HCD-06", demo_case, officer, on).docx)
        assert "Cá nhân, tổ chức giúp đỡ: Lò Thị Xuân (Gia đình, người thân, vợ)" in hcd06
        assert "0912 345 678" in hcd06

        sv.helper_decide(
            actor=officer, assignment=supervised["proposal"], on=on, decision_number="12/QĐ-UBND"
        )
        sv.helper_report_record(
            actor=officer, case=demo_case, year=year, quarter=quarter, received_on=on,
            summary="Chăm chỉ làm nương, không vi phạm", suggested_group="B",
        )  # fmt: skip
        sv.group_set(
            actor=officer, case=demo_case, year=year, quarter=quarter, group="C",
            reason="Chưa có việc làm ổn định", on=on,
        )  # fmt: skip
        demo_case.refresh_from_db()

        hcd07 = docx_text(case_document("HCD-07", demo_case, officer, on).docx)
        assert "Phân công Lò Thị Xuân (Gia đình, người thân, vợ)" in hcd07
        assert "Số: 12/QĐ-UBND" in hcd07 and f"từ ngày {on:%d/%m/%Y}." in hcd07
        hcd08 = docx_text(case_document("HCD-08", demo_case, officer, on).docx)
        assert "Người báo cáo: Lò Thị Xuân" in hcd08
        assert f"Kỳ báo cáo: Quý {quarter}/{year}" in hcd08
        assert "Kết quả giúp đỡ: Chăm chỉ làm nương, không vi phạm" in hcd08
        assert "Đề xuất phân loại: B" in hcd08
        hcd09 = commune_document(
            "HCD-09", demo_case.commune, officer, on, {"year": year, "quarter_number": quarter}
        )
        row = next(r for r in hcd09.context["rows"] if r["name"] == "Lò Văn Pàng")
        assert (row["group"], row["reason"]) == ("C", "Chưa có việc làm ổn định")
        text = docx_text(hcd09.docx)
        assert "Chưa có việc làm ổn định" in text and f"Kỳ: Quý {quarter}/{year}" in text
        assert hcd09.context["count_c"] == "1"

        status = {spec.code: s for spec, s in dossier(demo_case, officer)}
        assert [status[c] for c in ("HCD-06", "HCD-07", "HCD-08")] == [PRESENT] * 3
        # Without a viewer nothing of the workflow is read: the report is not counted.
        assert {s.code: v for s, v in dossier(demo_case)}["HCD-08"] == MISSING

    def test_another_commune_and_the_committee_read_nothing_of_the_workflow(
        self, officer, demo_case, supervised
    ) -> None:
        sv, on, year, quarter = (supervised[k] for k in ("sv", "on", "year", "quarter"))
        sv.helper_decide(actor=officer, assignment=supervised["proposal"], on=on)
        sv.helper_report_record(
            actor=officer, case=demo_case, year=year, quarter=quarter, received_on=on,
            summary="Nội dung riêng của báo cáo",
        )  # fmt: skip
        sv.group_set(
            actor=officer, case=demo_case, year=year, quarter=quarter, group="D",
            reason="Lý do riêng", on=on,
        )  # fmt: skip
        other = factories.commune_officer("other-wf-docs", "Chiềng An")
        hcd09 = commune_document(
            "HCD-09", demo_case.commune, other, on, {"year": year, "quarter_number": quarter}
        )
        assert hcd09.context["rows"] == [] and "Lý do riêng" not in docx_text(hcd09.docx)
        committee = factories.UserFactory(username="ubnd-wf-docs")
        Membership.objects.create(
            user=committee,
            role=Role.COMMUNE_COMMITTEE,
            agency=Agency.objects.get(
                level="commune", kind="commune_committee", jurisdiction=demo_case.commune
            ),
        ).units.add(demo_case.commune)
        hcd08 = case_document("HCD-08", demo_case, committee, on).context
        assert hcd08["report_content"] == BLANK and hcd08["quarter"] == BLANK
        hcd09 = commune_document(
            "HCD-09", demo_case.commune, committee, on, {"year": year, "quarter_number": quarter}
        )
        assert all(r["reason"] == BLANK and r["group"] == BLANK for r in hcd09.context["rows"])

    def test_end_of_management_and_failure_to_report(self, officer, demo_case, supervised):
        from registry.documents.forms import MISSING, PRESENT, dossier
        from registry.models.supervision import ReportingFailure

        on = supervised["on"]
        supervised["sv"].end_propose(
            actor=officer, case=demo_case, ground="deceased", on=on, facts="Giấy chứng tử số 45"
        )
        hcd10 = docx_text(case_document("HCD-10", demo_case, officer, on).docx)
        assert "đ) Đã chết" in hcd10 and "Giấy chứng tử số 45" in hcd10
        status = {spec.code: s for spec, s in dossier(demo_case, officer)}
        assert (status["HCD-10"], status["HCD-11"]) == (PRESENT, MISSING)
        failure = ReportingFailure.objects.create(
            case=demo_case, status="not_home", deadline=on - dt.timedelta(days=20),
            opened_on=on - dt.timedelta(days=19), verified_on=on - dt.timedelta(days=18),
            hcd04_on=on, findings="Đi làm ăn xa",
        )  # fmt: skip
        hcd04 = docx_text(case_document("HCD-04", demo_case, officer, on).docx)
        assert "không có mặt ở nơi cư trú" in hcd04 and "Đi làm ăn xa" in hcd04
        assert {s.code: v for s, v in dossier(demo_case, officer)}["HCD-04"] == PRESENT
        assert failure.hcd04_on == on

    def test_the_hcd09_download_prints_the_quarters_groups_and_audits_their_cases(
        self, client, officer, demo_case, supervised
    ) -> None:
        from registry.models import AccessEvent

        sv, on, year, quarter = (supervised[k] for k in ("sv", "on", "year", "quarter"))
        sv.group_set(
            actor=officer, case=demo_case, year=year, quarter=quarter, group="C",
            reason="Chưa có việc làm ổn định", on=on,
        )  # fmt: skip
        factories.sign_in(client, officer)
        url = f"/communes/{demo_case.commune.code}/forms/HCD-09.docx"
        text = docx_text(client.get(f"{url}?year={year}&quarter={quarter}").content)
        assert "Lò Văn Pàng" in text
        assert "Chưa có việc làm ổn định" in text and f"Quý {quarter}/{year}" in text
        other = 1 if quarter != 1 else 2  # another quarter: no group row, the case's own
        text = docx_text(client.get(f"{url}?year={year}&quarter={other}").content)
        assert "Lò Văn Pàng" in text and "Chưa có việc làm ổn định" not in text
        event = AccessEvent.objects.filter(
            actor=officer, action="export", purpose__startswith=f"HCD-09 {year}-Q{quarter}"
        ).first()
        assert event is not None and str(demo_case.person.uuid) in event.person_ids
