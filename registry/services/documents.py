"""Writes for the HCD forms' templates and the periodic reports' submissions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from registry.audit import change_record
from registry.documents.render import check_template
from registry.errors import ApplicationError
from registry.models import AdministrativeUnit, DocumentTemplate, FormCode, ReportSubmission, User

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


@transaction.atomic
def document_template_upload(
    *,
    actor: User,
    form: str,
    title: str,
    content: bytes,
    file_name: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    note: str = "",
) -> DocumentTemplate:
    """A new version of a form's template from ``valid_from``. The version in force that day
    ends the day before; a version starting on or after that day must be removed first (the
    versions of a form never overlap)."""
    if form not in FormCode.values:
        raise ValidationError({"form": _("Chọn một biểu mẫu HCD-01 đến HCD-13.")})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày áp dụng.")})
    if len(content) > MAX_TEMPLATE_BYTES:
        raise ValidationError({"content": _("Tệp mẫu tối đa 5 MB.")})
    try:
        check_template(content)
    except ValueError as error:
        raise ValidationError(
            {"content": _("Tệp không phải mẫu Word (.docx) hợp lệ: %(e)s") % {"e": error}}
        ) from error
    versions = DocumentTemplate.objects.select_for_update().filter(form=form)
    later = versions.filter(valid_from__gte=valid_from).order_by("valid_from").first()
    if later is not None:
        raise ApplicationError(
            _("Đã có mẫu %(form)s áp dụng từ ngày %(day)s; chọn ngày áp dụng sau ngày đó.")
            % {"form": form, "day": f"{later.valid_from:%d/%m/%Y}"}
        )
    for current in versions.filter(valid_from__lt=valid_from).exclude(valid_to__lt=valid_from):
        old = current.valid_to
        current.valid_to = valid_from - dt.timedelta(days=1)
        current.save(update_fields=["valid_to", "updated_at"])
        change_record(
            actor=actor, obj=current, field="valid_to", old=old, new=current.valid_to,
            reason=_("Mẫu mới áp dụng từ %(day)s") % {"day": f"{valid_from:%d/%m/%Y}"},
        )  # fmt: skip
    return DocumentTemplate.objects.create(
        form=form,
        title=title.strip(),
        content=content,
        file_name=file_name[:200],
        valid_from=valid_from,
        valid_to=valid_to,
        note=note.strip(),
        uploaded_by=actor,
    )


@transaction.atomic
def report_submission_record(
    *,
    actor: User,
    form: str,
    period_kind: str,
    period_start: dt.date,
    period_end: dt.date,
    commune: AdministrativeUnit | None,
    recipient: str,
    submitted_on: dt.date,
    reference: str = "",
) -> ReportSubmission:
    """Record that a periodic report was sent; once per form, period and commune."""
    if submitted_on < period_start:
        raise ValidationError({"submitted_on": _("Ngày gửi không được trước kỳ báo cáo.")})
    try:
        with transaction.atomic():
            return ReportSubmission.objects.create(
                form=form,
                period_kind=period_kind,
                period_start=period_start,
                period_end=period_end,
                commune=commune,
                recipient=recipient,
                submitted_on=submitted_on,
                submitted_by=actor,
                reference=reference.strip(),
            )
    except IntegrityError as error:
        raise ApplicationError(_("Báo cáo của kỳ này đã được ghi nhận là đã gửi.")) from error
