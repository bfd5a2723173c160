"""The fake MAX driven by maxapi's real ``Bot`` over HTTP (raw aiohttp where maxapi cannot ask).

Each test checks one thing production code relies on: that maxapi parses the fake's answers and
updates, that MAX's refusals surface as the errors maxapi raises for the real ones, that long
polling and webhooks deliver events as MAX does, and that the traps of MAX (a dialog's chat id is
not the user id) are there to be fallen into.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from maxapi import Bot, Dispatcher
from maxapi.client.default import DefaultConnectionProperties
from maxapi.enums.attachment import AttachmentType
from maxapi.enums.parse_mode import ParseMode
from maxapi.enums.update import UpdateType
from maxapi.exceptions.max import InvalidToken, MaxApiError
from maxapi.methods.types.getted_updates import get_update_model
from maxapi.types.attachments.attachment import Attachment, ButtonsPayload
from maxapi.types.attachments.buttons import InlineButtonUnion
from maxapi.types.attachments.buttons.attachment_button import AttachmentButton
from maxapi.types.attachments.buttons.callback_button import CallbackButton
from maxapi.types.attachments.buttons.link_button import LinkButton
from maxapi.types.attachments.buttons.request_contact import RequestContactButton
from maxapi.types.attachments.contact import Contact
from maxapi.types.attachments.file import File
from maxapi.types.attachments.image import Image
from maxapi.types.attachments.upload import AttachmentUpload
from maxapi.types.command import BotCommand
from maxapi.types.input_media import InputMedia, InputMediaBuffer
from maxapi.types.updates import UpdateUnionAdapter
from maxapi.types.updates.bot_started import BotStarted
from maxapi.types.updates.bot_stopped import BotStopped
from maxapi.types.updates.message_callback import MessageCallback
from maxapi.types.updates.message_created import MessageCreated
from maxapi.utils.vcf import parse_vcf_info

from tests.fake_max import FakeMax, SimMaxUser
from tests.fake_max import routes as routes_module

CAP = 0.4  # long-poll cap for these tests, seconds
PARENT = 501
TEACHER = 502
WEBHOOK_SECRET = "hook_secret-1"  # noqa: S105 - a test value
GROUP = -4_000_000_001
Attachments = list[Attachment | InputMedia | InputMediaBuffer | AttachmentUpload]
Receiver = tuple[str, list[tuple[dict[str, Any], str | None]], list[int]]


@pytest.fixture
async def mx() -> AsyncIterator[FakeMax]:
    async with FakeMax(poll_timeout_cap=CAP, webhook_backoff=0.05) as fake:
        yield fake


@pytest.fixture
def bot(mx: FakeMax) -> Bot:
    return mx.bot()


def rows_keyboard(rows: list[list[InlineButtonUnion]]) -> Attachments:
    payload = ButtonsPayload(buttons=rows)
    return [AttachmentButton(type=AttachmentType.INLINE_KEYBOARD, payload=payload, bot=None)]


def keyboard(*payloads: str) -> Attachments:
    """One callback button a row, labelled #0, #1, ..."""
    return rows_keyboard(
        [[CallbackButton(text=f"#{i}", payload=payload)] for i, payload in enumerate(payloads)]
    )


def buffer(data: bytes, filename: str | None = None) -> Attachments:
    return [InputMediaBuffer(buffer=data, filename=filename)]


async def raw(
    mx: FakeMax, method: str, path: str, *, token: str | None = "", **kwargs: Any
) -> tuple[int, Any]:
    """A request maxapi cannot make (a missing header, an over-long text, an empty answer)."""
    headers = {} if token is None else {"Authorization": token or mx.default_token}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, mx.base_url + path, headers=headers, **kwargs) as answer,
    ):
        return answer.status, await answer.json(content_type=None)


# identity, tokens --------------------------------------------------------------------------------


async def test_get_me_returns_the_bot_user(mx: FakeMax, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.user_id, me.username, me.first_name, me.is_bot) == (
        900001,
        "journal_max_bot",
        "Журнал (тест)",
        True,
    )
    assert me.last_activity_time is not None
    assert me.last_activity_time > 1_600_000_000_000
    assert mx.identity.id == me.user_id


async def test_default_token_is_opaque_like_max_tokens(mx: FakeMax) -> None:
    token = mx.default_token
    assert len(token) >= 40
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in token)
    assert str(mx.identity.id) not in token


async def test_a_wrong_or_missing_token_gets_401_verify_token(mx: FakeMax) -> None:
    with pytest.raises(InvalidToken):
        await mx.bot(token="not-the-token").get_me()  # noqa: S106
    status, body = await raw(mx, "GET", "/me", token=None)
    assert status == 401
    assert body == {"code": "verify.token", "message": "Invalid access_token"}
    assert [f.status for f in mx.failures] == [401, 401]


async def test_an_unknown_path_is_404_and_recorded(mx: FakeMax) -> None:
    status, body = await raw(mx, "GET", "/nothing/here")
    assert status == 404
    assert body["code"] == "not.found"
    assert mx.unknown_requests == ["GET /nothing/here"]


# long polling ------------------------------------------------------------------------------------


async def test_marker_commits_events_before_it(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    first = await mx.start(user)
    second = await mx.send_text(user, "привет")
    answer = await bot.get_updates(timeout=0)
    assert [u["update_type"] for u in answer["updates"]] == ["bot_started", "message_created"]
    assert answer["marker"] == second + 1 == first + 2
    again = await bot.get_updates(timeout=0)  # no marker: nothing was committed yet
    assert len(again["updates"]) == 2
    after = await bot.get_updates(marker=answer["marker"], timeout=0)
    assert after == {"updates": [], "marker": answer["marker"]}
    assert mx.pending_updates == []


async def test_limit_and_types_select_events(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    await mx.start(user)
    for text in ("a", "b", "c"):
        await mx.send_text(user, text)
    page = await bot.get_updates(limit=2, timeout=0)
    assert len(page["updates"]) == 2
    texts = await bot.get_updates(marker=1, timeout=0, types=[UpdateType.MESSAGE_CREATED])
    assert [u["message"]["body"]["text"] for u in texts["updates"]] == ["a", "b", "c"]


async def test_an_empty_poll_waits_then_answers_the_same_marker(mx: FakeMax, bot: Bot) -> None:
    started = time.monotonic()
    answer = await bot.get_updates(marker=7, timeout=30)
    elapsed = time.monotonic() - started
    assert answer == {"updates": [], "marker": 7}
    assert CAP * 0.9 <= elapsed < CAP + 1.0


async def test_an_event_ends_a_waiting_poll_at_once(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    number = await mx.send_text(user, "сейчас")
    answer = await poll
    assert time.monotonic() - started < CAP / 2
    assert [u["message"]["body"]["text"] for u in answer["updates"]] == ["сейчас"]
    assert answer["marker"] == number + 1


# update shapes -----------------------------------------------------------------------------------


async def test_every_update_kind_parses_with_maxapi(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT, "Анна", last_name="Петрова", username="anna")
    await mx.start(user, "invite_ABC-123")
    await mx.send_text(user, "/start")
    sent = await bot.send_message(user_id=user.id, text="Выберите", attachments=keyboard("ok"))
    assert sent is not None
    assert sent.message.body is not None
    bot_mid = sent.message.body.mid
    await mx.press(user, bot_mid, "ok")
    await mx.send_reply(user, bot_mid, "ответ")
    await mx.share_contact(user, "+79001234567")
    await mx.send_file(user, "d.pdf", b"%PDF-1.4")
    await mx.send_image(user, b"\xff\xd8\xff")
    await mx.send_group_text(GROUP, user, "в группе")
    await mx.block(user)
    raw_updates = (await bot.get_updates(timeout=0))["updates"]
    for update in raw_updates:
        UpdateUnionAdapter.validate_python(update)  # strict: raises on any shape error
    events = [await get_update_model(update, bot) for update in raw_updates]
    kinds = [type(event).__name__ for event in events]
    assert kinds == ["BotStarted"] + ["MessageCreated"] + ["MessageCallback"] + [
        "MessageCreated"
    ] * 5 + ["BotStopped"]
    started, text, press, reply, contact, file, image, group, stopped = events
    assert isinstance(started, BotStarted)
    assert started.payload == "invite_ABC-123"
    assert started.chat_id == user.chat_id != user.id
    assert isinstance(text, MessageCreated)
    assert text.message.recipient.chat_id == user.chat_id
    assert text.message.recipient.user_id == mx.identity.id
    assert text.message.sender is not None
    assert text.message.sender.user_id == user.id
    assert text.message.body is not None
    assert text.message.body.mid.startswith("mid.")
    assert len(text.message.body.mid) == len("mid.") + 32
    assert text.message.body.seq > 2**53
    assert text.user_locale == "ru"
    assert isinstance(press, MessageCallback)
    assert press.callback.payload == "ok"
    assert press.message is not None
    assert press.message.body is not None
    assert press.message.body.mid == bot_mid
    assert isinstance(reply, MessageCreated)
    assert reply.message.link is not None
    assert reply.message.link.message.mid == bot_mid
    assert isinstance(_first_attachment(contact), Contact)
    attached = _first_attachment(file)
    assert isinstance(attached, File)
    assert (attached.filename, attached.size) == ("d.pdf", 8)
    assert isinstance(_first_attachment(image), Image)
    assert isinstance(group, MessageCreated)
    assert group.message.recipient.chat_id == GROUP
    assert group.message.recipient.chat_type == "chat"
    assert group.user_locale is None
    assert isinstance(stopped, BotStopped)
    assert stopped.chat_id == user.chat_id
    assert mx.failures == []  # maxapi's chat look-ups for each update all succeeded


def _first_attachment(event: object) -> object:
    assert isinstance(event, MessageCreated)
    assert event.message.body is not None
    assert event.message.body.attachments
    return event.message.body.attachments[0]


async def test_an_over_long_start_payload_is_dropped(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    await mx.start(user, "x" * 129)
    [update] = (await bot.get_updates(timeout=0))["updates"]
    assert update["payload"] is None


async def test_the_chat_of_an_update_resolves(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    chat = await bot.get_chat_by_id(user.chat_id)
    assert chat.type == "dialog"
    assert chat.dialog_with_user is not None
    assert chat.dialog_with_user.user_id == user.id
    with pytest.raises(MaxApiError) as error:
        await bot.get_chat_by_id(user.id)
    assert error.value.code == 404


# contacts ----------------------------------------------------------------------------------------


def _contact_payload(update: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = update["message"]["body"]["attachments"][0]["payload"]
    return payload


def _genuine(token: str, payload: dict[str, Any]) -> bool:
    expected = hmac.new(token.encode(), payload["vcf_info"].encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, payload["hash"])


async def test_a_shared_contact_is_signed_with_the_bot_token(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT, "Анна")
    other = mx.user(TEACHER, "Иван")
    await mx.share_contact(user, "+79001234567")
    await mx.share_contact(user, "+79007654321", forged=True)
    await mx.share_contact(user, "+79000000000", own=False, other=other)
    await mx.share_contact(user, "+79000000001", own=False)
    await mx.share_contact(user, "+79000000002", without_phone=True)
    own, forged, others, book, phoneless = [
        _contact_payload(u) for u in (await bot.get_updates(timeout=0))["updates"]
    ]
    assert _genuine(mx.default_token, own)
    assert parse_vcf_info(own["vcf_info"]).phone == "+79001234567"
    assert own["max_info"]["user_id"] == PARENT
    assert not _genuine(mx.default_token, forged)
    assert others["max_info"]["user_id"] == TEACHER
    assert book["max_info"] is None
    assert parse_vcf_info(phoneless["vcf_info"]).phone is None


# sending, editing, deleting ----------------------------------------------------------------------


async def test_send_records_the_dialog_chat_and_the_plain_text(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    answer = await bot.send_message(
        user_id=user.id,
        text='<b>Оценки</b> за <a href="https://example.org">неделю</a>',
        format=ParseMode.HTML,
        attachments=keyboard("marks", "back"),
    )
    assert answer is not None
    assert answer.message.body is not None
    [sent] = await mx.wait_for(user)
    assert (sent.method, sent.chat_id, sent.user_id) == ("send", user.chat_id, user.id)
    assert sent.plain_text == "Оценки за неделю" == answer.message.body.text
    assert sent.buttons == [("#0", "marks"), ("#1", "back")]
    assert sent.button_types == ["callback", "callback"]
    assert answer.message.recipient.chat_id == user.chat_id
    markup = answer.message.body.markup or []
    assert [(m.type, m.from_, m.length) for m in markup] == [("strong", 0, 6), ("link", 10, 6)]
    assert mx.messages[sent.mid or ""].text == "Оценки за неделю"


async def test_sending_to_the_user_id_as_chat_id_is_404(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    with pytest.raises(MaxApiError) as error:
        await bot.send_message(chat_id=user.id, text="мимо")
    assert error.value.code == 404
    assert error.value.raw == {"code": "not.found", "message": "Chat not found"}
    await bot.send_message(chat_id=user.chat_id, text="в диалог")
    assert [s.chat_id for s in mx.sent] == [user.chat_id]


async def test_edit_keeps_or_replaces_attachments_and_counts_edits(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    answer = await bot.send_message(user_id=user.id, text="v1", attachments=keyboard("a"))
    assert answer is not None
    assert answer.message.body is not None
    mid = answer.message.body.mid
    status, body = await raw(mx, "PUT", f"/messages?message_id={mid}", json={"text": "v2"})
    assert (status, body) == (200, {"success": True})
    assert (mx.messages[mid].text, mx.messages[mid].buttons) == ("v2", [("#0", "a")])
    # maxapi's edit_message always sends "attachments": [], which removes the keyboard.
    await bot.edit_message(mid, text="v3")
    state = mx.messages[mid]
    assert (state.text, state.buttons, state.edits) == ("v3", [], 2)
    assert [s.method for s in mx.sent] == ["send", "edit", "edit"]
    with pytest.raises(MaxApiError) as error:
        await bot.edit_message("mid.0000", text="x")
    assert error.value.code == 404


async def test_delete_removes_the_message(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    answer = await bot.send_message(user_id=user.id, text="временно")
    assert answer is not None
    assert answer.message.body is not None
    mid = answer.message.body.mid
    deleted = await bot.delete_message(mid)
    assert deleted.success
    assert mid not in mx.messages
    assert [(s.method, s.mid) for s in mx.sent] == [("send", mid), ("delete", mid)]
    with pytest.raises(MaxApiError) as error:
        await bot.delete_message(mid)
    assert error.value.code == 404


async def test_a_reply_link_points_at_the_message(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    await mx.send_text(user, "вопрос")
    [update] = (await bot.get_updates(timeout=0))["updates"]
    model = await get_update_model(update, bot)
    assert isinstance(model, MessageCreated)
    await model.message.reply("ответ")
    [sent] = await mx.wait_for(user)
    assert sent.reply_to == update["message"]["body"]["mid"]
    assert sent.chat_id == user.chat_id


# MAX's limits on messages ------------------------------------------------------------------------


async def test_text_over_4000_characters_is_refused(mx: FakeMax) -> None:
    user = mx.user(PARENT)
    path = f"/messages?user_id={user.id}"
    status, _ = await raw(mx, "POST", path, json={"text": "я" * 4000})
    assert status == 200
    status, body = await raw(mx, "POST", path, json={"text": "я" * 4001})
    assert status == 400
    assert body == {"code": "proto.payload", "message": "text: size must be between 0 and 4000"}
    assert len(mx.sent) == 1


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("<tg-spoiler>секрет</tg-spoiler>", 'Unsupported start tag "tg-spoiler"'),
        ("a<br>b", 'Unsupported start tag "br"'),
        ("<b>жирный", 'end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("<a>без ссылки</a>", 'must have an attribute "href"'),
    ],
)
async def test_bad_html_is_refused_naming_the_problem(
    mx: FakeMax, bot: Bot, text: str, refusal: str
) -> None:
    user = mx.user(PARENT)
    with pytest.raises(MaxApiError) as error:
        await bot.send_message(user_id=user.id, text=text, format=ParseMode.HTML)
    assert error.value.code == 400
    assert isinstance(error.value.raw, dict)
    assert refusal in error.value.raw["message"]
    assert mx.sent == []


async def test_max_tags_parse_and_lenient_mode_strips_unknown_ones() -> None:
    async with FakeMax(strict_html=False) as lenient:
        user = lenient.user(PARENT)
        answer = await lenient.bot().send_message(
            user_id=user.id,
            text="<mark>важно</mark> <span>x</span><br><h1>Заголовок</h1>",
            format=ParseMode.HTML,
        )
    assert answer is not None
    assert answer.message.body is not None
    assert answer.message.body.text == "важно xЗаголовок"
    markup = answer.message.body.markup or []
    assert [m.type for m in markup] == ["highlighted", "heading"]


def _rows(*lengths: int, kind: str = "callback") -> list[list[dict[str, Any]]]:
    def button(r: int, c: int) -> dict[str, Any]:
        if kind == "link":
            return {"type": "link", "text": f"{r}.{c}", "url": "https://example.org"}
        return {"type": "callback", "text": f"{r}.{c}", "payload": f"{r}.{c}"}

    return [[button(r, c) for c in range(n)] for r, n in enumerate(lengths)]


@pytest.mark.parametrize(
    ("buttons", "refusal"),
    [
        (_rows(*[1] * 31), "31 rows, at most 30"),
        (_rows(8), "8 buttons, at most 7 in a row"),
        (_rows(4, kind="link"), "at most 3 in a row holding a link button"),
        ([[{"type": "callback", "text": "", "payload": "p"}]], "text: size must be between 1"),
        ([[{"type": "callback", "text": "t" * 129, "payload": "p"}]], "between 1 and 128"),
        ([[{"type": "callback", "text": "t", "payload": "p" * 1025}]], "between 0 and 1024"),
        ([[{"type": "callback", "text": "t"}]], "payload: must not be null"),
        ([[{"type": "link", "text": "t"}]], "url: must not be null"),
        ([[{"type": "teleport", "text": "t"}]], "unknown button type 'teleport'"),
        ([], "non-empty list of rows"),
    ],
)
async def test_keyboards_over_max_limits_are_refused(
    mx: FakeMax, buttons: list[list[dict[str, Any]]], refusal: str
) -> None:
    user = mx.user(PARENT)
    attachment = {"type": "inline_keyboard", "payload": {"buttons": buttons}}
    message = {"text": "t", "attachments": [attachment]}
    status, body = await raw(mx, "POST", f"/messages?user_id={user.id}", json=message)
    assert status == 400
    assert body["code"] == "proto.payload"
    assert refusal in body["message"]


async def test_keyboards_at_max_limits_are_accepted(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    full: list[list[InlineButtonUnion]] = [
        [CallbackButton(text=f"{r}.{c}", payload="p" * 1024) for c in range(7)] for r in range(30)
    ]
    wide: list[list[InlineButtonUnion]] = [
        [
            LinkButton(text="сайт", url="https://example.org"),
            RequestContactButton(text="Телефон"),
            CallbackButton(text="t" * 128, payload="x"),
        ]
    ]
    await bot.send_message(user_id=user.id, text="210", attachments=rows_keyboard(full))
    await bot.send_message(user_id=user.id, text="wide", attachments=rows_keyboard(wide))
    first, second = await mx.wait_for(user, count=2)
    assert len(first.buttons) == 210
    assert second.button_types == ["link", "request_contact", "callback"]
    assert second.buttons[0] == ("сайт", "https://example.org")


# callbacks ---------------------------------------------------------------------------------------


async def test_answers_need_a_notification_or_a_message(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    answer = await bot.send_message(user_id=user.id, text="Да?", attachments=keyboard("yes"))
    assert answer is not None
    await mx.press(user, mx.sent[0], "yes")
    [update] = (await bot.get_updates(timeout=0))["updates"]
    callback_id = update["callback"]["callback_id"]
    status, body = await raw(mx, "POST", f"/answers?callback_id={callback_id}", json={})
    assert status == 400
    assert body["code"] == "proto.payload"
    await bot.send_callback(callback_id, notification="Принято")
    event = await get_update_model(update, bot)
    assert isinstance(event, MessageCallback)
    await event.answer(new_text="Принято ✔", attachments=[])
    assert [(a.notification, a.payload) for a in mx.callback_answers] == [
        ("Принято", "yes"),
        (None, "yes"),
    ]
    state = mx.messages[mx.sent[0].mid or ""]
    assert (state.text, state.buttons, state.edits) == ("Принято ✔", [], 1)
    assert [s.method for s in mx.sent] == ["send", "answer", "answer"]
    status, body = await raw(mx, "POST", "/answers?callback_id=nope", json={"notification": "x"})
    assert status == 404


async def test_an_answer_with_a_notification_keeps_the_message(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    await bot.send_message(user_id=user.id, text="Меню", attachments=keyboard("a", "b"))
    await mx.press(user, mx.sent[0], "b")
    [update] = (await bot.get_updates(timeout=0))["updates"]
    event = await get_update_model(update, bot)
    assert isinstance(event, MessageCallback)
    await event.answer(notification="Ок")  # maxapi re-sends the message's own keyboard
    state = mx.messages[mx.sent[0].mid or ""]
    assert (state.text, state.buttons) == ("Меню", [("#0", "a"), ("#1", "b")])


async def test_press_checks_the_button_is_there(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    await bot.send_message(user_id=user.id, text="Меню", attachments=keyboard("a"))
    sent = mx.sent[0]
    with pytest.raises(ValueError, match="no callback button with payload 'zzz'"):
        await mx.press(user, sent, "zzz")
    await bot.delete_message(sent.mid or "")
    with pytest.raises(ValueError, match="deleted or never sent"):
        await mx.press(user, sent, "a")
    await mx.press(user, sent, "a", strict=False)
    [update] = (await bot.get_updates(timeout=0))["updates"]
    assert update["message"] is None
    assert isinstance(await get_update_model(update, bot), MessageCallback)


# uploads -----------------------------------------------------------------------------------------


async def test_a_file_upload_reaches_the_user(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    data = "ученик;оценка\nИванов;5\n".encode()
    await bot.send_message(
        user_id=user.id,
        text="Отчёт",
        attachments=buffer(data, "report.csv"),
    )
    [sent] = await mx.wait_for(user)
    assert (sent.filename, sent.file_bytes) == ("report.csv", data)
    [upload] = mx.uploads
    assert (upload.kind, upload.filename, upload.data) == ("file", "report.csv", data)
    attachment = mx.messages[sent.mid or ""].attachments or []
    assert (attachment[0]["filename"], attachment[0]["size"]) == ("report.csv", len(data))
    assert await bot.download_bytes(attachment[0]["payload"]["url"]) == data


async def test_an_image_upload_and_a_users_file_can_be_sent(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    await bot.send_message(user_id=user.id, attachments=buffer(png))
    await mx.send_file(user, "справка.pdf", b"%PDF-1.7 ...")
    [update] = (await bot.get_updates(timeout=0))["updates"]
    token = update["message"]["body"]["attachments"][0]["payload"]["token"]
    forward = {"attachments": [{"type": "file", "payload": {"token": token}}]}
    status, _ = await raw(mx, "POST", f"/messages?user_id={user.id}", json=forward)
    assert status == 200
    image, resent = await mx.wait_for(user, count=2)
    assert (image.file_bytes, mx.uploads[0].kind) == (png, "image")
    assert (resent.filename, resent.file_bytes) == ("справка.pdf", b"%PDF-1.7 ...")


async def test_an_unknown_upload_token_is_refused(mx: FakeMax) -> None:
    user = mx.user(PARENT)
    bogus = {"type": "file", "payload": {"token": "made-up"}}
    status, body = await raw(
        mx, "POST", f"/messages?user_id={user.id}", json={"attachments": [bogus]}
    )
    assert status == 400
    assert "no uploaded file has this token" in body["message"]


async def test_attachment_not_ready_is_retried_by_maxapi(mx: FakeMax) -> None:
    bot = mx.bot(after_upload_retry_delay=0.01)
    user = mx.user(PARENT)
    mx.attachment_not_ready_next(1)
    await bot.send_message(user_id=user.id, attachments=buffer(b"x", "a.txt"))
    assert [f.code for f in mx.failures] == ["attachment.not.ready"]
    assert len(mx.calls("POST /messages")) == 2
    assert mx.sent[0].file_bytes == b"x"


# commands ----------------------------------------------------------------------------------------


async def test_commands_are_stored_and_shown_in_me(mx: FakeMax, bot: Bot) -> None:
    await bot.set_commands(BotCommand(name="start", description="Начать"), BotCommand(name="marks"))
    assert mx.commands == [
        {"name": "start", "description": "Начать"},
        {"name": "marks", "description": None},
    ]
    me = await bot.get_me()
    assert [c.name for c in me.commands or []] == ["start", "marks"]
    assert mx.calls("PATCH /me/commands")


# limits and faults -------------------------------------------------------------------------------


async def test_requests_over_the_rate_limit_get_429(mx: FakeMax, bot: Bot) -> None:
    mx.limits(per_second=5)
    outcomes = await asyncio.gather(*(bot.get_me() for _ in range(8)), return_exceptions=True)
    refused = [o for o in outcomes if isinstance(o, MaxApiError)]
    assert [o.code for o in refused] == [429, 429, 429]
    assert refused[0].raw == {"code": "too.many.requests", "message": "Too many requests"}
    assert mx.too_many_requests == 3
    mx.no_limits()
    await asyncio.gather(*(bot.get_me() for _ in range(8)))
    assert mx.too_many_requests == 3


async def test_flood_next_refuses_only_the_named_endpoint(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    mx.flood_next(1, endpoint="POST /messages")
    await bot.get_me()
    with pytest.raises(MaxApiError) as error:
        await bot.send_message(user_id=user.id, text="1")
    assert error.value.code == 429
    await bot.send_message(user_id=user.id, text="2")
    assert [s.text for s in mx.sent] == ["2"]
    assert mx.pending_faults == []


async def test_fail_next_500_surfaces_and_503_is_retried(mx: FakeMax) -> None:
    bot = mx.bot(default_connection=DefaultConnectionProperties(retry_backoff_factor=0.01))
    user = mx.user(PARENT)
    mx.fail_next(1)
    with pytest.raises(MaxApiError) as error:
        await bot.send_message(user_id=user.id, text="1")
    assert error.value.code == 500
    mx.fail_next(2, status=503, endpoint="/messages")
    await bot.send_message(user_id=user.id, text="2")
    assert [f.status for f in mx.failures] == [500, 503, 503]
    assert len(mx.calls("POST /messages")) == 4
    assert [s.text for s in mx.sent] == ["2"]


async def test_hang_next_delays_then_delivers(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    mx.hang_next(1, 0.3, endpoint="POST /messages")
    started = time.monotonic()
    await bot.send_message(user_id=user.id, text="медленно")
    assert time.monotonic() - started >= 0.29
    impatient = mx.bot(default_connection=DefaultConnectionProperties(timeout=0.1, max_retries=0))
    mx.hang_next(1, 0.3, endpoint="POST /messages")
    with pytest.raises(asyncio.TimeoutError):
        await impatient.send_message(user_id=user.id, text="всё равно дойдёт")
    await mx.wait_for(user, count=2, timeout=2.0)
    assert [s.text for s in mx.sent] == ["медленно", "всё равно дойдёт"]


# blocked users and strangers ---------------------------------------------------------------------


async def test_a_user_who_blocked_the_bot_gets_403(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    await mx.block(user)
    with pytest.raises(MaxApiError) as error:
        await bot.send_message(user_id=user.id, text="вы тут?")
    assert error.value.code == 403
    assert isinstance(error.value.raw, dict)
    assert error.value.raw["code"] == "chat.denied"
    await mx.unblock(user)
    await bot.send_message(chat_id=user.chat_id, text="снова")
    kinds = [u["update_type"] for u in (await bot.get_updates(timeout=0))["updates"]]
    assert kinds == ["bot_stopped", "bot_started"]
    assert [s.text for s in mx.sent] == ["снова"]


async def test_a_group_member_without_a_dialog_cannot_be_written_to(mx: FakeMax, bot: Bot) -> None:
    stranger = SimMaxUser(777, "Гость")
    await mx.send_group_text(-4_000_000_002, stranger, "всем привет")
    await bot.send_message(chat_id=-4_000_000_002, text="и вам")
    with pytest.raises(MaxApiError) as error:
        await bot.send_message(user_id=stranger.id, text="лично")
    assert error.value.code == 403
    [sent] = await mx.wait_for(-4_000_000_002)
    assert (sent.chat_id, sent.user_id) == (-4_000_000_002, None)


# webhooks ----------------------------------------------------------------------------------------


@pytest.fixture
async def receiver() -> AsyncIterator[
    tuple[str, list[tuple[dict[str, Any], str | None]], list[int]]
]:
    """A bot's webhook endpoint: records (update, secret header), answers the queued statuses."""
    received: list[tuple[dict[str, Any], str | None]] = []
    statuses: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get("X-Max-Bot-Api-Secret")))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/hook", received, statuses
    await runner.cleanup()


async def test_webhook_delivers_with_the_secret_and_retries(
    mx: FakeMax,
    bot: Bot,
    receiver: Receiver,
) -> None:
    url, received, statuses = receiver
    with pytest.warns(UserWarning, match="HTTPS"):  # maxapi's own warning, not the fake's
        await bot.subscribe_webhook(url, secret=WEBHOOK_SECRET)
    assert [s.url for s in (await bot.get_subscriptions()).subscriptions] == [url]
    user = mx.user(PARENT)
    statuses.append(500)
    number = await mx.send_text(user, "по вебхуку")
    await mx.webhook_idle()
    assert [(d.event, d.attempt, d.status) for d in mx.webhook_deliveries] == [
        (number, 1, 500),
        (number, 2, 200),
    ]
    assert [secret for _, secret in received] == [WEBHOOK_SECRET, WEBHOOK_SECRET]
    update = received[-1][0]
    assert update["message"]["body"]["text"] == "по вебхуку"
    assert isinstance(await get_update_model(update, bot), MessageCreated)
    # While subscribed, polling gets nothing (after its wait), whatever is pending.
    assert (await bot.get_updates(timeout=30)) == {"updates": [], "marker": number + 1}
    await bot.unsubscribe_webhook(url)
    await mx.send_text(user, "снова опросом")
    [polled] = (await bot.get_updates(timeout=0))["updates"]
    assert polled["message"]["body"]["text"] == "снова опросом"


async def test_webhook_gives_up_on_a_dead_receiver(mx: FakeMax, bot: Bot) -> None:
    with pytest.warns(UserWarning, match="HTTPS"):
        await bot.subscribe_webhook(
            "http://127.0.0.1:9/hook", update_types=[UpdateType.BOT_STARTED]
        )
    user = mx.user(PARENT)
    await mx.send_text(user, "не того типа")
    await mx.start(user)
    await mx.webhook_idle()
    deliveries = mx.webhook_deliveries
    assert [d.attempt for d in deliveries] == [1, 2, 3, 4, 5]
    assert all(d.status is None and d.error and d.update_type == "bot_started" for d in deliveries)
    assert not deliveries[0].with_secret


async def test_a_bad_webhook_secret_is_refused(mx: FakeMax, bot: Bot) -> None:
    with pytest.raises(MaxApiError) as error, pytest.warns(UserWarning, match="HTTPS"):
        await bot.subscribe_webhook("http://127.0.0.1:9/hook", secret="no spaces!")  # noqa: S106
    assert error.value.code == 400
    assert mx.subscriptions == []


# a real dispatcher, waiting and fake bugs --------------------------------------------------------


async def test_a_polling_dispatcher_answers_in_the_dialog(mx: FakeMax, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message_created()
    async def echo(event: MessageCreated) -> None:
        assert event.message.body is not None
        await event.message.answer(f"эхо: {event.message.body.text}")

    polling = asyncio.create_task(dp.start_polling(bot))
    try:
        user = mx.user(PARENT)
        await mx.send_text(user, "привет")
        [sent] = await mx.wait_for(user, timeout=5.0)
    finally:
        await dp.stop_polling()
        await polling
    assert (sent.text, sent.chat_id) == ("эхо: привет", user.chat_id)
    assert mx.calls("GET /chats/{chat_id}")  # maxapi looks up each update's chat


async def test_wait_for_reports_what_was_sent_and_refused(mx: FakeMax, bot: Bot) -> None:
    user = mx.user(PARENT)
    await bot.send_message(user_id=user.id, text="одно")
    with pytest.raises(MaxApiError):
        await bot.send_message(chat_id=user.id, text="мимо")
    await mx.wait_for(user)
    with pytest.raises(AssertionError) as error:
        await mx.wait_for(user, timeout=0.05)
    report = str(error.value)
    assert "text='одно'  (already awaited)" in report
    assert "POST /messages -> 404 not.found: Chat not found" in report


async def test_a_bug_in_the_fake_fails_the_test_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(world: Any, call: Any) -> Any:
        raise RuntimeError("boom")

    patched = routes_module.build({"GET /me": broken})
    monkeypatch.setattr("tests.fake_max.server.ROUTES", patched)
    fake = FakeMax()
    await fake.serve()
    with pytest.raises(MaxApiError) as error:
        await fake.bot().get_me()
    assert error.value.code == 500
    with pytest.raises(AssertionError, match="the fake MAX failed"):
        await fake.__aexit__(None, None, None)
