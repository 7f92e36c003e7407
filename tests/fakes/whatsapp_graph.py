"""A fake WhatsApp Cloud API (Graph API) for offline tests.

`POST /{version}/{phone_number_id}/messages` (text, interactive button/list, image, document,
template, and the read receipt) and `POST /{version}/{phone_number_id}/media` (multipart
upload). Each request needs the bearer token; bodies are checked against the documented
shapes and limits. Accepted messages are recorded in `messages`, uploads in `media`; refused
requests in `errors` and answered like Graph API errors (HTTP 400, `{"error": {...}}`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DOCUMENT_TYPES = {
    "text/plain",
    "application/pdf",
    "application/vnd.ms-powerpoint",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MEDIA_TYPES = DOCUMENT_TYPES | {
    "image/jpeg",
    "image/png",
    "image/webp",
    "audio/aac",
    "audio/mp4",
    "audio/mpeg",
    "audio/amr",
    "audio/ogg",
    "video/mp4",
    "video/3gp",
}
MESSAGE_TYPES = {
    "text",
    "interactive",
    "image",
    "document",
    "template",
    "audio",
    "video",
    "sticker",
    "location",
    "contacts",
    "reaction",
}


class InvalidParameter(Exception):
    pass


@dataclass
class Upload:
    media_id: str
    media_type: str
    filename: str
    content: bytes


@dataclass
class FakeWhatsAppGraph:
    access_token: str
    phone_number_id: str
    version: str = "v23.0"
    messages: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, Upload] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # more numbers of the same business account (a municipality's own number), and the number
    # each accepted message was sent from (parallel to `messages`)
    other_phone_number_ids: tuple[str, ...] = ()
    sent_from: list[str] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    def reset(self) -> None:
        self.messages.clear()
        self.sent_from.clear()
        self.receipts.clear()
        self.media.clear()
        self.errors.clear()

    def app(self) -> Starlette:
        prefix = "/{version}/{phone_number_id}"
        return Starlette(
            routes=[
                Route(prefix + "/messages", self._messages, methods=["POST"]),
                Route(prefix + "/media", self._media, methods=["POST"]),
            ]
        )

    # -- endpoints ------------------------------------------------------------------------
    async def _messages(self, request: Request) -> JSONResponse:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
            if body.get("status") == "read":
                _require(isinstance(body.get("message_id"), str), "message_id is required for status read")
                self.receipts.append(body)
                return JSONResponse({"success": True})
            _check_message(body)
        except (InvalidParameter, ValueError, AttributeError, TypeError, KeyError) as exc:
            return self._error(f"messages: {exc}")
        self.messages.append(body)
        self.sent_from.append(request.path_params["phone_number_id"])
        wamid = f"wamid.FAKE{next(self._ids):08d}"
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": wamid}],
            }
        )

    async def _media(self, request: Request) -> JSONResponse:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        try:
            _require(
                request.headers.get("content-type", "").startswith("multipart/form-data"),
                "upload must be multipart/form-data",
            )
            form = await request.form()
            _require(form.get("messaging_product") == "whatsapp", "messaging_product must be whatsapp")
            file = form.get("file")
            _require(isinstance(file, UploadFile), "file is required")
            assert isinstance(file, UploadFile)
            media_type = str(form.get("type") or "")
            _require(media_type in MEDIA_TYPES, f"unsupported media type {media_type!r}")
            content = await file.read()
            _require(len(content) > 0, "file is empty")
            if media_type.startswith("image/"):
                _require(len(content) <= 5 * 1024 * 1024, "image larger than 5 MB")
        except InvalidParameter as exc:
            return self._error(f"media: {exc}")
        media_id = f"{next(self._ids) + 900000000000000}"
        self.media[media_id] = Upload(media_id, media_type, file.filename or "", content)
        return JSONResponse({"id": media_id})

    def _refuse(self, request: Request) -> JSONResponse | None:
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            self.errors.append("invalid access token")
            return JSONResponse(
                {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
                status_code=401,
            )
        if (
            request.path_params["phone_number_id"] not in (self.phone_number_id, *self.other_phone_number_ids)
            or request.path_params["version"] != self.version
        ):
            self.errors.append("unknown path")
            return JSONResponse(
                {
                    "error": {
                        "message": "Unsupported post request.",
                        "type": "GraphMethodException",
                        "code": 100,
                    }
                },
                status_code=400,
            )
        return None

    def _error(self, message: str) -> JSONResponse:
        self.errors.append(message)
        return JSONResponse(
            {
                "error": {
                    "message": f"(#100) Invalid parameter: {message}",
                    "type": "OAuthException",
                    "code": 100,
                }
            },
            status_code=400,
        )

    # -- shape checks ---------------------------------------------------------------------
    def check_media_id(self, media_id: str) -> Upload:
        _require(media_id in self.media, f"unknown media id {media_id}")
        return self.media[media_id]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidParameter(message)


def _check_message(body: dict[str, Any]) -> None:
    _require(body.get("messaging_product") == "whatsapp", "messaging_product must be whatsapp")
    _require(body.get("recipient_type", "individual") == "individual", "recipient_type must be individual")
    _require(
        isinstance(body.get("to"), str) and body["to"].lstrip("+").isdigit(), "to must be a phone number"
    )
    kind = body.get("type", "text")
    _require(kind in MESSAGE_TYPES, f"unknown type {kind}")
    content = body.get(kind)
    _require(isinstance(content, dict), f"object {kind} is required")
    if kind == "text":
        _require(1 <= len(content.get("body", "")) <= 4096, "text.body must be 1-4096 characters")
    elif kind == "interactive":
        _check_interactive(content)
    elif kind in ("image", "document"):
        _require(("id" in content) != ("link" in content), f"{kind} needs exactly one of id or link")
        _require(len(content.get("caption", "")) <= 1024, "caption too long")
        if kind == "image":
            _require("filename" not in content, "image has no filename")
    elif kind == "template":
        _require(bool(content.get("name")), "template.name is required")
        _require(bool((content.get("language") or {}).get("code")), "template.language.code is required")


def _check_interactive(content: dict[str, Any]) -> None:
    kind = content.get("type")
    body = (content.get("body") or {}).get("text", "")
    action = content.get("action") or {}
    if kind == "button":
        _require(1 <= len(body) <= 1024, "interactive body.text must be 1-1024 characters")
        buttons = action.get("buttons") or []
        _require(1 <= len(buttons) <= 3, "a reply-button message has 1-3 buttons")
        ids, titles = set(), set()
        for button in buttons:
            _require(button.get("type") == "reply", "button type must be reply")
            reply = button.get("reply") or {}
            _require(1 <= len(reply.get("title", "")) <= 20, "button title must be 1-20 characters")
            _require(1 <= len(reply.get("id", "")) <= 256, "button id must be 1-256 characters")
            _require(
                reply["id"] not in ids and reply["title"] not in titles,
                "button ids and titles must be unique",
            )
            ids.add(reply["id"])
            titles.add(reply["title"])
    elif kind == "list":
        _require(1 <= len(body) <= 4096, "list body.text must be 1-4096 characters")
        _require(1 <= len(action.get("button", "")) <= 20, "list button label must be 1-20 characters")
        sections = action.get("sections") or []
        _require(1 <= len(sections) <= 10, "a list has 1-10 sections")
        if len(sections) > 1:
            _require(
                all(s.get("title") for s in sections), "section titles are required with several sections"
            )
        rows = [row for section in sections for row in section.get("rows") or []]
        _require(1 <= len(rows) <= 10, "a list has 1-10 rows in total")
        ids = [row.get("id", "") for row in rows]
        _require(len(set(ids)) == len(ids), "row ids must be unique")
        for row in rows:
            _require(1 <= len(row.get("id", "")) <= 200, "row id must be 1-200 characters")
            _require(1 <= len(row.get("title", "")) <= 24, "row title must be 1-24 characters")
            _require(len(row.get("description", "")) <= 72, "row description must be at most 72 characters")
    else:
        raise InvalidParameter(f"interactive type {kind!r} not supported by this fake")
