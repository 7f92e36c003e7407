"""The web chat in five languages: texts from the catalogues, the language menu, `lang` in the API."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi import FastAPI

from channels.webchat.routes import HERE, STATIC_DIR
from gateway.core import crud
from knowledge import languages, texts
from tests.support.fake_rasa import FakeRasa

pytestmark = pytest.mark.asyncio
API = "/webchat/api/messages"
SESSION = "c0ffee00language"
DATA_BLOCK = re.compile(r'<script type="application/json" id="strings">(.*?)</script>', re.S)


def page_data(html: str) -> dict:
    match = DATA_BLOCK.search(html)
    assert match, "the page has no JSON data block with the texts"
    return json.loads(match.group(1))


def conversation_language(app: FastAPI, session_id: str = SESSION) -> str:
    with app.state.session_factory() as session:
        conversation = crud.find_conversation(session=session, channel="web", channel_user_id=session_id)
        assert conversation is not None
        return conversation.language


async def test_the_page_carries_the_texts_of_every_language_as_json_data(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    data = page_data(response.text)
    assert [item["code"] for item in data["languages"]] == list(languages.CODES)
    assert {item["code"]: item["dir"] for item in data["languages"]}["ar"] == "rtl"
    names = [key.partition(".")[2] for key in texts.keys("webchat")]
    for code in languages.CODES:
        assert sorted(data["strings"][code]) == sorted(names), code
        assert data["strings"][code]["send"] == texts.text("webchat.send", code)
    # the server fills its own placeholders; {name} (a file name) is filled by chat.js
    assert data["strings"]["nl"]["privacy"].startswith("Wegwijs is een digitale assistent van Voorbeeldstad.")
    assert "2000" in data["strings"]["tr"]["too_long"]
    assert "{name}" in data["strings"]["ar"]["download"]
    assert data["strings"]["ar"]["send"] == "إرسال"


async def test_the_language_menu_lists_each_language_in_its_own_name(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text
    menu = re.search(r'<select id="lang-select".*?</select>', html, re.S)
    assert menu, "no language menu"
    options = re.findall(r'<option value="(\w+)" lang="\w+" dir="(\w+)"( selected)?>([^<]+)</option>', menu.group(0))
    assert [(code, name) for code, _, _, name in options] == [(c, languages.name(c)) for c in languages.CODES]
    assert [code for code, _, selected, _ in options if selected] == ["nl"]
    assert '<label for="lang-select"' in html  # a visible label: its text is the menu's accessible name


@pytest.mark.parametrize("code", languages.CODES)
async def test_lang_in_the_address_renders_the_page_in_that_language(client: httpx.AsyncClient, code: str) -> None:
    html = (await client.get("/", params={"lang": code})).text
    assert f'<html lang="{code}" dir="{languages.direction(code)}">' in html
    assert f"<title>{texts.text('webchat.page_title', code)}</title>" in html
    assert f'data-i18n="send">{texts.text("webchat.send", code)}</button>' in html
    assert f'<option value="{code}" lang="{code}" dir="{languages.direction(code)}" selected>' in html
    assert f'href="/privacy?lang={code}"' in html


async def test_an_unknown_lang_in_the_address_gives_the_dutch_page(client: httpx.AsyncClient) -> None:
    html = (await client.get("/", params={"lang": "xx"})).text
    assert '<html lang="nl" dir="ltr">' in html


async def test_the_data_block_cannot_close_its_script_element_and_the_csp_stays_strict(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")
    block = DATA_BLOCK.search(response.text).group(1)
    assert "<" not in block and ">" not in block  # tojson escapes them: no "</script>" inside
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # the only executed script is the file; the texts are data (type="application/json")
    scripts = re.findall(r"<script([^>]*)>", response.text)
    assert sorted(scripts) == sorted([' type="application/json" id="strings"', ' src="/webchat/static/chat.js" defer'])


async def test_no_user_facing_text_is_left_in_the_page_sources() -> None:
    sources = {
        "chat.js": (STATIC_DIR / "chat.js").read_text(encoding="utf-8"),
        "chat.html": (HERE / "templates" / "chat.html").read_text(encoding="utf-8"),
    }
    for code in languages.CODES:
        for key in texts.keys("webchat"):
            value = texts.text(key, code)
            if value in ("Wegwijs", "Privacy", "Regievoerder"):
                continue  # names also used as words in comments and ids
            for words in re.split(r"\{\w+\}", value):
                words = words.strip()
                if len(words) < 5:  # short words ("file", "Send") also occur in code and comments
                    continue
                pattern = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)")
                for name, source in sources.items():
                    assert not pattern.search(source), f"{name} still contains {key} ({code}): {words!r}"


async def test_lang_in_a_message_switches_the_conversation_language_and_is_passed_to_the_engine(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    first = await client.post(API, json={"session_id": SESSION, "text": "Merhaba", "lang": "tr"})
    assert first.status_code == 200
    assert conversation_language(app) == "tr"
    assert fake_rasa.messages[0].body["metadata"] == {"lang": "tr", "channel": "web", "municipality": "voorbeeldstad"}

    # the user picks Arabic in the menu: the next message carries it
    await client.post(API, json={"session_id": SESSION, "text": "مرحبا", "lang": "ar"})
    assert conversation_language(app) == "ar"
    assert fake_rasa.messages[1].body["metadata"] == {"lang": "ar", "channel": "web", "municipality": "voorbeeldstad"}

    # without `lang` the conversation keeps its language and the engine gets no `lang`
    await client.post(API, json={"session_id": SESSION, "text": "12 مايو 2024"})
    assert conversation_language(app) == "ar"
    assert fake_rasa.messages[2].body["metadata"] == {"channel": "web", "municipality": "voorbeeldstad"}


@pytest.mark.parametrize("lang", ["de", "AR", "nl-NL", "", "ar; drop table", 5])
async def test_an_unknown_lang_in_a_message_is_refused_with_422(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa, lang: object
) -> None:
    response = await client.post(API, json={"session_id": SESSION, "text": "hoi", "lang": lang})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "lang"]
    assert fake_rasa.messages == []


async def test_every_text_the_script_asks_for_is_in_the_catalogue() -> None:
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    template = (HERE / "templates" / "chat.html").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("(\w+)"', script)) | set(re.findall(r'data-i18n="(\w+)"', template))
    assert used >= {"welcome", "too_long", "empty", "error", "consultant", "image", "download", "file"}
    names = {key.partition(".")[2] for key in texts.keys("webchat")}
    assert used <= names, used - names
