"""GET /privacy: the privacy statement in every language Wegwijs speaks, server-rendered.

The texts are in knowledge/i18n/<lang>/messages/privacy.yaml (Dutch is the legal source). The
language is ?lang= when Wegwijs speaks it, else the best one in the browser's Accept-Language
header, else Dutch; the page links to the other languages.

Each municipality has its own statement: `/privacy/<slug>` (its web chat slug or id) or
`/privacy?municipality=<id>`, with its controller details (`privacy` in its file) and its
retention period (`bewaartermijn_dagen`, else WEGWIJS_RETENTION_DAYS). `/privacy` is the
deployment's default municipality's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from gateway.core.config import Settings
from gateway.core.tenancy import Tenancy
from knowledge import languages, texts
from knowledge.loader import Municipality

DOMAIN = "privacy"
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
router = APIRouter(tags=["privacy"])
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _speaks(tag: str | None) -> str | None:
    """The language code for a tag like 'pt-BR' or 'tr', when Wegwijs speaks it."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in languages.CODES else None


def accepted_language(header: str | None) -> str | None:
    """The first language of an Accept-Language header that Wegwijs speaks, by quality (q=)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "")[:1000].split(",")[:30]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        code = _speaks(tag)
        if code and quality > 0:
            ranked.append((-quality, index, code))
    return min(ranked)[2] if ranked else None


def _rich(value: str) -> Markup:
    """Catalogue text as HTML: escaped, with **bold** shown as <strong>. A bold command is isolated
    with its own direction, so "/verwijder" inside Arabic text keeps its slash in front."""
    return Markup(_BOLD.sub(lambda m: f'<strong dir="auto">{m.group(1)}</strong>', str(escape(value))))


def page_texts(
    lang: str, municipality: str, retention_days: int, privacy: dict[str, str] | None = None
) -> dict[str, Markup]:
    """The page's texts in `lang`; `privacy` is the municipality's controller details (the lines
    without a value are left out of the page)."""
    privacy = privacy or {}
    params: dict[str, dict[str, object]] = {
        "intro": {"municipality": municipality},
        "how_long": {"retention_days": retention_days},
        "controller": {"controller": privacy.get("verwerkingsverantwoordelijke", "")},
        "controller_contact": {"contact": privacy.get("contact", "")},
        "dpo": {"dpo": privacy.get("fg", "")},
    }
    out: dict[str, Markup] = {}
    for key in texts.keys(DOMAIN):
        name = key.partition(".")[2]
        out[name] = _rich(texts.text(key, lang, **params.get(name, {})))
    return out


def retention_days_of(municipality: Municipality | None, settings: Settings) -> int:
    """The municipality's retention period (`bewaartermijn_dagen`), else WEGWIJS_RETENTION_DAYS."""
    days = municipality.bewaartermijn_dagen if municipality is not None else None
    return int(days) if days else settings.retention_days


def _tenancy(request: Request) -> Tenancy:
    service = getattr(request.app.state, "conversations", None)
    tenancy = getattr(service, "tenancy", None)
    return tenancy if isinstance(tenancy, Tenancy) else Tenancy.from_settings(request.app.state.settings)


@router.get(
    "/privacy", response_class=HTMLResponse,
    summary="Privacy statement (?lang= nl, en, tr, ar or pt; else the Accept-Language header; "
    "?municipality= a municipality's id, else the default)",
)
def privacy_page(
    request: Request,
    lang: Annotated[str | None, Query()] = None,
    municipality: Annotated[str | None, Query(max_length=64)] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    return _page(request, municipality, lang, accept_language)


@router.get("/privacy/{slug}", response_class=HTMLResponse, summary="A municipality's privacy statement")
def municipality_privacy_page(
    request: Request,
    slug: str,
    lang: Annotated[str | None, Query()] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    return _page(request, slug, lang, accept_language)


def _page(request: Request, wanted: str | None, lang: str | None, accept_language: str | None) -> HTMLResponse:
    settings = request.app.state.settings
    tenancy = _tenancy(request)
    municipality_id = tenancy.default
    if wanted:
        found = tenancy.by_webchat(wanted)
        if found is None:
            raise HTTPException(status_code=404, detail="unknown municipality")
        municipality_id = found
    municipality = tenancy.get(municipality_id)
    language = _speaks(lang) or accepted_language(accept_language) or languages.SOURCE
    privacy = dict(municipality.privacy) if municipality is not None else {}
    response = templates.TemplateResponse(
        request,
        "privacy.html",
        {
            "lang": language,
            "dir": languages.direction(language),
            "t": page_texts(language, tenancy.name(municipality_id), retention_days_of(municipality, settings),
                            privacy),
            "privacy": privacy,
            "path": request.url.path,
            "chat": "/chat/" + tenancy.webchat_slug(municipality_id) if wanted else "/",
            "others": [{"code": code, "name": languages.name(code), "dir": languages.direction(code)}
                       for code in languages.CODES if code != language],
        },
    )
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    return response
