"""Helpers for the check-in tests: a deadline answer from the fake engine, a fixed clock, a cycle."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from gateway.checkins.models import Checkin, CheckinPlan
from gateway.checkins.service import COMMAND
from tests.support.fake_rasa import FakeRasa

API = "/webchat/api/messages"
SESSION = "checkin-user-1"
# Term from 16 March 2026 to 15 March 2029; 100 hours and no exams at the deadline answer.
INPUT = {"pip_date": "2026-03-15", "plicht_start": "2026-01-10", "hours_bow": 100, "exams_passed": 0}
START = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


def bot_sends_deadlines(fake: FakeRasa, deadline_input: dict[str, Any] = INPUT) -> None:
    def reply(body: dict) -> list[dict]:
        if body["message"].lstrip("/") == "ask_deadlines":
            return [
                {"recipient_id": body["sender"], "text": "Dit zijn uw termijnen."},
                {"recipient_id": body["sender"],
                 "custom": {"wegwijs": {"type": "deadlines", "input": deadline_input, "lang": "nl"}}},
            ]
        return [{"recipient_id": body["sender"], "text": f"Antwoord op: {body['message']}"}]

    fake.reply = reply


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def set_clock(app: FastAPI, now: datetime = START) -> Clock:
    clock = Clock(now)
    app.state.checkins.clock = clock
    return clock


async def say(client: httpx.AsyncClient, text: str, session_id: str = SESSION) -> list[dict]:
    response = await client.post(API, json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()["messages"]


async def history(client: httpx.AsyncClient, session_id: str = SESSION) -> list[dict]:
    return (await client.get(API, params={"session_id": session_id})).json()["messages"]


def checkin_buttons(message: dict) -> list[dict]:
    return [b for b in message.get("buttons") or [] if b["payload"].startswith(COMMAND)]


def payload(button: dict) -> dict:
    return json.loads(button["payload"].removeprefix(COMMAND))


def button(message: dict, title: str) -> dict:
    return next(b for b in message["buttons"] if b["title"] == title)


async def offer(client: httpx.AsyncClient, session_id: str = SESSION) -> dict:
    """Ask for the deadlines; returns the check-in offer message."""
    messages = await say(client, "/ask_deadlines", session_id)
    return next(m for m in messages if checkin_buttons(m))


async def opt_in(client: httpx.AsyncClient, session_id: str = SESSION) -> list[dict]:
    message = await offer(client, session_id)
    return await say(client, message["buttons"][0]["payload"], session_id)


def plans(app: FastAPI) -> list[CheckinPlan]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(CheckinPlan).order_by(CheckinPlan.id)))


def checkins(app: FastAPI) -> list[Checkin]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(Checkin).order_by(Checkin.id)))


async def latest_question(client: httpx.AsyncClient, session_id: str = SESSION) -> dict:
    return [m for m in await history(client, session_id) if checkin_buttons(m)][-1]


async def answer_all(
    client: httpx.AsyncClient, hours: str, exams: str, obstacle: str, session_id: str = SESSION
) -> list[dict]:
    """Press the buttons of one check-in (hours, exams, obstacle titles); returns the last replies."""
    question = await latest_question(client, session_id)
    (exams_question,) = await say(client, button(question, hours)["payload"], session_id)
    (obstacle_question,) = await say(client, button(exams_question, exams)["payload"], session_id)
    return await say(client, button(obstacle_question, obstacle)["payload"], session_id)


async def due(app: FastAPI, clock: Clock, plus: timedelta = timedelta(minutes=1)) -> int:
    """Move the clock to the plan's next check-in and run the sender."""
    (plan,) = plans(app)
    clock.now = plan.next_at + plus
    return await app.state.checkins.send_due()
