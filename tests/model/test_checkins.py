"""A check-in cycle across a gateway restart, on the trained model through the web chat: a real
deadline answer offers check-ins, the person opts in, the gateway stops, the check-in falls due,
the gateway starts again and its scheduler sends the check-in (catch-up); the person answers with
buttons and a typed number, and reads the recomputed dates. The engine still answers after it."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid

import httpx
from conftest import GATEWAY_PY, ROOT, texts

from tests.scale.services import wait_until_up

COMMAND = "/wegwijs_checkins"


def history(stack, session: str) -> list[dict]:
    r = httpx.get(f"{stack.gateway_url}/webchat/api/messages", params={"session_id": session}, timeout=30)
    r.raise_for_status()
    return r.json()["messages"]


def checkin_button(messages: list[dict], title_start: str) -> dict:
    for message in reversed(messages):
        for button in message.get("buttons") or []:
            if button["payload"].startswith(COMMAND) and button["title"].startswith(title_start):
                return button
    raise AssertionError(f"no check-in button starting with {title_start!r}: {messages}")


def restart_gateway(stack, before_start=None) -> None:  # noqa: ANN001
    gateway = next(p for p in stack.procs if p.args[-2:] == ["-m", "channels"])
    gateway.terminate()
    gateway.wait(timeout=30)
    stack.procs.remove(gateway)
    if before_start is not None:
        before_start()
    proc = stack.start("gateway", [str(GATEWAY_PY), "-m", "channels"], ROOT)
    wait_until_up(f"{stack.gateway_url}/healthz", proc, stack.tmp / "gateway.log", 60)


def test_a_check_in_cycle_across_a_gateway_restart(stack):
    session = f"checkin-{uuid.uuid4().hex[:12]}"
    answer = stack.chat(session, "tot wanneer heb ik tijd? mijn pip is van 12 mei 2025")
    assert any(m.get("image_url") for m in answer), texts(answer)  # a real deadline answer
    offer = checkin_button(answer, "Ja, vraag me elke")
    assert json.loads(offer["payload"].removeprefix(COMMAND))["on"] is True
    (confirmation,) = stack.chat(session, offer["payload"])
    assert confirmation["text"].startswith("Goed. Op ") and "stel ik u de eerste vragen" in confirmation["text"]

    def fall_due() -> None:  # while the gateway is down, the weeks pass
        with sqlite3.connect(stack.tmp / "wegwijs.db") as db:
            changed = db.execute(
                "UPDATE checkin_plans SET next_at = '2020-01-01 08:00:00.000000', "
                "next_attempt_at = '2020-01-01 08:00:00.000000' WHERE status = 'active'"
            ).rowcount
        assert changed >= 1

    restart_gateway(stack, fall_due)
    for _ in range(150):  # the scheduler's start-up run sends it
        question = [m for m in history(stack, session) if (m.get("text") or "").startswith("Check-in van Wegwijs")]
        if question:
            break
        time.sleep(0.2)
    assert len(question) == 1, "the check-in was not sent after the restart"
    assert "Vraag 1 van 3" in question[0]["text"]

    (exams,) = stack.chat(session, "40")  # typed, right after the question
    assert exams["text"].startswith("Vraag 2 van 3")
    (obstacle,) = stack.chat(session, checkin_button([exams], "1")["payload"])
    assert obstacle["text"].startswith("Vraag 3 van 3")
    summary, consent = stack.chat(session, checkin_button([obstacle], "Werk of kinderen")["payload"])
    assert "U heeft nu ongeveer 40 uur les gevolgd en 1 examen(s) gehaald." in summary["text"]
    assert "Uw inburgeringstermijn eindigt op 12 mei 2028." in summary["text"]
    assert consent["text"].startswith("Mag de regievoerder van de gemeente uw antwoorden zien?")
    time.sleep(1.5)  # no second copy of the question from the interval job
    assert sum((m.get("text") or "").startswith("Check-in van Wegwijs") for m in history(stack, session)) == 1

    # the engine still answers the person's own questions
    assert "Bron:" in texts(stack.chat(session, "wat kost inburgeren?"))
    (stopped,) = stack.chat(session, "stop check-ins")
    assert stopped["text"].startswith("U krijgt geen check-ins meer van Wegwijs.")
