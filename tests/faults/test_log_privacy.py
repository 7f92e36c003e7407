"""The real engine (trained model) and action server keep personal data out of their logs, also
when a turn times out and when the action server is unreachable (bot/logging.yml).

One action server and one engine on SQLite (tests/scale/services.py Stack, no gateway): normal
turns carrying an e-mail address, a phone number and a BSN; a turn whose client gives up while
Rasa waits (Rasa then logs the message text at ERROR, rasa/core/channels/rest.py); turns while
the action server hangs and is down (Rasa logs ERRORs). Then both log files are searched.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.scale.services import MODEL, Stack

EMAIL = "jan.jansen@example.org"
PHONE = "06-12345678"
BSN = "123456782"  # passes the 11-proef
NAME = "Jan Jansen"
SECRETS = (EMAIL, PHONE, "12345678", BSN, NAME)
CHOOSE_TOPIC = '/choose_topic{"faq_topic": "kosten"}'  # runs the custom action action_answer_topic
TIMED_OUT = f"Ik ben {NAME}, mijn e-mail is {EMAIL}, bel {PHONE}, BSN {BSN}"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run scripts/train first")
    stack = Stack(tmp_path_factory.mktemp("log-privacy"), engines=1, action_server=True)
    try:
        stack.start_actions()
        stack.start_engine(0)
        yield stack
    finally:
        stack.down()


def wait_for_line(log: Path, needle: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if needle in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not logged in {seconds}s:\n{log.read_text(errors='replace')[-3000:]}")


def test_engine_and_action_server_logs_carry_no_email_phone_bsn_or_message_text(engine: Stack) -> None:
    engine_log, actions_log = engine.tmp / "engine0.log", engine.tmp / "actions.log"

    # 1. ordinary turns, the action server up
    for text in (f"Hallo, mijn e-mail is {EMAIL}", f"Bel mij op {PHONE} alstublieft", f"Mijn BSN is {BSN}, wat kost het examen?"):
        assert engine.rest(0, "log-privacy-1", text), text
    assert engine.rest(0, "log-privacy-1", CHOOSE_TOPIC)

    # 2. the action server hangs: turn A waits for it while holding the conversation lock,
    #    turn B (personal data) queues behind A and its client gives up -> Rasa logs B's text
    engine.stop("actions")
    hanging = socket.socket()
    hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hanging.bind(("127.0.0.1", engine.actions_port))
    hanging.listen(8)
    hanging.settimeout(60)
    turn_a = threading.Thread(target=engine.rest, args=(0, "log-privacy-2", CHOOSE_TOPIC), daemon=True)
    turn_a.start()
    action_call, _ = hanging.accept()  # A is now inside the custom action call
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{engine.engine_urls[0]}/webhooks/rest/webhook",
                   json={"sender": "log-privacy-2", "message": TIMED_OUT}, timeout=2)
    wait_for_line(engine_log, "rest.message.received.timeout")

    # 3. the action server goes away: A's call fails, later calls cannot connect (ERRORs)
    action_call.close()
    hanging.close()
    turn_a.join(timeout=60)
    engine.rest(0, "log-privacy-3", f"Mijn e-mail is {EMAIL} en mijn BSN {BSN}")
    engine.rest(0, "log-privacy-3", CHOOSE_TOPIC)
    wait_for_line(engine_log, "Couldn't connect")
    engine.stop("engine0")

    engine_text = engine_log.read_text(errors="replace")
    actions_text = actions_log.read_text(errors="replace")
    assert f"[text: {len(TIMED_OUT)} chars]" in engine_text, "the timed-out turn is logged with its size only"
    assert "ERROR" in engine_text and "action server on" in actions_text
    for name, text in (("engine", engine_text), ("action server", actions_text)):
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"{leaked} in the {name} log:\n{text[-4000:]}"
