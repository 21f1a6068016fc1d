"""One call per document: the form's provider fills the template valid on the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.documents.forms import FORMS
from registry.documents.render import ChosenTemplate, render_docx, template_for, to_pdf
from registry.models import AdministrativeUnit, Case, User


@dataclass(frozen=True)
class Rendered:
    code: str
    docx: bytes
    template: ChosenTemplate
    context: dict[str, Any]

    def file_name(self, on: dt.date, suffix: str = "docx") -> str:
        return f"mau-{self.code.lower()}-{on:%Y%m%d}.{suffix}"

    def pdf(self) -> bytes:
        return to_pdf(self.docx)


def case_document(
    code: str, case: Case, viewer: User, on: dt.date, extra: Mapping[str, Any] | None = None
) -> Rendered:
    spec = FORMS[code]
    if spec.scope != "case":
        raise ValueError(f"{code} is not a case form")
    context = spec.provider(case, viewer, on, extra)
    chosen = template_for(code, on)
    return Rendered(code, render_docx(chosen, context), chosen, context)


def commune_document(
    code: str,
    commune: AdministrativeUnit | None,
    viewer: User,
    on: dt.date,
    extra: Mapping[str, Any] | None = None,
) -> Rendered:
    spec = FORMS[code]
    if spec.scope != "commune":
        raise ValueError(f"{code} is not a commune form")
    context = spec.provider(commune, viewer, on, extra)
    chosen = template_for(code, on)
    return Rendered(code, render_docx(chosen, context), chosen, context)
