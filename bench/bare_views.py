"""Bare Django views for bench-api's baseline: the same rows and the same columns as the API
endpoints (``?fields=`` names them, as the API returned them to that role; a relation as its
public key), read by raw SQL with no authentication, scoping, decryption, audit or serializer.

The lists first returned three or four columns against the API's twenty (issue 20): a baseline
that did a fraction of the work. Encrypted columns go out as hex (the API decrypts them)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _same_columns(model: type[Model], fields: str) -> str:
    """SELECT … FROM … for the API's columns of ``model``: its own columns, and for a relation the
    related row's public key through a join."""
    from api.serializers import PUBLIC_KEY

    select, joins = [], []
    for n, name in enumerate(fields.split(",")):
        field = model._meta.get_field(name)
        if field.is_relation:
            related = field.related_model
            key = related._meta.get_field(PUBLIC_KEY.get(related, "uuid")).column
            joins.append(f"LEFT JOIN {related._meta.db_table} j{n} ON j{n}.id = t.{field.column}")
            select.append(f'j{n}.{key} AS "{name}"')
        else:
            select.append(f't.{field.column} AS "{name}"')
    return f"SELECT {', '.join(select)} FROM {model._meta.db_table} t {' '.join(joins)}"


def _json(value: object) -> str:
    return value.hex() if isinstance(value, bytes | memoryview) else str(value)


def case_list(request: HttpRequest) -> JsonResponse:
    from registry.models import Case

    rows = _rows(
        _same_columns(Case, request.GET["fields"])
        + " WHERE t.commune_id = %s ORDER BY t.id DESC LIMIT 50",
        [int(request.GET["commune_id"])],
    )
    return JsonResponse({"results": rows}, json_dumps_params={"default": _json})


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
    from registry.models import Referral

    rows = _rows(
        _same_columns(Referral, request.GET["fields"])
        + " WHERE t.agency_id = %s ORDER BY t.id DESC LIMIT 50",
        [int(request.GET["agency_id"])],
    )
    return JsonResponse({"results": rows}, json_dumps_params={"default": _json})


urlpatterns = [
    path("bare/cases/", case_list),
    path("bare/cases/<uuid:uuid>/", case_detail),
    path("bare/people/", person_by_index),
    path("bare/referrals/", referral_worklist),
    path("", include("config.urls")),
]
