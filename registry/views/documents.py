"""The HCD forms' pages: a case's dossier (which forms are there, which are missing, each as
Word or PDF), and the province's templates (upload a replacement valid from a date).

Downloads are exports: scoped by ``registry.access``, audited, and filled only with the fields the
viewer's profile allows (``registry.documents.forms``)."""

from __future__ import annotations

import subprocess

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access
from registry.audit import audit_record
from registry.documents import forms as documents
from registry.documents.generate import Rendered, case_document
from registry.documents.render import DOCX, template_for, to_pdf
from registry.forms.documents import TemplateUploadForm
from registry.models import AccessEvent, Case, DocumentTemplate, FormCode
from registry.services.documents import document_template_upload
from registry.views.casework import case_context, open_case
from registry.views.common import attempt, done, form_status, verified_required

A = AccessEvent.Action
STATUS_LABELS = {
    documents.PRESENT: (gettext_lazy("Đã có dữ liệu"), "green"),
    documents.MISSING: (gettext_lazy("Còn thiếu"), "red"),
    documents.NOT_NEEDED: (gettext_lazy("Khi cần"), "grey"),
}


def file_response(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def document_response(request: HttpRequest, rendered: Rendered, fmt: str) -> HttpResponse:
    """The DOCX, or its PDF; a 503 with a Vietnamese message if LibreOffice is missing or fails."""
    on = timezone.localdate()
    if fmt == "docx":
        return file_response(rendered.docx, DOCX, rendered.file_name(on))
    try:
        body = to_pdf(rendered.docx)
    except (ImproperlyConfigured, subprocess.SubprocessError, OSError):
        return HttpResponse(
            _("Chưa chuyển được sang PDF lúc này; hãy tải bản Word (.docx)."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return file_response(body, "application/pdf", rendered.file_name(on, "pdf"))


@verified_required
def case_dossier(request: HttpRequest, uuid: str) -> HttpResponse:
    """The dossier of Circular 10/2024 Art. 11 as HCD forms: present, missing or needed only
    when something happens; each downloadable as Word or PDF."""
    access.require(request.user, "case.export")
    with transaction.atomic():
        case = open_case(request, uuid, "dossier")
        context = case_context(request, case, "dossier")
        context["forms"] = [
            {
                "spec": spec,
                "status": status,
                "label": STATUS_LABELS[status][0],
                "colour": STATUS_LABELS[status][1],
            }
            for spec, status in documents.dossier(case)
        ]
    return render(request, "casework/case_dossier.html", context)


@verified_required
def case_form(request: HttpRequest, uuid: str, code: str, fmt: str) -> HttpResponse:
    access.require(request.user, "case.export")
    spec = documents.FORMS.get(code.upper())
    if spec is None or spec.scope != "case" or fmt not in ("docx", "pdf"):
        raise Http404
    with transaction.atomic():
        case = access.get_for_user(request.user, Case, uuid)
        audit_record(
            actor=request.user, action=A.EXPORT, objects=[case], purpose=f"{spec.code} {fmt}"
        )
        rendered = case_document(spec.code, case, request.user, timezone.localdate())
    return document_response(request, rendered, fmt)


# --- the province's templates ------------------------------------------------------------------


@verified_required
def document_templates(request: HttpRequest) -> HttpResponse:
    """Each form's template in force today and its versions; upload a replacement."""
    access.require(request.user, "admin.use")
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        outcome = attempt(
            form,
            lambda: document_template_upload(
                actor=request.user,
                form=data["form"],
                title=data["title"],
                content=upload.read(),
                file_name=upload.name,
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                note=data["note"],
            ),
        )
        if outcome.ok:
            return done(
                request,
                _("Đã lưu mẫu %(form)s, áp dụng từ ngày %(day)s.")
                % {"form": data["form"], "day": f"{data['valid_from']:%d/%m/%Y}"},
                "document-templates",
            )
    today = timezone.localdate()
    versions: dict[str, list[DocumentTemplate]] = {}
    for version in DocumentTemplate.objects.defer("content").select_related("uploaded_by"):
        versions.setdefault(version.form, []).append(version)
    rows = []
    for code, label in FormCode.choices:
        chosen = template_for(code, today)
        rows.append(
            {
                "code": code,
                "label": label,
                "current": chosen.template,
                "title": chosen.title,
                "versions": versions.get(code, []),
            }
        )
    return render(
        request,
        "documents/templates.html",
        {"rows": rows, "form": form, "today": today},
        status=form_status(form, outcome),
    )


@verified_required
def document_template_file(request: HttpRequest, code: str) -> HttpResponse:
    """A template to edit: a given version (``?v=<uuid>``), else the one in force today."""
    access.require(request.user, "admin.use")
    if code not in FormCode.values:
        raise Http404
    version = request.GET.get("v")
    if version:
        try:
            found = DocumentTemplate.objects.filter(form=code, uuid=version).first()
        except ValidationError as error:
            raise Http404 from error
        if found is None:
            raise Http404
        content = bytes(found.content)
    else:
        content = template_for(code, timezone.localdate()).content
    return file_response(content, DOCX, f"mau-{code.lower()}.docx")
