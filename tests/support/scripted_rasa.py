"""A scripted stand-in for Rasa's HTTP API, served on a real localhost port (no trained model).

"ik wil een mens" → the consent question with Ja/Nee buttons; "ja" → the handoff custom
payload, then the tracker is paused (as the real action does with ConversationPaused); any
other text → a canned FAQ answer. While paused it answers nothing, like Rasa. A `resume` event
on `/conversations/{id}/tracker/events` un-pauses.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

FAQ_ANSWER = "Een PIP is uw persoonlijk plan inburgering en participatie. Bron: https://www.inburgeren.nl"


class ScriptedRasa:
    def __init__(self, token: str) -> None:
        self.token = token
        self.paused: set[str] = set()
        self.events: list[tuple[str, list[dict[str, Any]]]] = []
        self.messages: list[tuple[str, str]] = []

    def reply(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.messages.append((sender, text))
        if sender in self.paused:
            return []
        said = text.strip().lower()
        if said == "ik wil een mens":
            return [{
                "recipient_id": sender,
                "text": "Een regievoerder van de gemeente ziet dan dit gesprek en de data die u gaf. Mag ik het doorsturen?",
                "buttons": [{"title": "Ja", "payload": "ja"}, {"title": "Nee", "payload": "nee"}],
            }]
        if said == "ja":
            self.paused.add(sender)
            consent = datetime.now(timezone.utc).isoformat(timespec="seconds")
            return [
                {"recipient_id": sender, "custom": {"wegwijs": {
                    "type": "handoff", "reason": "user_request", "consent_at": consent, "lang": "nl",
                    "slots": {"pip_date": "2025-03-01"}, "summary": "Vraagt naar hulp bij het betalen van lessen.",
                }}},
            ]
        if said == "nee":
            return [{"recipient_id": sender, "text": "Goed, ik deel niets."}]
        return [{"recipient_id": sender, "text": FAQ_ANSWER}]

    def app(self) -> Starlette:
        async def webhook(request: Request) -> JSONResponse:
            if request.query_params.get("token") != self.token:
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            body = await request.json()
            return JSONResponse(self.reply(body["sender"], body["message"]))

        async def events(request: Request) -> JSONResponse:
            if request.query_params.get("token") != self.token:
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            sender = request.path_params["conversation_id"]
            body = await request.json()
            body = body if isinstance(body, list) else [body]
            self.events.append((sender, body))
            for event in body:
                if event.get("event") == "resume":
                    self.paused.discard(sender)
                elif event.get("event") == "pause":
                    self.paused.add(sender)
            return JSONResponse({"sender_id": sender, "paused": sender in self.paused})

        async def root(request: Request) -> PlainTextResponse:
            return PlainTextResponse("Hello from Rasa: 3.6.21")

        return Starlette(routes=[
            Route("/", root),
            Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
            Route("/conversations/{conversation_id}/tracker/events", events, methods=["POST"]),
        ])
