"""The engine's and the action server's logs carry no personal data (redaction/logs.py, bot/logging.yml).

Rasa 3.6 logs the user's message at ERROR when a REST turn times out or fails, renders exceptions
with every frame's local variables, and puts slot values in warnings; these tests drive those
code paths with Rasa's own logging set-up and read what reaches the output.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from redaction.logs import (
    RedactingFilter,
    hash_id,
    redact_event,
    redact_message,
    scrub,
    structlog_processor,
)

pytest.importorskip("rasa", reason="Rasa's logging set-up is in the engine environment")

BOT = Path(__file__).resolve().parents[2] / "bot"
ENGINE_PY = sys.executable

EMAIL = "jan.jansen@example.org"
PHONE = "06-12345678"
BSN = "123456782"  # passes the 11-proef
IBAN = "NL91ABNA0417164300"
NAME = "Jan Jansen"
MESSAGE = f"Ik ben {NAME}, mail {EMAIL}, bel {PHONE}, bsn {BSN}, rekening {IBAN}"
SECRETS = (EMAIL, PHONE, BSN, IBAN, NAME)


def filtered(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("rasa.test", logging.ERROR, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    RedactingFilter().filter(record)
    return record


@pytest.mark.parametrize(
    ("line", "secret", "mask"),
    [
        ("reply to jan.jansen@example.org", EMAIL, "[EMAIL]"),
        ("call 06-12345678 or 06 1234 5678", "12345678", "[PHONE]"),
        ("call +31 6 1234 5678", "1234 5678", "[PHONE]"),
        ("bsn 123456782 and 123.456.782", "456", "[BSN]"),
        ("iban NL91 ABNA 0417 1643 00", "0417", "[IBAN]"),
        ("iban NL91ABNA0417164300", "NL91ABNA", "[IBAN]"),
        ("message for sender_id=31612345678", "31612345678", hash_id("31612345678")),
        ("Stopped predicting more actions for sender 'whatsapp-31612345678'.", "31612345678",
         hash_id("whatsapp-31612345678")),
        ("handling uri: 'http://127.0.0.1:5005/conversations/x/tracker?token=s3cret'", "s3cret", "token=[TOKEN]"),
        ("Categorical slot 'naam' is set to a value ('Jan Jansen') that is not specified",
         "Jan Jansen", "('[text: 10 chars]')"),
    ],
    ids=["an e-mail address", "a Dutch phone number", "an international phone number", "a BSN",
         "a grouped IBAN", "a compact IBAN", "a sender id", "a quoted sender id", "a URL token",
         "a categorical slot value"],
)
def test_each_kind_of_personal_data_in_a_log_line_is_masked(line: str, secret: str, mask: str) -> None:
    message = filtered(line).getMessage()
    assert secret not in message and mask in message


def test_arguments_extras_urls_and_exception_texts_are_masked_too() -> None:
    try:
        raise ValueError(f"cannot parse {EMAIL}")
    except ValueError:
        record = logging.LogRecord("rasa_sdk.endpoint", logging.ERROR, __file__, 1, "user %s wrote %s",
                                   (PHONE, BSN), sys.exc_info())
    record.chat_id = 912345678
    record.request = "POST http://127.0.0.1:5055/webhook?token=s3cret"  # Sanic's access log extra
    RedactingFilter().filter(record)
    rendered = logging.Formatter().format(record)
    assert PHONE not in rendered and BSN not in rendered and EMAIL not in rendered
    assert "[EMAIL]" in rendered and record.chat_id == hash_id("912345678")
    assert record.request == "POST http://127.0.0.1:5055/webhook?token=[TOKEN]"


def test_numbers_that_are_no_personal_data_are_kept() -> None:
    line = "zaaknummer 123456789 on 12-05-2024 at 1234 AB, took 450 ms"
    assert scrub(line) == line


def test_message_bodies_in_structlog_events_are_replaced_by_their_size() -> None:
    event = {
        "event": "processor.message.parse",
        "parse_data_text": MESSAGE,
        "parse_data_entities": [{"entity": "naam", "value": NAME}],
        "slot_values": {"naam": NAME, "email": EMAIL},
        "tracker_latest_message": {"text": MESSAGE, "intent": {"name": "inform"}},
        "rasa_events": [{"event": "user", "text": MESSAGE}],
        "sender_id": "whatsapp-31612345678",
        "event_info": f"for {EMAIL}",
    }
    redacted = redact_event(event)
    assert redacted == {
        "event": "processor.message.parse",
        "parse_data_text": f"[text: {len(MESSAGE)} chars]",
        "parse_data_entities": "[1 items]",
        "slot_values": "[2 keys]",
        "tracker_latest_message": "[2 keys]",
        "rasa_events": "[1 items]",
        "sender_id": hash_id("whatsapp-31612345678"),
        "event_info": "for [EMAIL]",
    }
    assert redact_event(redacted) == redacted, "redacting twice changes nothing"


def test_an_exception_that_quotes_the_message_shows_its_size_instead() -> None:
    try:
        raise RuntimeError(f"could not handle {MESSAGE!r}")
    except RuntimeError:
        event = structlog_processor(None, "exception", {"event": "rest.message.received.failure", "text": MESSAGE})
    assert event["text"] == f"[text: {len(MESSAGE)} chars]"
    assert "RuntimeError: could not handle '[text: " in event["exception"]
    assert event["exc_info"] is False, "structlog must not render the traceback (with locals) again"
    assert not any(secret in json.dumps(event) for secret in SECRETS)


def test_a_rendered_rasa_json_event_loses_frame_locals_and_bodies() -> None:
    import structlog

    def handler(text: str) -> None:
        raise RuntimeError("kapot voor " + text)

    try:
        handler(MESSAGE)
    except RuntimeError as error:
        event = structlog.processors.dict_tracebacks(
            None, "exception", {"event": "rest.message.received.failure", "text": MESSAGE, "exc_info": error})
    line = structlog.processors.JSONRenderer()(None, "exception", event)
    assert MESSAGE in line and '"locals"' in line  # what Rasa 3.6 writes without the filter
    redacted = redact_message(line)
    assert not any(secret in redacted for secret in SECRETS)
    assert '"locals"' not in redacted and "kapot voor [text: " in redacted


RASA_LOGGING = textwrap.dedent(
    """
    import asyncio, logging, sys

    class Terminal:  # Rasa renders structlog events for a terminal when stderr is one
        def __init__(self, stream): self._stream = stream
        def isatty(self): return True
        def __getattr__(self, name): return getattr(self._stream, name)

    if sys.argv[1] == "terminal":
        sys.stderr = Terminal(sys.stderr)

    # the start-up order of rasa/__main__.py main()
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.io import configure_colored_logging
    from rasa.utils.log_utils import configure_structlog
    configure_logging_and_warnings(None, "logging.yml", warn_only_once=True, filter_repeated_logs=True)
    configure_colored_logging(None)
    configure_structlog(None)

    from rasa.core.channels.rest import RestInput
    from rasa.shared.utils.io import raise_warning
    from sanic import Sanic

    MESSAGE, EMAIL, PHONE = sys.argv[2:5]

    class Request:
        json = {"sender": "whatsapp-31612345678", "message": MESSAGE}
        args = {}
        headers = {}

    async def times_out(message):
        raise asyncio.CancelledError()

    async def fails(message):
        raise RuntimeError("kapot voor " + message.text)

    async def main():
        for on_new_message in (times_out, fails):
            blueprint = RestInput().blueprint(on_new_message)
            receive = next(r.handler for r in blueprint._future_routes if r.uri == "/webhook")
            await receive(Request())

    asyncio.run(main())
    Sanic("rasa_server")  # Sanic replaces its loggers' handlers, as `rasa run --enable-api` does
    raise_warning(f"Categorical slot 'naam' is set to a value ('{MESSAGE}') that is not specified.")
    logging.getLogger("sanic.error").error("Exception occurred while handling uri: 'http://x/y?token=s3cret' %s %s",
                                           EMAIL, PHONE)
    logging.getLogger("rasa.core.processor").warning(
        "Circuit breaker tripped. Stopped predicting more actions for sender 'whatsapp-31612345678'.")
    """
)


@pytest.mark.parametrize("output", ["file", "terminal"], ids=["to a file (JSON events)", "to a terminal"])
def test_rasa_logs_a_timed_out_or_failed_rest_turn_without_the_message(output: str) -> None:
    result = subprocess.run(
        [ENGINE_PY, "-c", RASA_LOGGING, output, MESSAGE, EMAIL, PHONE], cwd=BOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore::DeprecationWarning", "RASA_TELEMETRY_ENABLED": "false"},
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    for event in ("rest.message.received.timeout", "rest.message.received.failure", "Categorical slot",
                  "Circuit breaker", "Exception occurred while handling uri"):
        assert event in log, f"{event!r} was not logged:\n{log}"
    assert f"[text: {len(MESSAGE)} chars]" in log
    assert "kapot voor [text: " in log and "token=[TOKEN]" in log
    leaked = [s for s in (*SECRETS, "31612345678", "s3cret") if s in log]
    assert not leaked, f"{leaked} in:\n{log}"


ACTION_SERVER_LOGGING = textwrap.dedent(
    """
    import logging, sys
    import serve_actions
    serve_actions.configure_logging()
    serve_actions.build_app("t")  # rasa-sdk's Sanic app, as the action server builds it
    logging.getLogger("rasa_sdk.endpoint").error("Exception during request %s", sys.argv[1])
    logging.getLogger("sanic.error").error("Exception for %s", sys.argv[1])
    logging.getLogger("sanic.error").error("Exception occurred while handling uri: 'http://x/webhook?token=s3cret'")
    logging.getLogger("wegwijs.actions").info("action server on %s", "127.0.0.1")
    """
)


def test_the_action_server_logs_through_the_same_filter() -> None:
    result = subprocess.run(
        [ENGINE_PY, "-c", ACTION_SERVER_LOGGING, MESSAGE], cwd=BOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore::DeprecationWarning"},
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "action server on 127.0.0.1" in log and "[EMAIL]" in log and "token=[TOKEN]" in log
    assert not [s for s in (EMAIL, PHONE, BSN, IBAN, "s3cret") if s in log], log
