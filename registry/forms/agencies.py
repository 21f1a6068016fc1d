"""Forms of the receiving agencies' pages: loans, courses and placements, judicial records."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.forms.common import DATE
from registry.models import AdministrativeUnit, JudicialRecordRequest, LoanApplication


class LoanForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Mục đích vay"), choices=LoanApplication.Purpose.choices)
    amount = forms.IntegerField(label=_("Số tiền đề nghị (đồng)"), min_value=1)
    course_months = forms.IntegerField(
        label=_("Số tháng học (vay học nghề)"), required=False, min_value=1
    )
    released_employees = forms.IntegerField(
        label=_("Số lao động là người chấp hành xong án (doanh nghiệp)"),
        required=False,
        min_value=1,
    )
    term_months = forms.IntegerField(
        label=_("Thời hạn vay (tháng)"),
        required=False,
        min_value=1,
        help_text=_("Sản xuất, kinh doanh: tối đa 120 tháng; học nghề: theo thời gian học."),
    )


class LoanStepForm(forms.Form):
    date = forms.DateField(label=_("Ngày"), required=False, widget=DATE)
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), required=False, min_value=1)
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=500)


class CourseForm(forms.Form):
    trade = forms.CharField(label=_("Nghề"), max_length=120)
    provider = forms.CharField(label=_("Cơ sở đào tạo"), max_length=200)
    commune = forms.ModelChoiceField(
        label=_("Nơi học"),
        to_field_name="code",
        queryset=AdministrativeUnit.objects.filter(unit_list="2025", level="commune"),
    )
    starts_on = forms.DateField(label=_("Khai giảng"), widget=DATE)
    ends_on = forms.DateField(label=_("Kết thúc"), widget=DATE)
    seats = forms.IntegerField(label=_("Số chỗ"), min_value=1)
    support = forms.CharField(label=_("Hỗ trợ"), required=False, max_length=300)


class PlacementForm(forms.Form):
    employer = forms.CharField(label=_("Nơi làm việc"), max_length=200)
    job_title = forms.CharField(label=_("Công việc"), max_length=200)
    started_on = forms.DateField(label=_("Ngày bắt đầu"), widget=DATE)


class JudicialRecordForm(forms.Form):
    certificate_type = forms.ChoiceField(
        label=_("Loại phiếu"), choices=JudicialRecordRequest.CertificateType.choices
    )
    fee_category = forms.ChoiceField(
        label=_("Lệ phí"), choices=JudicialRecordRequest.FeeCategory.choices
    )
    waiver_reason = forms.CharField(label=_("Lý do miễn, giảm"), required=False, max_length=300)
    is_complex = forms.BooleanField(
        label=_("Trường hợp phức tạp (15 ngày làm việc)"), required=False
    )


class FinishForm(forms.Form):
    """The end of an enrolment: completed (not before the course starts) or dropped out."""

    completed = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[("1", _("Hoàn thành khóa học")), ("0", _("Bỏ học"))],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Ngày"), widget=DATE)
    attended_days = forms.IntegerField(
        label=_("Số buổi có mặt"), required=False, min_value=0, max_value=1000
    )


class FollowUpForm(forms.Form):
    employed = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[("1", _("Vẫn đang làm việc")), ("0", _("Không còn làm việc"))],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Ngày theo dõi"), widget=DATE)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=500, required=False)


class LegalAidForm(forms.Form):
    on = forms.DateField(label=_("Ngày trợ giúp"), widget=DATE)
    summary = forms.CharField(
        label=_("Nội dung đã trợ giúp"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tư vấn pháp luật, đại diện, tham gia tố tụng …"),
    )
