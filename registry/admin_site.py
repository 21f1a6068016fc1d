"""The admin is no back door: only superusers (operations) and provincial police administrators
(``is_staff`` with a provincial police membership) enter it, always with a verified second factor,
and its reads of personal data are audited like any other page."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from registry import access


class RegistryAdminSite(admin.AdminSite):
    site_header = "Con đường hướng thiện — Quản trị"
    site_title = "Con đường hướng thiện"
    index_title = "Sổ theo dõi tái hòa nhập cộng đồng"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and user.is_verified()
            and (user.is_superuser or access.has(user, "admin.use"))
        )

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # One sign-in for the whole site: password, then the second factor.
        next_url = request.GET.get("next", reverse("admin:index"))
        if request.user.is_authenticated and not request.user.is_verified():
            return redirect(f"{reverse('account-otp')}?next={next_url}")
        return redirect_to_login(next_url, reverse("account-login"))
