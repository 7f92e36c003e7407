"""Every text a user or consultant reads on a page comes from a catalogue, never from a template.

Walks the Jinja templates (``*.html``) under gateway/ and channels/, removes Jinja comments,
statements and expressions, scripts, styles and HTML comments, and looks at what is left: the text
between tags and the attributes people read (``title``, ``aria-label``, ``placeholder``, ``alt``).
Text with three or more words of letters is a sentence written in the template: it belongs in
``knowledge/i18n/nl/messages/<domain>.yaml`` and is rendered with ``{{ t("key") }}``. String literals
inside Jinja (``{{ x or "Geen tickets gevonden" }}``) are checked the same way.

Inline tags (``<span>``, ``<a>``, ``<strong>``, …) do not end a text, so a sentence split by markup
is still found; block tags (``<p>``, ``<li>``, ``<td>``, …) do.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["gateway", "channels"]
MIN_WORDS = 3

# Text that may stay in a template, with the reason. Product names only.
ALLOWED: dict[str, str] = {}

READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "em", "i", "kbd", "mark", "q", "s",
    "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
}

JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
JINJA_BLOCK = re.compile(r"\{%-?(.*?)-?%\}|\{\{-?(.*?)-?\}\}", re.S)
JINJA_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<(/?)([a-zA-Z!][\w:-]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>", re.S)
ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
WORD = re.compile(r"[^\W\d_]+")
SEPARATOR = "\x00"


def _words(text: str) -> int:
    return len(WORD.findall(text))


def texts_in(source: str) -> list[str]:
    """The texts in a template's source that read like words written for people."""
    found: list[str] = []
    source = JINJA_COMMENT.sub(" ", source)

    # String literals inside Jinja: a key has no spaces, a sentence does.
    for match in JINJA_BLOCK.finditer(source):
        code = match.group(1) if match.group(1) is not None else match.group(2)
        for literal in JINJA_STRING.finditer(code):
            value = literal.group(1) if literal.group(1) is not None else literal.group(2)
            if sum(1 for token in value.split() if WORD.search(token)) >= MIN_WORDS:
                found.append(value)

    source = JINJA_BLOCK.sub(" ", source)
    source = HTML_COMMENT.sub(SEPARATOR, source)
    source = RAW_TEXT.sub(SEPARATOR, source)

    def tag(match: re.Match[str]) -> str:
        for name, quoted in ATTRIBUTE.findall(match.group(3)):
            if name.lower() in READ_ATTRIBUTES:
                value = html.unescape(quoted[1:-1]).strip()
                if _words(value) >= MIN_WORDS:
                    found.append(value)
        return " " if match.group(2).lower() in INLINE_TAGS else SEPARATOR

    text = TAG.sub(tag, source)
    for part in text.split(SEPARATOR):
        part = " ".join(html.unescape(part).split())
        if _words(part) >= MIN_WORDS:
            found.append(part)
    return [text for text in found if text not in ALLOWED]


def templates() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for folder in FOLDERS
        for path in (ROOT / folder).rglob("*.html")
    )


@pytest.mark.parametrize("template", templates())
def test_no_text_is_written_in_a_template(template: str) -> None:
    assert texts_in((ROOT / template).read_text(encoding="utf-8")) == []


def test_the_walk_finds_the_templates() -> None:
    found = templates()
    assert "gateway/inbox/templates/stats.html" in found
    assert "channels/webchat/templates/chat.html" in found


def test_every_allowed_text_has_a_reason() -> None:
    assert all(reason.strip() for reason in ALLOWED.values())


def test_a_sentence_in_a_template_is_found_and_catalogue_text_is_not() -> None:
    sample = """{% extends "base.html" %}
{# A comment for developers is not shown. #}
{% block content %}
<h1>{{ t("stats_title") }}</h1>
<p class="notice">{{ t("stats_tracker_missing", setting="WEGWIJS_TRACKER_URL") }}</p>
<a class="brand" href="/inbox">Wegwijs <span>inbox</span></a>
<p class="muted">Ververst automatisch elke {{ seconds }} seconden.</p>
<label for="reply">Antwoord aan de <strong>gebruiker</strong> (<bdi>{{ lang }}</bdi>)</label>
<span class="wait" title="Tijd sinds het laatste bericht">{{ waiting }}</span>
<span class="summary">{{ summary or "Geen samenvatting beschikbaar" }}</span>
<script>const label = "not text for people";</script>
<ul><li>Alle</li><li>Open</li><li>Gesloten</li></ul>
{% endblock %}
"""
    assert texts_in(sample) == [
        "Geen samenvatting beschikbaar",
        "Tijd sinds het laatste bericht",
        "Ververst automatisch elke seconden.",
        "Antwoord aan de gebruiker ( )",
    ]
