from django.contrib import admin
from django.urls import include, path

from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.prometheus, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("outreach/", include("outreach.urls")),
    # The public website; a proxy may serve it at the root of its own domain.
    path("huong-thien/", include("outreach.public_urls")),
    path("", include("registry.urls")),
]

handler404 = "config.handlers.not_found"
handler500 = "config.handlers.server_error"
