"""The fake Telegram driven by the real aiogram client over HTTP.

Each test checks one thing production code relies on: that aiogram parses the fake's answers,
that Telegram's refusals surface as the exceptions aiogram raises for the real ones, and that
long polling feeds a real dispatcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from tests.fake_telegram import FakeTelegram, Sent, SimUser
from tests.fake_telegram import server as server_module

TEACHER = 501
PARENT = 502
OTHER_TOKEN = "42:another-token"  # noqa: S105 - a test token, nothing secret
WEBHOOK_SECRET = "s3cret"  # noqa: S105


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def bot(tg: FakeTelegram) -> Bot:
    return tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=f"#{i}", callback_data=d)] for i, d in enumerate(data)
        ]
    )


# identity, methods, parameters ----------------------------------------------------------------


async def test_get_me_parses_with_the_configured_identity() -> None:
    async with FakeTelegram(bot_id=777001, username="other_test_bot", first_name="Другой") as tg:
        bot = tg.bot()
        me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        777001,
        "other_test_bot",
        "Другой",
        True,
    )
    assert bot.id == me.id  # the default token starts with the bot's id, as real tokens do


async def test_any_token_is_served_and_recorded(tg: FakeTelegram) -> None:
    me = await tg.bot(token=OTHER_TOKEN).get_me()
    assert me.username == "journal_test_bot"
    assert [(r.method, r.token) for r in tg.requests] == [("getMe", OTHER_TOKEN)]


async def test_unknown_method_answers_404_and_is_recorded(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramNotFound, match="method not found"):
        await bot.set_my_description("Электронный журнал")
    assert tg.unknown_methods == ["setMyDescription"]
    tg.stub("setMyDescription", True)
    assert await bot.set_my_description("Электронный журнал") is True


async def test_json_body_query_string_and_method_case(tg: FakeTelegram) -> None:
    user = tg.user(TEACHER)
    async with aiohttp.ClientSession() as http:
        url = f"{tg.base_url}/bot{tg.default_token}"
        async with http.post(f"{url}/sendMessage", json={"chat_id": user.id, "text": "json"}) as r:
            assert (r.status, (await r.json())["result"]["text"]) == (200, "json")
        async with http.get(f"{url}/SENDMESSAGE", params={"chat_id": "501", "text": "123"}) as r:
            assert (r.status, (await r.json())["result"]["text"]) == (200, "123")
        async with http.post(f"{url}/sendMessage", data={"chat_id": "501"}) as r:
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
    assert [s.text for s in tg.sent] == ["json", "123"]


async def test_commands_are_kept_per_scope_and_language(tg: FakeTelegram, bot: Bot) -> None:
    private = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand(command="start", description="Начать")])
    await bot.set_my_commands(
        [BotCommand(command="marks", description="Оценки")], scope=private, language_code="ru"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=private, language_code="ru")] == [
        "marks"
    ]
    assert await bot.get_my_commands(scope=private) == []
    assert tg.commands({"type": "all_private_chats"}, "ru") == [
        {"command": "marks", "description": "Оценки"}
    ]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Marks!", description="x")])


async def test_webhook_is_recorded_and_blocks_polling(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("https://bot.example.org/hook", secret_token=WEBHOOK_SECRET)
    assert tg.webhook["secret_token"] == WEBHOOK_SECRET
    assert (await bot.get_webhook_info()).url == "https://bot.example.org/hook"
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == []
    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("http://bot.example.org/hook")


# sending and validation -----------------------------------------------------------------------


async def test_html_message_with_inline_keyboard_is_recorded(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT, "Мария")
    before = time.monotonic()
    message = await bot.send_message(
        user.id, "<b>Оценки</b> за неделю &lt;9А&gt;", reply_markup=keyboard("mk1:7:2")
    )
    assert message.text == "Оценки за неделю <9А>"
    assert message.entities is not None
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 6)]
    assert message.reply_markup is not None
    assert message.reply_markup.model_dump() == keyboard("mk1:7:2").model_dump()
    [sent] = tg.sent
    assert sent.method == "sendMessage"
    assert (sent.chat_id, sent.message_id, sent.parse_mode) == (user.id, message.message_id, "HTML")
    assert sent.text == "<b>Оценки</b> за неделю &lt;9А&gt;"
    assert sent.plain_text == "Оценки за неделю <9А>"
    assert sent.buttons == [("#0", "mk1:7:2")]
    assert before <= sent.at <= time.monotonic()
    assert tg.messages[(user.id, message.message_id)].text == "Оценки за неделю <9А>"


async def test_every_supported_tag_parses_with_utf16_offsets(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    text = (
        "😀<b>ж</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        "<a href='https://school.example/?a=1&amp;b=2'>a</a><code>c</code>"
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &amp; &quot; & >'
    )
    message = await bot.send_message(user.id, text)
    assert message.text == '😀жsieunskdpqacx = 1q👍 & " & >'
    entities = {(e.type, e.offset): e for e in message.entities or []}
    assert entities[("bold", 2)].length == 1  # the emoji before it is two UTF-16 units
    assert entities[("text_link", 13)].url == "https://school.example/?a=1&b=2"
    assert entities[("pre", 15)].language == "python"
    assert entities[("custom_emoji", 21)].length == 2
    assert {e.type for e in entities.values()} == {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "expandable_blockquote",
        "custom_emoji",
    }


async def test_length_is_measured_after_parsing(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    message = await bot.send_message(user.id, "<b>" + "я" * 4096 + "</b>")
    assert len(message.text or "") == 4096
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(user.id, "я" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(user.id, "<b> </b>")
    assert len(tg.sent) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>жирный", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("5 < 6", "Unsupported start tag"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_rejected_like_telegram(
    tg: FakeTelegram, bot: Bot, text: str, reason: str
) -> None:
    user = tg.user(PARENT)
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(user.id, text)
    assert reason in caught.value.message
    assert tg.sent == []
    # The same text without parse mode is fine: only HTML is parsed.
    await bot.send_message(user.id, text, parse_mode=None)


async def test_callback_data_is_limited_to_64_bytes(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    await bot.send_message(user.id, "64", reply_markup=keyboard("ж" * 32))  # 64 bytes in UTF-8
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "65", reply_markup=keyboard("ж" * 32 + "x"))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "0", reply_markup=keyboard(""))
    assert [s.text for s in tg.sent] == ["64"]


async def test_contact_request_keyboard_is_kept_on_the_message(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Поделиться номером", request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    message = await bot.send_message(user.id, "Нужен ваш номер", reply_markup=markup)
    assert message.reply_markup is None  # Telegram echoes inline keyboards only
    expected_row = [{"text": "Поделиться номером", "request_contact": True}]
    assert tg.sent[0].reply_markup is not None
    assert tg.sent[0].reply_markup["keyboard"] == [expected_row]
    state = tg.messages[(user.id, message.message_id)]
    assert state.reply_markup == tg.sent[0].reply_markup
    await bot.send_message(user.id, "Спасибо", reply_markup=ReplyKeyboardRemove())


async def test_edits_and_deletes_change_message_state(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    first = await bot.send_message(user.id, "Неделя 1", reply_markup=keyboard("w:1"))
    edited = await bot.edit_message_text(
        "<i>Неделя 2</i>",
        chat_id=user.id,
        message_id=first.message_id,
        reply_markup=keyboard("w:2"),
    )
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    state = tg.messages[(user.id, first.message_id)]
    assert (state.text, state.buttons, state.edits) == ("Неделя 2", [("#0", "w:2")], 1)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<i>Неделя 2</i>",
            chat_id=user.id,
            message_id=first.message_id,
            reply_markup=keyboard("w:2"),
        )
    await bot.edit_message_reply_markup(chat_id=user.id, message_id=first.message_id)
    assert tg.messages[(user.id, first.message_id)].reply_markup is None
    assert await bot.delete_message(user.id, first.message_id) is True
    assert (user.id, first.message_id) not in tg.messages
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=first.message_id)
    methods = [s.method for s in tg.sent]
    assert methods == ["sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessage"]


async def test_documents_and_photos_keep_name_and_bytes(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(TEACHER)
    payload = b"PK\x03\x04 fake xlsx"
    message = await bot.send_document(
        user.id, BufferedInputFile(payload, "Ведомость 9А.xlsx"), caption="<b>Ведомость</b>"
    )
    assert message.document is not None
    assert message.document.file_name == "Ведомость 9А.xlsx"
    assert message.caption == "Ведомость"
    photo = await bot.send_photo(user.id, BufferedInputFile(b"\x89PNG", "chart.png"))
    assert photo.photo is not None
    assert [(s.method, s.filename, s.file_bytes) for s in tg.sent] == [
        ("sendDocument", "Ведомость 9А.xlsx", payload),
        ("sendPhoto", "chart.png", b"\x89PNG"),
    ]
    downloaded = await bot.download(message.document.file_id)
    assert downloaded is not None
    assert downloaded.read() == payload
    again = await bot.send_document(user.id, message.document.file_id)
    assert again.document is not None
    assert tg.sent[-1].file_bytes == payload


async def test_chat_action_is_accepted_but_not_a_send(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(TEACHER)
    assert await bot.send_chat_action(user.id, "typing") is True
    assert tg.sent == []
    assert [r.method for r in tg.calls("sendChatAction")] == ["sendChatAction"]


# limits and faults ----------------------------------------------------------------------------


async def test_per_chat_limit_answers_429_with_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    user, other = tg.user(PARENT), tg.user(TEACHER)
    await bot.send_message(user.id, "без ограничений")
    await bot.send_message(user.id, "без ограничений")
    tg.limits()
    await bot.send_message(user.id, "1")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user.id, "2")
    assert caught.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in caught.value.message
    await bot.send_message(other.id, "другой чат свободен")
    assert tg.too_many_requests == 1
    assert [s.text for s in tg.sent][-2:] == ["1", "другой чат свободен"]


async def test_group_limit_is_per_minute(tg: FakeTelegram, bot: Bot) -> None:
    tg.group(-1001234567890123, "9А родители")
    tg.limits(global_per_second=None, per_chat_per_second=None, per_group_per_minute=3)
    for number in range(3):
        await bot.send_message(-1001234567890123, str(number))
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-1001234567890123, "4")
    assert 59 <= caught.value.retry_after <= 60
    tg.no_limits()
    await bot.send_message(-1001234567890123, "4")
    assert tg.too_many_requests == 1


async def test_global_limit(tg: FakeTelegram, bot: Bot) -> None:
    users = [tg.user(1000 + n) for n in range(4)]
    tg.limits(global_per_second=3, per_chat_per_second=None)
    results = await asyncio.gather(
        *(bot.send_message(u.id, "x") for u in users), return_exceptions=True
    )
    assert sum(isinstance(r, TelegramRetryAfter) for r in results) == 1
    assert tg.too_many_requests == 1


async def test_flood_next_sets_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    tg.flood_next(1, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user.id, "x")
    assert caught.value.retry_after == 7
    await bot.send_message(user.id, "x")
    assert tg.too_many_requests == 1


async def test_blocked_user_gives_403_and_a_member_update(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    update_id = tg.block(user)
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(user.id, "Новая оценка")
    [update] = await bot.get_updates()
    assert update.update_id == update_id
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    tg.unblock(user)
    await bot.send_message(user.id, "Снова здесь")
    assert [s.text for s in tg.sent] == ["Снова здесь"]


async def test_unknown_chat_is_not_found(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(999999, "кому?")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(-100500, "в группу?")
    assert [(f.method, f.status) for f in tg.failures] == [("sendMessage", 400)] * 2


async def test_server_errors_surface_as_server_error(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    tg.fail_next(2, status=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(user.id, "1")
    assert await bot.get_updates() == []  # polling does not use up a fault meant for sends
    with pytest.raises(TelegramServerError):
        await bot.send_message(user.id, "2")
    assert tg.pending_faults == []
    tg.fail_next(1, method="getUpdates")
    await bot.send_message(user.id, "3")
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.get_updates()
    assert [s.text for s in tg.sent] == ["3"]


async def test_hung_call_hits_the_client_timeout(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    tg.hang_next(1, seconds=3)
    started = time.monotonic()
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(user.id, "медленно", request_timeout=1)
    assert 0.9 <= time.monotonic() - started < 2
    await bot.send_message(user.id, "быстро", request_timeout=1)
    assert [s.text for s in tg.sent] == ["быстро"]


async def test_group_member_who_never_started_the_bot_gets_403(tg: FakeTelegram, bot: Bot) -> None:
    stranger = SimUser(777, "Пётр")
    await tg.send_group_text(-42, stranger, "кто здесь?")
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await bot.send_message(stranger.id, "привет")
    tg.user(stranger.id, "Пётр")  # now he opens the bot
    await bot.send_message(stranger.id, "привет")
    assert [s.chat_id for s in tg.sent] == [stranger.id]


async def test_a_bug_in_the_fake_is_not_mistaken_for_telegram(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object) -> object:
        raise RuntimeError("oops")

    monkeypatch.setitem(server_module._METHODS, "getme", broken)
    with pytest.raises(AssertionError, match="the fake Telegram failed"):  # noqa: PT012
        async with FakeTelegram() as tg:
            with pytest.raises(TelegramServerError, match="Fake Telegram bug: RuntimeError"):
                await tg.bot().get_me()


# people and updates ---------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT, "Мария", username="maria")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    update_id = await tg.send_text(user, "/start ABC123")
    [update] = await asyncio.wait_for(poll, 1)
    assert time.monotonic() - started < 0.5
    assert update.update_id == update_id
    assert update.message is not None
    assert update.message.text == "/start ABC123"
    assert update.message.from_user is not None
    assert update.message.from_user.username == "maria"
    assert [(e.type, e.offset, e.length) for e in update.message.entities or []] == [
        ("bot_command", 0, 6)
    ]
    # Not confirmed yet: delivered again; confirmed by a higher offset: gone.
    assert [u.update_id for u in await bot.get_updates()] == [update_id]
    assert await bot.get_updates(offset=update_id + 1) == []
    assert tg.pending_updates == []


async def test_limit_offset_and_types(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    ids = [await tg.send_text(user, str(n)) for n in range(3)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
    tg.block(user)
    assert await bot.get_updates(offset=ids[2] + 1, allowed_updates=["message"]) == []


async def test_second_poller_ends_the_first_with_conflict(tg: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    second.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await second


async def test_contacts_and_group_texts(tg: FakeTelegram, bot: Bot) -> None:
    parent, teacher = tg.user(PARENT, "Мария"), tg.user(TEACHER, "Ольга")
    await tg.share_contact(parent, "+79990001122")
    await tg.share_contact(
        parent, "79990003344", forwarded_from=teacher, contact_user_id=teacher.id
    )
    await tg.share_contact(parent, "79990005566", forwarded_from="Скрытый", contact_user_id=None)
    await tg.send_group_text(-42, teacher, "/marks@journal_test_bot")
    await tg.send_group_text(-1009876543210, teacher, "привет")
    own, forwarded, hidden, group, supergroup = [u.message for u in await bot.get_updates()]
    assert own is not None
    assert own.contact is not None
    assert (own.contact.user_id, own.contact.phone_number) == (PARENT, "+79990001122")
    assert own.forward_origin is None
    assert forwarded is not None
    assert forwarded.contact is not None
    assert forwarded.contact.user_id == TEACHER
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.type == "user"
    assert hidden is not None
    assert hidden.contact is not None
    assert hidden.contact.user_id is None
    assert hidden.forward_origin is not None
    assert hidden.forward_origin.type == "hidden_user"
    assert group is not None
    assert (group.chat.type, group.chat.id) == ("group", -42)
    assert group.entities is not None
    assert group.entities[0].length == len("/marks@journal_test_bot")
    assert supergroup is not None
    assert supergroup.chat.type == "supergroup"
    await bot.send_message(-42, "группа теперь известна")


async def test_press_requires_a_button_of_a_bot_message(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(PARENT)
    message = await bot.send_message(user.id, "Выберите", reply_markup=keyboard("a", "b"))
    with pytest.raises(ValueError, match="no button with data 'c'"):
        await tg.press(user, message.message_id, "c")
    await tg.press(user, message.message_id, "forged", strict=False)
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "forged"
    assert update.callback_query.chat_instance
    await bot.answer_callback_query(update.callback_query.id, text="Устарело")
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query(update.callback_query.id)
    assert [(a.user_id, a.data, a.text) for a in tg.callback_answers] == [
        (PARENT, "forged", "Устарело")
    ]


async def test_wait_for_reports_what_was_sent(tg: FakeTelegram, bot: Bot) -> None:
    user, other = tg.user(PARENT), tg.user(TEACHER)
    await bot.send_message(other.id, "не тому")
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(user.id, "<b>сломано")
    with pytest.raises(AssertionError) as caught:
        await tg.wait_for(user, timeout=0.05)
    report = str(caught.value)
    assert "found 0" in report
    assert "'не тому'" in report
    assert "can't parse entities" in report


# the real dispatcher --------------------------------------------------------------------------


def tiny_router() -> Router:
    router = Router(name="tiny")

    @router.message(CommandStart(deep_link=True))
    async def start(message: Message, command: CommandObject) -> None:
        await message.answer(
            f"Код <code>{command.args}</code> принят",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Дальше", callback_data="next")]]
            ),
        )

    @router.message(F.contact)
    async def contact(message: Message) -> None:
        assert message.contact is not None
        own = message.contact.user_id == message.chat.id and message.forward_origin is None
        await message.answer(f"Номер {message.contact.phone_number}: {'ваш' if own else 'чужой'}")

    @router.callback_query(F.data == "next")
    async def next_step(callback: CallbackQuery) -> None:
        await callback.answer("Готово")
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("Шаг 2")

    return router


async def test_polling_dispatcher_answers_start_contact_and_press(tg: FakeTelegram) -> None:
    bot = tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    dp = Dispatcher()
    dp.include_router(tiny_router())
    parent, teacher = tg.user(PARENT, "Мария"), tg.user(TEACHER)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        await tg.send_text(parent, "/start ABC123")
        [greeting] = await tg.wait_for(parent)
        assert greeting.plain_text == "Код ABC123 принят"
        assert greeting.buttons == [("Дальше", "next")]
        assert greeting.message_id is not None

        await tg.share_contact(parent, "+79990001122")
        await tg.share_contact(parent, "+79990003344", forwarded_from=teacher)
        own, forwarded = await tg.wait_for(parent, count=2)
        assert (own.text, forwarded.text) == (
            "Номер +79990001122: ваш",
            "Номер +79990003344: чужой",
        )

        await tg.press(parent, greeting, "next")
        [edit] = await tg.wait_for(lambda s: s.method == "editMessageText")
        assert (edit.chat_id, edit.message_id) == (parent.id, greeting.message_id)
        assert tg.messages[(parent.id, greeting.message_id)].text == "Шаг 2"
        assert [a.text for a in tg.callback_answers] == ["Готово"]
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert polling.exception() is None
    assert tg.calls("getMe")  # aiogram checks the token before polling
    assert {r.params.get("timeout") for r in tg.calls("getUpdates")} == {1}


def test_sent_records_are_frozen() -> None:
    sent = Sent("sendMessage", 1, "x", None, None, 1, 0.0)
    with pytest.raises(AttributeError):
        sent.text = "y"  # type: ignore[misc]
