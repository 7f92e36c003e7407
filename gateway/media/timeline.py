"""A phone-sized PNG timeline of a deadline result (knowledge.deadlines.compute output).

    png = render_png(result, "nl", today)

1080 x 1350 px (taller only when many dates must be listed), white background, large type
(at least 28 px). The top shows a horizontal timeline: today as a
red line, the termijn as a blue bar, the extension window (verlenging_earliest -> termijn_end)
shaded orange, and every other date as a numbered dot. Planning estimates (hours_450_reached,
hours_600_reached: the current pace, not law) are hollow grey dots on dashed stems, with a
dashed grey key "planning". Below it, the numbers are explained with the label and the date
written out ("12 mei 2027"); planning rows are grey. Every text comes from the catalogue
(knowledge/i18n/<lang>/messages/deadlines.yaml). matplotlib is imported inside the function
(Agg backend), so importing this module stays cheap.
"""
from __future__ import annotations

import functools
import io
import textwrap
import warnings
from datetime import date
from typing import Any, Mapping

from knowledge import languages, texts
from knowledge.deadlines.labels import DATE_KEYS, PLANNING_KEYS, format_date, label, language
from knowledge.languages import arabic_share

__all__ = ["HEIGHT_PX", "WIDTH_PX", "image_height", "render_png"]

WIDTH_PX, HEIGHT_PX, DPI = 1080, 1350, 100
PT = 72 / DPI  # points per pixel at this DPI: font sizes below are written in pixels

INK = "#111111"
MUTED = "#444444"
TERM = "#1f4e9c"
WINDOW = "#f0a030"
TODAY = "#c62828"
GRID = "#bbbbbb"
PLANNING = "#6b6b6b"  # grey, dashed: a projection at the current pace, not a legal date


def _events(result: Mapping[str, Any]) -> list[tuple[date, list[str]]]:
    """Dates to show, grouped: [(date, [key, ...]), ...] in date order. Legal dates and
    planning estimates on the same day are separate groups (legal first)."""
    dates = result.get("dates", {})
    found = [(date.fromisoformat(dates[key]), key) for key in DATE_KEYS + PLANNING_KEYS if key in dates]
    extended = result.get("checks", {}).get("verlenging_hours_ground", {}).get("extended_end")
    if extended:
        found.append((date.fromisoformat(extended), "extended_end"))
    grouped: dict[tuple[date, bool], list[str]] = {}
    for d, key in sorted(found, key=lambda item: item[0]):
        grouped.setdefault((d, key in PLANNING_KEYS), []).append(key)
    return [(d, keys) for (d, _), keys in sorted(grouped.items())]


def is_planning(keys: list[str]) -> bool:
    return all(key in PLANNING_KEYS for key in keys)


def _year_ticks(start: int, end: int) -> list[date]:
    span = max(1, end - start)
    step = next(s for s in (1, 2, 5, 10, 20) if span / s <= 5)
    first = start + (-start) % step
    return [date(year, 1, 1) for year in range(first, end + 1, step)]


# Vertical layout in pixels from the top.
TITLE_Y = 55
AXES_TOP, AXES_BOTTOM = 150, 600
LEGEND_TOP = 650
LINE_H = 40
ROW_GAP = 30
FOOTER_H = 150
MAX_LEVELS = 3


def _legend_height(events: list[tuple[date, list[str]]]) -> int:
    return sum((len(keys) + 1) * LINE_H + ROW_GAP for _, keys in events)


def _legend_top(events: list[tuple[date, list[str]]]) -> int:
    """Below the colour key; one line lower when the planning key is shown too."""
    return LEGEND_TOP + (LINE_H if any(is_planning(keys) for _, keys in events) else 0)


def image_height(result: Mapping[str, Any]) -> int:
    """1350 px, or taller when many dates need a line each (at most 1920)."""
    events = _events(result)
    return min(1920, max(HEIGHT_PX, _legend_top(events) + _legend_height(events) + FOOTER_H))


def _use_arabic_font() -> None:
    """DejaVu Sans first, Noto Sans Arabic (fontpkg-noto-sans-arabic) for the glyphs it lacks:
    matplotlib's DejaVu Sans has no Arabic presentation forms, which shaped text needs."""
    import matplotlib
    from matplotlib import font_manager

    if "Noto Sans Arabic" not in {f.name for f in font_manager.fontManager.ttflist}:
        from importlib.resources import files

        for font in (files("fontpkg_noto_sans_arabic") / "files").iterdir():
            if font.name.endswith(".ttf"):
                font_manager.fontManager.addfont(str(font))
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans Arabic"]


@functools.lru_cache(maxsize=1)
def _matplotlib_lays_out_scripts() -> bool:
    """matplotlib 3.11 shapes and orders right-to-left text itself; older versions (the engine
    environment has 3.7) draw code points one by one, left to right."""
    import matplotlib

    major, minor = (int(part) for part in matplotlib.__version__.split(".")[:2])
    return (major, minor) >= (3, 11)


def shaped(text: str) -> str:
    """Arabic text as matplotlib must draw it. Where matplotlib cannot lay it out itself: letters
    joined (arabic-reshaper) and put in visual right-to-left order (python-bidi), line by line."""
    if not arabic_share(text) or _matplotlib_lays_out_scripts():
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return "\n".join(get_display(arabic_reshaper.reshape(line)) for line in text.split("\n"))


def render_png(result: Mapping[str, Any], lang: str, today: date) -> bytes:
    """Render `result` as a PNG (1080 px wide, 1350 px high or taller) in `lang` (any code; Dutch
    when the catalogue has no deadline texts in that language)."""
    with warnings.catch_warnings():
        # matplotlib 3.7 (engine env) calls pyparsing APIs that newer pyparsing deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _render(result, lang, today)


def _render(result: Mapping[str, Any], lang: str, today: date) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=True)
    _use_arabic_font()
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    lang = language(lang)
    height = image_height(result)
    fig = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI, facecolor="white")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # to measure text before the picture is saved
    rtl = languages.direction(lang) == "rtl"

    def fy(px: float) -> float:  # pixels from the top -> figure fraction
        return 1 - px / height

    def fx(x: float) -> float:  # right to left: the page's text starts at the right edge
        return 1 - x if rtl else x

    def write(x: float, y: float, text: str, **kwargs: Any) -> Any:
        """A line of page text, shaped, aligned to the start of the line in the page's direction."""
        if "ha" not in kwargs:
            kwargs["ha"] = "right" if rtl else "left"
        return fig.text(fx(x), y, shaped(text), **kwargs)

    def fit(artist: Any, width: float) -> None:
        """Make a line smaller until it fits `width` (a fraction of the picture's width)."""
        while artist.get_window_extent(renderer).width > width * WIDTH_PX and artist.get_fontsize() > 18 * PT:
            artist.set_fontsize(artist.get_fontsize() * 0.93)

    write(0.05, fy(TITLE_Y), texts.text("deadlines.timeline.title", lang), fontsize=52 * PT,
          fontweight="bold", color=INK, va="top")

    events = _events(result)
    if not events:
        write(0.05, fy(200), texts.text("deadlines.timeline.no_dates", lang), fontsize=36 * PT, color=INK, va="top")
        return _to_png(fig)

    dates = result.get("dates", {})
    points = [d for d, _ in events] + [today]
    lo, hi = min(points).toordinal(), max(points).toordinal()
    pad = max(30, (hi - lo) * 0.06)
    x0, x1 = lo - pad, hi + pad

    # --- the timeline ---------------------------------------------------------------------
    # 1 data unit is 100 px vertically.
    ax = fig.add_axes((0.05, fy(AXES_BOTTOM), 0.9, (AXES_BOTTOM - AXES_TOP) / height))
    ax.set_xlim(x0, x1)
    ax.set_ylim(-1.6, 2.9)
    ax.axis("off")
    ax.plot([x0, x1], [0, 0], color=GRID, linewidth=3, zorder=1)

    has_term = "termijn_start" in dates and "termijn_end" in dates
    if has_term:
        start = date.fromisoformat(dates["termijn_start"]).toordinal()
        end = date.fromisoformat(dates["termijn_end"]).toordinal()
        ax.add_patch(Rectangle((start, -0.22), end - start, 0.44, color=TERM, zorder=2))
        if "verlenging_earliest" in dates:
            window = date.fromisoformat(dates["verlenging_earliest"]).toordinal()
            ax.add_patch(Rectangle((window, -0.22), end - window, 0.44, facecolor=WINDOW,
                                   edgecolor=TERM, linewidth=3, zorder=3))

    for tick in _year_ticks(date.fromordinal(int(x0)).year, date.fromordinal(int(x1)).year):
        x = tick.toordinal()
        if x0 <= x <= x1:
            ax.plot([x, x], [-0.35, 0.35], color=MUTED, linewidth=2, zorder=1)
            ax.text(x, -0.5, str(tick.year), ha="center", va="top", fontsize=30 * PT, color=MUTED)

    t = today.toordinal()
    ax.plot([t, t], [-0.35, 2.45], color=TODAY, linewidth=4, zorder=5)
    ax.text(t, 2.9, shaped(label("today", lang)), ha="center", va="top", fontsize=30 * PT,
            color=TODAY, fontweight="bold", zorder=8,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})

    # numbered dots, one per date; nearby dots step up so they do not overlap
    min_gap = (x1 - x0) * 0.06
    last_x: list[float] = [-1e12] * MAX_LEVELS
    for number, (d, keys) in enumerate(events, 1):
        x = d.toordinal()
        free = [level for level in range(MAX_LEVELS) if x - last_x[level] >= min_gap]
        level = free[0] if free else min(range(MAX_LEVELS), key=lambda lv: last_x[lv])
        last_x[level] = x
        y = 0.75 + 0.62 * level
        size = 44 if number < 10 else 54
        if is_planning(keys):  # hollow grey dot on a dashed stem: a projection, not a date in law
            ax.plot([x, x], [0.22, y], color=PLANNING, linewidth=2.5, linestyle=(0, (4, 3)), zorder=4)
            ax.plot(x, y, "o", markersize=size * PT, markerfacecolor="white", markeredgecolor=PLANNING,
                    markeredgewidth=3, zorder=6)
            ax.text(x, y, str(number), ha="center", va="center", fontsize=28 * PT,
                    color=PLANNING, fontweight="bold", zorder=7)
            continue
        ax.plot([x, x], [0.22, y], color=INK, linewidth=2, zorder=4)
        ax.plot(x, y, "o", markersize=size * PT, color=INK, zorder=6, markeredgecolor="white", markeredgewidth=2)
        ax.text(x, y, str(number), ha="center", va="center", fontsize=28 * PT,
                color="white", fontweight="bold", zorder=7)

    if has_term:  # key for the bar colours, under the years
        key_y = fy(AXES_BOTTOM - 5)
        fig.patches.append(Rectangle((fx(0.05) - (0.035 if rtl else 0), key_y - 0.012 * 1350 / height), 0.035,
                                     0.024 * 1350 / height, transform=fig.transFigure, facecolor=TERM, figure=fig))
        fit(write(0.095, key_y, textwrap.shorten(label("term", lang), 40, placeholder="…"), va="center",
                  fontsize=28 * PT, color=INK), 0.46)
        if "verlenging_earliest" in dates:
            fig.patches.append(Rectangle((fx(0.58) - (0.035 if rtl else 0), key_y - 0.012 * 1350 / height), 0.035,
                                         0.024 * 1350 / height, transform=fig.transFigure, facecolor=WINDOW,
                                         edgecolor=TERM, linewidth=2, figure=fig))
            fit(write(0.625, key_y, textwrap.shorten(label("extension_window", lang), 40, placeholder="…"),
                      va="center", fontsize=28 * PT, color=INK), 0.345)
    if any(is_planning(keys) for _, keys in events):  # key for the dashed planning dots
        key_y = fy(AXES_BOTTOM - 5 + (LINE_H if has_term else 0))
        fig.add_artist(Line2D([fx(0.05), fx(0.085)], [key_y, key_y], transform=fig.transFigure, color=PLANNING,
                              linewidth=3, linestyle=(0, (4, 3))))
        fit(write(0.095, key_y, texts.text("deadlines.timeline.planning_key", lang), va="center",
                  fontsize=28 * PT, color=PLANNING, style="italic"), 0.87)

    # --- the legend -----------------------------------------------------------------------
    y = _legend_top(events)
    for number, (d, keys) in enumerate(events, 1):
        planning = is_planning(keys)
        colour = PLANNING if planning else INK
        fig.text(fx(0.065), fy(y + LINE_H / 2), str(number), ha="center", va="center", fontsize=28 * PT,
                 color=PLANNING if planning else "white", fontweight="bold",
                 bbox={"boxstyle": "circle,pad=0.3", "facecolor": "white" if planning else INK,
                       "edgecolor": colour, "linestyle": "--" if planning else "-", "linewidth": 2})
        for key in keys:
            fit(write(0.11, fy(y + LINE_H / 2), textwrap.shorten(label(key, lang), 60, placeholder="…"),
                      va="center", fontsize=28 * PT, color=colour, style="italic" if planning else "normal"), 0.86)
            y += LINE_H
        write(0.11, fy(y + LINE_H / 2), format_date(d, lang), va="center", fontsize=30 * PT,
              color=colour, fontweight="bold", style="italic" if planning else "normal")
        y += LINE_H + ROW_GAP

    note = textwrap.fill(label("estimate_note", lang), 60)
    write(0.05, fy(height - FOOTER_H / 2), note, va="center", fontsize=28 * PT, color=MUTED,
          linespacing=1.3)
    return _to_png(fig)


def _to_png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
