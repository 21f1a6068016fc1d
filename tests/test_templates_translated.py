"""Every word a staff page shows comes through the translation catalogue (issue 14): the text of
each template outside ``{% translate %}`` / ``{% blocktranslate %}``, Django tags, variables and
HTML markup must hold no words. Brand names and codes that are the same in every language are
listed below. The public website keeps its own Vietnamese pages (templates/public/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SKIP_DIRS = {"public"}
# Text that is the same in every language: the service's name, file kinds, symbols.
SAME_IN_EVERY_LANGUAGE = {
    "Con đường hướng thiện",
    "JSON",
    "PDF",
    "CSV",
    "Excel (.xlsx)",
    "CSV UTF-8",
    "Excel",
    "HCD-09",
}
BLOCKS = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
TAGS = re.compile(r"{%.*?%}|{{.*?}}", re.S)
SCRIPTS = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S | re.I)
MARKUP = re.compile(r"<[^>]*>", re.S)
ATTRIBUTES = re.compile(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"')
WORD = re.compile(r"[^\W\d_]{2,}")


def untranslated(source: str) -> list[str]:
    source = COMMENTS.sub(" ", BLOCKS.sub(" ", source))
    found = [value for value in ATTRIBUTES.findall(source) if WORD.search(TAGS.sub(" ", value))]
    text = MARKUP.sub("\n", SCRIPTS.sub(" ", TAGS.sub(" ", source)))
    for line in text.splitlines():
        line = " ".join(line.split()).strip(" ·—–-:*/|,.;?!\"'")
        if line and WORD.search(line) and line not in SAME_IN_EVERY_LANGUAGE:
            found.append(line)
    return found


def staff_templates() -> list[Path]:
    return sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if not SKIP_DIRS & set(p.relative_to(TEMPLATES).parts)
    )


@pytest.mark.parametrize("path", staff_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_word_of_a_staff_template_is_translatable(path: Path) -> None:
    assert untranslated(path.read_text(encoding="utf-8")) == []
