"""The PNG timeline is a real, phone-sized, non-blank image."""
from __future__ import annotations

import io
import struct
from datetime import date

import pytest

from gateway.media.timeline import HEIGHT_PX, WIDTH_PX, image_height, render_png
from knowledge.deadlines import compute

TODAY = date(2026, 3, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    return struct.unpack(">II", data[16:24])


def distinct_colours(data: bytes) -> int:
    from matplotlib import image

    pixels = image.imread(io.BytesIO(data), format="png")
    return len({tuple(pixel) for pixel in pixels.reshape(-1, pixels.shape[-1])[::97]})


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_term_timeline_is_a_1080_by_1350_png_with_content(lang: str) -> None:
    result = compute({"pip_date": "2024-05-12", "hours_bow": 480, "exams_passed": 2}, today=TODAY)
    data = render_png(result, lang, TODAY)
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (1080, 1350)
    assert distinct_colours(data) > 3


def test_a_result_with_every_date_grows_taller_but_stays_1080_wide() -> None:
    result = compute(
        {
            "pip_date": "2024-05-12", "hours_bow": 480, "exams_passed": 2, "mvv_decision_date": "2023-12-01",
            "mvv_issue_date": "2024-01-05", "arrival_date": "2024-02-01", "residence_start": "2024-02-01",
            "partner_dutch": True, "relationship_start": "2021-06-01", "klaar_date": "2027-03-31",
        },
        today=date(2026, 12, 1),
    )
    width, height = png_size(render_png(result, "en", date(2026, 12, 1)))
    assert width == 1080
    assert height == image_height(result)
    assert HEIGHT_PX < height <= 1920


def test_a_result_without_dates_still_renders_a_message() -> None:
    data = render_png(compute({"hours_bow": 100}, today=TODAY), "nl", TODAY)
    assert png_size(data) == (1080, 1350)
    assert distinct_colours(data) > 1


def test_a_timeline_outside_the_term_renders_only_dots() -> None:
    from gateway.media import timeline

    today = date(2025, 9, 1)
    result = compute({"mvv_decision_date": "2025-08-31", "arrival_date": "2025-10-01"}, today=today)
    assert "termijn_end" not in result["dates"]  # no term known: nothing to draw a bar for
    data = render_png(result, "en", today)
    term = tuple(int(timeline.TERM[i:i + 2], 16) for i in (1, 3, 5))
    ink = tuple(int(timeline.INK[i:i + 2], 16) for i in (1, 3, 5))
    with_term = render_png(compute({"pip_date": "2024-05-12"}, today=TODAY), "en", TODAY)
    assert png_size(data)[0] == 1080
    assert count_colour(data, term) == 0 < count_colour(with_term, term)  # no term bar, no colour key
    assert count_colour(data, ink) > 500  # the dots and their labels are drawn


PACE_RESULT_INPUT = {"pip_date": "2024-01-12", "hours_bow": 360, "hours_per_week": 6, "exams_passed": 1}
PACE_TODAY = date(2026, 5, 27)


def pixels(data: bytes):  # noqa: ANN201
    from matplotlib import image

    return image.imread(io.BytesIO(data), format="png")


def count_colour(data: bytes, rgb: tuple[int, int, int], tolerance: float = 0.02) -> int:
    import numpy as np

    image = pixels(data)[..., :3]
    target = np.array(rgb) / 255
    return int((np.abs(image - target) <= tolerance).all(axis=-1).sum())


def test_planning_dates_are_drawn_in_their_own_grey_style_and_listed_as_planning() -> None:
    from gateway.media import timeline

    with_pace = compute(PACE_RESULT_INPUT, today=PACE_TODAY)
    without = compute({k: v for k, v in PACE_RESULT_INPUT.items() if k != "hours_per_week"}, today=PACE_TODAY)
    assert {"hours_450_reached", "hours_600_reached"} <= set(with_pace["dates"])
    grey = tuple(int(timeline.PLANNING[i:i + 2], 16) for i in (1, 3, 5))
    # anti-aliased black text has some pixels of that grey too; the planning style has thousands
    assert count_colour(render_png(with_pace, "en", PACE_TODAY), grey) > 5 * count_colour(
        render_png(without, "en", PACE_TODAY), grey)
    planning = [keys for _, keys in timeline._events(with_pace) if timeline.is_planning(keys)]
    assert planning == [["hours_450_reached"], ["hours_600_reached"]]


def test_planning_rows_make_the_picture_taller_but_it_stays_phone_width() -> None:
    result = compute(PACE_RESULT_INPUT, today=PACE_TODAY)
    width, height = png_size(render_png(result, "nl", PACE_TODAY))
    assert width == 1080 and height == image_height(result) > HEIGHT_PX


def test_a_timeline_in_a_language_wegwijs_does_not_speak_is_the_dutch_one() -> None:
    result = compute({"pip_date": "2024-05-12"}, today=TODAY)
    assert render_png(result, "xx", TODAY) == render_png(result, "nl", TODAY)
    assert render_png(result, "tr", TODAY) != render_png(result, "nl", TODAY)


def test_arabic_is_joined_and_ordered_right_to_left_where_matplotlib_cannot(monkeypatch):
    from gateway.media import timeline as tl

    text = "تواريخكم المهمة"
    monkeypatch.setattr(tl, "_matplotlib_lays_out_scripts", lambda: False)
    drawn = tl.shaped(text)
    assert any(0xFE70 <= ord(ch) <= 0xFEFF for ch in drawn)  # joined presentation forms
    assert drawn != text and tl.shaped("12 May 2027") == "12 May 2027"
    monkeypatch.setattr(tl, "_matplotlib_lays_out_scripts", lambda: True)
    assert tl.shaped(text) == text  # matplotlib 3.11 lays it out itself


def test_the_arabic_timeline_has_a_glyph_for_every_letter():
    import warnings

    from gateway.media import timeline as tl

    result = compute({"pip_date": "2024-05-12", "hours_bow": 300, "hours_per_week": 6, "today": "2026-12-07"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = tl.render_png(result, "ar", date(2026, 12, 7))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [w for w in caught if "missing from font" in str(w.message)]
