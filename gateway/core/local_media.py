"""Fetch the gateway's own media (`{public_base_url}/media/...`) in-process, for upload to a platform.

Telegram and WhatsApp cannot reach a gateway on localhost, and uploading is more reliable than
letting them fetch a link anyway. The request goes through the app itself (same routes, same
signature check), so any media route works without knowing how it renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from starlette.types import ASGIApp

FILENAME = re.compile(r'filename="?([^";]+)"?')


class MediaUnavailable(Exception):
    """The gateway could not produce the media behind a URL."""


@dataclass(frozen=True)
class LocalMedia:
    content: bytes
    media_type: str
    filename: str


def is_local(public_base: str, url: str) -> bool:
    return url.startswith(public_base.rstrip("/") + "/")


async def load_local_media(app: ASGIApp, public_base: str, url: str) -> LocalMedia | None:
    """The bytes behind one of our own URLs; None when the URL is not ours (send it as a link)."""
    if not is_local(public_base, url):
        return None
    path = url[len(public_base.rstrip("/")) :]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.internal"
    ) as client:
        response = await client.get(path)
    if response.status_code != 200:
        raise MediaUnavailable(f"HTTP {response.status_code}")
    media_type = response.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
    match = FILENAME.search(response.headers.get("content-disposition", ""))
    filename = match.group(1) if match else path.rsplit("/", 1)[-1].split("?")[0]
    return LocalMedia(content=response.content, media_type=media_type, filename=filename)
