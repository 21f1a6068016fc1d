"""Staff sign-in: password (Argon2, django-axes lockout per username+IP), then a TOTP second
factor — enrolment by QR code with single-use recovery codes shown once — then the session."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth import logout
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry.audit import audit_record
from registry.middleware import SEEN_AT, SIGNED_IN_AT
from registry.models import AccessEvent, RecoveryCode, User

RECOVERY_CODES = 10


class SignInView(LoginView):
    template_name = "account/login.html"
    redirect_authenticated_user = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # logs in and rotates the session key
        self.request.session[SIGNED_IN_AT] = self.request.session[SEEN_AT] = time.time()
        audit_record(actor=form.get_user(), action=AccessEvent.Action.LOGIN)
        next_url = self.get_redirect_url()
        target = reverse("account-otp") + (f"?next={next_url}" if next_url else "")
        return HttpResponseRedirect(target) if response.status_code == 302 else response

    def form_invalid(self, form: Any) -> HttpResponse:
        audit_record(
            actor=None,
            action=AccessEvent.Action.FAILED_LOGIN,
            username=self.request.POST.get("username", "")[:150],
        )
        return super().form_invalid(form)


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or reverse("home")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def recovery_codes_issue(user: User) -> list[str]:
    """New single-use recovery codes; only their hashes are kept."""
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        user.recovery_codes.all().delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=make_password(c)) for c in codes
        )
    return codes


def recovery_code_use(user: User, code: str) -> bool:
    code = code.replace(" ", "").replace("-", "")
    for candidate in user.recovery_codes.filter(used_at__isnull=True):
        if check_password(code, candidate.code_hash):
            candidate.used_at = timezone.now()
            candidate.save(update_fields=["used_at", "updated_at"])
            return True
    return False


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def otp(request: HttpRequest) -> HttpResponse:
    """Verify the second factor, or enrol one if the user has none yet."""
    if not request.user.is_authenticated:
        return redirect("account-login")
    user: User = request.user  # type: ignore[assignment]
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    error = ""
    if device is None:
        pending = TOTPDevice.objects.filter(
            user=user, confirmed=False
        ).first() or TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
        if request.method == "POST":
            if pending.verify_token(request.POST.get("token", "").strip()):
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                otp_login(request, pending)
                codes = recovery_codes_issue(user)
                return render(
                    request,
                    "account/recovery_codes.html",
                    {"codes": codes, "next": _safe_next(request)},
                )
            error = _("Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng.")
        return render(
            request,
            "account/enrol.html",
            {
                "qr": _qr_svg(pending),
                "secret": base64.b32encode(pending.bin_key).decode(),
                "config_url": pending.config_url,
                "error": error,
                "next": _safe_next(request),
            },
        )
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if device.verify_token(token) or recovery_code_use(user, token):
            otp_login(request, device)
            return redirect(_safe_next(request))
        audit_record(actor=user, action=AccessEvent.Action.DENIED, purpose="second factor refused")
        error = _("Mã không đúng hoặc đã dùng.")
    return render(request, "account/otp.html", {"error": error, "next": _safe_next(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("account-login")
