"""Error pages: the API answers in its JSON error shape even for URLs it does not know; pages get
the default HTML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"message": _("Không tìm thấy."), "extra": {}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"message": _("Lỗi máy chủ; đã ghi nhận để xử lý."), "extra": {}}, status=500
        )
    return defaults.server_error(request)
