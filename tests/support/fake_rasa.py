"""The one fake of Rasa's HTTP API (REST channel + tracker endpoints) the tests use.

It records requests; `reply` (a script: tests/fakes/engine_script.py) decides the answers. Like
Rasa, a paused conversation gets no answer until a `resume` event arrives. In-process through
`transport()`, or on a real localhost port through `app()` (browser tests), optionally behind a
token like `rasa run --auth-token`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

Reply = Callable[[dict[str, Any]], list[dict[str, Any]]]


def echo_with_buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "recipient_id": body["sender"],
            "text": f"Antwoord op: {body['message']}",
            "buttons": [
                {"title": "Wat is een PIP?", "payload": "/faq_pip"},
                {"title": "Mijn termijn", "payload": "/ask_deadlines"},
            ],
        }
    ]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class FakeRasa:
    """Set `reply` to change answers, `down=True` to refuse connections, `status` for 5xx answers."""

    reply: Reply = echo_with_buttons
    down: bool = False
    status: int = 200
    token: str | None = None  # when set, requests need ?token=… (401 otherwise), as with --auth-token
    requests: list[RecordedRequest] = field(default_factory=list)
    paused: set[str] = field(default_factory=set)

    def app(self) -> Starlette:
        async def webhook(request: Request) -> JSONResponse:
            if not self._authorised(request):
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            body = await self._record(request)
            if self.status != 200:
                return JSONResponse({"error": "boom"}, status_code=self.status)
            if body.get("sender") in self.paused:
                return JSONResponse([])  # Rasa answers nothing while the conversation is paused
            return JSONResponse(self.reply(body))

        async def events(request: Request) -> JSONResponse:
            if not self._authorised(request):
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            sender = request.path_params["conversation_id"]
            body = await self._record(request)
            for event in body if isinstance(body, list) else [body]:
                if isinstance(event, dict) and event.get("event") == "resume":
                    self.paused.discard(sender)
                elif isinstance(event, dict) and event.get("event") == "pause":
                    self.paused.add(sender)
            return JSONResponse({"sender_id": sender, "events": [], "paused": sender in self.paused})

        async def trigger(request: Request) -> JSONResponse:
            body = await self._record(request)
            return JSONResponse({"tracker": {}, "messages": [{"recipient_id": "x", "text": body["name"]}]})

        async def root(request: Request) -> PlainTextResponse:
            return PlainTextResponse("Hello from Rasa: 3.6.21")

        return Starlette(
            routes=[
                Route("/", root),
                Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                Route("/conversations/{conversation_id}/tracker/events", events, methods=["POST"]),
                Route("/conversations/{conversation_id}/trigger_intent", trigger, methods=["POST"]),
            ]
        )

    def transport(self) -> httpx.AsyncBaseTransport:
        return _SwitchableTransport(self)

    @property
    def messages(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/webhooks/rest/webhook"]

    @property
    def events(self) -> list[tuple[str, list[Any]]]:
        """(conversation id, events) of every request to the tracker events endpoint."""
        return [
            (r.path.split("/")[2], r.body if isinstance(r.body, list) else [r.body])
            for r in self.requests
            if r.path.endswith("/tracker/events")
        ]

    def _authorised(self, request: Request) -> bool:
        return self.token is None or request.query_params.get("token") == self.token

    async def _record(self, request: Request) -> Any:
        body = await request.json()
        self.requests.append(
            RecordedRequest(request.method, request.url.path, dict(request.query_params), body)
        )
        return body


class _SwitchableTransport(httpx.AsyncBaseTransport):
    def __init__(self, fake: FakeRasa) -> None:
        self._fake = fake
        self._inner = httpx.ASGITransport(app=fake.app())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._fake.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self._inner.handle_async_request(request)
