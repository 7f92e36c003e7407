"""The PNG timeline is a real, phone-sized, non-blank image."""
from __future__ import annotations

import io
import struct
from datetime import date

import pytest

from knowledge.deadlines import compute
from knowledge.timeline import HEIGHT_PX, WIDTH_PX, image_height, render_png

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
    result = compute({"mvv_decision_date": "2025-08-31", "arrival_date": "2025-10-01"}, today=date(2025, 9, 1))
    assert png_size(render_png(result, "en", date(2025, 9, 1)))[0] == 1080
