"""The consultant inbox: login, queue, ticket page, statistics, and a small JSON API.

Pages (Dutch, server-rendered, forms work without JavaScript):
    GET  /inbox/login · POST /inbox/login · POST /inbox/login/totp (second step) · POST /inbox/logout
    GET  /inbox (queue; ?view=waiting|mine|open|closed|all&language=&reason=&my_languages=1)
    POST /inbox/languages (the languages the consultant speaks)
    GET  /inbox/tickets/{id} · POST /inbox/tickets/{id}/{claim,reply,notes,close}
    GET  /inbox/stats (?municipality=<code> or ?team=<slug>: one municipality, or a team's region)
    /inbox/admin/... (teams and consultants; admins only: gateway/inbox/admin.py)
Every route filters by the consultant's municipalities (gateway/inbox/access.py): a ticket of
another municipality answers 404, as one that does not exist.
JSON API (header X-CSRF-Token on POST):
    GET  /inbox/api/tickets · GET /inbox/api/tickets/{id}
    POST /inbox/api/tickets/{id}/{claim,reply,notes,close}
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from gateway.core.config import Settings
from gateway.core.models import utcnow
from gateway.inbox import crud, stats, throttle
from gateway.inbox.access import (
    ApiScope,
    ApiWriteScope,
    PageFormScope,
    PageScope,
    Scope,
    not_found,
    visible_ticket,
)
from gateway.inbox.deps import (
    ApiConsultant,
    ApiWriteConsultant,
    HandoffDep,
    PageConsultant,
    PageFormConsultant,
    SessionFactoryDep,
    check_csrf,
    csrf_token,
)
from gateway.inbox.i18n import ui
from gateway.inbox.models import CLOSE_REASONS, Consultant, parse_languages
from gateway.inbox.schemas import ActionResult, TicketDetailPublic, TicketsPublic
from gateway.inbox.security import authenticate, close_session, open_session, totp_enabled, verify_totp
from gateway.inbox.service import DeliveryFailed, TicketConflict, TicketNotFound
from gateway.inbox.views import (
    LANGUAGE_LABELS,
    municipality_labels,
    spoken_labels,
    ticket_detail,
    ticket_summary,
)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

page_router = APIRouter(prefix="/inbox", include_in_schema=False)
api_router = APIRouter(prefix="/inbox/api", tags=["inbox"])

VIEW_LABELS = {
    "waiting": ui("state_waiting"), "mine": ui("view_mine"), "open": ui("view_open"), "closed": ui("state_closed"),
}
REASON_FILTERS = {reason: ui(f"reason_{reason}") for reason in ("user_request", "fallback", "topic", "danger")}
MAX_TEXT = 4000
TicketId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="Ticket number")]


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    context = {"csrf_token": csrf_token(request), "flash": request.session.pop("flash", None), "t": ui, **context}
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "on", "true", "yes", "ja")


def _queue(
    sessions: SessionFactoryDep, request: Request, scope: Scope, view: str, language: str | None,
    reason: str | None, my_languages: str | None = None,
) -> dict[str, Any]:
    consultant = scope.consultant
    view = view if view in crud.VIEWS else "waiting"
    language = language if language in LANGUAGE_LABELS else None
    reason = reason if reason in REASON_FILTERS else None
    only_mine = _flag(my_languages)
    spoken = consultant.language_codes
    now = utcnow()
    with sessions() as session:
        tickets = crud.list_tickets(
            session=session, scope=scope, view=view, consultant_id=consultant.id, language=language, reason=reason,
            spoken=spoken if only_mine else None,
        )
        names = crud.consultant_names(session=session)
        counts = crud.count_tickets(session=session, scope=scope)
        items = [ticket_summary(t, names, _tz(request), now, spoken=spoken) for t in tickets]
    return {
        "view": view, "language": language or "", "reason": reason or "", "my_languages": only_mine,
        "spoken": list(spoken), "counts": counts, "tickets": items,
    }


# -- login ------------------------------------------------------------------------------
def _safe_next(value: str | None) -> str:
    if value and value.startswith("/inbox") and not value.startswith("//") and "\\" not in value:
        return value
    return "/inbox"


@page_router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    return _render(request, "login.html", {"next": _safe_next(next), "error": None})


# The password (argon2, ~0.2 s of CPU) and every database step of a login run in a worker
# thread (`run_in_threadpool`), never on the event loop that serves everyone else.
TOTP_PENDING_S = 300  # the second step must follow the password within 5 minutes


@dataclass
class LoginOutcome:
    token: str | None = None  # logged in: the new session's token
    totp_consultant: int | None = None  # password right, code needed
    locked_until: Any = None  # datetime: refused, or the failure that started a lock
    failed: bool = False


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _password_step(
    sessions: Any, settings: Settings, email: str, password: str, ip: str | None
) -> LoginOutcome:
    found = throttle.subjects(settings, email=email, ip=ip)
    with sessions() as session:
        until = throttle.locked_until(session, found)
        if until is not None:
            return LoginOutcome(locked_until=until)
        consultant = authenticate(session=session, email=email, password=password)
        if consultant is None:
            until = throttle.record_failure(session, settings, found)
            session.commit()
            return LoginOutcome(failed=True, locked_until=until)
        throttle.record_success(session, found)
        if totp_enabled(session, consultant.id):
            session.commit()
            return LoginOutcome(totp_consultant=consultant.id)
        token = open_session(
            session=session, consultant=consultant, hours=settings.inbox_session_hours,
            idle_minutes=settings.inbox_idle_minutes,
        )
        session.commit()
        return LoginOutcome(token=token)


def _totp_step(sessions: Any, settings: Settings, consultant_id: int, code: str, ip: str | None) -> LoginOutcome:
    with sessions() as session:
        consultant = session.get(Consultant, consultant_id)
        if consultant is None or not consultant.active:
            return LoginOutcome(failed=True)
        found = throttle.subjects(settings, email=consultant.email, ip=ip)
        until = throttle.locked_until(session, found)
        if until is not None:
            return LoginOutcome(locked_until=until)
        if not verify_totp(session=session, consultant_id=consultant_id, code=code):
            until = throttle.record_failure(session, settings, found)
            session.commit()
            return LoginOutcome(failed=True, locked_until=until)
        throttle.record_success(session, found)
        token = open_session(
            session=session, consultant=consultant, hours=settings.inbox_session_hours,
            idle_minutes=settings.inbox_idle_minutes,
        )
        session.commit()
        return LoginOutcome(token=token)


def _locked_page(request: Request, template: str, context: dict[str, Any], until: Any) -> HTMLResponse:
    local = until.astimezone(_tz(request)).strftime("%H:%M")
    response = _render(
        request, template, {**context, "error": ui("login_locked", time=local)},
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
    )
    response.headers["Retry-After"] = str(max(1, math.ceil((until - utcnow()).total_seconds())))
    return response


def _logged_in(request: Request, token: str, next_path: str) -> Response:
    request.session.clear()  # a fresh cookie session: no fixation, no pending second step
    request.session["sid"] = token
    csrf_token(request)  # a fresh token for the logged-in session
    return RedirectResponse(_safe_next(next_path), status_code=status.HTTP_303_SEE_OTHER)


@page_router.post("/login", response_class=HTMLResponse, dependencies=[])
async def login(
    request: Request,
    sessions: SessionFactoryDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=300)] = "/inbox",  # noqa: A002
) -> Response:
    await check_csrf(request)
    settings = request.app.state.settings
    outcome = await run_in_threadpool(_password_step, sessions, settings, email, password, _client_ip(request))
    context = {"next": _safe_next(next)}
    if outcome.locked_until is not None:
        return _locked_page(request, "login.html", context, outcome.locked_until)
    if outcome.failed:
        return _render(
            request, "login.html", {**context, "error": ui("login_failed")},
            status_code=status.HTTP_400_BAD_REQUEST,
        )
    if outcome.totp_consultant is not None:
        request.session.pop("sid", None)
        request.session["totp"] = {"cid": outcome.totp_consultant, "at": int(time.time()), "next": _safe_next(next)}
        return _render(request, "login_totp.html", {"error": None})
    assert outcome.token is not None
    return _logged_in(request, outcome.token, next)


@page_router.post("/login/totp", response_class=HTMLResponse)
async def login_totp(
    request: Request,
    sessions: SessionFactoryDep,
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    await check_csrf(request)
    pending = request.session.get("totp")
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > TOTP_PENDING_S:
        request.session.pop("totp", None)
        request.session["flash"] = ui("totp_expired")
        return RedirectResponse("/inbox/login", status_code=status.HTTP_303_SEE_OTHER)
    settings = request.app.state.settings
    outcome = await run_in_threadpool(_totp_step, sessions, settings, int(pending["cid"]), code, _client_ip(request))
    if outcome.locked_until is not None:
        request.session.pop("totp", None)
        return _locked_page(request, "login.html", {"next": pending.get("next", "/inbox")}, outcome.locked_until)
    if outcome.token is None:
        return _render(request, "login_totp.html", {"error": ui("totp_wrong")}, status_code=status.HTTP_400_BAD_REQUEST)
    return _logged_in(request, outcome.token, str(pending.get("next", "/inbox")))


@page_router.post("/logout")
def logout(request: Request, sessions: SessionFactoryDep, _: PageFormConsultant) -> Response:
    with sessions() as session:
        close_session(session=session, token=request.session.get("sid"))
        session.commit()
    request.session.clear()
    request.session["flash"] = ui("logged_out")
    return RedirectResponse("/inbox/login", status_code=status.HTTP_303_SEE_OTHER)


# -- pages ------------------------------------------------------------------------------
@page_router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    sessions: SessionFactoryDep,
    consultant: PageConsultant,
    scope: PageScope,
    view: str = "waiting",
    language: str | None = None,
    reason: str | None = None,
    my_languages: str | None = None,
) -> HTMLResponse:
    context = _queue(sessions, request, scope, view, language, reason, my_languages)
    query = urlencode({
        "view": context["view"], "language": context["language"], "reason": context["reason"],
        "my_languages": "1" if context["my_languages"] else "",
    })
    return _render(
        request, "queue.html",
        {**context, "consultant": consultant, "view_labels": VIEW_LABELS, "reason_filters": REASON_FILTERS,
         "language_labels": LANGUAGE_LABELS, "spoken_label": spoken_labels(consultant.language_codes),
         "query": query, "municipalities": municipality_labels(scope.codes)},
    )


@page_router.post("/languages")
def languages_form(
    request: Request, sessions: SessionFactoryDep, consultant: PageFormConsultant,
    languages: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies it
    next: Annotated[str, Form(max_length=300)] = "/inbox",  # noqa: A002
) -> Response:
    """The consultant sets the languages they speak (checkboxes on the queue page)."""
    try:
        value = parse_languages(languages)
    except ValueError:
        request.session["flash"] = ui("my_languages_none")
    else:
        with sessions() as session:
            row = session.get(Consultant, consultant.id)
            if row is not None:
                row.languages = value
                session.commit()
        request.session["flash"] = ui("my_languages_saved", languages=spoken_labels(value.split(",")))
    return RedirectResponse(_safe_next(next), status_code=status.HTTP_303_SEE_OTHER)


@page_router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(
    request: Request, sessions: SessionFactoryDep, consultant: PageConsultant, scope: PageScope, ticket_id: TicketId
) -> HTMLResponse:
    with sessions() as session:
        ticket = visible_ticket(session, scope, ticket_id)
        if ticket is None:
            raise not_found()
        detail = ticket_detail(session, ticket, _tz(request), spoken=consultant.language_codes)
    return _render(
        request, "ticket.html",
        {"ticket": detail, "consultant": consultant, "close_reasons": CLOSE_REASONS},
    )


def _back(ticket_id: TicketId) -> RedirectResponse:
    return RedirectResponse(f"/inbox/tickets/{ticket_id}", status_code=status.HTTP_303_SEE_OTHER)


async def _run_page_action(request: Request, ticket_id: TicketId, action: Any, done: str) -> Response:
    try:
        result = action()
        if hasattr(result, "__await__"):
            await result
        request.session["flash"] = done
    except TicketNotFound:
        raise not_found() from None
    except TicketConflict as exc:
        request.session["flash"] = str(exc)
    except DeliveryFailed:
        request.session["flash"] = ui("delivery_failed_retry")
    return _back(ticket_id)


@page_router.post("/tickets/{ticket_id}/claim")
async def claim_form(
    request: Request, handoff: HandoffDep, consultant: PageFormConsultant, scope: PageFormScope, ticket_id: TicketId
) -> Response:
    return await _run_page_action(
        request, ticket_id, lambda: handoff.claim(ticket_id=ticket_id, consultant=consultant, scope=scope),
        ui("claimed"),
    )


@page_router.post("/tickets/{ticket_id}/reply")
async def reply_form(
    request: Request, handoff: HandoffDep, consultant: PageFormConsultant, scope: PageFormScope, ticket_id: TicketId,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> Response:
    return await _run_page_action(
        request, ticket_id, lambda: handoff.reply(ticket_id=ticket_id, consultant=consultant, text=text, scope=scope),
        ui("replied"),
    )


@page_router.post("/tickets/{ticket_id}/notes")
async def note_form(
    request: Request, handoff: HandoffDep, consultant: PageFormConsultant, scope: PageFormScope, ticket_id: TicketId,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> Response:
    return await _run_page_action(
        request, ticket_id,
        lambda: handoff.add_note(ticket_id=ticket_id, consultant=consultant, text=text, scope=scope),
        "Notitie opgeslagen.",
    )


@page_router.post("/tickets/{ticket_id}/close")
async def close_form(
    request: Request, handoff: HandoffDep, consultant: PageFormConsultant, scope: PageFormScope, ticket_id: TicketId,
    reason: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    return await _run_page_action(
        request, ticket_id,
        lambda: handoff.close(ticket_id=ticket_id, consultant=consultant, reason=reason, scope=scope),
        ui("closed"),
    )


@page_router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request, sessions: SessionFactoryDep, consultant: PageConsultant, scope: PageScope,
    municipality: Annotated[str | None, Query(max_length=64)] = None,
    team: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """Statistics of the consultant's municipalities: all of them, one (`municipality`), or the
    region of one of their teams (`team`), with a row per municipality and the team's sum."""
    settings = request.app.state.settings
    now = utcnow()
    with sessions() as session:
        shown, choice = stats.choose_scope(session, scope, municipality=municipality, team=team)
        ticket_report = stats.ticket_stats(session=session, now=now, tz=_tz(request), scope=shown)
        regions = stats.regions(session=session, scope=scope, now=now, tz=_tz(request))
        tracker_report = stats.tracker_stats(
            settings.tracker_url, now=now, tz=_tz(request), senders=stats.sender_filter(session, shown)
        )
    return _render(
        request, "stats.html",
        {"consultant": consultant, "tickets": ticket_report, "tracker": tracker_report,
         "charts": stats.charts(ticket_report, tracker_report), "choice": choice, "regions": regions,
         "municipalities": municipality_labels(scope.codes)},
    )


# -- JSON API ---------------------------------------------------------------------------
class TextBody(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class CloseBody(BaseModel):
    reason: str = Field(max_length=40, description="One of: " + ", ".join(CLOSE_REASONS))

    @field_validator("reason")
    @classmethod
    def _known_reason(cls, value: str) -> str:
        if value not in CLOSE_REASONS:
            raise ValueError("unknown close reason; use one of: " + ", ".join(CLOSE_REASONS))
        return value


@api_router.get("/tickets", response_model=TicketsPublic, summary="The queue (same filters as the page)")
def list_tickets_api(
    request: Request,
    sessions: SessionFactoryDep,
    scope: ApiScope,
    view: Annotated[str, Query(max_length=10)] = "waiting",
    language: Annotated[str | None, Query(max_length=8)] = None,
    reason: Annotated[str | None, Query(max_length=20)] = None,
    my_languages: Annotated[str | None, Query(max_length=5, description="1: only the consultant's languages")] = None,
) -> dict[str, Any]:
    return _queue(sessions, request, scope, view, language, reason, my_languages)


@api_router.get("/tickets/{ticket_id}", response_model=TicketDetailPublic, summary="One ticket with context and timeline")
def get_ticket_api(
    request: Request, sessions: SessionFactoryDep, consultant: ApiConsultant, scope: ApiScope, ticket_id: TicketId
) -> dict[str, Any]:
    with sessions() as session:
        ticket = visible_ticket(session, scope, ticket_id)
        if ticket is None:
            raise not_found()
        return ticket_detail(session, ticket, _tz(request), spoken=consultant.language_codes)


async def _run_api_action(action: Any) -> dict[str, Any]:
    try:
        result = action()
        if hasattr(result, "__await__"):
            result = await result
    except TicketNotFound:
        raise not_found() from None
    except TicketConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    except DeliveryFailed:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=ui("delivery_failed")) from None
    return {"ok": True, "id": result if isinstance(result, int) else None}


@api_router.post("/tickets/{ticket_id}/claim", response_model=ActionResult, summary="Claim a waiting ticket")
async def claim_api(
    handoff: HandoffDep, consultant: ApiWriteConsultant, scope: ApiWriteScope, ticket_id: TicketId
) -> dict[str, Any]:
    return await _run_api_action(lambda: handoff.claim(ticket_id=ticket_id, consultant=consultant, scope=scope))


@api_router.post("/tickets/{ticket_id}/reply", response_model=ActionResult, summary="Send a reply to the user's channel")
async def reply_api(
    handoff: HandoffDep, consultant: ApiWriteConsultant, scope: ApiWriteScope, ticket_id: TicketId, body: TextBody
) -> dict[str, Any]:
    return await _run_api_action(
        lambda: handoff.reply(ticket_id=ticket_id, consultant=consultant, text=body.text, scope=scope)
    )


@api_router.post("/tickets/{ticket_id}/notes", response_model=ActionResult, summary="Add an internal note")
async def note_api(
    handoff: HandoffDep, consultant: ApiWriteConsultant, scope: ApiWriteScope, ticket_id: TicketId, body: TextBody
) -> dict[str, Any]:
    return await _run_api_action(
        lambda: handoff.add_note(ticket_id=ticket_id, consultant=consultant, text=body.text, scope=scope)
    )


@api_router.post("/tickets/{ticket_id}/close", response_model=ActionResult, summary="Close the ticket; the bot answers again")
async def close_api(
    handoff: HandoffDep, consultant: ApiWriteConsultant, scope: ApiWriteScope, ticket_id: TicketId, body: CloseBody
) -> dict[str, Any]:
    return await _run_api_action(
        lambda: handoff.close(ticket_id=ticket_id, consultant=consultant, reason=body.reason, scope=scope)
    )
