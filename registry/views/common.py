"""What every staff page shares: the sign-in gate, running a service from a form with one status
contract, keyset pagination, and the audit call of a read.

The contract, the same as the API's: a write that succeeds redirects (with a success banner); bad
input answers 400 and the same page with an error summary listing every problem at once and the
form as typed; an illegal step (the record moved on meanwhile) answers 409 the same way. Reads go
through ``registry.access`` and are audited in the same transaction.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from registry.errors import ApplicationError

T = TypeVar("T")


def verified_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and second factor verified; otherwise to the sign-in or the code page. No
    personal data is read before this passes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_verified():
            return redirect(f"{reverse('account-otp')}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapper


# --- running a service ---------------------------------------------------------------------------


class Problems(forms.Form):
    """A form without fields, for actions that are only a button: it carries the refusal."""


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's messages beside the form's fields, or on top when no field matches."""
    found = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in found.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@dataclass
class Outcome(Generic[T]):
    """What a service call gave: its result, or the status of the refusal (400 or 409)."""

    result: T | None = None
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status == 200


def attempt(form: forms.Form, call: Callable[[], T]) -> Outcome[T]:
    """Run ``call`` (a service) in its own transaction. A ValidationError lands on the form's
    fields (400); an ApplicationError on top of it — 409 when the record moved on (an illegal
    step), 400 for any other broken rule (``ApplicationError.status``)."""
    try:
        with transaction.atomic():
            return Outcome(call())
    except ValidationError as error:
        apply_errors(form, error)
        return Outcome(status=400)
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        return Outcome(status=error.status)


def form_status(form: forms.Form | None, outcome: Outcome[Any] | None = None) -> int:
    """The status of a page that shows ``form``: the refusal's, 400 for a form that did not
    validate, else 200."""
    if outcome is not None and not outcome.ok:
        return outcome.status
    return 400 if form is not None and form.errors else 200


def refused(request: HttpRequest, problems: list[str], *, status: int = 400) -> HttpResponse:
    """A refused step of a page without a form of its own: the problems, and the way back."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("home")
    return render(
        request, "errors/refused.html", {"problems": problems, "back_url": back}, status=status
    )


def done(request: HttpRequest, message: str, to: str, *args: Any, **kwargs: Any) -> HttpResponse:
    """After a write: the success banner on the next page, and that page."""
    messages.success(request, message)
    return redirect(to, *args, **kwargs)


# --- keyset pagination ---------------------------------------------------------------------------
# A page is the rows after the last row of the previous one in the list's order, so page 1,000
# costs what page 1 costs and no COUNT runs over the scope. The cursor is signed: a crafted one is
# simply ignored (first page), never an error.

_CURSOR_SALT = "registry.pages.cursor"


def _cursor_encode(values: Sequence[Any]) -> str:
    raw = json.dumps([v if isinstance(v, int | str) or v is None else str(v) for v in values])
    signed = signing.Signer(salt=_CURSOR_SALT).sign(raw)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def _cursor_decode(token: str | None) -> list[Any] | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = signing.Signer(salt=_CURSOR_SALT).unsign(base64.urlsafe_b64decode(padded).decode())
        values = json.loads(raw)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    return values if isinstance(values, list) else None


@dataclass
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None
    has_previous: bool


def keyset_page(
    queryset: models.QuerySet[Any],
    *,
    key: str,
    descending: bool,
    cursor: str | None,
    size: int = 50,
) -> Page[Any]:
    """``size`` rows of ``queryset`` ordered by ``key`` (a field that may repeat) then ``id``,
    after the row the cursor names. ``key`` must not be null for the rows paged."""
    order = [f"-{key}", "-id"] if descending else [key, "id"]
    queryset = queryset.order_by(*order)
    after = _cursor_decode(cursor)
    if after is not None and len(after) == 2:
        value, last_id = after
        if descending:
            queryset = queryset.filter(
                models.Q(**{f"{key}__lt": value}) | models.Q(**{key: value, "id__lt": last_id})
            )
        else:
            queryset = queryset.filter(
                models.Q(**{f"{key}__gt": value}) | models.Q(**{key: value, "id__gt": last_id})
            )
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = _cursor_encode([_value_of(last, key), last.pk])
    return Page(rows[:size], next_cursor, after is not None)


def _value_of(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj.pk if isinstance(obj, models.Model) else obj
