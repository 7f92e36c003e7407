"""The user's texts during a handoff come from the catalogue, in the user's language (any of the
five), not only Dutch or English."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from knowledge.texts import text
from tests.support.inbox import Gateway, add_consultant, chat, login


async def poll_chat(gateway: Gateway, session_id: str = "user-session-0001") -> list[dict]:
    response = await gateway.client.get("/webchat/api/messages", params={"session_id": session_id})
    return response.json()["messages"]


def hand_off_in(gateway: Gateway, lang: str) -> None:
    gateway.fake.reply = lambda body: [{"recipient_id": body["sender"], "custom": {"wegwijs": {
        "type": "handoff", "reason": "user_request", "consent_at": "2026-11-19T09:00:00Z", "lang": lang}}}]


async def test_a_turkish_user_gets_the_turkish_handoff_texts(gateway: Gateway) -> None:
    add_consultant(gateway.app)
    gateway.app.state.handoff.clock = lambda: datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)  # Saturday
    hand_off_in(gateway, "tr")

    [accepted] = await chat(gateway.client, "evet")
    assert accepted["text"] == (
        "Sorunuz şimdi Voorbeeldstad belediyesindeki bir regievoerder (uyum sürecinizi takip eden kişi) için "
        "hazır. Bu sohbette size bir insan cevap verecek. Şu anda mesai saatleri dışındayız. "
        "pazartesi saat 09:00 itibarıyla cevap alacaksınız."
    )

    [ack] = await chat(gateway.client, "Bir sorum daha var")
    assert ack["text"] == "Mesajınız regievoerder'e iletildi."

    csrf = await login(gateway.client)
    await gateway.client.post("/inbox/api/tickets/1/close", json={"reason": "beantwoord"}, headers={"X-CSRF-Token": csrf})
    assert (await poll_chat(gateway))[-1]["text"] == text("inbox.handoff_closing", "tr")
    assert (await poll_chat(gateway))[-1]["text"].startswith("Şimdi yeniden dijital asistanla konuşuyorsunuz")


@pytest.mark.parametrize("lang", ["nl", "en", "tr", "ar", "pt"])
async def test_every_language_gets_its_own_reply_soon_text(gateway: Gateway, lang: str) -> None:
    gateway.app.state.handoff.clock = lambda: datetime(2026, 11, 19, 9, 0, tzinfo=timezone.utc)  # open
    hand_off_in(gateway, lang)
    [message] = await chat(gateway.client, "ja")
    assert message["text"] == (
        f"{text('inbox.handoff_accepted', lang, gemeente='Voorbeeldstad')} {text('inbox.handoff_open_now', lang)}"
    )
    assert lang == "nl" or message["text"] != (
        f"{text('inbox.handoff_accepted', 'nl', gemeente='Voorbeeldstad')} {text('inbox.handoff_open_now', 'nl')}"
    )
