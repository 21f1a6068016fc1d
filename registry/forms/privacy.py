"""Forms of the data-subject request pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.forms.common import DATE
from registry.models import Consent, DataSubjectRequest, RequestKind


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại yêu cầu"), choices=RequestKind.choices)
    channel = forms.ChoiceField(
        label=_("Hình thức nhận"), choices=DataSubjectRequest.Channel.choices
    )
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DATE)
    involves_processor = forms.BooleanField(
        label=_("Cần bên xử lý dữ liệu hoặc bên thứ ba tham gia (hạn 20 ngày làm việc)"),
        required=False,
    )
    consent_purposes = forms.MultipleChoiceField(
        label=_("Rút lại đồng ý cho mục đích (để trống: tất cả)"),
        choices=Consent.Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label=_("Nội dung yêu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DataRequestCloseForm(forms.Form):
    response = forms.CharField(
        label=_("Kết quả giải quyết hoặc căn cứ từ chối"), widget=forms.Textarea(attrs={"rows": 3})
    )
