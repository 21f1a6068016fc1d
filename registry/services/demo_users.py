"""Demo sign-ins for `make setup`: an operations superuser and one user per role, in a real
commune (Phường Tô Hiệu) or the provincial agency the role belongs to, each with a confirmed TOTP
device and recovery codes so that a newcomer can sign in without an authenticator app."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry.models import AdministrativeUnit, Agency, Membership, RecoveryCode, Role, User

DEMO_COMMUNE = "03646"  # Phường Tô Hiệu

# username, role, agency code ("{commune}" = the demo commune's own agency), staff (admin) access
DEMO_USERS = [
    ("ca-xa", Role.COMMUNE_POLICE, "ca-to-hieu-{code}", False),
    ("ubnd-xa", Role.COMMUNE_COMMITTEE, "ubnd-to-hieu-{code}", False),
    ("ca-tinh", Role.PROVINCIAL_POLICE, "cong-an-tinh", True),
    ("noi-vu", Role.HOME_AFFAIRS, "so-noi-vu", False),
    ("ngan-hang", Role.SOCIAL_POLICY_BANK, "nhcsxh-son-la", False),
    ("tu-phap", Role.JUSTICE, "so-tu-phap", False),
    ("ho-so", Role.RECORDS_UNIT, "cong-an-tinh-ho-so", False),
    ("bien-tap", Role.CONTENT_EDITOR, "cong-an-tinh", False),
    ("truyen-thong", Role.OUTREACH_MANAGER, "cong-an-tinh", False),
    ("kiem-tra", Role.AUDITOR, "cong-an-tinh", False),
]


@dataclass(frozen=True)
class DemoSignIn:
    username: str
    role: str
    password: str
    totp_key: str
    recovery_code: str


def _with_second_factor(user: User) -> tuple[str, str]:
    device = TOTPDevice.objects.create(user=user, name="Demo", confirmed=True)
    code = f"{secrets.randbelow(10**10):010d}"
    RecoveryCode.objects.create(user=user, code_hash=make_password(code))
    return base64.b32encode(device.bin_key).decode(), code


@transaction.atomic
def demo_users_create() -> list[DemoSignIn]:
    """Create the demo users that do not exist yet; returns the sign-ins created now."""
    commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code=DEMO_COMMUNE)
    created: list[DemoSignIn] = []
    if not User.objects.filter(username="admin").exists():
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser("admin", password=password, first_name="Quản trị")
        created.append(DemoSignIn("admin", "superuser", password, *_with_second_factor(admin)))
    for username, role, agency_code, staff in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username, password=password, is_staff=staff, first_name=Role(role).label
        )
        agency = Agency.objects.get(code=agency_code.format(code=DEMO_COMMUNE))
        membership = Membership.objects.create(user=user, agency=agency, role=role)
        if role in (Role.COMMUNE_POLICE, Role.COMMUNE_COMMITTEE):
            membership.units.add(commune)
        created.append(
            DemoSignIn(username, str(Role(role).label), password, *_with_second_factor(user))
        )
    return created
