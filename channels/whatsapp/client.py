"""The WhatsApp Cloud API (Graph API) client: send messages and upload media."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from gateway.core.config import Settings

log = logging.getLogger(__name__)


class WhatsAppError(Exception):
    """The Graph API refused a request or could not be reached."""


class GraphClient:
    """`POST /{version}/{phone_number_id}/messages` and `/media` with the bearer token.

    The number is WEGWIJS_WHATSAPP_PHONE_NUMBER_ID unless another is given: a municipality's own
    number (`kanalen.whatsapp_phone_number_id`, in the same WhatsApp Business account)."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        assert settings.whatsapp_access_token is not None and settings.whatsapp_phone_number_id
        base = settings.whatsapp_api_base_url.rstrip("/")
        self._version = settings.whatsapp_api_version
        self._prefix = f"/{settings.whatsapp_api_version}/{settings.whatsapp_phone_number_id}"
        self._client = httpx.AsyncClient(
            base_url=base,
            headers={"Authorization": f"Bearer {settings.whatsapp_access_token.get_secret_value()}"},
            timeout=15.0,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _path(self, phone_number_id: str | None, what: str) -> str:
        return f"/{self._version}/{phone_number_id}/{what}" if phone_number_id else f"{self._prefix}/{what}"

    async def send(self, body: dict[str, Any], *, phone_number_id: str | None = None) -> str | None:
        """Send one message (from `phone_number_id`, by default the configured number); returns its wamid."""
        data = await self._post(self._path(phone_number_id, "messages"), json=body)
        messages = data.get("messages") or [{}]
        return messages[0].get("id")

    async def upload(
        self, content: bytes, media_type: str, filename: str, *, phone_number_id: str | None = None
    ) -> str:
        """Upload media (multipart); returns the media id to send it by."""
        data = await self._post(
            self._path(phone_number_id, "media"),
            data={"messaging_product": "whatsapp", "type": media_type},
            files={"file": (filename, content, media_type)},
        )
        media_id = data.get("id")
        if not isinstance(media_id, str):
            raise WhatsAppError("upload answered without a media id")
        return media_id

    async def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client.post(path, **kwargs)
        except httpx.HTTPError as exc:
            raise WhatsAppError(type(exc).__name__) from exc
        if response.status_code >= 400:
            try:
                error = response.json().get("error", {})
                code = error.get("code")
            except ValueError:
                code = None
            raise WhatsAppError(f"HTTP {response.status_code} code={code}")
        return response.json()
