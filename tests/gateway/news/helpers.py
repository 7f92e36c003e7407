"""Helpers of the news tests: conversations in a municipality, subscribers, teams, a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from gateway.core.models import Conversation, Message, utcnow
from gateway.inbox.models import ConsultantTeam, Team, TeamMunicipality

NEWS_NL = "Taalcafé op vrijdag in de bibliotheek"
NEWS_EN = "Language café on Friday in the library"


def conversation(app: FastAPI, channel: str, user: str) -> Conversation:
    with app.state.session_factory() as session:
        found = session.scalars(
            select(Conversation).where(Conversation.channel == channel, Conversation.channel_user_id == user)
        ).one()
        session.expunge(found)
        return found


def set_municipality(app: FastAPI, channel: str, user: str, municipality: str | None) -> None:
    with app.state.session_factory() as session:
        row = session.scalars(
            select(Conversation).where(Conversation.channel == channel, Conversation.channel_user_id == user)
        ).one()
        row.municipality = municipality
        session.commit()


def texts_of(app: FastAPI, channel: str, user: str) -> list[str]:
    """Every outgoing text stored for this channel user."""
    with app.state.session_factory() as session:
        rows = session.execute(
            select(Message.text)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.channel == channel, Conversation.channel_user_id == user, Message.direction == "out")
            .order_by(Message.id)
        )
        return [text or "" for (text,) in rows]


async def web_say(client: httpx.AsyncClient, session_id: str, text: str) -> list[dict]:
    response = await client.post("/webchat/api/messages", json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()["messages"]


async def web_subscriber(app: FastAPI, client: httpx.AsyncClient, session_id: str, municipality: str) -> list[dict]:
    await web_say(client, session_id, "hallo")
    set_municipality(app, "web", session_id, municipality)
    return await web_say(client, session_id, "nieuws aan")


def add_team(app: FastAPI, consultant_id: int, slug: str, municipalities: list[str]) -> None:
    with app.state.session_factory() as session:
        team = Team(slug=slug, name=slug.capitalize())
        session.add(team)
        session.flush()
        session.add_all(TeamMunicipality(team_id=team.id, municipality=m) for m in municipalities)
        session.add(ConsultantTeam(consultant_id=consultant_id, team_id=team.id))
        session.commit()


@dataclass
class FakeClock:
    """A clock that only moves when the code under test sleeps (or the test advances it)."""

    now: datetime = field(default_factory=utcnow)
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)
