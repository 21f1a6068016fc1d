from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.models import ApiToken, User
from registry.services.tokens import api_token_issue, api_token_revoke


class Command(BaseCommand):
    help = "Cấp hoặc thu hồi mã truy cập API cho một tài khoản (mã chỉ hiện một lần)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["issue", "revoke", "list"])
        parser.add_argument("--user", required=True, help="Tên đăng nhập")
        parser.add_argument("--name", default="tích hợp", help="Tên gợi nhớ của mã")
        parser.add_argument(
            "--days", type=int, help="Số ngày hiệu lực (tối đa API_TOKEN_MAX_DAYS, mặc định 90)"
        )
        parser.add_argument("--prefix", help="Phần đầu của mã cần thu hồi")

    def handle(self, *args: object, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError("Không có tài khoản này.")
        if options["action"] == "issue":
            try:
                token, secret = api_token_issue(
                    actor=user, user=user, name=options["name"], days=options["days"]
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(f"Authorization: Token {secret}")
            self.stdout.write(
                f"(hết hạn {token.expires_at:%d/%m/%Y}; mã không được lưu, hãy cất ngay)"
            )
        elif options["action"] == "revoke":
            tokens = ApiToken.objects.filter(
                user=user, prefix=options["prefix"] or "", revoked_at__isnull=True
            )
            if not tokens:
                raise CommandError("Không có mã nào với phần đầu này.")
            for token in tokens:
                api_token_revoke(actor=user, token=token)
            self.stdout.write(f"Đã thu hồi {len(tokens)} mã.")
        else:
            for token in ApiToken.objects.filter(user=user).order_by("-created_at"):
                state = "thu hồi" if token.revoked_at else f"hết hạn {token.expires_at:%d/%m/%Y}"
                self.stdout.write(f"{token.prefix}…  {token.name}  {state}")
