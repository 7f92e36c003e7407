"""Outside office hours the user is told when a person will answer."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from gateway.inbox.office_hours import OfficeHours, describe_opening
from knowledge.loader import load_municipality
from tests.support.inbox import Gateway, hand_off

HOURS = OfficeHours.from_openingstijden(load_municipality("voorbeeldstad").openingstijden, "Europe/Amsterdam")


@pytest.mark.parametrize(
    ("moment_utc", "expected"),
    [
        (datetime(2026, 11, 19, 9, 0), None),  # Thursday 10:00 in Amsterdam: open
        (datetime(2026, 11, 19, 17, 0), "morgen om 09:00"),  # Thursday 18:00
        (datetime(2026, 11, 20, 12, 0), "maandag om 09:00"),  # Friday 13:00, after 12:30
        (datetime(2026, 11, 21, 10, 0), "maandag om 09:00"),  # Saturday
        (datetime(2026, 7, 6, 6, 30), "vandaag om 09:00"),  # Monday 08:30 summer time
        (datetime(2026, 11, 19, 15, 59), None),  # Thursday 16:59: still open
        (datetime(2026, 11, 19, 16, 0), "morgen om 09:00"),  # Thursday 17:00: closed
    ],
    ids=["open on a weekday morning", "after closing the next morning", "friday afternoon waits for monday",
         "weekend waits for monday", "early monday in summer time opens today", "one minute before closing is open",
         "closing time itself is closed"],
)
def test_the_next_opening_follows_the_municipality_office_hours(moment_utc: datetime, expected: str | None) -> None:
    moment = moment_utc.replace(tzinfo=timezone.utc)
    if expected is None:
        assert HOURS.is_open(moment)
    else:
        assert not HOURS.is_open(moment)
        assert describe_opening(HOURS.next_opening(moment), moment, "nl") == expected


async def test_a_handoff_outside_office_hours_says_when_to_expect_an_answer(gateway: Gateway) -> None:
    gateway.app.state.handoff.clock = lambda: datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    replies = await hand_off(gateway.client)
    text = [m["text"] for m in replies if m["sender"] == "system"][0]
    assert "buiten kantoortijd" in text and "maandag om 09:00" in text
    assert "Voorbeeldstad" in text


async def test_a_handoff_during_office_hours_promises_a_reply_soon_in_english(gateway: Gateway) -> None:
    gateway.app.state.handoff.clock = lambda: datetime(2026, 11, 19, 9, 0, tzinfo=timezone.utc)
    gateway.fake.reply = lambda body: [{"recipient_id": body["sender"], "custom": {"wegwijs": {
        "type": "handoff", "reason": "danger", "consent_at": "2026-11-19T09:00:00Z", "lang": "en"}}}]
    replies = await gateway.client.post("/webchat/api/messages", json={"session_id": "user-session-0002", "text": "yes"})
    [message] = replies.json()["messages"]
    assert message["text"].endswith("A case manager will reply as soon as possible.")


def test_no_office_hours_means_no_promise_of_a_time() -> None:
    hours = OfficeHours.from_openingstijden({}, "Europe/Amsterdam")
    assert hours.next_opening(datetime(2026, 11, 21, tzinfo=timezone.utc)) is None
