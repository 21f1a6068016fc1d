"""Forms of the outreach pages: they parse and present input; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.models import Campaign, Channel, ContentItem, OptOut, Segment
from registry.models import AdministrativeUnit, Consent, Need, NeedType, Person, Referral

CHANNEL_ORDERS = [
    ("zalo_zns,sms", _("Zalo ZNS, nếu không được thì SMS")),
    ("zalo_oa,sms", _("Zalo OA, nếu không được thì SMS")),
    ("zalo_oa,zalo_zns,sms", _("Zalo OA, rồi Zalo ZNS, rồi SMS")),
    ("sms", _("Chỉ SMS")),
    ("zalo_zns", _("Chỉ Zalo ZNS")),
    ("zalo_oa", _("Chỉ Zalo OA")),
]


class ContentForm(forms.ModelForm):
    class Meta:
        model = ContentItem
        fields = [
            "kind",
            "title",
            "summary",
            "body",
            "sms_text",
            "zalo_text",
            "zns_template_id",
            "zns_params",
            "video_url",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
            "sms_text": forms.Textarea(attrs={"rows": 3, "data-sms-source": "1"}),
            "zalo_text": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"video_url": forms.CharField}

    def clean_video_url(self) -> str:
        value = (self.cleaned_data.get("video_url") or "").strip()
        if value and not value.startswith("https://"):
            raise forms.ValidationError(_("Đường dẫn video phải bắt đầu bằng https://"))
        return value


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Ý kiến / lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Tên nhóm"), max_length=150)
    communes = forms.ModelMultipleChoiceField(
        label=_("Xã, phường (để trống: cả tỉnh)"),
        queryset=AdministrativeUnit.objects.filter(unit_list="2025", level="commune").order_by(
            "name"
        ),
        required=False,
    )
    need_types = forms.ModelMultipleChoiceField(
        label=_("Có nhu cầu"),
        queryset=NeedType.objects.filter(is_active=True).order_by("ordering"),
        to_field_name="code",
        required=False,
    )
    need_statuses = forms.MultipleChoiceField(
        label=_("Trạng thái nhu cầu"), choices=Need.Status.choices, required=False
    )
    referral_statuses = forms.MultipleChoiceField(
        label=_("Trạng thái đề nghị hỗ trợ"), choices=Referral.Status.choices, required=False
    )
    days_since_release_min = forms.IntegerField(
        label=_("Đã về ít nhất (ngày)"), min_value=0, required=False
    )
    days_since_release_max = forms.IntegerField(
        label=_("Đã về nhiều nhất (ngày)"), min_value=0, required=False
    )
    loan_window_open = forms.BooleanField(
        label=_("Còn trong thời hạn được vay vốn (Quyết định 22/2023)"), required=False
    )
    age_min = forms.IntegerField(label=_("Tuổi từ"), min_value=0, required=False)
    age_max = forms.IntegerField(label=_("Tuổi đến"), min_value=0, required=False)
    gender = forms.ChoiceField(
        label=_("Giới tính"), choices=[("", _("Tất cả")), *Person.Gender.choices], required=False
    )
    consent_channel = forms.ChoiceField(
        label=_("Đã đồng ý nhận tin qua"),
        choices=[("", _("Không lọc")), *Consent.Channel.choices],
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("name")
        data["communes"] = [u.pk for u in data["communes"]]
        data["need_types"] = [n.code for n in data["need_types"]]
        return data

    @classmethod
    def initial_for(cls, segment: Segment) -> dict[str, Any]:
        return {"name": segment.name, **segment.filters}


class CampaignForm(forms.Form):
    """The wizard's first step. Its lists take the width of the page (a long content title must
    not push a phone's page sideways)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "govuk-select")

    name = forms.CharField(label=_("Tên chiến dịch"), max_length=150)
    content = forms.ModelChoiceField(
        label=_("Nội dung (đã duyệt)"),
        queryset=ContentItem.objects.filter(
            status__in=[ContentItem.Status.APPROVED, ContentItem.Status.PUBLISHED]
        ),
        to_field_name="uuid",
    )
    segment = forms.ModelChoiceField(
        label=_("Nhóm người nhận"), queryset=Segment.objects.all(), to_field_name="uuid"
    )
    channels = forms.ChoiceField(label=_("Kênh gửi"), choices=CHANNEL_ORDERS)
    schedule = forms.ChoiceField(label=_("Lịch gửi"), choices=Campaign.Schedule.choices)
    send_at = forms.DateTimeField(
        label=_("Gửi lúc (để trống: ngay khi bắt đầu)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    relative_days = forms.CharField(
        label=_("Các ngày sau khi về (ví dụ 3, 30)"), required=False, max_length=60
    )
    send_hour = forms.IntegerField(label=_("Giờ gửi"), min_value=7, max_value=21, initial=9)
    sandbox = forms.BooleanField(
        label=_("Chạy thử: chỉ gửi tới số của cán bộ"), required=False, initial=True
    )

    def clean_relative_days(self) -> list[int]:
        text = self.cleaned_data.get("relative_days") or ""
        try:
            return [int(x) for x in text.replace(";", ",").split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("Nhập các số ngày, cách nhau bằng dấu phẩy.")) from None

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["channels"] = [c for c in data["channels"].split(",") if c in Channel.values]
        return data


class OptOutForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Từ chối nhận tin qua"),
        choices=[(OptOut.ALL_CHANNELS, _("Mọi kênh")), ("sms", "SMS"), ("zalo", "Zalo")],
    )
    source = forms.ChoiceField(
        label=_("Người dân báo qua"),
        choices=[
            (OptOut.Source.OFFICER, _("Cán bộ gặp trực tiếp")),
            (OptOut.Source.HOTLINE, _("Đường dây nóng")),
        ],
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)


# --- the public website -------------------------------------------------------------------------


class AskForm(forms.Form):
    body = forms.CharField(
        label=_("Câu hỏi của bạn"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=_("Không cần ghi họ tên. Đừng ghi số căn cước hay thông tin về bản án."),
    )
    phone = forms.CharField(
        label=_("Số điện thoại (không bắt buộc)"),
        required=False,
        max_length=20,
        help_text=_("Để lại số nếu muốn được trả lời riêng qua tin nhắn."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # The honeypot: hidden from people by the stylesheet, filled in by robots.
    website = forms.CharField(label=_("Để trống ô này"), required=False)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    channel = forms.ChoiceField(
        label=_("Nhận mã qua"),
        choices=[("sms", _("Tin nhắn SMS")), ("zalo", _("Zalo"))],
        initial="sms",
        widget=forms.RadioSelect,
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác nhận (6 chữ số)"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


class PreferencesForm(forms.Form):
    sms = forms.BooleanField(label=_("Nhận tin nhắn SMS"), required=False)
    zalo = forms.BooleanField(label=_("Nhận tin qua Zalo"), required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Trả lời"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    title = forms.CharField(
        label=_("Câu hỏi đăng công khai (đã bỏ thông tin cá nhân)"), required=False, max_length=200
    )
