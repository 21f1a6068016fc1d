from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RegistryConfig(AppConfig):
    default = True
    name = "registry"
    verbose_name = "Sổ theo dõi tái hòa nhập"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Counting only (observability), no business logic: /metrics shows sign-in trouble.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from registry import metrics

        user_login_failed.connect(lambda **kwargs: metrics.incr("login_failures_total"), weak=False)
        user_locked_out.connect(lambda **kwargs: metrics.incr("login_lockouts_total"), weak=False)


class RegistryAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "registry.admin_site.RegistryAdminSite"
