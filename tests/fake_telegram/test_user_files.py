"""People who send files, stickers and voice notes and reply to the bot, against the real aiogram.

A real ``Dispatcher`` polls the fake, so each test also proves aiogram parses the updates the fake
builds; the bot's answers (re-sent files, replies, copies) go back over HTTP and are checked in
``tg.sent`` and ``tg.messages``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)

from tests.fake_telegram import FakeTelegram, MessageState, SimUser

PARENT = 601
TEACHER = 602
PDF = "%PDF-1.7 справка о болезни".encode()
REPLY_NOT_FOUND = "Telegram server says - Bad Request: message to be replied not found"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def bot(tg: FakeTelegram) -> Bot:
    return tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def files_router(seen: list[Message]) -> Router:
    """Handlers that remember each message and answer with what they read from it."""
    router = Router(name="files")

    @router.message(F.photo)
    async def photo(message: Message) -> None:
        seen.append(message)
        assert message.photo is not None
        largest = message.photo[-1]
        await message.answer_photo(
            largest.file_id, caption=f"Фото {largest.width}x{largest.height}"
        )

    @router.message(F.document)
    async def document(message: Message) -> None:
        seen.append(message)
        file = message.document
        assert file is not None
        await message.answer_document(
            file.file_id, caption=f"{file.file_name} {file.mime_type} {file.file_size}"
        )

    @router.message(F.sticker)
    async def sticker(message: Message) -> None:
        seen.append(message)
        assert message.sticker is not None
        s = message.sticker
        await message.answer(f"Стикер {s.type} {s.width}x{s.height} {s.emoji}")

    @router.message(F.voice)
    async def voice(message: Message) -> None:
        seen.append(message)
        assert message.voice is not None
        v = message.voice
        await message.answer(f"Голосовое {v.duration} с, {v.mime_type}, {v.file_size} байт")

    @router.message(F.text & F.reply_to_message)
    async def reply(message: Message) -> None:
        seen.append(message)
        assert message.reply_to_message is not None
        await message.reply(f"Ответ на {message.reply_to_message.message_id}")

    return router


@asynccontextmanager
async def polling(bot: Bot, seen: list[Message]) -> AsyncIterator[None]:
    dp = Dispatcher()
    dp.include_router(files_router(seen))
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        yield
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 5)
    assert task.exception() is None


def last_from(tg: FakeTelegram, user: SimUser) -> MessageState:
    """The user's latest message in their private chat, as the fake stored it."""
    mine = [m for (chat, _), m in tg.messages.items() if chat == user.id and not m.from_bot]
    return max(mine, key=lambda m: m.message_id)


async def download(bot: Bot, file_id: str) -> bytes:
    data = await bot.download(file_id)
    assert data is not None
    return data.read()


# files people send ----------------------------------------------------------------------------


async def test_photo_reaches_the_handler_and_is_resent_by_file_id(
    tg: FakeTelegram, bot: Bot
) -> None:
    parent = tg.user(PARENT, "Мария")
    seen: list[Message] = []
    async with polling(bot, seen):
        await tg.send_photo(parent, caption="Справка")
        [answer] = await tg.wait_for(parent)
    [message] = seen
    assert message.photo is not None
    sizes = [(p.width, p.height, p.file_size) for p in message.photo]
    assert sizes == [
        (90, 68, 996),
        (320, 240, 12_500),
        (800, 600, 78_125),
        (1280, 960, 200_000),
    ]
    assert len({p.file_unique_id for p in message.photo}) == 4
    assert (message.caption, message.caption_entities) == ("Справка", None)
    largest = message.photo[-1]
    assert answer.method == "sendPhoto"
    assert answer.params["photo"] == largest.file_id  # the handler read the largest size
    assert (answer.plain_text, answer.filename) == ("Фото 1280x960", "photo_1280x960.jpg")
    assert answer.file_bytes is not None
    assert len(answer.file_bytes) == 200_000
    # A re-sent photo is the same photo: Telegram keeps its sizes and unique ids.
    resent = tg.messages[(parent.id, answer.message_id or 0)]
    assert resent.raw["photo"] == last_from(tg, parent).raw["photo"]


async def test_every_photo_size_can_be_fetched_and_resent(tg: FakeTelegram, bot: Bot) -> None:
    parent = tg.user(PARENT)
    await tg.send_photo(parent, size=5_000, width=300, height=600)
    photo = last_from(tg, parent).raw["photo"]
    assert [(p["width"], p["height"]) for p in photo] == [(45, 90), (160, 320), (300, 600)]
    for size in photo:
        assert len(await download(bot, size["file_id"])) == size["file_size"]
        sent = await bot.send_photo(parent.id, size["file_id"])
        assert sent.photo is not None
        assert sent.photo[-1].file_unique_id == photo[-1]["file_unique_id"]
    assert [s.filename for s in tg.sent] == [
        "photo_45x90.jpg",
        "photo_160x320.jpg",
        "photo_300x600.jpg",
    ]


async def test_document_reaches_the_handler_and_is_resent_with_its_name(
    tg: FakeTelegram, bot: Bot
) -> None:
    parent = tg.user(PARENT)
    seen: list[Message] = []
    async with polling(bot, seen):
        await tg.send_document(parent, "Справка.pdf", content=PDF, caption="/absence 3 дня")
        [answer] = await tg.wait_for(parent)
    [message] = seen
    assert message.document is not None
    document = message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "Справка.pdf",
        "application/pdf",
        len(PDF),
    )
    assert message.caption == "/absence 3 дня"
    assert [(e.type, e.length) for e in message.caption_entities or []] == [("bot_command", 8)]
    assert (answer.method, answer.filename, answer.file_bytes) == (
        "sendDocument",
        "Справка.pdf",
        PDF,
    )
    assert answer.plain_text == f"Справка.pdf application/pdf {len(PDF)}"
    assert answer.params["document"] == document.file_id
    assert await download(bot, document.file_id) == PDF
    file = await bot.get_file(document.file_id)
    assert (file.file_path or "").startswith("documents/")


async def test_document_size_and_content(tg: FakeTelegram, bot: Bot) -> None:
    parent = tg.user(PARENT)
    await tg.send_document(parent, "scan.tiff", mime_type="image/tiff")
    default = last_from(tg, parent).raw["document"]
    assert (default["file_size"], default["mime_type"]) == (100_000, "image/tiff")
    assert len(await download(bot, default["file_id"])) == 100_000
    await tg.send_document(parent, "big.zip", mime_type="application/zip", size=20 * 2**20 + 1)
    big = last_from(tg, parent).raw["document"]
    with pytest.raises(TelegramBadRequest, match="Bad Request: file is too big"):
        await bot.get_file(big["file_id"])
    await bot.send_document(parent.id, big["file_id"])  # re-sending has no 20 MB limit
    assert tg.sent[-1].filename == "big.zip"
    with pytest.raises(ValueError, match="contradicts"):
        await tg.send_document(parent, "a.pdf", size=10, content=PDF)


async def test_file_ids_keep_their_kind(tg: FakeTelegram, bot: Bot) -> None:
    parent = tg.user(PARENT)
    await tg.send_photo(parent)
    photo_id = last_from(tg, parent).raw["photo"][-1]["file_id"]
    await tg.send_document(parent, "Справка.pdf", content=PDF)
    document_id = last_from(tg, parent).raw["document"]["file_id"]
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_document(parent.id, photo_id)
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_photo(parent.id, document_id)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(parent.id, "AgACnot-a-known-id")
    assert tg.sent == []


async def test_sticker_and_voice_reach_the_handler(tg: FakeTelegram, bot: Bot) -> None:
    parent = tg.user(PARENT)
    seen: list[Message] = []
    async with polling(bot, seen):
        await tg.send_sticker(parent)
        await tg.send_voice(parent, duration=7)
        sticker, voice = await tg.wait_for(parent, count=2)
    assert sticker.plain_text == "Стикер regular 512x512 👍"
    assert voice.plain_text == "Голосовое 7 с, audio/ogg, 14000 байт"
    sticker_message, voice_message = seen
    assert sticker_message.sticker is not None
    assert (sticker_message.sticker.is_animated, sticker_message.sticker.is_video) == (
        False,
        False,
    )
    assert voice_message.voice is not None
    assert (await download(bot, voice_message.voice.file_id))[:4] == b"OggS"
    file = await bot.get_file(sticker_message.sticker.file_id)
    assert (file.file_path or "").startswith("stickers/")


# replies --------------------------------------------------------------------------------------


async def test_user_reply_carries_the_bot_message_and_the_bot_replies_back(
    tg: FakeTelegram, bot: Bot
) -> None:
    parent = tg.user(PARENT)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Ок", callback_data="ok")]]
    )
    question = await bot.send_message(parent.id, "<b>Причина</b> отсутствия?", reply_markup=markup)
    [asked] = await tg.wait_for(parent)
    seen: list[Message] = []
    async with polling(bot, seen):
        await tg.send_reply(parent, asked, "Болел")
        [answer] = await tg.wait_for(parent)
    [reply] = seen
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == question.message_id
    assert reply.reply_to_message.text == "Причина отсутствия?"
    assert reply.reply_to_message.reply_markup is not None  # the whole message, as Telegram has it
    assert reply.reply_to_message.reply_markup.model_dump() == markup.model_dump()
    assert answer.plain_text == f"Ответ на {question.message_id}"
    assert answer.reply_to == reply.message_id  # message.reply() sent reply_parameters
    assert answer.params["reply_parameters"]["message_id"] == reply.message_id
    state = tg.messages[(parent.id, answer.message_id or 0)]
    assert state.reply_to == reply.message_id
    # The user's reply is embedded whole, but without the bot message it replied to.
    embedded = state.raw["reply_to_message"]
    assert (embedded["text"], "reply_to_message" in embedded) == ("Болел", False)


async def test_replies_with_files_and_to_own_messages(tg: FakeTelegram, bot: Bot) -> None:
    parent, teacher = tg.user(PARENT), tg.user(TEACHER)
    sent = await bot.send_message(parent.id, "Пришлите справку")
    await tg.send_photo(parent, reply_to=sent.message_id)
    photo = last_from(tg, parent)
    assert photo.reply_to == sent.message_id
    await tg.send_document(parent, "Справка.pdf", content=PDF, reply_to=photo)
    document = last_from(tg, parent)
    assert document.reply_to == photo.message_id  # people may reply to their own messages
    assert "reply_to_message" not in document.raw["reply_to_message"]
    await tg.send_voice(parent, reply_to=tg.sent[0])
    await tg.send_sticker(parent, reply_to=sent.message_id)
    assert last_from(tg, parent).reply_to == sent.message_id
    updates = await bot.get_updates()
    replied = [
        u.message.reply_to_message.message_id
        for u in updates
        if u.message and u.message.reply_to_message
    ]
    assert replied == [sent.message_id, photo.message_id, sent.message_id, sent.message_id]
    await bot.send_message(teacher.id, "Учителю")
    with pytest.raises(ValueError, match="not in the private chat"):
        await tg.send_reply(parent, tg.sent[-1], "чужое")
    with pytest.raises(ValueError, match="no message 999"):
        await tg.send_reply(parent, 999, "нет такого")


async def test_reply_parameters_and_legacy_reply_round_trip(tg: FakeTelegram, bot: Bot) -> None:
    parent = tg.user(PARENT)
    await tg.send_text(parent, "Когда контрольная?")
    asked = last_from(tg, parent).message_id
    by_parameters = await bot.send_message(
        parent.id, "В пятницу", reply_parameters=ReplyParameters(message_id=asked)
    )
    by_legacy = await bot.send_message(parent.id, "Точно", reply_to_message_id=asked)
    photo = await bot.send_photo(
        parent.id,
        BufferedInputFile(b"\x89PNG", "chart.png"),
        reply_parameters=ReplyParameters(message_id=by_parameters.message_id),
    )
    document = await bot.send_document(
        parent.id, BufferedInputFile(PDF, "plan.pdf"), reply_to_message_id=asked
    )
    for message, target in [
        (by_parameters, asked),
        (by_legacy, asked),
        (photo, by_parameters.message_id),
        (document, asked),
    ]:
        assert message.reply_to_message is not None
        assert message.reply_to_message.message_id == target
    assert by_parameters.reply_to_message is not None
    assert by_parameters.reply_to_message.text == "Когда контрольная?"
    assert [s.reply_to for s in tg.sent] == [asked, asked, by_parameters.message_id, asked]
    plain = await bot.send_message(parent.id, "Без ответа")
    assert plain.reply_to_message is None
    assert tg.sent[-1].reply_to is None


async def test_reply_to_a_missing_message_is_refused_like_telegram(
    tg: FakeTelegram, bot: Bot
) -> None:
    parent, teacher = tg.user(PARENT), tg.user(TEACHER)
    gone = await bot.send_message(parent.id, "Удалю")
    await bot.delete_message(parent.id, gone.message_id)
    elsewhere = await bot.send_message(teacher.id, "В другом чате")
    for message_id in (gone.message_id, 999, elsewhere.message_id):
        with pytest.raises(TelegramBadRequest) as caught:
            await bot.send_message(
                parent.id, "ответ", reply_parameters=ReplyParameters(message_id=message_id)
            )
        assert str(caught.value) == REPLY_NOT_FOUND
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(parent.id, "ответ", reply_to_message_id=999)
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_photo(
            parent.id, BufferedInputFile(b"\x89PNG", "a.png"), reply_to_message_id=999
        )
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_document(
            parent.id,
            BufferedInputFile(PDF, "a.pdf"),
            reply_parameters=ReplyParameters(message_id=999),
        )
    assert [s.method for s in tg.sent] == ["sendMessage", "deleteMessage", "sendMessage"]
    allowed = await bot.send_message(
        parent.id,
        "всё равно",
        reply_parameters=ReplyParameters(message_id=999, allow_sending_without_reply=True),
    )
    legacy = await bot.send_message(
        parent.id, "тоже", reply_to_message_id=999, allow_sending_without_reply=True
    )
    assert (allowed.reply_to_message, legacy.reply_to_message) == (None, None)
    assert [s.reply_to for s in tg.sent[-2:]] == [None, None]


async def test_reply_checks_come_in_telegrams_order(tg: FakeTelegram, bot: Bot) -> None:
    parent = tg.user(PARENT)
    tg.block(parent)
    with pytest.raises(TelegramForbiddenError):  # the chat first, then the reply
        await bot.send_message(parent.id, "x", reply_to_message_id=999)
    tg.unblock(parent)
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(parent.id, "<b>x", reply_to_message_id=999)  # before the text
    async with aiohttp.ClientSession() as http:
        url = f"{tg.base_url}/bot{tg.default_token}/sendMessage"
        for value, reason in [
            ("{bad", "can't parse reply parameters JSON object"),
            ("5", "object expected as reply parameters"),
        ]:
            form = {"chat_id": str(parent.id), "text": "x", "reply_parameters": value}
            async with http.post(url, data=form) as response:
                body = await response.json()
            assert (response.status, body["description"]) == (400, f"Bad Request: {reason}")
    assert tg.sent == []


# copyMessage ----------------------------------------------------------------------------------


async def test_copy_message_copies_text_photo_and_document(tg: FakeTelegram, bot: Bot) -> None:
    parent, teacher = tg.user(PARENT), tg.user(TEACHER)
    await tg.send_text(parent, "Прошу отпустить с урока")
    text = last_from(tg, parent)
    await tg.send_photo(parent, caption="Фото справки")
    photo = last_from(tg, parent)
    await tg.send_document(parent, "Справка.pdf", content=PDF, caption="Справка")
    document = last_from(tg, parent)

    button = InlineKeyboardButton(text="Ответить", callback_data="answer:1")
    copied_text = await bot.copy_message(
        teacher.id,
        parent.id,
        text.message_id,
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
    )
    copied_photo = await bot.copy_message(
        teacher.id, parent.id, photo.message_id, caption="<i>От родителя</i>"
    )
    copied_document = await bot.copy_message(
        teacher.id,
        parent.id,
        document.message_id,
        reply_parameters=ReplyParameters(message_id=copied_text.message_id),
    )
    records = [s for s in tg.sent if s.method == "copyMessage"]
    assert [(s.chat_id, s.message_id) for s in records] == [
        (teacher.id, copied_text.message_id),
        (teacher.id, copied_photo.message_id),
        (teacher.id, copied_document.message_id),
    ]
    assert [s.plain_text for s in records] == [
        "Прошу отпустить с урока",
        "От родителя",
        "Справка",
    ]
    assert [(s.filename, s.file_bytes) for s in records][2] == ("Справка.pdf", PDF)
    assert [s.reply_to for s in records] == [None, None, copied_text.message_id]
    assert records[1].text == "<i>От родителя</i>"
    assert (records[0].buttons, records[1].buttons) == ([("Ответить", "answer:1")], [])

    new_text = tg.messages[(teacher.id, copied_text.message_id)]
    assert (new_text.from_bot, new_text.text) == (True, "Прошу отпустить с урока")
    new_photo = tg.messages[(teacher.id, copied_photo.message_id)]
    assert new_photo.raw["photo"] == photo.raw["photo"]
    assert [e["type"] for e in new_photo.raw["caption_entities"]] == ["italic"]
    new_document = tg.messages[(teacher.id, copied_document.message_id)]
    assert new_document.raw["document"] == document.raw["document"]
    assert new_document.reply_to == copied_text.message_id
    assert "forward_origin" not in new_document.raw


async def test_copy_message_is_refused_like_telegram(tg: FakeTelegram, bot: Bot) -> None:
    parent, teacher = tg.user(PARENT), tg.user(TEACHER)
    await tg.send_photo(parent)
    photo = last_from(tg, parent).message_id
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to copy not found"):
        await bot.copy_message(teacher.id, parent.id, 999)
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.copy_message(teacher.id, 4242, photo)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.copy_message(teacher.id, parent.id, photo, caption="я" * 1025)
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.copy_message(teacher.id, parent.id, photo, reply_to_message_id=999)
    tg.block(teacher)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.copy_message(teacher.id, parent.id, photo)
    tg.unblock(teacher)
    tg.limits()
    await bot.copy_message(teacher.id, parent.id, photo)
    with pytest.raises(TelegramRetryAfter):
        await bot.copy_message(teacher.id, parent.id, photo)
    assert [s.method for s in tg.sent] == ["copyMessage"]
