from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RegistryConfig(AppConfig):
    default = True
    name = "registry"
    verbose_name = "Sổ theo dõi tái hòa nhập"
    default_auto_field = "django.db.models.BigAutoField"


class RegistryAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "registry.admin_site.RegistryAdminSite"
