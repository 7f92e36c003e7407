"""Isolation of municipalities: a consultant of team A cannot read, claim, reply to, close,
export, count or receive notifications about anything of a municipality outside A's teams —
through ANY inbox route.

Team A serves voorbeeldstad (the deployment's default); team B serves rivierdam and heidebeek.
Each has a ticket (with a user message, a note and a check-in case); B also has a news message.
Logged in as A, the test walks every route of the app under /inbox — the OpenAPI operations and
the pages that are not in the schema (`app.routes`) — with every path parameter pointing at B's
objects, and checks:
- a route with a path parameter answers 404 (or 403 for the admin pages), never B's content;
- no answer of any route contains B's ticket text, note, user message or municipality name;
- the database rows afterwards are exactly those before (nothing claimed, answered, closed,
  noted, sent or changed for B), apart from A's own session bookkeeping;
- the walked routes are all the /inbox routes of the app (a new route is walked automatically;
  a new path parameter must be registered in `FOREIGN`, else this test fails).
Counts and statistics, and notifications per team, are checked on their own below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select, text

from gateway.core.models import Base, Conversation, utcnow
from gateway.inbox import stats
from gateway.inbox.access import scope_for
from gateway.inbox.models import Consultant, Note, Team, Ticket
from gateway.inbox.notify import Notifier
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import (
    CONSENT_AT,
    add_consultant,
    add_team,
    chat,
    csrf_from,
    login,
    make_settings,
    running,
)

A_EMAIL, B_EMAIL = "anna@voorbeeldstad.nl", "bram@rivierland.nl"
A_SESSION, B_SESSION = "user-voorbeeldstad-01", "user-rivierdam-0001"
# What only B's side may ever see (B's ticket is in Turkish: its language in JSON is a marker too;
# links to B's objects are added per test run, see `leaks`).
B_SECRETS = (
    "Samenvatting-Rivierdam-7731", "Vraag-uit-Rivierdam-5521", "Notitie-Rivierdam-9043",
    "Rivierdam", "Heidebeek", '"language":"tr"', "Bram Beekman",
)
A_SUMMARY = "Samenvatting-Voorbeeldstad-1188"
# Tables whose rows may change while A walks (A's own session, login bookkeeping, A's languages).
MAY_CHANGE = {"inbox_sessions", "inbox_login_failures"}


def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A scripted bot: "ja" hands off, with a summary and language per user."""
    sender, message = body["sender"], body["message"].strip().lower()
    if message == "ja":
        rivierdam = sender_is_b(sender)
        payload = {
            "type": "handoff", "reason": "user_request", "consent_at": CONSENT_AT,
            "lang": "tr" if rivierdam else "nl", "slots": {},
            "summary": B_SECRETS[0] if rivierdam else A_SUMMARY,
        }
        return [{"recipient_id": sender, "custom": {"wegwijs": payload}}]
    return [{"recipient_id": sender, "text": "Goed."}]


SENDERS_OF_B: set[str] = set()


def sender_is_b(sender: str) -> bool:
    return sender in SENDERS_OF_B


async def open_ticket(app: FastAPI, client: Any, session_id: str, municipality: str | None, question: str) -> int:
    """A conversation of `municipality` that asks a question and is handed off; returns the ticket id."""
    await chat(client, question, session_id)
    with app.state.session_factory() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.channel_user_id.like(f"%{session_id}%"))
        ).one()
        if municipality is not None:
            conversation.municipality = municipality
        if municipality == "rivierdam":
            SENDERS_OF_B.add(conversation.id)
        session.commit()
    await chat(client, "ja", session_id)
    await chat(client, question + " (nog een bericht)", session_id)  # on the ticket's thread
    with app.state.session_factory() as session:
        return session.scalars(select(Ticket.id).order_by(Ticket.id.desc())).first()


def snapshot(app: FastAPI, a_id: int) -> dict[str, list[str]]:
    """Every row of every table (as text), except what A's own walking may change."""
    result: dict[str, list[str]] = {}
    with app.state.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in MAY_CHANGE:
                continue
            rows = session.execute(select(table)).mappings().all()
            if table.name == "inbox_consultants":
                rows = [row for row in rows if row["id"] != a_id]
            result[table.name] = sorted(json.dumps(dict(row), default=str, sort_keys=True) for row in rows)
    return result


# -- the foreign objects a path parameter can point at ------------------------------------------
def _checkin_plan(app: FastAPI, world: dict[str, Any]) -> int:
    from gateway.checkins.models import CheckinPlan

    now = utcnow()
    with app.state.session_factory() as session:
        plan = CheckinPlan(
            conversation_id=world["b_conversation"], lang="tr", deadline_input={}, next_at=now + timedelta(days=7),
            next_attempt_at=now + timedelta(days=7), consent_at=now, started_at=now,
        )
        session.add(plan)
        session.commit()
        return plan.id


def _news_message(app: FastAPI, world: dict[str, Any]) -> int:
    from gateway.news.models import NewsMessage

    with app.state.session_factory() as session:
        message = NewsMessage(
            municipality="rivierdam", texts={"nl": B_SECRETS[1] + " nieuws"}, form_key="isolation-test-news",
            consultant_id=world["b_consultant"],
        )
        session.add(message)
        session.commit()
        return message.id


# Path parameter name → how to make (or find) B's object. A new inbox route with a new path
# parameter fails the test until it is registered here.
FOREIGN: dict[str, Callable[[FastAPI, dict[str, Any]], int]] = {
    "ticket_id": lambda app, world: world["b_ticket"],
    "team_id": lambda app, world: world["b_team"],
    "consultant_id": lambda app, world: world["b_consultant"],
    "plan_id": _checkin_plan,
    "news_id": _news_message,
}
# Form and JSON fields sent with every POST: valid values that point at B where they can.
FIELDS = {
    "text": "Antwoord van team A", "reason": "beantwoord", "municipality": "rivierdam", "team": "team-b",
    "languages": "nl", "next": "/inbox", "text_nl": "Nieuws van A", "link": "", "form_key": "isolation-post",
    "slug": "team-x", "name": "Team X", "notify_emails": "a@example.org", "admin": "1",
}
# Routes that are public by design (no login); still walked and checked for leaks.
PUBLIC = {"/inbox/login", "/inbox/login/totp"}
LAST = {"/inbox/logout"}  # ends A's session: walked last


def inbox_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every route of the app under /inbox, included routers too."""
    found = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if not (path == "/inbox" or path.startswith("/inbox/")) or path.startswith("/inbox/static"):
            continue
        route = context.original_route
        assert isinstance(route, APIRoute), f"{path}: an inbox route that is not an APIRoute is not walked"
        for method in sorted((context.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path, route))
    return sorted(found, key=lambda item: (item[1] in LAST, item[1], item[0]))


LINKS = {"ticket_id": "/inbox/tickets/{}", "plan_id": "/inbox/voortgang/{}", "news_id": "/inbox/news/{}",
         "team_id": "/inbox/admin/teams/{}"}


def leaks(body: str, values: dict[str, int] | None = None) -> list[str]:
    """B's texts in `body`, and links to B's objects (their existence is B's too)."""
    found = [secret for secret in B_SECRETS if secret in body]
    for name, value in (values or {}).items():
        if name in LINKS and re.search(re.escape(LINKS[name].format(value)) + r"(?!\d)", body):
            found.append(LINKS[name].format(value))
    return found


@pytest.fixture
def settings(tmp_path: Path):  # noqa: ANN201
    return make_settings(tmp_path, smtp_host="127.0.0.1", smtp_to="deployment@example.org")


@pytest.fixture(autouse=True)
def no_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    """E-mail is configured (so the per-team choice is exercised) but never sent."""
    monkeypatch.setattr(Notifier, "_send_mail", lambda self, notice, recipients=None: None)


async def build_world(app: FastAPI, client: Any) -> dict[str, Any]:
    a_team = add_team(app, "team-a", ("voorbeeldstad",), notify_emails="team-a@voorbeeldstad.example")
    b_team = add_team(app, "team-b", ("rivierdam", "heidebeek"), notify_emails="team-b@rivierland.example")
    a_id = add_consultant(app, A_EMAIL, "Anna de Vries", team="team-a", municipalities=("voorbeeldstad",))
    b_id = add_consultant(app, B_EMAIL, "Bram Beekman", team="team-b", municipalities=("rivierdam",), is_admin=True)
    a_ticket = await open_ticket(app, client, A_SESSION, None, "Vraag uit Voorbeeldstad")
    b_ticket = await open_ticket(app, client, B_SESSION, "rivierdam", B_SECRETS[1])
    with app.state.session_factory() as session:
        b_conversation = session.get(Ticket, b_ticket).conversation_id
        session.add(Note(ticket_id=b_ticket, consultant_id=b_id, text=B_SECRETS[2], created_at=utcnow()))
        session.commit()
    return {
        "a_team": a_team, "b_team": b_team, "a_consultant": a_id, "b_consultant": b_id,
        "a_ticket": a_ticket, "b_ticket": b_ticket, "b_conversation": b_conversation,
    }


async def test_a_consultant_of_team_a_reaches_nothing_of_team_bs_municipalities_through_any_route(
    settings: Any,
) -> None:
    async with running(settings, FakeRasa(reply=reply)) as (app, client):
        world = await build_world(app, client)
        routes = inbox_routes(app)
        values: dict[str, int] = {}
        for _, _, route in routes:
            for name in route.param_convertors:
                assert name in FOREIGN, f"{route.path}: register path parameter {name!r} in FOREIGN of this test"
                if name not in values:
                    values[name] = FOREIGN[name](app, world)

        # positive control: A sees A's own ticket, B sees B's (so the markers do show when allowed)
        csrf = await login(client, A_EMAIL)
        own = await client.get(f"/inbox/tickets/{world['a_ticket']}")
        assert own.status_code == 200 and A_SUMMARY in own.text
        before = snapshot(app, world["a_consultant"])

        walked: set[tuple[str, str]] = set()
        problems: list[str] = []
        for method, path, route in routes:
            url = path
            for name in route.param_convertors:
                url = url.replace("{" + name + "}", str(values[name]))
            if method == "GET":
                response = await client.get(url, params={"view": "all", "risk": "all", "municipality": "rivierdam",
                                                         "team": "team-b"})
            elif path.startswith("/inbox/api/"):
                response = await client.request(method, url, json=FIELDS, headers={"X-CSRF-Token": csrf})
            else:
                response = await client.request(method, url, data={**FIELDS, "csrf_token": csrf})
            walked.add((method, path))
            body = response.text
            if response.status_code >= 500:
                problems.append(f"{method} {path}: {response.status_code}")
            if route.param_convertors and response.status_code not in (403, 404):
                problems.append(f"{method} {path} with B's {list(route.param_convertors)}: {response.status_code}, not 404")
            if response.is_redirect and path not in PUBLIC | LAST:
                location = response.headers["location"]
                for value in values.values():
                    if re.search(rf"/{value}(\D|$)", location) and route.param_convertors:
                        problems.append(f"{method} {path}: redirects to B's object {location}")
            if found := leaks(body, values):
                problems.append(f"{method} {path}: shows {found}")
        assert not problems, "\n".join(problems)

        after = snapshot(app, world["a_consultant"])
        changed = [name for name in before if before[name] != after[name]]
        assert not changed, f"A's requests changed rows in {changed}"

        # self-check: every /inbox route of the app and of its OpenAPI was walked
        everything = {(m, p) for m, p, _ in inbox_routes(app)}
        assert walked == everything and len(walked) >= 30
        documented = {
            (method.upper(), path) for path, item in app.openapi()["paths"].items() if path.startswith("/inbox")
            for method in item
        }
        assert documented and documented <= walked
        assert len({p for _, p in walked}) > len({p for _, p in documented})  # pages outside the schema too

        # and B, who may, does see B's ticket with those markers
        client.cookies.clear()
        await login(client, B_EMAIL)
        theirs = await client.get(f"/inbox/tickets/{world['b_ticket']}")
        assert theirs.status_code == 200 and B_SECRETS[0] in theirs.text and B_SECRETS[2] in theirs.text
        assert A_SUMMARY not in (await client.get("/inbox", params={"view": "all"})).text


async def test_counts_and_statistics_cover_only_the_consultants_municipalities(settings: Any) -> None:
    async with running(settings, FakeRasa(reply=reply)) as (app, client):
        world = await build_world(app, client)
        await login(client, A_EMAIL)
        listed = (await client.get("/inbox/api/tickets", params={"view": "all"})).json()
        assert [t["id"] for t in listed["tickets"]] == [world["a_ticket"]]
        assert listed["counts"] == {"waiting": 1, "mine": 0, "open": 1}
        page = await client.get("/inbox/stats", params={"municipality": "rivierdam", "team": "team-b"})
        assert page.status_code == 200 and not leaks(page.text)

        with app.state.session_factory() as session:
            a = session.get(Consultant, world["a_consultant"])
            b = session.get(Consultant, world["b_consultant"])
            a_scope = scope_for(session, a, settings.municipality)
            b_scope = scope_for(session, b, settings.municipality)
            now = utcnow()
            assert stats.ticket_stats(session=session, now=now, tz=stats.ZoneInfo("UTC"), scope=a_scope)["total"] == 1
            # a team's region: a row per municipality and their sum
            [region] = stats.regions(session=session, scope=b_scope, now=now, tz=stats.ZoneInfo("UTC"))
            assert [(row["municipality"], row["total"]) for row in region["rows"]] == [("heidebeek", 0), ("rivierdam", 1)]
            assert region["total"]["total"] == 1
            # B asking for A's municipality gets only B's own figures
            shown, _ = stats.choose_scope(session, b_scope, municipality="voorbeeldstad")
            assert shown.municipalities == frozenset({"rivierdam", "heidebeek"})
            # questions from the tracker store: only the conversations of one's municipalities
            visible = stats.sender_filter(session, a_scope)({world["b_conversation"], "unknown-sender"})
            assert visible == {"unknown-sender"}  # a sender without a conversation: the default municipality
            assert session.execute(text("SELECT count(*) FROM inbox_tickets")).scalar_one() == 2


async def test_notifications_go_only_to_the_teams_of_the_tickets_municipality(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[int, str, list[str] | None]] = []
    monkeypatch.setattr(
        Notifier, "_send_mail", lambda self, notice, recipients=None: sent.append(
            (notice.ticket_id, notice.municipality, recipients)
        ),
    )
    async with running(settings, FakeRasa(reply=reply)) as (app, client):
        world = await build_world(app, client)
        await app.state.handoff.notifier.drain()
    assert sorted(sent) == sorted([
        (world["a_ticket"], "voorbeeldstad", ["team-a@voorbeeldstad.example"]),
        (world["b_ticket"], "rivierdam", ["team-b@rivierland.example"]),
    ])


async def test_without_own_settings_a_team_falls_back_to_the_deployments_addresses(settings: Any) -> None:
    from gateway.inbox.notify import TeamChannel

    notifier = Notifier(settings)
    assert notifier.destinations([TeamChannel("b")]) == ([], ["deployment@example.org"])
    assert notifier.destinations([TeamChannel("b", ("b@x.org",), "https://hooks.example/b")]) == (
        ["https://hooks.example/b"], ["b@x.org"],
    )


async def test_a_consultant_in_no_team_sees_no_ticket_and_admin_pages_are_for_admins(settings: Any) -> None:
    async with running(settings, FakeRasa(reply=reply)) as (app, client):
        world = await build_world(app, client)
        add_consultant(app, "nieuw@voorbeeldstad.nl", "Nieuw", team=None)
        await login(client, "nieuw@voorbeeldstad.nl")
        listed = (await client.get("/inbox/api/tickets", params={"view": "all"})).json()
        assert listed["tickets"] == [] and listed["counts"]["open"] == 0
        assert (await client.get(f"/inbox/tickets/{world['a_ticket']}")).status_code == 404
        assert (await client.get("/inbox/admin")).status_code == 403
        client.cookies.clear()

        csrf = await login(client, B_EMAIL)  # B is an admin
        assert (await client.get("/inbox/admin")).status_code == 200
        created = await client.post("/inbox/admin/teams", data={"slug": "team-c", "name": "Team C", "csrf_token": csrf})
        assert created.status_code == 303
        with app.state.session_factory() as session:
            team_c = session.scalars(select(Team).where(Team.slug == "team-c")).one().id
        page = await client.get(f"/inbox/admin/teams/{team_c}")
        assert page.status_code == 200
        await client.post(f"/inbox/admin/teams/{team_c}/municipalities",
                          data={"municipality": "voorbeeldstad", "csrf_token": csrf_from(page.text)})
        await client.post(f"/inbox/admin/teams/{team_c}/members",
                          data={"consultant_id": str(world["b_consultant"]), "csrf_token": csrf})
        # being put in a team serving voorbeeldstad is what gives access, not being admin
        assert (await client.get(f"/inbox/tickets/{world['a_ticket']}")).status_code == 200
        refused = await client.post("/inbox/admin/teams", data={"slug": "team-d", "name": "D"})
        assert refused.status_code == 403  # no CSRF token


async def test_an_admin_creates_and_blocks_accounts_on_the_admin_page(settings: Any) -> None:
    async with running(settings, FakeRasa(reply=reply)) as (app, client):
        world = await build_world(app, client)
        csrf = await login(client, B_EMAIL)
        made = await client.post("/inbox/admin/consultants", data={
            "email": "nieuw@rivierland.nl", "name": "Nieuw", "password": "een lang eerste wachtwoord",
            "team_id": str(world["b_team"]), "csrf_token": csrf,
        })
        assert made.status_code == 303
        with app.state.session_factory() as session:
            new = session.scalars(select(Consultant).where(Consultant.email == "nieuw@rivierland.nl")).one()
            assert scope_for(session, new, settings.municipality).municipalities == {"rivierdam", "heidebeek"}
        await client.post(f"/inbox/admin/consultants/{new.id}/active", data={"active": "0", "csrf_token": csrf})
        await client.post(f"/inbox/admin/consultants/{world['b_consultant']}/admin", data={"admin": "0", "csrf_token": csrf})
        with app.state.session_factory() as session:
            assert session.get(Consultant, new.id).active is False
            assert session.get(Consultant, world["b_consultant"]).is_admin is True  # not one's own rights
