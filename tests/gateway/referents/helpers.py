"""Helpers for the referent tests: a fake engine that answers with a deadline payload, the web chat."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from gateway.core.models import Conversation, Message
from gateway.referents.models import ReferentLink, ShareCode
from tests.support.fake_rasa import FakeRasa

API = "/webchat/api/messages"
# A termijn that ends years after the real today, with an mvv date: four reminders to plan.
INPUT = {"pip_date": "2027-03-15", "plicht_start": "2027-01-10", "mvv_decision_date": "2027-02-01"}
SECRET_QUESTION = "Mijn man mag niet weten dat ik geld spaar voor de taalschool"
CODE = re.compile(r"WW-[2-9A-HJKMNP-TV-Z]{5}-[2-9A-HJKMNP-TV-Z]{5}")


def bot_sends_deadlines(fake: FakeRasa, deadline_input: dict = INPUT) -> None:
    def reply(body: dict) -> list[dict]:
        if body["message"].lstrip("/") == "ask_deadlines":
            return [
                {"recipient_id": body["sender"], "text": "Dit zijn uw termijnen."},
                {"recipient_id": body["sender"],
                 "custom": {"wegwijs": {"type": "deadlines", "input": deadline_input, "lang": "nl"}}},
            ]
        if body["message"].lstrip("/") == "delete_my_data":
            return [{"recipient_id": body["sender"], "custom": {"wegwijs": {"type": "delete_my_data", "lang": "nl"}}}]
        return [{"recipient_id": body["sender"], "text": f"Antwoord op: {body['message']}"}]

    fake.reply = reply


async def say(client: httpx.AsyncClient, session_id: str, text: str, lang: str | None = None) -> list[dict]:
    body: dict = {"session_id": session_id, "text": text}
    if lang:
        body["lang"] = lang
    response = await client.post(API, json=body)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


async def history(client: httpx.AsyncClient, session_id: str) -> list[dict]:
    return (await client.get(API, params={"session_id": session_id})).json()["messages"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def share(client: httpx.AsyncClient, session_id: str, reminders: bool = True) -> str:
    """She asks for her deadlines, then to share them; returns the code she gets."""
    await say(client, session_id, "/ask_deadlines")
    (explain,) = await say(client, session_id, "delen met mijn partner")
    with_reminders, without = explain["buttons"]
    button = with_reminders if reminders else without
    code_message, howto = await say(client, session_id, button["payload"])
    match = CODE.search(code_message["text"])
    assert match, code_message["text"]
    return match.group(0)


def conversation_id(app: FastAPI, channel_user_id: str) -> str:
    with app.state.session_factory() as session:
        return session.scalars(select(Conversation.id).where(Conversation.channel_user_id == channel_user_id)).one()


def links(app: FastAPI) -> list[ReferentLink]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(ReferentLink).order_by(ReferentLink.id)))


def codes(app: FastAPI) -> list[ShareCode]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(ShareCode).order_by(ShareCode.id)))


def transcript(app: FastAPI, conversation: str) -> list[Message]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(Message).where(Message.conversation_id == conversation).order_by(Message.id)))
