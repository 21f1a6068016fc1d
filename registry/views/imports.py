"""Pages for importing prison release notices: upload, dry run with row-by-row problems and the
column mapping, then the all-or-nothing commit; progress shown while a large file is worked."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from registry import access, imports, tasks
from registry.errors import ApplicationError
from registry.models import ImportBatch, ImportEncoding, ImportSource
from registry.services.imports import (
    import_batch_claim,
    import_batch_upload,
    import_source_remember,
    progress_key,
)
from registry.views.common import verified_required

S = ImportBatch.Status


def _batches(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The batches the user may see: their own, or every one for whole-province importers."""
    access.units_to_import(request.user)
    batches = ImportBatch.objects.select_related("uploaded_by", "source")
    if access.sees_whole_province(request.user, "case.import"):
        return batches
    return batches.filter(uploaded_by=request.user)


def _batch(request: HttpRequest, uuid) -> ImportBatch:  # type: ignore[no-untyped-def]
    try:
        return _batches(request).get(uuid=uuid)
    except ImportBatch.DoesNotExist as error:
        raise Http404 from error


@verified_required
def import_list(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Chọn tệp CSV hoặc XLSX để tải lên."
        else:
            batch = import_batch_upload(
                actor=request.user, file_name=upload.name, data=upload.read()
            )
            if batch.status == S.UPLOADED:
                ImportBatch.objects.filter(pk=batch.pk).update(status=S.CHECKING)
                transaction.on_commit(lambda: tasks.import_check.delay(batch.pk, request.user.pk))
            return redirect("import-detail", uuid=batch.uuid)
    return render(
        request,
        "imports/imports.html",
        {
            # Not the files: an encrypted field left out of a query reads as empty.
            "batches": _batches(request).defer("content", "plan")[:50],
            "error": error,
            "columns": imports.TEMPLATE_COLUMNS,
        },
        status=400 if error else 200,
    )


@verified_required
def import_detail(request: HttpRequest, uuid) -> HttpResponse:  # type: ignore[no-untyped-def]
    batch = _batch(request, uuid)
    progress = (
        cache.get(progress_key(batch)) if batch.status in (S.CHECKING, S.COMMITTING) else None
    )
    # The header row was kept by the dry run: the page never re-reads the file.
    headers = batch.headers if batch.status == S.CHECKED else []
    chosen = {key: index for key, index in (batch.mapping or {}).items()}
    return render(
        request,
        "imports/import_detail.html",
        {
            "batch": batch,
            "progress": progress,
            "working": batch.status in (S.CHECKING, S.COMMITTING),
            "headers": list(enumerate(headers)),
            "fields": [(c, chosen.get(c.key)) for c in imports.COLUMNS],
            "errors": [p for p in batch.problems if p["kind"] == "error"][:500],
            "duplicates": [p for p in batch.problems if p["kind"] == "duplicate"][:500],
            "layout_lines": imports.describe_layout(batch),
            "encodings": ImportEncoding.choices,
            "encoding_detected": imports.ENCODING_LABELS.get(
                (batch.layout or {}).get("encoding_detected", ""), ""
            ),
            "sources": ImportSource.objects.filter(is_active=True).values_list("name", flat=True),
            "remember_error": request.GET.get("remember") == "error",
        },
    )


@verified_required
@require_POST
def import_recheck(request: HttpRequest, uuid) -> HttpResponse:  # type: ignore[no-untyped-def]
    """Check again: with another encoding (``action=encoding``), or with the mapping chosen on
    the page — remembered for a source first when asked."""
    batch = _batch(request, uuid)
    if batch.status != S.CHECKED:
        raise PermissionDenied
    mapping: dict[str, int] | None = None
    encoding: str | None = None
    if request.POST.get("action") == "encoding":
        encoding = request.POST.get("encoding", "")
        if encoding and encoding not in imports.ENCODING_LABELS:
            encoding = ""
    else:
        mapping = {}
        for column in imports.COLUMNS:
            value = request.POST.get(f"map-{column.key}", "")
            if value.isdigit():
                mapping[column.key] = int(value)
        if request.POST.get("remember"):
            try:
                import_source_remember(
                    actor=request.user,
                    batch=batch,
                    name=request.POST.get("source_name", ""),
                    mapping=mapping,
                )
            except ApplicationError:
                return redirect(f"{reverse('import-detail', args=[batch.uuid])}?remember=error")
    ImportBatch.objects.filter(pk=batch.pk).update(status=S.CHECKING)
    transaction.on_commit(
        lambda: tasks.import_check.delay(batch.pk, request.user.pk, mapping, encoding)
    )
    return redirect("import-detail", uuid=batch.uuid)


@verified_required
@require_POST
def import_commit(request: HttpRequest, uuid) -> HttpResponse:  # type: ignore[no-untyped-def]
    batch = _batch(request, uuid)
    try:
        import_batch_claim(batch)
    except ApplicationError:
        pass  # already committing or committed: the page says so
    else:
        transaction.on_commit(lambda: tasks.import_commit.delay(batch.pk, request.user.pk))
    return redirect("import-detail", uuid=batch.uuid)


@verified_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    access.units_to_import(request.user)
    if kind not in ("csv", "xlsx"):
        raise Http404
    if kind == "xlsx":
        body = imports.template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = imports.template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="mau-thong-bao-tra-tu.{kind}"'
    return response
