"""MAX events as the aiogram updates the handlers serve (bot.max.updates)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from aiogram.enums import ChatMemberStatus
from aiogram.types import User

from bot.max.ids import MessageIds, alias_of
from bot.max.updates import UpdateTranslator, contact_is_genuine

TOKEN = "max-test-token-0123456789abcdefghijklmnop"  # noqa: S105 - a test token
BOT = User(id=900001, is_bot=True, first_name="Журнал", username="journal_max_bot")
OLGA = {"user_id": 501, "first_name": "Ольга", "is_bot": False, "last_activity_time": 0}
DIALOG = {"chat_id": 7_000_000_501, "chat_type": "dialog", "user_id": BOT.id}


def translator(ids: MessageIds | None = None) -> UpdateTranslator:
    return UpdateTranslator(ids or MessageIds(), TOKEN, BOT)


def created(body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    message = {"sender": OLGA, "recipient": DIALOG, "timestamp": 1_764_000_000_000}
    message["body"] = {"mid": "mid.0001", "seq": 1, **body}
    return {"update_type": "message_created", "timestamp": 1, "message": message | extra}


def vcard(phone: str | None) -> str:
    tel = f"TEL;TYPE=cell:{phone}\r\n" if phone else ""
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ольга\r\n{tel}END:VCARD\r\n"


def signed(vcf: str) -> str:
    return hmac.new(TOKEN.encode(), vcf.encode(), hashlib.sha256).hexdigest()


def contact(vcf: str, owner: dict[str, Any] | None, signature: str | None) -> dict[str, Any]:
    payload = {"vcf_info": vcf, "max_info": owner, "hash": signature}
    return created({"text": None, "attachments": [{"type": "contact", "payload": payload}]})


def test_a_dialog_message_is_the_users_private_chat_not_maxs_dialog_id() -> None:
    update = translator().translate(created({"text": "/marks"}, user_locale="en") | {})
    assert update is not None
    assert update.message is not None
    assert update.message.chat.id == 501
    assert update.message.chat.type == "private"
    assert update.message.from_user is not None
    assert update.message.from_user.id == 501
    assert update.message.text == "/marks"
    assert update.message.message_id == alias_of("mid.0001")


def test_a_group_message_keeps_a_negative_group_id() -> None:
    raw = created({"text": "/marks"})
    raw["message"]["recipient"] = {"chat_id": 123456, "chat_type": "chat"}
    update = translator().translate(raw)
    assert update is not None
    assert update.message is not None
    assert update.message.chat.id == -123456
    assert update.message.chat.type == "group"


def test_the_deep_link_payload_becomes_start_with_the_code() -> None:
    raw = {"update_type": "bot_started", "chat_id": 1, "user": OLGA, "payload": "AB12-CD34"}
    update = translator().translate(raw)
    assert update is not None
    assert update.message is not None
    assert update.message.text == "/start AB12-CD34"
    bare = translator().translate({"update_type": "bot_started", "user": OLGA, "payload": None})
    assert bare is not None
    assert bare.message is not None
    assert bare.message.text == "/start"


def test_only_a_signed_contact_of_the_sender_carries_the_senders_id() -> None:
    vcf = vcard("+79001234567")
    genuine = translator().translate(contact(vcf, OLGA, signed(vcf)))
    assert genuine is not None
    assert genuine.message is not None
    assert genuine.message.contact is not None
    assert genuine.message.contact.user_id == 501
    assert genuine.message.contact.phone_number == "+79001234567"
    for forged in (
        contact(vcf, OLGA, "0" * 64),  # a made-up signature
        contact(vcf, OLGA, None),  # none at all
        contact(vcard("+79990000000"), OLGA, signed(vcf)),  # another number under her hash
        contact(vcf, {**OLGA, "user_id": 777}, signed(vcf)),  # somebody else's card
        contact(vcf, None, signed(vcf)),  # a card of nobody on MAX
    ):
        update = translator().translate(forged)
        assert update is not None
        assert update.message is not None
        assert update.message.contact is not None
        assert update.message.contact.user_id is None


def test_a_contact_without_a_phone_number_has_an_empty_one() -> None:
    vcf = vcard(None)
    update = translator().translate(contact(vcf, OLGA, signed(vcf)))
    assert update is not None
    assert update.message is not None
    assert update.message.contact
    assert update.message.contact.phone_number == ""


def test_the_signature_check_is_hmac_sha256_keyed_with_the_token() -> None:
    vcf = vcard("+79001234567")
    assert contact_is_genuine(vcf, signed(vcf), TOKEN)
    assert contact_is_genuine(vcf, signed(vcf).upper(), TOKEN)
    assert not contact_is_genuine(vcf, signed(vcf), TOKEN + "x")


def test_a_forwarded_message_is_marked_as_forwarded() -> None:
    raw = created({"text": "hi"}, link={"type": "forward", "message": {"mid": "mid.9"}})
    update = translator().translate(raw)
    assert update is not None
    assert update.message is not None
    assert update.message.forward_origin is not None


def test_a_reply_names_the_replied_message_by_its_alias_and_remembers_its_mid() -> None:
    ids = MessageIds()
    raw = created({"text": "Спасибо"}, link={"type": "reply", "message": {"mid": "mid.42"}})
    update = translator(ids).translate(raw)
    assert update is not None
    assert update.message is not None
    replied = update.message.reply_to_message
    assert replied is not None
    assert replied.message_id == alias_of("mid.42")
    assert ids.mid(alias_of("mid.42")) == "mid.42"


def test_a_press_is_a_callback_query_on_the_pressed_message() -> None:
    ids = MessageIds()
    pressed = {"sender": BOT.model_dump(), "recipient": DIALOG, "body": {"mid": "mid.7"}}
    raw = {
        "update_type": "message_callback",
        "callback": {"callback_id": "cb-1", "payload": "diary:3", "user": OLGA},
        "message": pressed,
    }
    update = translator(ids).translate(raw)
    assert update is not None
    assert update.callback_query is not None
    query = update.callback_query
    assert query.id == "cb-1"
    assert query.data == "diary:3"
    assert query.from_user.id == 501
    assert query.message is not None
    assert query.message.chat.id == 501
    assert ids.mid(query.message.message_id) == "mid.7"


def test_blocking_is_a_kicked_member_update_and_unknown_events_are_ignored() -> None:
    update = translator().translate({"update_type": "bot_stopped", "chat_id": 1, "user": OLGA})
    assert update is not None
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == ChatMemberStatus.KICKED
    assert translator().translate({"update_type": "dialog_muted", "user": OLGA}) is None
    assert translator().translate({"update_type": "message_created", "message": {}}) is None


def test_files_and_photos_keep_maxs_token_as_their_file_id() -> None:
    file = {"type": "file", "payload": {"url": "u", "token": "tok-f"}, "filename": "a.pdf"}
    photo = {"type": "image", "payload": {"photo_id": 5, "url": "u", "token": "tok-p"}}
    update = translator().translate(created({"text": "Справка", "attachments": [file]}))
    assert update is not None
    assert update.message is not None
    assert update.message.document is not None
    assert update.message.document.file_id == "tok-f"
    assert update.message.document.file_name == "a.pdf"
    assert update.message.caption == "Справка"
    assert update.message.text is None
    update = translator().translate(created({"text": None, "attachments": [photo]}))
    assert update is not None
    assert update.message is not None
    assert update.message.photo
    assert update.message.photo[-1].file_id == "tok-p"
