from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Con đường hướng thiện — Quản trị"
admin.site.site_title = "Con đường hướng thiện"
admin.site.index_title = "Sổ theo dõi tái hòa nhập cộng đồng"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
