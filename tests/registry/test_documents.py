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
