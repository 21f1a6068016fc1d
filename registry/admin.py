"""The Django admin, in Vietnamese.

Reference data (units, agencies, need types and their responsibilities, holidays, expungement
periods) is edited here. Records about people are view-only: every change to them goes through
``registry.services`` (validation, state machines), which the staff pages call. Lists never show
an encrypted value (not even decrypted for display); search by national ID or phone goes through
the blind indexes, by name through the unaccented form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from registry import crypto, models, validation
from registry.audit import audit_record
from registry.models import AccessEvent

MASK = "••••••"


class PolicyAdmin(admin.ModelAdmin):
    """Entry to the admin is decided by the site (superusers and provincial police administrators,
    second factor verified); inside, they may use every registered model."""

    def _allowed(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


class ReadOnlyRecordAdmin(PolicyAdmin):
    """View-only admin for records about people: changes go through the services; every list and
    detail page leaves an access-log row in the same transaction."""

    @transaction.atomic
    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit_record(
                actor=request.user,
                action=AccessEvent.Action.LIST,
                objects=list(changelist.result_list),
                model=self.model,
                purpose="admin",
            )
        return response

    @transaction.atomic
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and response.status_code == 200:
            audit_record(
                actor=request.user, action=AccessEvent.Action.VIEW, objects=[obj], purpose="admin"
            )
        return response

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def masked(field_name: str, label: str) -> Any:
    """A list column saying whether an encrypted value is present, without decrypting it."""

    @admin.display(description=label)
    def column(model_admin: admin.ModelAdmin, obj: Any) -> str:
        slot = obj.__dict__.get(field_name)
        present = slot is not None and (slot.sealed is not None or slot.plain is not None)
        return MASK if present else "—"

    return column


@admin.register(models.Person)
class PersonAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "full_name",
        "gender",
        "birth_year",
        "national_id_masked",
        "phone_masked",
        "is_demo",
    ]
    list_filter = ["gender", "is_demo"]
    search_fields = ["folded_name"]
    search_help_text = _(
        "Tìm theo họ tên (không cần dấu), số định danh đủ 12 số hoặc số điện thoại."
    )
    exclude = ["national_id_index", "phone_index"]
    national_id_masked = masked("national_id", _("số định danh"))
    phone_masked = masked("phone", _("số điện thoại"))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        ring = crypto.keyring()
        for purpose, normalise, column in (
            ("person.national_id", validation.normalize_national_id, "national_id_index"),
            ("person.phone", validation.normalize_phone, "phone_index"),
        ):
            try:
                digest = ring.blind_index(purpose, normalise(term))
            except ValidationError:
                continue
            return queryset.filter(**{column: digest}), False
        return queryset.filter(folded_name__contains=validation.fold(term)), False


@admin.register(models.CustodyRecord)
class CustodyRecordAdmin(ReadOnlyRecordAdmin):
    list_display = ["person", "release_date", "release_kind", "expungement_eligible_date"]
    list_filter = ["release_kind"]
    list_select_related = ["person"]
    date_hierarchy = "release_date"


class MilestoneInline(admin.TabularInline):
    model = models.CaseMilestone
    fields = ["kind", "date", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Case)
class CaseAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "person",
        "commune",
        "status",
        "classification",
        "address_check_due",
        "created_at",
    ]
    list_filter = ["status", "classification", "close_reason"]
    list_select_related = ["person", "commune"]
    search_fields = ["person__folded_name"]
    inlines = [MilestoneInline]


@admin.register(models.Need)
class NeedAdmin(ReadOnlyRecordAdmin):
    list_display = ["case", "need_type", "priority", "status"]
    list_filter = ["need_type", "status", "priority"]
    list_select_related = ["case__person", "case__commune", "need_type"]


class TransitionInline(admin.TabularInline):
    model = models.ReferralTransition
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Referral)
class ReferralAdmin(ReadOnlyRecordAdmin):
    list_display = ["need", "agency", "status", "outcome", "sent_at", "response_due"]
    list_filter = ["status", "outcome", "lawful_basis", "agency__kind"]
    list_select_related = ["need__need_type", "agency"]
    inlines = [TransitionInline]


@admin.register(models.CaseNote)
class CaseNoteAdmin(ReadOnlyRecordAdmin):
    list_display = ["case", "kind", "happened_on", "author"]
    list_filter = ["kind"]
    list_select_related = ["case__person", "case__commune", "author"]


@admin.register(models.Consent)
class ConsentAdmin(ReadOnlyRecordAdmin):
    list_display = ["person", "purpose", "channel", "agency", "status", "given_on", "expires_on"]
    list_filter = ["purpose", "channel", "status"]
    list_select_related = ["person", "agency"]


@admin.register(models.ReferralTransition)
class ReferralTransitionAdmin(ReadOnlyRecordAdmin):
    list_display = ["referral", "from_status", "to_status", "actor", "created_at"]


@admin.register(models.CaseMilestone)
class CaseMilestoneAdmin(ReadOnlyRecordAdmin):
    list_display = ["case", "kind", "date", "recorded_by"]
    list_filter = ["kind"]


@admin.register(models.AdministrativeUnit)
class AdministrativeUnitAdmin(PolicyAdmin):
    list_display = [
        "full_name",
        "code",
        "level",
        "unit_list",
        "parent",
        "successor",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["unit_list", "level", "unit_type"]
    search_fields = ["folded_name", "code"]
    list_select_related = ["parent", "successor"]
    raw_id_fields = ["parent", "successor"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return super().get_search_results(request, queryset, validation.fold(search_term))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.folded_name = validation.fold(obj.name)
        super().save_model(request, obj, form, change)


class ResponsibilityInline(admin.TabularInline):
    model = models.NeedTypeResponsibility
    extra = 0


@admin.register(models.NeedType)
class NeedTypeAdmin(PolicyAdmin):
    list_display = ["name", "code", "response_working_days", "is_active", "ordering"]
    inlines = [ResponsibilityInline]


@admin.register(models.Agency)
class AgencyAdmin(PolicyAdmin):
    list_display = ["name", "kind", "level", "jurisdiction", "valid_from", "valid_to", "successor"]
    list_filter = ["kind", "level"]
    search_fields = ["name", "code"]
    list_select_related = ["jurisdiction", "successor"]
    raw_id_fields = ["jurisdiction", "parent", "successor"]
    filter_horizontal = ["need_types"]


@admin.register(models.PublicHoliday)
class PublicHolidayAdmin(PolicyAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(models.ExpungementPeriod)
class ExpungementPeriodAdmin(PolicyAdmin):
    list_display = ["article", "band", "description", "wait_months", "valid_from", "valid_to"]
    list_filter = ["article"]


@admin.register(models.User)
class StaffUserAdmin(PolicyAdmin, UserAdmin):
    pass


@admin.register(models.Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ["user", "role", "agency", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "agency__name"]
    raw_id_fields = ["user", "agency"]
    filter_horizontal = ["units"]


@admin.register(models.CaseUserObjectPermission)
class CaseGrantAdmin(ReadOnlyRecordAdmin):
    list_display = ["user", "permission", "content_object", "expires_at", "reason"]


@admin.register(models.AccessEvent)
class AccessEventAdmin(ReadOnlyRecordAdmin):
    list_display = ["at", "username", "role", "action", "object_type", "purpose", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["username"]
    date_hierarchy = "at"


@admin.register(models.ChangeLog)
class ChangeLogAdmin(ReadOnlyRecordAdmin):
    list_display = ["created_at", "actor", "object_type", "field", "reason"]
    list_filter = ["object_type", "field"]


@admin.register(models.LoanProgramme)
class LoanProgrammeAdmin(PolicyAdmin):
    list_display = [
        "name",
        "window_years",
        "training_cap_per_month",
        "production_cap_per_person",
        "interest_rate_percent",
        "valid_from",
        "valid_to",
    ]


@admin.register(models.LoanApplication)
class LoanApplicationAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "case",
        "purpose",
        "amount",
        "status",
        "applied_on",
        "approved_amount",
        "disbursed_on",
    ]
    list_filter = ["purpose", "status"]
    list_select_related = ["case__person", "case__commune"]


@admin.register(models.JudicialRecordRule)
class JudicialRecordRuleAdmin(PolicyAdmin):
    list_display = [
        "legal_basis",
        "normal_working_days",
        "complex_working_days",
        "fee",
        "valid_from",
        "valid_to",
    ]


@admin.register(models.JudicialRecordRequest)
class JudicialRecordRequestAdmin(ReadOnlyRecordAdmin):
    list_display = ["case", "certificate_type", "status", "requested_on", "due_on", "fee_amount"]
    list_filter = ["certificate_type", "status", "fee_category"]
    list_select_related = ["case__person", "case__commune"]


@admin.register(models.TrainingCourse)
class TrainingCourseAdmin(PolicyAdmin):
    list_display = ["trade", "provider", "commune", "starts_on", "ends_on", "seats", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["commune"]
    raw_id_fields = ["agency", "commune"]
    exclude = ["folded_trade"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.folded_trade = validation.fold(obj.trade)
        super().save_model(request, obj, form, change)


@admin.register(models.Enrollment)
class EnrollmentAdmin(ReadOnlyRecordAdmin):
    list_display = ["course", "status", "attended_days", "finished_on"]
    list_select_related = ["course"]


@admin.register(models.JobPlacement)
class JobPlacementAdmin(ReadOnlyRecordAdmin):
    list_display = ["job_title", "employer", "started_on"]


@admin.register(models.JobFollowUp)
class JobFollowUpAdmin(ReadOnlyRecordAdmin):
    list_display = ["placement", "months", "due_on", "outcome"]
    list_filter = ["outcome", "months"]
    list_select_related = ["placement"]


@admin.register(models.Notification)
class NotificationAdmin(ReadOnlyRecordAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    list_select_related = ["user"]


@admin.register(models.ApiToken)
class ApiTokenAdmin(ReadOnlyRecordAdmin):
    list_display = ["user", "name", "prefix", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]


@admin.register(models.DataSubjectRequestRule)
class DataSubjectRequestRuleAdmin(PolicyAdmin):
    list_display = [
        "kind",
        "acknowledge_working_days",
        "complete_working_days",
        "complete_with_processor_working_days",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["kind"]


@admin.register(models.DataSubjectRequest)
class DataSubjectRequestAdmin(ReadOnlyRecordAdmin):
    list_display = ["kind", "person", "status", "received_on", "acknowledge_due", "complete_due"]
    list_filter = ["kind", "status"]
    list_select_related = ["person"]
    exclude = ["details", "response"]


@admin.register(models.ImportBatch)
class ImportBatchAdmin(ReadOnlyRecordAdmin):
    """The import log: counts and messages, never the file."""

    list_display = [
        "file_name",
        "status",
        "rows_total",
        "rows_new",
        "rows_duplicate",
        "rows_error",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["status", "file_kind"]
    exclude = ["content", "plan"]


class ImportColumnAliasInline(admin.TabularInline):
    model = models.ImportColumnAlias
    extra = 1
    fields = ["alias", "field"]


@admin.register(models.ImportSource)
class ImportSourceAdmin(PolicyAdmin):
    """Senders of release-notice files and the column names remembered for them."""

    list_display = ["name", "encoding", "is_active", "created_by", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    readonly_fields = ["created_by"]
    inlines = [ImportColumnAliasInline]


@admin.register(models.ImportColumnAlias)
class ImportColumnAliasAdmin(PolicyAdmin):
    """Other names of the template's columns; without a source they hold in every file."""

    list_display = ["alias", "field", "source"]
    list_filter = ["field", ("source", admin.EmptyFieldListFilter)]
    list_select_related = ["source"]
    search_fields = ["alias"]


@admin.register(models.ImportTerm)
class ImportTermAdmin(PolicyAdmin):
    """Words prisons write in cells (release kinds, penalties, genders, sentence units)."""

    list_display = ["text", "kind", "value"]
    list_filter = ["kind"]
    search_fields = ["text"]


@admin.register(models.ReportingRule)
class ReportingRuleAdmin(PolicyAdmin):
    """The periodic reports' cut-off day, days to send and recipient, between two dates: the
    province edits the recipient when the bodies change (district police ended 01/03/2025)."""

    list_display = ["form", "period_kind", "cutoff_day", "due_days", "recipient", "valid_from",
                    "valid_to"]  # fmt: skip
    list_filter = ["form", "period_kind"]
