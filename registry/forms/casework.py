"""Forms of the casework pages: they only parse and present input; services validate and write.
A refused form is shown again with everything typed and the message next to each field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.forms.common import DATE
from registry.models import (
    AdministrativeUnit,
    Agency,
    Case,
    CaseMilestone,
    CaseNote,
    CustodyRecord,
    NeedType,
    Person,
    Referral,
)


class PrisonNoticeForm(forms.Form):
    """A prison's release notice. The form only reads the values; the service checks them all at
    once, so a refused notice lists every problem together (fields are not required here)."""

    commune = forms.ModelChoiceField(
        label=_("Xã, phường nơi về"),
        queryset=AdministrativeUnit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("— Chọn xã, phường —"),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    gender = forms.ChoiceField(
        label=_("Giới tính"), choices=[("", _("— Chọn —")), *Person.Gender.choices], required=False
    )
    date_of_birth = forms.DateField(label=_("Ngày sinh"), required=False, widget=DATE)
    national_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        required=False,
        max_length=40,
        help_text=_("12 chữ số, ghi trên căn cước hoặc trong thông báo của trại giam."),
    )
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=40)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=500)
    release_date = forms.DateField(label=_("Ngày chấp hành xong án"), required=False, widget=DATE)
    release_kind = forms.ChoiceField(
        label=_("Hình thức"),
        choices=[("", _("— Chọn —")), *CustodyRecord.ReleaseKind.choices],
        required=False,
    )
    main_penalty = forms.ChoiceField(
        label=_("Hình phạt chính"),
        choices=CustodyRecord.PenaltyKind.choices,
        initial=CustodyRecord.PenaltyKind.PRISON,
        required=False,
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


class StepDateForm(forms.Form):
    """The date of a step that moves the case (the address check, the presentation)."""

    on = forms.DateField(label=_("Ngày"), widget=DATE)


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
    happened_on = forms.DateField(
        label=_("Ngày"), widget=DATE, help_text=_("Hôm nay, hoặc ngày đã thăm gặp, gọi điện.")
    )
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
    """Closing a case: no reason is chosen for the officer; an expungement names its basis."""

    reason = forms.ChoiceField(
        label=_("Lý do kết thúc"), choices=Case.CloseReason.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(label=_("Ngày kết thúc"), widget=DATE)
    basis = forms.ChoiceField(
        label=_("Căn cứ xóa án tích (chỉ khi lý do là xóa án tích)"),
        choices=[],
        required=False,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=_("Số quyết định của Tòa án hoặc số phiếu lý lịch tư pháp"),
        required=False,
        max_length=100,
    )
    reference_date = forms.DateField(
        label=_("Ngày của quyết định hoặc phiếu"), required=False, widget=DATE
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from registry.services.cases import EXPUNGEMENT_BASES

        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = list(EXPUNGEMENT_BASES.items())


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


class ReasonForm(forms.Form):
    """The reason a destructive step asks for (cancelling a referral …)."""

    reason = forms.CharField(label=_("Lý do"), max_length=500)


class ReferralActionForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=500)
    outcome = forms.ChoiceField(
        label=_("Kết quả"), required=False, choices=[("", "—"), *Referral.Outcome.choices]
    )


class CertificateForm(forms.Form):
    """The release certificate (PT70, PT72 for an amnesty) on the custody record."""

    number = forms.CharField(label=_("Số giấy chứng nhận"), max_length=60)
    issued_on = forms.DateField(label=_("Ngày cấp"), widget=DATE)
    issuer = forms.CharField(
        label=_("Nơi cấp"),
        max_length=200,
        help_text=_("Trại giam, trại tạm giam hoặc cơ quan thi hành án hình sự."),
    )
