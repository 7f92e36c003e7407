"""The regievoerder's view of the check-ins, in the inbox ("Voortgang").

    GET /inbox/voortgang                 people at risk (?risk=late|obstacle|all&obstacle=&language=)
    GET /inbox/voortgang/{id}            one person: timeline, projected dates, history, obstacles
    GET /inbox/voortgang/{id}/tijdlijn.png

Only people whose plan has `consent_at` (given and not revoked) are ever listed or shown, and
only within the consultant's municipalities (`gateway.inbox.access`, the inbox's one access rule);
every other id answers 404, the same as one that does not exist. The pages reuse the inbox's login,
base template and style.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.checkins import texts
from gateway.checkins.models import Checkin, CheckinPlan
from gateway.checkins.service import CheckinService, project
from gateway.core.models import Conversation
from gateway.inbox.access import PageScope, Scope, not_found
from gateway.inbox.deps import SessionFactoryDep, csrf_token
from gateway.inbox.i18n import UI_LANGUAGE, ui
from gateway.inbox.models import Ticket
from gateway.inbox.views import CHANNEL_LABELS, LANGUAGE_LABELS, language_direction, local_label
from knowledge.deadlines import format_date

HERE = Path(__file__).resolve().parent
INBOX_TEMPLATES = HERE.parent / "inbox" / "templates"
templates = Jinja2Templates(directory=[HERE / "templates", INBOX_TEMPLATES])
router = APIRouter(prefix="/inbox/voortgang", include_in_schema=False)

RISKS = ("late", "obstacle")
RISK_FILTERS = ("", "late", "obstacle", "all")  # "": anyone at risk; "all": everyone who consented
PlanId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]


def obstacle_label(kind: str | None) -> str:
    if kind in (None, "none"):
        return ui("progress_obstacle_none")
    return texts.t(texts.OBSTACLE_KEYS.get(kind, "obstacle_other"), UI_LANGUAGE)


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value), UI_LANGUAGE) if value else "–"


def _number(value: Any) -> str:
    from knowledge.deadlines.pace import number

    return number(round(float(value or 0), 1), UI_LANGUAGE)


def consented(session: Session, scope: Scope) -> list[tuple[CheckinPlan, Conversation, list[Checkin]]]:
    """Every plan in the scope whose person consented, with its conversation and check-ins (oldest first)."""
    rows = session.execute(
        select(CheckinPlan, Conversation)
        .join(Conversation, Conversation.id == CheckinPlan.conversation_id)
        .where(CheckinPlan.consent_at.is_not(None), scope.where(Conversation.municipality))
    ).all()
    ids = [plan.id for plan, _ in rows]
    history: dict[int, list[Checkin]] = {plan_id: [] for plan_id in ids}
    if ids:
        for checkin in session.scalars(select(Checkin).where(Checkin.plan_id.in_(ids)).order_by(Checkin.id)):
            history[checkin.plan_id].append(checkin)
    return [(plan, conversation, history[plan.id]) for plan, conversation in rows]


def person(plan: CheckinPlan, conversation: Conversation, history: list[Checkin], today: date, tz: ZoneInfo) -> dict[str, Any]:
    """One person as the list and the case view show them."""
    done = [c for c in history if c.status == "done" and c.result]
    latest = done[-1] if done else None
    snap: dict[str, Any] = dict((latest.result if latest else plan.baseline) or {})
    end = snap.get("termijn_end")
    days_left = (date.fromisoformat(end) - today).days if end else None
    obstacle = latest.obstacle if latest else None
    risks = [r for r, on in (("late", bool(snap.get("late"))), ("obstacle", obstacle not in (None, "none"))) if on]
    per_week = snap.get("per_week_since_last", snap.get("hours_per_week"))
    return {
        "id": plan.id,
        "url": f"/inbox/voortgang/{plan.id}",
        "label": ui("progress_person", id=plan.id),
        "language": conversation.language,
        "language_label": LANGUAGE_LABELS.get(conversation.language, conversation.language),
        "language_dir": language_direction(conversation.language),
        "channel_label": CHANNEL_LABELS.get(conversation.channel, conversation.channel),
        "status_label": ui(f"progress_status_{plan.status}"),
        "days_left": days_left,
        "days_label": (ui("progress_days_passed") if days_left is not None and days_left < 0
                       else ui("progress_days_left", days=days_left) if days_left is not None else "–"),
        "termijn_end": _day(end),
        "projected_600": _day(snap.get("hours_600_reached")),
        "pace": ui("progress_pace_value", hours=_number(per_week)) if per_week is not None else "–",
        "hours_total": _number(snap.get("hours_total", plan.hours_total)),
        "exams_total": snap.get("exams_total", plan.exams_total),
        "obstacle": obstacle or "",
        "obstacle_label": obstacle_label(obstacle),
        "risks": risks,
        "risk_labels": [ui(f"progress_risk_{r}") for r in risks],
        "last_checkin": local_label(latest.answered_at, tz) if latest else ui("progress_no_checkin_yet"),
        "consent_label": local_label(plan.consent_at, tz),
        "history": [
            {
                "number": c.number,
                "date": local_label(c.answered_at or c.sent_at or c.due_at, tz),
                # a button's range is shown beside its estimate ("38 (26-50)"); a typed number as it is
                "hours": (_number(c.hours) + (f" ({c.hours_choice})" if c.hours_choice and c.hours_choice[-1] in "0+"
                                              and not c.hours_choice.isdigit() else ""))
                if c.hours is not None else "–",
                "exams": c.exams if c.exams is not None else "–",
                "obstacle": obstacle_label(c.obstacle) if c.obstacle else "–",
                "status": ui(f"progress_checkin_{c.status}"),
                "changes": [change_label(change) for change in (c.result or {}).get("changes") or []],
            }
            for c in reversed(history)
        ],
        "obstacles": [
            {"date": local_label(c.answered_at, tz), "label": obstacle_label(c.obstacle)}
            for c in reversed(done) if c.obstacle not in (None, "none")
        ],
    }


def change_label(change: dict[str, Any]) -> str:
    code = str(change.get("code", ""))
    if code in ("600_earlier", "600_later"):
        return ui(f"progress_change_{code}", date=_day(change.get("to")))
    return ui(f"progress_change_{code}")


def at_risk(
    people: list[dict[str, Any]], *, risk: str = "", obstacle: str = "", language: str = ""
) -> list[dict[str, Any]]:
    """Filter (risk kind, obstacle kind, language) and sort by days left, fewest first."""
    chosen = []
    for item in people:
        if risk == "all":
            pass
        elif risk in RISKS:
            if risk not in item["risks"]:
                continue
        elif not item["risks"]:
            continue
        if obstacle and item["obstacle"] != obstacle:
            continue
        if language and item["language"] != language:
            continue
        chosen.append(item)
    return sorted(chosen, key=lambda p: (p["days_left"] is None, p["days_left"] if p["days_left"] is not None else 0, p["id"]))


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    context = {"csrf_token": csrf_token(request), "flash": request.session.pop("flash", None), "t": ui,
               "active": "progress", **context}
    return templates.TemplateResponse(request, name, context)


def _checkins(request: Request) -> CheckinService:
    return request.app.state.checkins


def _consented_one(session: Session, plan_id: int, scope: Scope) -> tuple[CheckinPlan, Conversation, list[Checkin]]:
    plan = session.get(CheckinPlan, plan_id)
    if plan is None or plan.consent_at is None:  # no consent: as if there were nobody
        raise not_found()
    conversation = session.get(Conversation, plan.conversation_id)
    if conversation is None:
        raise not_found()
    scope.require(conversation.municipality)  # another municipality's: the same 404
    history = list(session.scalars(select(Checkin).where(Checkin.plan_id == plan.id).order_by(Checkin.id)))
    return plan, conversation, history


@router.get("", response_class=HTMLResponse)
def progress_page(
    request: Request, sessions: SessionFactoryDep, scope: PageScope,
    risk: str = "", obstacle: str = "", language: str = "",
) -> HTMLResponse:
    risk = risk if risk in RISK_FILTERS else ""
    obstacle = obstacle if obstacle in texts.OBSTACLE_KEYS and obstacle != "none" else ""
    language = language if language in LANGUAGE_LABELS else ""
    today = _checkins(request).today()
    with sessions() as session:
        people = [person(p, c, h, today, _tz(request)) for p, c, h in consented(session, scope)]
    return _render(request, "progress.html", {
        "consultant": scope.consultant, "people": at_risk(people, risk=risk, obstacle=obstacle, language=language),
        "risk": risk, "obstacle": obstacle, "language": language,
        "risk_filters": {key: ui(f"progress_risk_{key or 'any'}") for key in RISK_FILTERS},
        "obstacle_filters": {key: obstacle_label(key) for key in texts.OBSTACLE_KEYS if key != "none"},
        "language_labels": LANGUAGE_LABELS,
    })


@router.get("/{plan_id}", response_class=HTMLResponse)
def case_page(request: Request, sessions: SessionFactoryDep, scope: PageScope, plan_id: PlanId) -> HTMLResponse:
    today = _checkins(request).today()
    with sessions() as session:
        plan, conversation, history = _consented_one(session, plan_id, scope)
        item = person(plan, conversation, history, today, _tz(request))
        ticket = session.scalars(
            select(Ticket.id).where(Ticket.conversation_id == plan.conversation_id).order_by(Ticket.id.desc())
        ).first()
    return _render(request, "progress_case.html", {"consultant": scope.consultant, "person": item, "ticket_id": ticket})


@router.get("/{plan_id}/tijdlijn.png")
def case_timeline(request: Request, sessions: SessionFactoryDep, scope: PageScope, plan_id: PlanId) -> Response:
    checkins = _checkins(request)
    today = checkins.today()
    with sessions() as session:
        plan, _, history = _consented_one(session, plan_id, scope)
        done = [c for c in history if c.status == "done" and c.result]
        per_week = (done[-1].result or {}).get("per_week_since_last") if done else None
        result, _ = project(plan.deadline_input, plan.hours_total, plan.exams_total, per_week, today)
    if checkins.timeline is None:
        raise not_found()
    png = checkins.timeline(result, UI_LANGUAGE, today)
    return Response(png, media_type="image/png")
