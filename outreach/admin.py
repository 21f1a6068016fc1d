"""Outreach in the admin: staff test numbers (sandbox campaigns) are edited here; messages and
opt-outs are view-only lists without destinations or bodies (the pages show masked numbers to
those who may see the person)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from outreach.channels import mask
from outreach.models import Message, OptOut, TestRecipient
from outreach.services.campaigns import phone_index
from registry.admin import PolicyAdmin, ReadOnlyRecordAdmin


@admin.register(TestRecipient)
class TestRecipientAdmin(PolicyAdmin):
    list_display = ["name", "masked_phone", "zalo_user_id", "is_active"]
    fields = ["name", "phone", "zalo_user_id", "is_active"]

    @admin.display(description="Số điện thoại")
    def masked_phone(self, obj: TestRecipient) -> str:
        return mask(obj.phone or "")

    def save_model(self, request: HttpRequest, obj: TestRecipient, form: Any, change: bool) -> None:
        obj.phone_index = phone_index(obj.phone) if obj.phone else ""
        super().save_model(request, obj, form, change)


class ViewOnly(ReadOnlyRecordAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ViewOnly):
    list_display = ["uuid", "campaign", "channel", "status", "skip_reason", "attempts", "sent_at"]
    list_filter = ["channel", "status"]
    fields = [
        "uuid",
        "campaign",
        "event",
        "channel",
        "status",
        "skip_reason",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "provider_id",
        "provider_status",
        "error_code",
    ]
    readonly_fields = fields


@admin.register(OptOut)
class OptOutAdmin(ViewOnly):
    list_display = ["created_at", "channel", "source", "revoked_at"]
    list_filter = ["channel", "source"]
    fields = ["created_at", "channel", "source", "note", "revoked_at"]
    readonly_fields = fields
