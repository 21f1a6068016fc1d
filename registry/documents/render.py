"""Filling a form: the template valid on the document's date, rendered with docxtpl; PDF through
LibreOffice headless (Debian's ``libreoffice-writer-nogui``), each conversion in a profile of its
own so that conversions may run side by side."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from registry.documents import defaults
from registry.models import DocumentTemplate

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TIMEOUT = 300  # seconds; a cold LibreOffice start on a loaded machine takes several


@dataclass(frozen=True)
class ChosenTemplate:
    code: str
    title: str
    content: bytes
    template: DocumentTemplate | None  # None: the built-in default


def template_for(code: str, on: dt.date) -> ChosenTemplate:
    """The template of form ``code`` valid on ``on``: the latest-starting uploaded version whose
    dates cover the day, else the built-in default."""
    found = (
        DocumentTemplate.objects.filter(form=code, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .order_by("-valid_from", "-id")
        .first()
    )
    if found is not None:
        return ChosenTemplate(code, found.title, bytes(found.content), found)
    return ChosenTemplate(code, defaults.title(code), default_content(code), None)


_DEFAULTS: dict[str, bytes] = {}


def default_content(code: str) -> bytes:
    if code not in _DEFAULTS:
        _DEFAULTS[code] = defaults.build(code)
    return _DEFAULTS[code]


def render_docx(chosen: ChosenTemplate, context: dict[str, Any]) -> bytes:
    """The template filled in. Uploaded templates are Jinja run on the server: a sandboxed
    environment keeps one from reaching Python's internals (``{{ x.__class__ … }}``)."""
    document = DocxTemplate(io.BytesIO(chosen.content))
    document.render(
        {"title": chosen.title, **context},
        jinja_env=SandboxedEnvironment(autoescape=True),
        autoescape=True,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def check_template(content: bytes) -> list[str]:
    """The fields an uploaded template uses; ValueError if it is not a docxtpl template."""
    try:
        document = DocxTemplate(io.BytesIO(content))
        return sorted(document.get_undeclared_template_variables())
    except Exception as error:  # noqa: BLE001 (zip, XML or Jinja: all mean "not a template")
        raise ValueError(str(error)) from error


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ImproperlyConfigured(
        "LibreOffice is not installed (apt-get install libreoffice-writer-nogui fonts-dejavu)"
    )


def to_pdf(docx: bytes) -> bytes:
    """The DOCX converted by LibreOffice headless."""
    return to_pdf_many([docx])[0]


def to_pdf_many(documents: list[bytes]) -> list[bytes]:
    """Several DOCX converted by one LibreOffice start (a start costs seconds)."""
    with tempfile.TemporaryDirectory(prefix="hcd-") as work:
        folder = Path(work)
        sources = []
        for index, docx in enumerate(documents):
            source = folder / f"document-{index}.docx"
            source.write_bytes(docx)
            sources.append(source)
        subprocess.run(  # noqa: S603 (a fixed program, our own file)
            [
                soffice(),
                f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *(str(source) for source in sources),
            ],
            check=True,
            capture_output=True,
            timeout=PDF_TIMEOUT,
        )
        return [source.with_suffix(".pdf").read_bytes() for source in sources]
