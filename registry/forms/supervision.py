"""Forms of the supervision pages (Circular 10/2024 art. 9–15): they parse and present input;
``registry.services.supervision`` validates and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.forms.common import DATE
from registry.models import AdministrativeUnit, Case
from registry.models.supervision import (
    DetentionPeriod,
    EndOfManagement,
    Helper,
    quarter_label,
)
from registry.services.supervision import quarter_of
from registry.validation import today

GROUP_CHOICES = [("", _("— Chưa phân loại —")), *Case.Classification.choices]


def recent_quarters(count: int = 4) -> list[tuple[str, str]]:
    """The current quarter and the ones before it, newest first, as ``"2026-4"`` choices."""
    year, quarter = quarter_of(today())
    found = []
    for _i in range(count):
        found.append((f"{year}-{quarter}", quarter_label(year, quarter)))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found


class QuarterField(forms.ChoiceField):
    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(label=_("Quý"), choices=recent_quarters, **kwargs)

    def clean(self, value):  # type: ignore[no-untyped-def]
        value = super().clean(value)
        year, quarter = value.split("-")
        return int(year), int(quarter)


class HelperProposeForm(forms.Form):
    """HCD-06: a helper already registered in the commune, or a new one typed here."""

    helper = forms.ModelChoiceField(
        label=_("Người, tổ chức đã có trong danh sách của xã"),
        queryset=Helper.objects.none(),
        required=False,
        empty_label=_("— Người mới (ghi bên dưới) —"),
    )
    name = forms.CharField(label=_("Tên người, tổ chức giúp đỡ"), max_length=200, required=False)
    form = forms.ChoiceField(
        label=_("Hình thức"),
        choices=Helper.Form.choices,
        initial=Helper.Form.INDIVIDUAL,
        widget=forms.RadioSelect,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=Helper.Kind.choices,
        initial=Helper.Kind.FAMILY,
        widget=forms.RadioSelect,
        required=False,
    )
    relationship = forms.CharField(
        label=_("Quan hệ với người được giúp đỡ"), max_length=100, required=False
    )
    phone = forms.CharField(label=_("Số điện thoại"), max_length=40, required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    supervision_plan = forms.CharField(
        label=_("Kế hoạch quản lý, giúp đỡ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    on = forms.DateField(label=_("Ngày đề xuất"), widget=DATE)

    def __init__(self, *args, helpers=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if helpers is not None:
            self.fields["helper"].queryset = helpers


class HelperDecideForm(forms.Form):
    on = forms.DateField(label=_("Ngày quyết định (HCD-07)"), widget=DATE)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=500, widget=forms.Textarea({"rows": 2}))


class HelperReportForm(forms.Form):
    quarter = QuarterField()
    received_on = forms.DateField(label=_("Ngày nhận báo cáo"), widget=DATE)
    summary = forms.CharField(
        label=_("Nội dung báo cáo (HCD-08)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    suggested_group = forms.ChoiceField(
        label=_("Người giúp đỡ đề xuất phân loại"), choices=GROUP_CHOICES, required=False
    )


class GroupForm(forms.Form):
    quarter = QuarterField()
    group = forms.ChoiceField(
        label=_("Phân loại"), choices=Case.Classification.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        max_length=500,
        help_text=_("Bắt buộc với loại C và D."),
    )


class PauseForm(forms.Form):
    place_kind = forms.ChoiceField(
        label=_("Nơi bị giữ"), choices=DetentionPeriod.PlaceKind.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(label=_("Tên cơ sở"), max_length=200, required=False)
    started_on = forms.DateField(label=_("Từ ngày"), widget=DATE)


class DateForm(forms.Form):
    on = forms.DateField(label=_("Ngày"), widget=DATE)


class FailureStepForm(forms.Form):
    on = forms.DateField(label=_("Ngày"), widget=DATE)
    findings = forms.CharField(
        label=_("Kết quả xác minh"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summons_appear_by = forms.DateField(
        label=_("Hẹn có mặt trước ngày (khi triệu tập)"), required=False, widget=DATE
    )
    other_commune = forms.ModelChoiceField(
        label=_("Xã, phường nơi đã trình diện (Điều 9(3))"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("— Chọn —"),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["other_commune"].queryset = AdministrativeUnit.objects.filter(
            unit_list="2025", level="commune"
        ).order_by("name")


class TransferForm(forms.Form):
    to_commune = forms.ModelChoiceField(
        label=_("Xã, phường nơi đến (trong tỉnh)"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("— Chọn —"),
    )
    new_address = forms.CharField(label=_("Địa chỉ nơi ở mới"), max_length=300, required=False)
    on = forms.DateField(label=_("Ngày đề nghị"), widget=DATE)
    out_of_province = forms.BooleanField(label=_("Chuyển ra ngoài tỉnh"), required=False)
    destination = forms.CharField(
        label=_("Tỉnh, thành phố nơi đến (ngoài tỉnh)"), max_length=200, required=False
    )
    letter_number = forms.CharField(
        label=_("Số công văn chuyển hồ sơ (ngoài tỉnh)"), max_length=60, required=False
    )
    letter_date = forms.DateField(label=_("Ngày công văn"), required=False, widget=DATE)

    def __init__(self, *args, exclude=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        units = AdministrativeUnit.objects.filter(unit_list="2025", level="commune")
        if exclude is not None:
            units = units.exclude(pk=exclude)
        self.fields["to_commune"].queryset = units.order_by("name")


class EndProposeForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Căn cứ kết thúc (Điều 14(1))"),
        choices=EndOfManagement.Ground.choices,
        widget=forms.RadioSelect,
    )
    facts = forms.CharField(
        label=_("Căn cứ, tài liệu kèm theo"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    basis = forms.ChoiceField(
        label=_("Xóa án tích theo"),
        required=False,
        choices=[
            ("date", _("Ngày đủ điều kiện (Điều 70)")),
            ("court", _("Quyết định của Tòa án (Điều 71, 72)")),
            ("certificate", _("Phiếu lý lịch tư pháp")),
        ],
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(label=_("Số quyết định, số phiếu"), max_length=100, required=False)
    reference_date = forms.DateField(
        label=_("Ngày quyết định, ngày phiếu"), required=False, widget=DATE
    )
    on = forms.DateField(label=_("Ngày đề nghị (HCD-10)"), widget=DATE)


class EndDecideForm(forms.Form):
    on = forms.DateField(label=_("Ngày quyết định (HCD-11)"), widget=DATE)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
