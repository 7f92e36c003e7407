"""The news editor in the inbox (pages, Dutch, forms work without JavaScript).

    GET  /inbox/news                 the form, the subscribers per municipality, recent messages
    POST /inbox/news/preview         what each language's subscribers will read (the form again)
    POST /inbox/news/send            store the message and one delivery per subscriber; redirect
    GET  /inbox/news/{news_id}       one message with its delivery counts (sent, failed, stopped)

Access: `gateway.inbox.access` (the inbox's one rule): an editor chooses among, sends to and
sees the messages of the municipalities of their teams only; another municipality answers 404.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from gateway.inbox.access import PageFormScope, PageScope, Scope, not_found
from gateway.inbox.deps import csrf_token
from gateway.inbox.i18n import ui
from gateway.inbox.views import LANGUAGE_LABELS
from gateway.news.service import NewsService
from gateway.news.texts import municipality_name, render
from knowledge import languages

HERE = Path(__file__).resolve().parent
INBOX_TEMPLATES = HERE.parent / "inbox" / "templates"
templates = Jinja2Templates(directory=[HERE / "templates", INBOX_TEMPLATES])  # base.html is the inbox's

page_router = APIRouter(prefix="/inbox/news", include_in_schema=False)

MAX_TEXT = 1000  # a short message: about a phone screen
MAX_LINK = 500
NewsId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="News message number")]


def _news(request: Request) -> NewsService:
    return request.app.state.news


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    context = {
        "csrf_token": csrf_token(request), "flash": request.session.pop("flash", None), "t": ui,
        "active": "news", "language_labels": LANGUAGE_LABELS, **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _form_context(request: Request, scope: Scope, form: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    news = _news(request)
    counts = news.subscriber_counts(scope.codes)
    recent = news.recent(scope.codes)
    tallies = news.counts(m.id for m in recent)
    zone = ZoneInfo(request.app.state.settings.timezone)
    return {
        "consultant": scope.consultant,
        "municipalities": [(code, municipality_name(code), counts[code]) for code in scope.codes],
        "languages": list(languages.CODES),
        "form": form,
        "errors": errors,
        "recent": [
            {"id": m.id, "municipality": municipality_name(m.municipality), "when": _when(m.created_at, zone),
             "text": (m.texts.get(languages.SOURCE) or "")[:80], "recipients": m.recipients, "counts": tallies[m.id]}
            for m in recent
        ],
    }


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d-%m-%Y %H:%M")


def _read_form(
    municipality: str, link: str, form_key: str, text_nl: str, text_en: str, text_tr: str, text_ar: str, text_pt: str
) -> dict[str, Any]:
    given = {"nl": text_nl, "en": text_en, "tr": text_tr, "ar": text_ar, "pt": text_pt}
    return {
        "municipality": municipality.strip(),
        "link": link.strip(),
        "form_key": form_key if 16 <= len(form_key) <= 64 and form_key.isalnum() else secrets.token_hex(16),
        "texts": {lang: value.strip() for lang, value in given.items() if lang in languages.CODES},
    }


def _errors(form: dict[str, Any]) -> list[str]:
    errors = []
    texts: dict[str, str] = form["texts"]
    if not texts.get(languages.SOURCE):
        errors.append(ui("news_error_dutch"))
    if any(len(text) > MAX_TEXT for text in texts.values()):
        errors.append(ui("news_error_long", max=MAX_TEXT))
    link = form["link"]
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("https", "http") or not parts.netloc or len(link) > MAX_LINK or any(c.isspace() for c in link):
            errors.append(ui("news_error_link"))
    return errors


def _previews(form: dict[str, Any]) -> list[dict[str, Any]]:
    texts = {lang: text for lang, text in form["texts"].items() if text}
    return [
        {"lang": lang, "dutch_fallback": lang not in texts, "direction": languages.direction(lang),
         "text": render(texts, form["link"] or None, form["municipality"], lang)}
        for lang in languages.CODES
    ]


Text = Annotated[str, Form(max_length=MAX_TEXT * 4)]


@page_router.get("", response_class=HTMLResponse)
def news_page(request: Request, scope: PageScope) -> HTMLResponse:
    form = {"municipality": scope.codes[0] if scope.codes else "", "link": "", "form_key": secrets.token_hex(16),
            "texts": {}}
    return _render(request, "news.html", _form_context(request, scope, form, []))


@page_router.post("/preview", response_class=HTMLResponse)
def news_preview(
    request: Request,
    scope: PageFormScope,
    municipality: Annotated[str, Form(max_length=64)] = "",
    link: Annotated[str, Form(max_length=MAX_LINK * 2)] = "",
    form_key: Annotated[str, Form(max_length=64)] = "",
    text_nl: Text = "", text_en: Text = "", text_tr: Text = "", text_ar: Text = "", text_pt: Text = "",
) -> HTMLResponse:
    form = _read_form(municipality, link, form_key, text_nl, text_en, text_tr, text_ar, text_pt)
    if form["municipality"] not in scope.municipalities:
        raise not_found()
    errors = _errors(form)
    context = _form_context(request, scope, form, errors)
    if not errors:
        context["previews"] = _previews(form)
        context["recipients"] = {code: n for code, _, n in context["municipalities"]}[form["municipality"]]
    return _render(request, "news.html", context, status_code=422 if errors else 200)


@page_router.post("/send", response_class=HTMLResponse)
def news_send(
    request: Request,
    scope: PageFormScope,
    municipality: Annotated[str, Form(max_length=64)] = "",
    link: Annotated[str, Form(max_length=MAX_LINK * 2)] = "",
    form_key: Annotated[str, Form(max_length=64)] = "",
    text_nl: Text = "", text_en: Text = "", text_tr: Text = "", text_ar: Text = "", text_pt: Text = "",
) -> Any:
    form = _read_form(municipality, link, form_key, text_nl, text_en, text_tr, text_ar, text_pt)
    if form["municipality"] not in scope.municipalities:  # another team's municipality: as if absent
        raise not_found()
    errors = _errors(form)
    if errors:
        return _render(request, "news.html", _form_context(request, scope, form, errors), status_code=422)
    news = _news(request)
    texts = {lang: text for lang, text in form["texts"].items() if text}
    news_id, created = news.create(
        municipality=form["municipality"], texts=texts, link=form["link"] or None,
        consultant_id=scope.consultant_id, form_key=form["form_key"],
    )
    if created:
        _nudge(request)
    request.session["flash"] = ui("news_sent_flash") if created else ui("news_already_sent")
    return RedirectResponse(f"/inbox/news/{news_id}", status_code=303)


@page_router.get("/{news_id}", response_class=HTMLResponse)
def news_detail(request: Request, scope: PageScope, news_id: NewsId) -> HTMLResponse:
    news = _news(request)
    message = news.get(news_id)
    if message is None or message.municipality not in scope.municipalities:
        raise not_found()
    zone = ZoneInfo(request.app.state.settings.timezone)
    return _render(request, "news_detail.html", {
        "consultant": scope.consultant,
        "message": message,
        "municipality": municipality_name(message.municipality),
        "when": _when(message.created_at, zone),
        "counts": news.counts([message.id])[message.id],
        "previews": _previews({"texts": message.texts, "link": message.link or "", "municipality": message.municipality}),
    })


def _nudge(request: Request) -> None:
    """Run the scheduler's news job now instead of at its next interval (when it runs)."""
    scheduler = getattr(request.app.state, "scheduler", None)
    if scheduler is None:
        return
    try:
        scheduler.modify_job("news", next_run_time=datetime.now(ZoneInfo(request.app.state.settings.timezone)))
    except Exception:  # noqa: BLE001 - the job's own interval sends it anyway
        return
