"""One model answers with the right municipality's details: trained once (bot/models/wegwijs.tar.gz,
the same for every municipality), the same question asked for two municipalities gets each one's
own details. The gateway sends the conversation's municipality as `metadata.municipality`; here the
messages go straight to the engine's REST channel with that metadata."""

from __future__ import annotations

import uuid

import httpx
import pytest
from conftest import MODEL, RASA, ROOT, TOKEN, Stack, texts

from knowledge import build, loader
from tests.scale.services import wait_until_up

QUESTION = "waar kan ik extra nederlands oefenen? is er een taalcafé?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Stack:
    """Only the engine (the trained model, actions inside), as scripts/run starts it."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run scripts/train first")
    s = Stack(tmp_path_factory.mktemp("municipalities"))
    proc = s.start(
        "engine",
        [str(RASA), "run", "--enable-api", "--auth-token", TOKEN, "-i", "127.0.0.1", "-p", str(s.rasa_port),
         "--model", str(MODEL), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
         "--logging-config-file", "logging.yml"],
        ROOT / "bot",
    )
    try:
        wait_until_up(f"{s.rasa_url}/status?token={TOKEN}", proc, s.tmp / "engine.log", 240)
        yield s
    finally:
        s.down()


def say(engine: Stack, sender: str, text: str, municipality: str | None) -> str:
    body: dict = {"sender": sender, "message": text}
    if municipality is not None:
        body["metadata"] = {"municipality": municipality}
    r = httpx.post(f"{engine.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    r.raise_for_status()
    return texts(r.json())


def test_the_generated_data_the_model_was_trained_on_names_no_municipality():
    domain = build.outputs()[build.OUT_FAQ_DOMAIN]
    assert all(m.website not in domain for m in loader.municipalities().values())


def test_one_model_answers_the_same_question_with_each_municipalitys_details(engine):
    voorbeeld, rivier = loader.load_municipality("voorbeeldstad"), loader.load_municipality("rivierdam")
    answers = {m: say(engine, f"{m}-{uuid.uuid4().hex[:8]}", QUESTION, m) for m in ("voorbeeldstad", "rivierdam")}
    # Voorbeeldstad: the national answer with its own website
    assert voorbeeld.website in answers["voorbeeldstad"] and "Veerpont" not in answers["voorbeeldstad"]
    # Rivierdam: its own answer (an override) with its language cafés and phone number
    assert "Taalcafé De Veerpont" in answers["rivierdam"] and rivier.team["telefoon"] in answers["rivierdam"]
    assert voorbeeld.website not in answers["rivierdam"]
    assert all("[[" not in text for text in answers.values())


def test_the_municipality_stays_for_the_conversation_and_unknown_means_the_default(engine):
    rivier = loader.load_municipality("rivierdam")
    sender = f"rivier-{uuid.uuid4().hex[:8]}"
    say(engine, sender, "hallo", "rivierdam")
    consent = say(engine, sender, "ik wil met een mens praten", None)  # no metadata: the slot keeps its value
    assert rivier.naam in consent and "Voorbeeldstad" not in consent
    english = say(engine, f"en-{uuid.uuid4().hex[:8]}", "where can I practise Dutch? is there a language cafe?", "rivierdam")
    assert "every Wednesday" in english
    unknown = say(engine, f"x-{uuid.uuid4().hex[:8]}", "ik wil met een mens praten", "atlantis")
    assert "Voorbeeldstad" in unknown
