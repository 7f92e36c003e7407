"""A fake Telegram Bot API (https://core.telegram.org/bots/api) for offline tests.

Implements the methods Wegwijs uses: getMe, setWebhook, deleteWebhook, getUpdates,
sendMessage, sendPhoto, sendDocument, sendChatAction, answerCallbackQuery. Requests are
parsed the way Telegram accepts them (JSON, urlencoded or multipart form with JSON-encoded
complex fields), checked against the documented required fields and limits, recorded in
`calls`, and answered with `{"ok": true, "result": ...}`, or `{"ok": false, ...}` with HTTP 400
(recorded in `errors`) when a request is malformed.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_ID = 7000000001
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
BUTTON_FIELDS = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
}


class BadRequest(Exception):
    pass


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    filenames: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeTelegramAPI:
    token: str
    calls: list[Call] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # served by getUpdates
    webhook: dict[str, Any] = field(default_factory=dict)
    commands: dict[str, dict[str, str]] = field(default_factory=dict)  # language_code -> menu
    _message_id: int = 100

    # -- queries used by tests ------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def reset(self) -> None:
        self.calls.clear()
        self.errors.clear()

    # -- the app --------------------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        try:
            params, files, filenames = await _read(request)
            handler = getattr(self, f"_{method}", None)
            if handler is None:
                return JSONResponse(
                    {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
                )
            call = Call(method, params, files, filenames)
            result = await handler(call)
        except BadRequest as exc:
            self.errors.append((method, str(exc)))
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}, status_code=400
            )
        if method != "getUpdates":
            self.calls.append(call)
        return JSONResponse({"ok": True, "result": result})

    # -- methods --------------------------------------------------------------------------
    async def _getMe(self, call: Call) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Wegwijs",
            "username": "wegwijs_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _setWebhook(self, call: Call) -> bool:
        url = _required(call.params, "url")
        if not url.startswith("https://"):
            raise BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
        secret = call.params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise BadRequest("bad webhook: secret token contains unallowed characters")
        allowed = _json(call.params.get("allowed_updates", "[]"))
        if not isinstance(allowed, list):
            raise BadRequest("allowed_updates must be an array")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": allowed}
        return True

    async def _setMyCommands(self, call: Call) -> bool:
        commands = _json(call.params.get("commands", "[]"))
        if not isinstance(commands, list) or not commands:
            raise BadRequest("commands must be a non-empty array")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")) or not (
                1 <= len(command.get("description", "")) <= 256
            ):
                raise BadRequest("invalid bot command")
        language = call.params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise BadRequest("invalid language_code")
        self.commands[language] = {c["command"]: c["description"] for c in commands}
        return True

    async def _deleteWebhook(self, call: Call) -> bool:
        self.webhook = {}
        return True

    async def _getUpdates(self, call: Call) -> list[dict[str, Any]]:
        if self.webhook:
            raise BadRequest("Conflict: can't use getUpdates method while webhook is active")
        offset = int(call.params.get("offset", 0) or 0)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending:
            await asyncio.sleep(0.05)
        return pending

    async def _sendMessage(self, call: Call) -> dict[str, Any]:
        chat_id = _chat_id(call.params)
        text = _required(call.params, "text")
        if not 1 <= len(text) <= 4096:
            raise BadRequest("message text is empty or too long")
        _check_markup(call.params.get("reply_markup"))
        return self._message(chat_id, text=text)

    async def _sendPhoto(self, call: Call) -> dict[str, Any]:
        chat_id = _chat_id(call.params)
        _file_or_reference(call, "photo")
        _check_caption(call.params)
        _check_markup(call.params.get("reply_markup"))
        photo = [{"file_id": "AgAD-photo", "file_unique_id": "AQAD-photo", "width": 800, "height": 400}]
        return self._message(chat_id, photo=photo, caption=call.params.get("caption"))

    async def _sendDocument(self, call: Call) -> dict[str, Any]:
        chat_id = _chat_id(call.params)
        _file_or_reference(call, "document")
        _check_caption(call.params)
        _check_markup(call.params.get("reply_markup"))
        document = {
            "file_id": "BQAD-doc",
            "file_unique_id": "AgAD-doc",
            "file_name": call.filenames.get("document", "file"),
        }
        return self._message(chat_id, document=document, caption=call.params.get("caption"))

    async def _sendChatAction(self, call: Call) -> bool:
        _chat_id(call.params)
        if _required(call.params, "action") not in CHAT_ACTIONS:
            raise BadRequest("wrong parameter action in request")
        return True

    async def _answerCallbackQuery(self, call: Call) -> bool:
        _required(call.params, "callback_query_id")
        if len(call.params.get("text") or "") > 200:
            raise BadRequest("callback query answer text is too long")
        return True

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        self._message_id += 1
        message = {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Wegwijs", "username": "wegwijs_test_bot"},
        }
        message.update({k: v for k, v in content.items() if v is not None})
        return message


# -- request parsing and checks ------------------------------------------------------------
async def _read(request: Request) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str]]:
    content_type = request.headers.get("content-type", "")
    params: dict[str, Any] = dict(request.query_params)
    files: dict[str, bytes] = {}
    filenames: dict[str, str] = {}
    if content_type.startswith("application/json"):
        params.update(await request.json())
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[key] = await value.read()
                filenames[key] = value.filename or ""
            else:
                params[key] = value
    return params, files, filenames


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise BadRequest(f"parameter {name} is required")
    return str(value)


def _chat_id(params: dict[str, Any]) -> int:
    value = _required(params, "chat_id")
    try:
        return int(value)
    except ValueError as exc:
        raise BadRequest("chat not found") from exc


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise BadRequest("can't parse JSON") from exc


def _check_caption(params: dict[str, Any]) -> None:
    if len(params.get("caption") or "") > 1024:
        raise BadRequest("message caption is too long")


def _file_or_reference(call: Call, name: str) -> None:
    """A file must be uploaded as multipart, or given as a file_id / HTTP URL / attach:// name."""
    if name in call.files:
        if not call.files[name]:
            raise BadRequest(f"file must be non-empty ({name})")
        return
    value = _required(call.params, name)
    if value.startswith("attach://"):
        attached = value.removeprefix("attach://")
        if attached not in call.files:
            raise BadRequest(f"wrong remote file identifier: {value}")
        call.files[name] = call.files[attached]
        call.filenames[name] = call.filenames.get(attached, "")
        return
    if value.startswith(("http://127.0.0.1", "http://localhost")):
        raise BadRequest("failed to get HTTP URL content")  # Telegram cannot reach localhost


def _check_markup(raw: Any) -> None:
    if raw is None:
        return
    markup = _json(raw)
    if not isinstance(markup, dict):
        raise BadRequest("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise BadRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise BadRequest("text buttons are unallowed in the inline keyboard")
            kinds = BUTTON_FIELDS & set(button)
            if len(kinds) != 1:
                raise BadRequest("inline keyboard button must have exactly one optional field")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise BadRequest("BUTTON_DATA_INVALID")
