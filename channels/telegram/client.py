"""Sending to Telegram: text with inline keyboards, photos, documents and the typing indicator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Self

from telegram import Bot, InputFile
from telegram.constants import ChatAction
from telegram.error import TelegramError

from channels.telegram.mapping import CAPTION_LIMIT, CHOOSE_TEXT, inline_keyboard, split_text
from gateway.core.conversation import ConversationRef
from gateway.core.local_media import LocalMedia, MediaUnavailable
from gateway.core.schemas import OutgoingMessage
from redaction.logs import hash_id

log = logging.getLogger(__name__)

MediaLoader = Callable[[str], Awaitable[LocalMedia | None]]
TYPING_REFRESH_S = 4.5  # Telegram shows "typing…" for 5 seconds


class TelegramSender:
    """Implements the conversation service's `Sender` for Telegram (chat id = channel user id)."""

    def __init__(self, bot: Bot, load_media: MediaLoader) -> None:
        self.bot = bot
        self.load_media = load_media

    async def send(self, conversation: ConversationRef, messages: list[OutgoingMessage]) -> None:
        await self.send_to_chat(conversation.channel_user_id, messages, conversation.language)

    async def send_to_chat(self, chat_id: str, messages: list[OutgoingMessage], language: str = "nl") -> None:
        for message in messages:
            try:
                await self._send_one(chat_id, message, language)
            except (TelegramError, MediaUnavailable) as exc:
                log.warning("telegram send failed chat=%s: %s", hash_id(chat_id), type(exc).__name__)

    async def send_text(self, chat_id: str, text: str) -> None:
        try:
            await self.bot.send_message(chat_id=chat_id, text=text)
        except TelegramError as exc:
            log.warning("telegram send failed chat=%s: %s", hash_id(chat_id), type(exc).__name__)

    def typing(self, chat_id: str) -> Typing:
        return Typing(self.bot, chat_id)

    async def _send_one(self, chat_id: str, message: OutgoingMessage, language: str) -> None:
        markup = inline_keyboard(message.buttons)
        text = message.text or ""
        if message.image_url or message.document_url:
            url = message.image_url or message.document_url or ""
            caption = text if 0 < len(text) <= CAPTION_LIMIT else None
            file = await self._input_file(url, message.document_name)
            last = bool(caption or not text)
            if message.image_url:
                await self.bot.send_photo(
                    chat_id=chat_id, photo=file, caption=caption, reply_markup=markup if last else None
                )
            else:
                await self.bot.send_document(
                    chat_id=chat_id, document=file, caption=caption, reply_markup=markup if last else None
                )
            if last:
                return
        if not text and markup is not None:
            text = CHOOSE_TEXT.get(language, CHOOSE_TEXT["nl"])
        parts = split_text(text)
        for index, part in enumerate(parts):
            is_last = index == len(parts) - 1
            await self.bot.send_message(chat_id=chat_id, text=part, reply_markup=markup if is_last else None)

    async def _input_file(self, url: str, document_name: str | None) -> InputFile | str:
        media = await self.load_media(url)
        if media is None:
            return url  # a public URL: Telegram fetches it
        return InputFile(media.content, filename=document_name or media.filename)


class Typing:
    """`async with sender.typing(chat_id):` shows "typing…" until the block ends."""

    def __init__(self, bot: Bot, chat_id: str) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        await self._send()
        self._task = asyncio.create_task(self._refresh())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(TYPING_REFRESH_S)
            await self._send()

    async def _send(self) -> None:
        try:
            await self.bot.send_chat_action(chat_id=self.chat_id, action=ChatAction.TYPING)
        except TelegramError as exc:
            log.info("typing indicator failed chat=%s: %s", hash_id(self.chat_id), type(exc).__name__)
