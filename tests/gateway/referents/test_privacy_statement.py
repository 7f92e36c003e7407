"""The privacy statement explains sharing with the partner, in every language."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from knowledge import languages, texts

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("code", languages.CODES)
async def test_the_privacy_page_explains_sharing_with_the_partner(client: httpx.AsyncClient, code: str) -> None:
    html = (await client.get("/privacy", params={"lang": code})).text
    page = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?strong[^>]*>", "", html))))
    for name in ("partner_heading", "partner"):
        value = texts.text(f"privacy.{name}", code)
        assert " ".join(value.replace("**", "").split()) in page, name
    assert "48" in texts.text("privacy.partner", code)
    if code != "nl":
        assert texts.text("privacy.partner", code) != texts.text("privacy.partner", "nl")
