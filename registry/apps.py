from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Sổ theo dõi tái hòa nhập"
    default_auto_field = "django.db.models.BigAutoField"
