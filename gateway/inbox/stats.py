"""Statistics for the municipality: handoffs (from the tickets) and questions (from Rasa's tracker store).

Tickets give handoffs per reason, per language, per week and the median time to the first human
reply. When `tracker_url` is set (e.g. `sqlite:///var/trackers.db`), Rasa's SQL `events` table
gives questions per FAQ topic per week and the fallback rate. Charts are inline SVG (no scripts,
no inline styles, so they pass the Content-Security-Policy).

Per municipality: every figure covers only the municipalities of the consultant's teams
(`gateway.inbox.access.Scope`): all of them, one, or one team's region — a row per municipality
and the team's sum (`regions`). Questions from the tracker store count by conversation
(`sender_id` is the gateway's conversation id; a sender without a conversation row counts as the
deployment's default municipality, like a conversation whose municipality is not known).
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from gateway.core import trackers
from gateway.core.models import Conversation
from gateway.inbox.access import Scope
from gateway.inbox.crud import reason_label
from gateway.inbox.i18n import ui
from gateway.inbox.models import ConsultantTeam, Team, Ticket, reason_group
from gateway.inbox.views import municipality_name

log = logging.getLogger(__name__)

WEEKS = 12
FALLBACK_INTENT = "nlu_fallback"


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return ui("stats_week_label", week=week)


def recent_weeks(now: datetime, tz: ZoneInfo, weeks: int = WEEKS) -> list[date]:
    last = week_start(now, tz)
    return [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def minutes_label(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return ui("duration_minutes", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    return ui("duration_hours", hours=hours, minutes=f"{minutes:02d}")


SenderFilter = Callable[[set[str]], set[str]]


def choose_scope(
    session: Session, scope: Scope, *, municipality: str | None = None, team: str | None = None
) -> tuple[Scope, dict[str, Any]]:
    """The part of the consultant's scope the statistics page shows: one of their municipalities,
    the region of one of their teams, or (default, and for anything outside) all of theirs."""
    if municipality and municipality in scope.municipalities:
        return scope.narrowed([municipality]), {"municipality": municipality, "team": "",
                                                "label": municipality_name(municipality)}
    if team:
        found = _my_team(session, scope, team)
        if found is not None:
            return scope.narrowed(found.municipality_codes), {"municipality": "", "team": found.slug,
                                                              "label": found.name}
    return scope, {"municipality": "", "team": "", "label": ""}


def _my_team(session: Session, scope: Scope, slug: str) -> Team | None:
    statement = (
        select(Team)
        .join(ConsultantTeam, ConsultantTeam.team_id == Team.id)
        .where(Team.slug == slug, ConsultantTeam.consultant_id == scope.consultant_id)
    )
    return session.scalars(statement).first()


def _summary(tickets: list[Ticket]) -> dict[str, Any]:
    replies = [
        (t.first_human_reply_at - t.created_at).total_seconds() for t in tickets if t.first_human_reply_at is not None
    ]
    return {
        "total": len(tickets),
        "open": sum(1 for t in tickets if t.state != "closed"),
        "replied": len(replies),
        "median_reply": minutes_label(statistics.median(replies) if replies else None),
    }


def regions(*, session: Session, scope: Scope, now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Per team of the consultant: a row per municipality it serves and the region's sum."""
    teams = session.scalars(
        select(Team).join(ConsultantTeam, ConsultantTeam.team_id == Team.id)
        .where(ConsultantTeam.consultant_id == scope.consultant_id).order_by(Team.name)
    ).all()
    result = []
    for team in teams:
        region = scope.narrowed(team.municipality_codes)
        tickets = list(session.scalars(select(Ticket).where(region.where(Ticket.municipality))))
        rows = []
        for code in region.codes:
            mine = [t for t in tickets if (t.municipality or scope.default_municipality) == code]
            rows.append({"municipality": code, "label": municipality_name(code), **_summary(mine)})
        result.append({"team": team.slug, "name": team.name, "rows": rows, "total": _summary(tickets)})
    return result


def sender_filter(session: Session, scope: Scope) -> SenderFilter:
    """Which tracker senders (conversation ids) belong to the scope's municipalities."""

    def visible(senders: set[str]) -> set[str]:
        known: dict[str, str | None] = {}
        ordered = sorted(senders)
        for start in range(0, len(ordered), 500):
            statement = select(Conversation.id, Conversation.municipality).where(
                Conversation.id.in_(ordered[start : start + 500])
            )
            known.update({cid: municipality for cid, municipality in session.execute(statement)})
        return {sender for sender in senders if scope.allows(known.get(sender))}

    return visible


def ticket_stats(*, session: Session, now: datetime, tz: ZoneInfo, scope: Scope) -> dict[str, Any]:
    """Handoff figures of the tickets of `scope`'s municipalities."""
    tickets = list(session.scalars(select(Ticket).where(scope.where(Ticket.municipality))))
    weeks = recent_weeks(now, tz)
    per_week = Counter(week_start(t.created_at, tz) for t in tickets)
    per_reason = Counter(reason_group(t.reason) for t in tickets)
    per_topic = Counter(t.reason for t in tickets if reason_group(t.reason) == "topic")
    per_language = Counter(t.language for t in tickets)
    reply_times: dict[str, list[float]] = defaultdict(list)
    for t in tickets:
        if t.first_human_reply_at is not None:
            seconds = (t.first_human_reply_at - t.created_at).total_seconds()
            reply_times[t.language].append(seconds)
            reply_times["alle"].append(seconds)
    median = {lang: statistics.median(values) for lang, values in reply_times.items()}
    return {
        "total": len(tickets),
        "open": sum(1 for t in tickets if t.state != "closed"),
        "per_reason": [(reason_label(r) if r != "topic" else ui("reason_topic"), n) for r, n in per_reason.most_common()],
        "per_topic": [(reason.split(":", 1)[1], n) for reason, n in per_topic.most_common(10)],
        "per_language": [
            {"language": lang, "count": n, "median_reply": minutes_label(median.get(lang))}
            for lang, n in sorted(per_language.items())
        ],
        "median_reply": minutes_label(median.get("alle")),
        "replied": len(reply_times.get("alle", [])),
        "per_week": [(week_label(w), per_week.get(w, 0)) for w in weeks],
    }


def _user_events_by_sender(tracker_url: str, since_epoch: float) -> list[tuple[str, float, str | None, str | None]]:
    """(sender id, timestamp, intent name, event JSON) of every user message since a Unix time."""
    events = trackers.EVENTS
    engine = create_engine(tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(events.c.sender_id, events.c.timestamp, events.c.intent_name, events.c.data).where(
                    events.c.type_name == "user", events.c.timestamp >= since_epoch
                )
            ).all()
    finally:
        engine.dispose()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def tracker_stats(
    tracker_url: str | None, *, now: datetime, tz: ZoneInfo, senders: SenderFilter | None = None
) -> dict[str, Any]:
    """Questions per topic per week and the fallback rate; `available` False when not configured.
    `senders` keeps only the conversations of the consultant's municipalities."""
    if not tracker_url:
        return {"available": False, "why": "not_configured"}
    weeks = recent_weeks(now, tz)
    since = datetime.combine(weeks[0], datetime.min.time(), tzinfo=tz).timestamp()
    try:
        if senders is None:
            rows = trackers.user_events_since(tracker_url, since)
        else:
            found = _user_events_by_sender(tracker_url, since)
            keep = senders({sender for sender, *_ in found})
            rows = [(timestamp, intent, data) for sender, timestamp, intent, data in found if sender in keep]
    except Exception as exc:  # noqa: BLE001 - the page must still show the ticket statistics
        log.warning("tracker store not readable for statistics: %s", type(exc).__name__)
        return {"available": False, "why": "unreadable"}
    questions: Counter[str] = Counter()
    questions_per_week: dict[date, Counter[str]] = defaultdict(Counter)
    messages_per_week: Counter[date] = Counter()
    fallbacks_per_week: Counter[date] = Counter()
    for timestamp, intent, data in rows:
        week = week_start(datetime.fromtimestamp(timestamp, tz=timezone.utc), tz)
        messages_per_week[week] += 1
        if intent == FALLBACK_INTENT:
            fallbacks_per_week[week] += 1
        topic = trackers.faq_topic(data) if intent and intent.startswith("faq") else None
        if topic:
            questions[topic] += 1
            questions_per_week[week][topic] += 1
    top = [topic for topic, _ in questions.most_common(8)]
    total = sum(messages_per_week.values())
    return {
        "available": True,
        "messages": total,
        "fallback_rate": f"{100 * sum(fallbacks_per_week.values()) / total:.1f}%" if total else "–",
        "top_topics": questions.most_common(15),
        "topic_weeks": [
            {"week": week_label(w), "counts": [questions_per_week[w].get(t, 0) for t in top]} for w in weeks
        ],
        "topic_columns": top,
        "questions_per_week": [(week_label(w), sum(questions_per_week[w].values())) for w in weeks],
        "fallback_per_week": [
            (week_label(w), round(100 * fallbacks_per_week[w] / messages_per_week[w]) if messages_per_week[w] else 0)
            for w in weeks
        ],
    }


# -- charts -----------------------------------------------------------------------------
def hbar_chart(items: list[tuple[str, int]], title: str, *, unit: str = "") -> Markup:
    """Horizontal bars, one per label; scales with its container (viewBox)."""
    if not items:
        return Markup('<p class="muted">{}</p>').format(ui("stats_no_data"))
    width, label_w, row_h = 320, 130, 26
    height = row_h * len(items) + 8
    peak = max(n for _, n in items) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    ]
    for i, (label, n) in enumerate(items):
        y = 4 + i * row_h
        bar = max(2, (width - label_w - 40) * n / peak)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" class="chart-label">{escape(label[:22])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 8}" rx="3" class="chart-bar"/>'
            f'<text x="{label_w + bar + 4:.1f}" y="{y + 16}" class="chart-value">{n}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _week_number(label: str) -> str:
    """The number in a week label ("wk 14" → "14"), for the axis under a column."""
    found = re.search(r"\d+", label)
    return found.group(0) if found else label


def column_chart(items: list[tuple[str, int]], title: str, *, unit: str = "") -> Markup:
    """Vertical bars over weeks."""
    if not items:
        return Markup('<p class="muted">{}</p>').format(ui("stats_no_data"))
    width, height, base = 360, 170, 140
    peak = max(n for _, n in items) or 1
    step = width / len(items)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" class="chart-axis"/>'
    ]
    for i, (label, n) in enumerate(items):
        x = i * step + step * 0.15
        bar_h = (base - 20) * n / peak
        parts.append(
            f'<rect x="{x:.1f}" y="{base - bar_h:.1f}" width="{step * 0.7:.1f}" height="{bar_h:.1f}" rx="2" class="chart-bar"/>'
        )
        if n:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{base - bar_h - 4:.1f}" text-anchor="middle" class="chart-value">{n}{escape(unit)}</text>'
            )
        if i % 2 == len(items) % 2 or len(items) <= 6:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{base + 16}" text-anchor="middle" class="chart-label">{escape(_week_number(label))}</text>'
            )
    parts.append(f'<text x="0" y="{height - 2}" class="chart-label">{escape(ui("stats_axis_week"))}</text></svg>')
    return Markup("".join(parts))


def charts(tickets: dict[str, Any], tracker: dict[str, Any]) -> dict[str, Markup]:
    result = {
        "per_reason": hbar_chart(tickets["per_reason"], ui("stats_chart_per_reason")),
        "per_week": column_chart(tickets["per_week"], ui("stats_chart_per_week")),
        "per_language": hbar_chart(
            [(row["language"].upper(), row["count"]) for row in tickets["per_language"]], ui("stats_chart_per_language")
        ),
    }
    if tracker.get("available"):
        result["top_topics"] = hbar_chart(
            [(t.replace("_", " "), n) for t, n in tracker["top_topics"][:10]], ui("stats_questions_per_topic")
        )
        result["questions_per_week"] = column_chart(tracker["questions_per_week"], ui("stats_questions_per_week"))
        result["fallback_per_week"] = column_chart(tracker["fallback_per_week"], ui("stats_chart_fallback_per_week"), unit="%")
    return result
