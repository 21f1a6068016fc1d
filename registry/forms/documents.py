"""Forms of the HCD documents' pages: a template's new version, a periodic report sent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.forms.common import DATE
from registry.models import FormCode


class TemplateUploadForm(forms.Form):
    form = forms.ChoiceField(label=_("Biểu mẫu"), choices=[("", _("— Chọn —")), *FormCode.choices])
    title = forms.CharField(
        label=_("Tên biểu mẫu in trên giấy"),
        max_length=300,
        help_text=_("Điền vào chỗ {{ title }} của mẫu."),
    )
    file = forms.FileField(
        label=_("Tệp mẫu Word (.docx)"),
        help_text=_("Các trường dữ liệu ghi dạng {{ person_name }}; tải mẫu đang dùng về để sửa."),
    )
    valid_from = forms.DateField(label=_("Áp dụng từ ngày"), widget=DATE)
    valid_to = forms.DateField(label=_("Áp dụng đến ngày (nếu có)"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("Căn cứ thay đổi"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: hướng dẫn của Cục C11 số …"),
    )


class SubmissionForm(forms.Form):
    submitted_on = forms.DateField(label=_("Ngày gửi"), widget=DATE)
    reference = forms.CharField(label=_("Số văn bản (nếu có)"), max_length=100, required=False)
