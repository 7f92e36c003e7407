"""Statistics for the municipality: handoffs (from the tickets) and questions (from Rasa's tracker store).

Tickets give handoffs per reason, per language, per week and the median time to the first human
reply. When `tracker_url` is set (e.g. `sqlite:///var/trackers.db`), Rasa's SQL `events` table
gives questions per FAQ topic per week and the fallback rate. Charts are inline SVG (no scripts,
no inline styles, so they pass the Content-Security-Policy).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.core import trackers
from gateway.inbox.crud import reason_label
from gateway.inbox.models import Ticket, reason_group

log = logging.getLogger(__name__)

WEEKS = 12
FALLBACK_INTENT = "nlu_fallback"


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"wk {week}"


def recent_weeks(now: datetime, tz: ZoneInfo, weeks: int = WEEKS) -> list[date]:
    last = week_start(now, tz)
    return [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def minutes_label(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} u {minutes:02d} min"


def ticket_stats(*, session: Session, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    tickets = list(session.scalars(select(Ticket)))
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
        "per_reason": [(reason_label(r) if r != "topic" else "Onderwerp", n) for r, n in per_reason.most_common()],
        "per_topic": [(reason.split(":", 1)[1], n) for reason, n in per_topic.most_common(10)],
        "per_language": [
            {"language": lang, "count": n, "median_reply": minutes_label(median.get(lang))}
            for lang, n in sorted(per_language.items())
        ],
        "median_reply": minutes_label(median.get("alle")),
        "replied": len(reply_times.get("alle", [])),
        "per_week": [(week_label(w), per_week.get(w, 0)) for w in weeks],
    }


def tracker_stats(tracker_url: str | None, *, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """Questions per topic per week and the fallback rate; `available` False when not configured."""
    if not tracker_url:
        return {"available": False, "why": "not_configured"}
    weeks = recent_weeks(now, tz)
    since = datetime.combine(weeks[0], datetime.min.time(), tzinfo=tz).timestamp()
    try:
        rows = trackers.user_events_since(tracker_url, since)
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
        return Markup('<p class="muted">Nog geen gegevens.</p>')
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


def column_chart(items: list[tuple[str, int]], title: str, *, unit: str = "") -> Markup:
    """Vertical bars over weeks."""
    if not items:
        return Markup('<p class="muted">Nog geen gegevens.</p>')
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
                f'<text x="{x + step * 0.35:.1f}" y="{base + 16}" text-anchor="middle" class="chart-label">{escape(label.replace("wk ", ""))}</text>'
            )
    parts.append(f'<text x="0" y="{height - 2}" class="chart-label">weeknummer</text></svg>')
    return Markup("".join(parts))


def charts(tickets: dict[str, Any], tracker: dict[str, Any]) -> dict[str, Markup]:
    result = {
        "per_reason": hbar_chart(tickets["per_reason"], "Doorzettingen per reden"),
        "per_week": column_chart(tickets["per_week"], "Tickets per week"),
        "per_language": hbar_chart(
            [(row["language"].upper(), row["count"]) for row in tickets["per_language"]], "Tickets per taal"
        ),
    }
    if tracker.get("available"):
        result["top_topics"] = hbar_chart(
            [(t.replace("_", " "), n) for t, n in tracker["top_topics"][:10]], "Vragen per onderwerp"
        )
        result["questions_per_week"] = column_chart(tracker["questions_per_week"], "Vragen per week")
        result["fallback_per_week"] = column_chart(tracker["fallback_per_week"], "Niet begrepen per week", unit="%")
    return result
