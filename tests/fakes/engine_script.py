"""Scripted Rasa REST replies for channel tests (used as `FakeRasa.reply`).

Shapes follow Rasa's REST channel: `[{"recipient_id", "text", "buttons": [{"title", "payload"}]},
{"recipient_id", "custom": {...}}]`; the deadlines answer carries the gateway's custom payload
`{"wegwijs": {"type": "deadlines", "input": {...}, "lang": "nl"}}`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

FAQ_QUESTION = "Wat is een PIP?"
FAQ_ANSWER = (
    "Een PIP is uw persoonlijk plan inburgering en participatie. De gemeente maakt het samen met u. "
    "Bron: https://www.inburgeren.nl/inburgeren-bij-de-gemeente/"
)
FAQ_BUTTONS = [
    {"title": "Mijn termijn", "payload": "/ask_deadlines"},
    {"title": "Praat met een mens", "payload": "/ask_human"},
]
DEADLINES_TEXT = "Dit zijn uw termijnen. U krijgt ze ook als agenda-bestand."
DEADLINE_INPUT = {
    "today": "2026-11-22",
    "plicht_start": "2024-03-01",
    "pip_date": "2024-05-12",
    "exams_passed": 2,
}
HANDOFF_TEXT = "Ik geef uw vraag door aan een regievoerder. U krijgt hier antwoord."
TOPIC_TITLES = [
    "Wat is een PIP?",
    "Wanneer moet ik klaar zijn met inburgeren?",
    "Hoeveel uur les moet ik volgen?",
    "Kan ik ontheffing krijgen?",
    "Wat kost inburgeren?",
    "Wat is de B1-route?",
    "Wat is de Z-route?",
    "Wat is de onderwijsroute?",
    "Wat is de MAP?",
    "Wat is het ONA-examen?",
    "Wie betaalt de lessen?",
    "Wat als ik te laat ben?",
]
LONG_PAYLOAD = '/choose_topic{"faq_topic": "inburgeringstermijn_verlenging_bij_ziekte_of_zwangerschap"}'


def scripted_reply(body: dict[str, Any]) -> list[dict[str, Any]]:
    sender, text = body["sender"], body["message"]
    if text in ("ask_deadlines", "ask_human", "all_topics", "long_button"):
        # a payload typed by hand arrives without its slash (review finding 6); the real bot's NLU
        # reads these as the same intents
        text = "/" + text
    if text == FAQ_QUESTION:
        return [{"recipient_id": sender, "text": FAQ_ANSWER, "buttons": FAQ_BUTTONS}]
    if text == "/ask_deadlines":
        return [
            {"recipient_id": sender, "text": DEADLINES_TEXT},
            {
                "recipient_id": sender,
                "custom": {"wegwijs": {"type": "deadlines", "input": DEADLINE_INPUT, "lang": "nl"}},
            },
        ]
    if text == "/ask_human":
        return [{"recipient_id": sender, "text": HANDOFF_TEXT}]
    if text == "/all_topics":
        buttons = [
            {"title": title, "payload": f'/choose_topic{{"faq_topic": "t{i}"}}'}
            for i, title in enumerate(TOPIC_TITLES)
        ]
        return [{"recipient_id": sender, "text": "Waar gaat uw vraag over?", "buttons": buttons}]
    if text == "/long_button":
        return [
            {
                "recipient_id": sender,
                "text": "Bedoelt u dit?",
                "buttons": [{"title": "Verlenging", "payload": LONG_PAYLOAD}],
            }
        ]
    return [{"recipient_id": sender, "text": f"Antwoord op: {text}"}]


HANDOFF_FAQ_ANSWER = "Een PIP is uw persoonlijk plan inburgering en participatie. Bron: https://www.inburgeren.nl"
CONSENT_QUESTION = (
    "Een regievoerder van de gemeente ziet dan dit gesprek en de data die u gaf. Mag ik het doorsturen?"
)


def handoff_script(paused: set[str]) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    """The handoff as the real bot does it: "ik wil een mens" → the consent question; "ja" → the
    handoff payload, and the conversation is paused (ConversationPaused) until the gateway resumes
    it; any other text → a canned FAQ answer. Pass the fake's `paused` set."""

    def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
        sender, said = body["sender"], body["message"].strip().lower()
        if said == "ik wil een mens":
            return [{
                "recipient_id": sender, "text": CONSENT_QUESTION,
                "buttons": [{"title": "Ja", "payload": "ja"}, {"title": "Nee", "payload": "nee"}],
            }]
        if said == "ja":
            paused.add(sender)
            consent = datetime.now(timezone.utc).isoformat(timespec="seconds")
            return [{"recipient_id": sender, "custom": {"wegwijs": {
                "type": "handoff", "reason": "user_request", "consent_at": consent, "lang": "nl",
                "slots": {"pip_date": "2025-03-01"}, "summary": "Vraagt naar hulp bij het betalen van lessen.",
            }}}]
        if said == "nee":
            return [{"recipient_id": sender, "text": "Goed, ik deel niets."}]
        return [{"recipient_id": sender, "text": HANDOFF_FAQ_ANSWER}]

    return reply
