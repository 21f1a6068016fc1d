from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("outreach/", include("outreach.urls")),
    path("", include("registry.urls")),
]

handler404 = "config.handlers.not_found"
handler500 = "config.handlers.server_error"
