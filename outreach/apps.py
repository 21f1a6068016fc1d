from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Truyền thông")

    def ready(self) -> None:
        from outreach import privacy, reports

        reports.register()
        privacy.register()
