"""The first administrator of a new installation (docs/operations.md, first run): a superuser with
the provincial police membership and no second factor yet — the first sign-in enrols TOTP (QR
code, recovery codes shown once), as for every staff account."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from registry.models import Agency, Membership, Role, User

PROVINCIAL_POLICE_AGENCY = "cong-an-tinh"


@transaction.atomic
def first_admin_create(*, username: str, password: str, full_name: str = "") -> User:
    if User.objects.filter(is_superuser=True, is_active=True).exists():
        raise ValidationError(
            "Đã có tài khoản quản trị: tạo thêm tài khoản trong trang quản trị (/admin/)."
        )
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"Tên đăng nhập {username} đã có.")
    user = User(username=username, first_name=full_name or "Quản trị", is_staff=True)
    validate_password(password, user)
    user.is_superuser = True
    user.set_password(password)
    user.save()
    agency = Agency.objects.filter(code=PROVINCIAL_POLICE_AGENCY).first()
    if agency is not None:
        Membership.objects.create(user=user, agency=agency, role=Role.PROVINCIAL_POLICE)
    return user
