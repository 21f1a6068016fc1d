"""Bare Django views for bench-api's baseline: the same rows as the API endpoints, read by raw SQL
with no authentication, scoping, decryption, audit or serializer."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def case_list(request: HttpRequest) -> JsonResponse:
    rows = _rows(
        "SELECT c.uuid::text, c.status, u.code AS commune, p.uuid::text AS person "
        "FROM registry_case c JOIN registry_administrativeunit u ON u.id = c.commune_id "
        "JOIN registry_person p ON p.id = c.person_id "
        "WHERE c.commune_id = %s ORDER BY c.id DESC LIMIT 50",
        [int(request.GET["commune_id"])],
    )
    return JsonResponse({"results": rows})


def case_detail(request: HttpRequest, uuid: str) -> JsonResponse:
    return JsonResponse(
        _rows("SELECT uuid::text, status, helper FROM registry_case WHERE uuid = %s", [uuid])[0],
        json_dumps_params={"default": str},
    )


def person_by_index(request: HttpRequest) -> JsonResponse:
    rows = _rows(
        "SELECT uuid::text, full_name FROM registry_person WHERE national_id_index = %s",
        [request.GET["digest"]],
    )
    return JsonResponse({"results": rows})


def referral_worklist(request: HttpRequest) -> JsonResponse:
    rows = _rows(
        "SELECT r.uuid::text, r.status, r.response_due::text FROM registry_referral r "
        "WHERE r.agency_id = %s ORDER BY r.id DESC LIMIT 50",
        [int(request.GET["agency_id"])],
    )
    return JsonResponse({"results": rows})


urlpatterns = [
    path("bare/cases/", case_list),
    path("bare/cases/<uuid:uuid>/", case_detail),
    path("bare/people/", person_by_index),
    path("bare/referrals/", referral_worklist),
    path("", include("config.urls")),
]
