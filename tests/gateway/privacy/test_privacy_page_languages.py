"""The privacy statement in every language: chosen by ?lang= or Accept-Language, Arabic right to left."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from gateway.privacy.routes import accepted_language
from knowledge import languages, texts
from knowledge.loader import load_municipality

pytestmark = pytest.mark.asyncio
TEMPLATE = "gateway/privacy/templates/privacy.html"
# the controller details of the default municipality (knowledge/municipalities/voorbeeldstad.yaml)
PRIVACY = load_municipality("voorbeeldstad").privacy
CONTROLLER = {"controller": PRIVACY["verwerkingsverantwoordelijke"], "contact": PRIVACY["contact"], "dpo": PRIVACY["fg"]}


def visible_text(html: str) -> str:
    html = re.sub(r"</?strong[^>]*>", "", html)  # inline: no space
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("code", languages.CODES)
async def test_the_privacy_page_in_each_language(client: httpx.AsyncClient, code: str) -> None:
    response = await client.get("/privacy", params={"lang": code})
    assert response.status_code == 200
    assert response.headers["content-language"] == code
    html = response.text
    assert f'<html lang="{code}" dir="{languages.direction(code)}">' in html
    page = visible_text(html)
    # every text of the statement, in this language, with the retention period and municipality
    assert f'<nav aria-label="{texts.text("privacy.languages", code)}"' in html
    for key in texts.keys("privacy"):
        name = key.partition(".")[2]
        if name == "languages":
            continue  # the name of the language links (aria-label), checked above
        value = texts.text(key, code, municipality="Voorbeeldstad", retention_days=90, **CONTROLLER)
        assert " ".join(value.replace("**", "").split()) in page, f"{name} ({code}) is not on the page"
    assert "90" in page and "Voorbeeldstad" in page
    # the commands stand out; the Dutch ones work in every language
    assert '<strong dir="auto">/verwijder</strong>' in html
    assert '<strong dir="auto">verwijder mijn gegevens</strong>' in html
    # links to the other languages, each in its own name, and back to the chat in this language
    for other in languages.CODES:
        link = f'<a href="/privacy?lang={other}" hreflang="{other}" lang="{other}" dir="{languages.direction(other)}">{languages.name(other)}</a>'
        assert (link in html) == (other != code), other
    assert f'href="/?lang={code}"' in html


async def test_arabic_is_right_to_left_and_translations_are_not_dutch(client: httpx.AsyncClient) -> None:
    arabic = (await client.get("/privacy", params={"lang": "ar"})).text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "ماذا نحفظ؟" in arabic and "Wat bewaren wij?" not in arabic
    dutch = texts.catalogue("nl")
    for code in languages.TRANSLATIONS:
        own = texts.catalogue(code)
        assert all(f"privacy.{name}" in own for name in [k.partition(".")[2] for k in texts.keys("privacy")])
        assert own["privacy.heading"] != dutch["privacy.heading"], code


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ar-MA,ar;q=0.9,en;q=0.8", "ar"),
        ("de-DE,de;q=0.9,pt-BR;q=0.8,en;q=0.5", "pt"),
        ("en;q=0.4, tr-TR", "tr"),
        ("tr;q=0, en-GB;q=0.7", "en"),
        ("fr-FR,de", "nl"),
        ("*", "nl"),
        ("", "nl"),
        ("q=;;,,,ar;q=abc", "ar"),
    ],
)
async def test_without_lang_the_accept_language_header_chooses(
    client: httpx.AsyncClient, header: str, expected: str
) -> None:
    response = await client.get("/privacy", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert f'<html lang="{expected}"' in response.text
    assert "Accept-Language" in response.headers["vary"]


async def test_lang_in_the_address_wins_over_the_header_and_an_unknown_one_is_ignored(
    client: httpx.AsyncClient,
) -> None:
    chosen = await client.get("/privacy", params={"lang": "pt"}, headers={"Accept-Language": "ar"})
    assert '<html lang="pt" dir="ltr">' in chosen.text
    unknown = await client.get("/privacy", params={"lang": "xx"}, headers={"Accept-Language": "tr"})
    assert '<html lang="tr" dir="ltr">' in unknown.text


async def test_catalogue_text_is_escaped_on_the_page() -> None:
    assert accepted_language("x" * 5000) is None
    template = open(TEMPLATE, encoding="utf-8").read()
    assert "|safe" not in template.replace(" ", "")  # only **bold** becomes markup, in routes._rich
