"""The HCD pages: a case's dossier tab (present and missing forms, Word and PDF downloads,
audited, scoped) and the province's template page (a replacement valid from a date)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registry import services
from registry.documents import defaults
from registry.models import AccessEvent, Agency, DocumentTemplate, Membership, Role
from tests import factories
from tests.clock import today
from tests.registry.test_documents import docx_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def lan():
    return factories.commune_officer("lan-dossier")


@pytest.fixture
def case(lan):
    case = factories.make_case(lan)
    services.case_record_presentation(actor=lan, case=case, on=today())
    services.case_record_milestone(actor=lan, case=case, kind="reception_meeting", on=today())
    return case


def chief():
    user = factories.UserFactory(username="tinh-docs")
    Membership.objects.create(
        user=user, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
    )
    return user


class DossierTests:
    def test_the_dossier_lists_present_and_missing_forms_with_downloads(
        self, client, lan, case
    ) -> None:
        factories.sign_in(client, lan)
        page = client.get(f"/cases/{case.uuid}/dossier/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Hồ sơ HCD" in html  # the tab
        for code in ("HCD-01", "HCD-05", "HCD-07", "HCD-10"):
            assert f'data-form="{code}"' in html
        item = html.split('data-form="HCD-05"')[1].split("</li>")[0]
        assert "Đã có dữ liệu" in item
        item = html.split('data-form="HCD-07"')[1].split("</li>")[0]
        assert "Còn thiếu" in item  # active, no helper decision yet
        assert f"/cases/{case.uuid}/forms/HCD-05.pdf" in html
        word = client.get(f"/cases/{case.uuid}/forms/HCD-05.docx")
        assert word.status_code == 200
        assert 'filename="mau-hcd-05-' in word["Content-Disposition"]
        text = docx_text(word.content)
        assert "Lò Văn Pàng" in text and case.person.national_id in text
        assert AccessEvent.objects.filter(
            actor=lan, action="export", purpose="HCD-05 docx"
        ).exists()
        assert client.get(f"/cases/{case.uuid}/forms/HCD-09.docx").status_code == 404
        assert client.get(f"/cases/{case.uuid}/forms/HCD-99.docx").status_code == 404

    def test_the_pdf_download(self, client, lan, case) -> None:
        factories.sign_in(client, lan)
        pdf = client.get(f"/cases/{case.uuid}/forms/HCD-01.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf["Content-Type"] == "application/pdf"

    def test_another_commune_and_the_agencies_cannot_download(self, client, case) -> None:
        factories.sign_in(client, factories.commune_officer("other-docs", "Chiềng An"))
        assert client.get(f"/cases/{case.uuid}/dossier/").status_code == 404
        assert client.get(f"/cases/{case.uuid}/forms/HCD-02.docx").status_code == 404
        bank = factories.UserFactory(username="bank-docs")
        Membership.objects.create(
            user=bank, role=Role.SOCIAL_POLICY_BANK, agency=Agency.objects.get(code="nhcsxh-son-la")
        )
        factories.sign_in(client, bank)
        assert client.get(f"/cases/{case.uuid}/forms/HCD-02.docx").status_code == 403


class TemplatePageTests:
    def test_the_province_uploads_a_replacement_valid_from_a_date(self, client, lan, case):
        user = chief()
        factories.sign_in(client, user)
        page = client.get("/documents/templates/")
        assert page.status_code == 200 and "Mẫu mặc định" in page.content.decode()
        current = client.get("/documents/templates/HCD-02.docx")
        assert "{{ person_name }}" in docx_text(current.content)
        start = today() + dt.timedelta(days=1)
        refused = client.post(
            "/documents/templates/",
            {"form": "HCD-02", "title": "PHIẾU MỚI", "valid_from": str(start),
             "file": SimpleUploadedFile("x.docx", b"not a docx")},
        )  # fmt: skip
        assert refused.status_code == 400 and "govuk-error-summary" in refused.content.decode()
        saved = client.post(
            "/documents/templates/",
            {"form": "HCD-02", "title": "PHIẾU THÔNG TIN (SỬA ĐỔI)", "valid_from": str(start),
             "note": "Hướng dẫn C11",
             "file": SimpleUploadedFile("moi.docx", defaults.build("HCD-02"))},
        )  # fmt: skip
        assert saved.status_code == 302
        version = DocumentTemplate.objects.get(form="HCD-02")
        assert version.valid_from == start and version.uploaded_by == user
        # Today's documents keep the default; from tomorrow the replacement.
        factories.sign_in(client, lan)
        word = client.get(f"/cases/{case.uuid}/forms/HCD-02.docx")
        assert "PHIẾU THÔNG TIN (SỬA ĐỔI)" not in docx_text(word.content)
        from registry.documents.generate import case_document

        later = case_document("HCD-02", case, lan, start)
        assert "PHIẾU THÔNG TIN (SỬA ĐỔI)" in docx_text(later.docx)
        assert client.get("/documents/templates/").status_code == 403  # commune: no admin.use
        assert io.BytesIO(version.content).read(2) == b"PK"


def test_a_template_that_fails_to_fill_says_what_to_do(client, lan, case) -> None:
    from docx import Document

    from registry.services.documents import document_template_upload

    document = Document()
    document.add_paragraph("{{ title.__class__.__mro__ }}")
    buffer = io.BytesIO()
    document.save(buffer)
    document_template_upload(
        actor=lan, form="HCD-03", title="X", content=buffer.getvalue(), file_name="x.docx",
        valid_from=dt.date(2024, 7, 1),
    )  # fmt: skip
    factories.sign_in(client, lan)
    broken = client.get(f"/cases/{case.uuid}/forms/HCD-03.docx")
    assert (
        broken.status_code == 500 and "Mẫu đang áp dụng không điền được" in broken.content.decode()
    )
