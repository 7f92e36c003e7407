"""A small fake of Rasa's HTTP API (REST channel + tracker endpoints) that records requests."""

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
    requests: list[RecordedRequest] = field(default_factory=list)

    def app(self) -> Starlette:
        async def webhook(request: Request) -> JSONResponse:
            body = await self._record(request)
            if self.status != 200:
                return JSONResponse({"error": "boom"}, status_code=self.status)
            return JSONResponse(self.reply(body))

        async def events(request: Request) -> JSONResponse:
            await self._record(request)
            return JSONResponse({"sender_id": request.path_params["conversation_id"], "events": []})

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
