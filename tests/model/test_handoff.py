"""Handoff with the trained model: consent, a ticket, a quiet bot, the consultant's reply, and back."""

from __future__ import annotations

import re
import subprocess
import uuid

import httpx
from conftest import GATEWAY_PY, ROOT, texts

PASSWORD = "a-long-test-password"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def consultant_client(stack) -> tuple[httpx.Client, str]:
    email = f"{uuid.uuid4().hex[:8]}@voorbeeldstad.nl"

    def cli(*args: str, **kwargs: object) -> None:
        subprocess.run([str(GATEWAY_PY), "-m", "gateway.inbox", *args], text=True, cwd=ROOT, env=stack.env,
                       check=True, capture_output=True, **kwargs)

    # a consultant sees the tickets of the municipalities of their teams (voorbeeldstad here)
    teams = subprocess.run([str(GATEWAY_PY), "-m", "gateway.inbox", "list-teams"], text=True, cwd=ROOT,
                           env=stack.env, check=True, capture_output=True).stdout
    if "team-voorbeeldstad" not in teams:
        cli("create-team", "--team", "team-voorbeeldstad", "--name", "Team Voorbeeldstad")
        cli("add-municipality", "--team", "team-voorbeeldstad", "--municipality", "voorbeeldstad")
    cli("create-consultant", "--email", email, "--name", "Test", "--team", "team-voorbeeldstad",
        "--password-stdin", input=PASSWORD)
    client = httpx.Client(base_url=stack.gateway_url, timeout=30)
    token = CSRF.search(client.get("/inbox/login").text).group(1)
    client.post("/inbox/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/inbox"})
    csrf = CSRF.search(client.get("/inbox").text).group(1)
    return client, csrf


def ticket_ids(client: httpx.Client) -> set[int]:
    return {t["id"] for t in client.get("/inbox/api/tickets", params={"view": "all"}).json()["tickets"]}


def test_a_person_takes_over_after_consent_and_the_bot_answers_again_after_closing(stack):
    user = uuid.uuid4().hex
    consultant, csrf = consultant_client(stack)
    before = ticket_ids(consultant)
    offer = texts(stack.chat(user, "ik wil graag met een medewerker van de gemeente praten"))
    assert "regievoerder" in offer and "delen" in offer  # what will be shared, and a yes/no question
    handed = stack.chat(user, "ja")
    assert handed, "the user is told that a person will reply"

    (ticket_id,) = ticket_ids(consultant) - before  # exactly one new ticket
    detail = consultant.get(f"/inbox/api/tickets/{ticket_id}").json()
    assert "medewerker" in str(detail)  # the transcript travels with the ticket

    # while the ticket is open the bot stays quiet
    quiet = stack.chat(user, "wat kost de taalles?")
    assert not any(m.get("sender") == "bot" for m in quiet)

    headers = {"X-CSRF-Token": csrf}
    assert consultant.post(f"/inbox/api/tickets/{ticket_id}/claim", headers=headers).status_code == 200
    reply = consultant.post(f"/inbox/api/tickets/{ticket_id}/reply", headers=headers, json={"text": "Ik bel u morgen."})
    assert reply.status_code == 200
    polled = httpx.get(f"{stack.gateway_url}/webchat/api/messages", params={"session_id": user, "after": 0}).json()
    assert "Ik bel u morgen." in texts(polled["messages"])

    close = consultant.post(f"/inbox/api/tickets/{ticket_id}/close", headers=headers, json={"reason": "beantwoord"})
    assert close.status_code == 200
    again = stack.chat(user, "wat kost inburgeren?")
    assert "Bron: https://" in texts(again)


def test_refusing_consent_creates_no_ticket(stack):
    user = uuid.uuid4().hex
    consultant, _ = consultant_client(stack)
    before = ticket_ids(consultant)
    stack.chat(user, "kan ik een mens spreken?")
    answer = texts(stack.chat(user, "nee"))
    assert "deel niets" in answer
    assert ticket_ids(consultant) == before


def test_asking_twice_while_a_ticket_is_open_creates_one_ticket(stack):
    user = uuid.uuid4().hex
    consultant, _ = consultant_client(stack)
    before = ticket_ids(consultant)
    stack.chat(user, "ik wil een mens spreken")
    stack.chat(user, "ja")
    stack.chat(user, "ik wil een mens spreken")
    stack.chat(user, "ja")
    assert len(ticket_ids(consultant) - before) == 1
