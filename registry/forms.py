"""Forms of the casework pages: they only parse and present input; services validate and write.
A refused form is shown again with everything typed and the message next to each field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import (
    AdministrativeUnit,
    Agency,
    Case,
    CaseMilestone,
    CaseNote,
    Consent,
    CustodyRecord,
    DataSubjectRequest,
    NeedType,
    Person,
    Referral,
    RequestKind,
)

DATE = forms.DateInput(attrs={"type": "date"})


class PrisonNoticeForm(forms.Form):
    commune = forms.ModelChoiceField(
        label=_("Xã, phường nơi về"),
        queryset=AdministrativeUnit.objects.none(),
        to_field_name="code",
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Person.Gender.choices)
    date_of_birth = forms.DateField(label=_("Ngày sinh"), required=False, widget=DATE)
    national_id = forms.CharField(label=_("Số định danh cá nhân"), required=False, max_length=40)
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=40)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=500)
    release_date = forms.DateField(label=_("Ngày chấp hành xong án"), widget=DATE)
    release_kind = forms.ChoiceField(
        label=_("Hình thức"), choices=CustodyRecord.ReleaseKind.choices
    )
    main_penalty = forms.ChoiceField(
        label=_("Hình phạt chính"),
        choices=CustodyRecord.PenaltyKind.choices,
        initial=CustodyRecord.PenaltyKind.PRISON,
    )
    sentence_months = forms.IntegerField(
        label=_("Thời hạn tù (tháng)"), required=False, min_value=0
    )
    offence = forms.CharField(label=_("Tội danh"), required=False, max_length=300)
    prison = forms.CharField(label=_("Trại giam"), required=False, max_length=200)
    certificate_date = forms.DateField(
        label=_("Ngày cấp giấy chứng nhận"), required=False, widget=DATE
    )
    reporting_deadline = forms.DateField(
        label=_("Hạn trình diện (ghi trên giấy chứng nhận)"), required=False, widget=DATE
    )

    def __init__(self, *args, communes=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            communes if communes is not None else AdministrativeUnit.objects.none()
        )

    PERSON = ("full_name", "gender", "date_of_birth", "national_id", "phone", "address")
    CUSTODY = (
        "release_date",
        "release_kind",
        "main_penalty",
        "sentence_months",
        "offence",
        "prison",
        "certificate_date",
    )


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Mốc"),
        choices=[
            (k, label)
            for k, label in CaseMilestone.Kind.choices
            if k
            not in {
                "notice_received",
                "address_verified",
                "presented",
                "expunged",
                "helper_assigned",
            }
        ],
    )
    date = forms.DateField(label=_("Ngày"), widget=DATE)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=CaseNote.Kind.choices)
    happened_on = forms.DateField(label=_("Ngày"), widget=DATE)
    text = forms.CharField(
        label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class NeedsForm(forms.Form):
    need_types = forms.ModelMultipleChoiceField(
        label=_("Nhu cầu"),
        queryset=NeedType.objects.filter(is_active=True),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do kết thúc"), choices=Case.CloseReason.choices)


class ReferForm(forms.Form):
    """Send a need to an agency; consent can be recorded in the same step when the law needs it."""

    agency = forms.ModelChoiceField(
        label=_("Cơ quan nhận"), queryset=Agency.objects.none(), to_field_name="code"
    )
    note = forms.CharField(label=_("Ghi chú gửi kèm"), required=False, max_length=1000)
    consent_evidence = forms.CharField(
        label=_("Người được hỗ trợ đồng ý chia sẻ (ghi bằng chứng: phiếu, biên bản …)"),
        required=False,
        max_length=500,
    )

    def __init__(self, *args, agencies=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = (
            agencies if agencies is not None else NeedType.objects.none()
        )


class ReferralActionForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=500)
    outcome = forms.ChoiceField(
        label=_("Kết quả"), required=False, choices=[("", "—"), *Referral.Outcome.choices]
    )


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
