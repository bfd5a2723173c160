"""Bot API methods that change chats: send, copy, edit and delete messages, files, callback answers.

Each accepted call is appended to ``world.sent`` (except chat actions and callback answers, which
have records of their own), after the checks Telegram makes in the order it makes them: the chat,
the message replied to, the content, then the flood limits, so a rejected call never uses up a
rate-limit slot.
"""

from __future__ import annotations

import posixpath
from collections.abc import Awaitable, Callable
from typing import Any

from tests.fake_telegram import files, replies, validation
from tests.fake_telegram.errors import bad_request
from tests.fake_telegram.params import Upload, bool_param, chat_id_of, int_param
from tests.fake_telegram.records import CallbackAnswer, MessageState, Sent
from tests.fake_telegram.state import World

Handler = Callable[[World, dict[str, Any], dict[str, Upload]], Awaitable[Any]]
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# What a message shows, and so what a copy repeats; captions go with the media that carry them.
COPYABLE = ("text", "entities", "photo", "document", "sticker", "voice", "contact")
CAPTION_FIELDS = ("caption", "caption_entities")
CAPTIONED = frozenset({"photo", "document", "voice"})
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _record(
    world: World,
    method: str,
    params: dict[str, Any],
    *,
    chat_id: int | str,
    message_id: int | None,
    plain_text: str | None = None,
    markup: dict[str, Any] | None = None,
    upload: Upload | None = None,
    filename: str | None = None,
    reply_to: MessageState | None = None,
    text: str | None = None,
) -> None:
    """``text`` replaces the text the call carried (a copy shows what it copied)."""
    given = params.get("text", params.get("caption"))
    if text is None and isinstance(given, str):
        text = given
    world.sent.append(
        Sent(
            method=method,
            chat_id=chat_id,
            text=text,
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
            message_id=message_id,
            at=world.clock(),
            plain_text=plain_text,
            filename=upload.filename if upload else filename,
            file_bytes=upload.content if upload else None,
            reply_to=reply_to.message_id if reply_to else None,
            params=dict(params),
        )
    )


def _new_message(world: World, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
    message = {
        "message_id": world.next_message_id(chat["id"]),
        "from": world.identity.as_user(),
        "chat": chat,
        "date": world.now(),
    }
    message.update({key: value for key, value in content.items() if value})
    return message


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


def _acquire(world: World, chat_id: int) -> None:
    world.limiter.acquire(chat_id, group=chat_id < 0)


async def send_message(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    reply = replies.requested(params)
    chat = world.resolve_chat(chat_id_of(params))
    replied = replies.target(world, reply, chat["id"])
    plain, entities = validation.message_text(params)
    markup = validation.reply_markup(params)
    _acquire(world, chat["id"])
    message = _new_message(
        world,
        chat,
        text=plain,
        entities=entities,
        reply_markup=_inline_only(markup),
        **replies.content(replied),
    )
    world.store(message, from_bot=True, reply_markup=markup)
    _record(
        world,
        "sendMessage",
        params,
        chat_id=chat["id"],
        message_id=message["message_id"],
        plain_text=plain,
        markup=markup,
        reply_to=replied,
    )
    return message


def _bot_message(world: World, params: dict[str, Any], verb: str) -> MessageState:
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the fake Telegram")
    chat_id = chat_id_of(params)
    world.resolve_chat(chat_id)
    message_id = int_param(params, "message_id")
    state = None
    if isinstance(chat_id, int) and message_id is not None:
        state = world.messages.get((chat_id, message_id))
    if state is None:
        raise bad_request(f"message to {verb} not found")
    if not state.from_bot and verb == "edit":
        raise bad_request("message can't be edited")
    return state


def _edited(
    world: World, state: MessageState, markup: dict[str, Any] | None, **content: Any
) -> dict[str, Any]:
    raw = {k: v for k, v in state.raw.items() if k not in {"reply_markup", *content}}
    raw.update({key: value for key, value in content.items() if value})
    if markup:
        raw["reply_markup"] = markup
    raw["edit_date"] = world.now()
    world.store(raw, from_bot=True, edits=state.edits + 1)
    return raw


async def edit_message_text(
    world: World, params: dict[str, Any], uploads: dict[str, Upload]
) -> Any:
    state = _bot_message(world, params, "edit")
    if "text" not in state.raw:
        raise bad_request("there is no text in the message to edit")
    plain, entities = validation.message_text(params)
    markup = validation.reply_markup(params, inline_only=True)
    if (plain, entities or None, markup) == (
        state.raw.get("text"),
        state.raw.get("entities") or None,
        state.raw.get("reply_markup"),
    ):
        raise bad_request(NOT_MODIFIED)
    _acquire(world, state.chat_id)
    message = _edited(world, state, markup, text=plain, entities=entities)
    _record(
        world,
        "editMessageText",
        params,
        chat_id=state.chat_id,
        message_id=state.message_id,
        plain_text=plain,
        markup=markup,
    )
    return message


async def edit_message_reply_markup(
    world: World, params: dict[str, Any], uploads: dict[str, Upload]
) -> Any:
    state = _bot_message(world, params, "edit")
    markup = validation.reply_markup(params, inline_only=True)
    if markup == state.raw.get("reply_markup"):
        raise bad_request(NOT_MODIFIED)
    _acquire(world, state.chat_id)
    message = _edited(world, state, markup)
    _record(
        world,
        "editMessageReplyMarkup",
        params,
        chat_id=state.chat_id,
        message_id=state.message_id,
        plain_text=state.text,
        markup=markup,
    )
    return message


async def delete_message(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    state = _bot_message(world, params, "delete")
    del world.messages[(state.chat_id, state.message_id)]
    _record(world, "deleteMessage", params, chat_id=state.chat_id, message_id=state.message_id)
    return True


async def answer_callback_query(
    world: World, params: dict[str, Any], uploads: dict[str, Upload]
) -> Any:
    query_id = str(params.get("callback_query_id") or "")
    press = world.presses.pop(query_id, None)
    if press is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if isinstance(text, str) and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    world.callback_answers.append(
        CallbackAnswer(
            callback_query_id=query_id,
            user_id=press.user.id,
            data=press.data,
            text=text if isinstance(text, str) else None,
            show_alert=bool_param(params, "show_alert"),
            url=params.get("url"),
            at=world.clock(),
        )
    )
    return True


async def send_chat_action(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    world.resolve_chat(chat_id_of(params))
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _file(
    world: World, params: dict[str, Any], uploads: dict[str, Upload], field: str
) -> tuple[Upload | str, str | None]:
    """The file to send and its file_id when it is one Telegram already has.

    The file is an upload (``attach://`` or the part itself), a known file_id (of the right
    kind), or the name in a URL.
    """
    value = params.get(field)
    if field in uploads:
        return uploads[field], None
    if isinstance(value, str) and value.startswith("attach://"):
        upload = uploads.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return upload, None
    if isinstance(value, str) and value in world.files:
        files.check_kind(world, value, field)
        return world.files[value][1], value
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return posixpath.basename(value.split("?")[0]) or "file", None
    raise bad_request("wrong file identifier/HTTP URL specified")


def _media(world: World, kind: str, upload: Upload | str, file_id: str | None) -> Any:
    """The ``photo`` sizes or the ``document``; a re-sent file keeps its ids, a new one gets ids."""
    if kind == "photo":
        return world.photos[file_id] if file_id else files.bot_photo(world, upload)
    described = files.known(world, file_id) if file_id else files.register(world, kind, upload)
    name = upload.filename if isinstance(upload, Upload) else upload
    content = {**described, "file_name": name}
    if isinstance(upload, Upload) and upload.content_type:
        content["mime_type"] = upload.content_type
    return content


async def _send_file(
    world: World, params: dict[str, Any], uploads: dict[str, Upload], kind: str
) -> Any:
    reply = replies.requested(params)
    chat = world.resolve_chat(chat_id_of(params))
    replied = replies.target(world, reply, chat["id"])
    upload, file_id = _file(world, params, uploads, kind)
    caption, entities = validation.caption_text(params)
    markup = validation.reply_markup(params)
    _acquire(world, chat["id"])
    message = _new_message(
        world,
        chat,
        caption=caption,
        caption_entities=entities,
        reply_markup=_inline_only(markup),
        **{kind: _media(world, kind, upload, file_id)},
        **replies.content(replied),
    )
    world.store(message, from_bot=True, reply_markup=markup)
    _record(
        world,
        "sendPhoto" if kind == "photo" else "sendDocument",
        params,
        chat_id=chat["id"],
        message_id=message["message_id"],
        plain_text=caption,
        markup=markup,
        upload=upload if isinstance(upload, Upload) else None,
        filename=upload if isinstance(upload, str) else None,
        reply_to=replied,
    )
    return message


async def send_document(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return await _send_file(world, params, uploads, "document")


async def send_photo(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return await _send_file(world, params, uploads, "photo")


def _source(world: World, params: dict[str, Any]) -> MessageState:
    """The message to copy: its chat must exist for the bot and the message still be there."""
    from_chat_id = chat_id_of(params, "from_chat_id")
    if not world.has_chat(from_chat_id):
        raise bad_request("chat not found")
    message_id = int_param(params, "message_id")
    state = None
    if isinstance(from_chat_id, int) and message_id is not None:
        state = world.messages.get((from_chat_id, message_id))
    if state is None:
        raise bad_request("message to copy not found")
    return state


def _copied(state: MessageState, params: dict[str, Any]) -> dict[str, Any]:
    """What a copy shows: the original's content, without its keyboard, sender or reply.

    A ``caption`` given replaces the caption of a photo, document or voice note (an empty one
    removes it); a text, sticker or contact has no caption to replace.
    """
    if not any(key in state.raw for key in COPYABLE):
        raise bad_request("message can't be copied")
    content = {key: state.raw[key] for key in (*COPYABLE, *CAPTION_FIELDS) if key in state.raw}
    if "caption" in params and CAPTIONED & content.keys():
        caption, entities = validation.caption_text(params)
        content.update(caption=caption, caption_entities=entities)
    return content


def _attached(world: World, message: dict[str, Any]) -> tuple[Upload | None, str | None]:
    """The file a message shows (a document, or a photo's largest size) and a document's name."""
    if "document" in message:
        entry = world.files.get(message["document"]["file_id"])
        return (entry[1] if entry else None), message["document"].get("file_name")
    if "photo" in message:
        entry = world.files.get(message["photo"][-1]["file_id"])
        return (entry[1] if entry else None), None
    return None, None


async def copy_message(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    """A copy: the same content in another (or the same) chat, with no link to the original."""
    reply = replies.requested(params)
    source = _source(world, params)
    chat = world.resolve_chat(chat_id_of(params))
    replied = replies.target(world, reply, chat["id"])
    content = _copied(source, params)
    markup = validation.reply_markup(params)
    _acquire(world, chat["id"])
    message = _new_message(
        world,
        chat,
        reply_markup=_inline_only(markup),
        **content,
        **replies.content(replied),
    )
    world.store(message, from_bot=True, reply_markup=markup)
    upload, filename = _attached(world, message)
    shown = message.get("text", message.get("caption"))
    recaptioned = "caption" in params and bool(CAPTIONED & source.raw.keys())
    _record(
        world,
        "copyMessage",
        params,
        chat_id=chat["id"],
        message_id=message["message_id"],
        plain_text=shown,
        markup=markup,
        upload=upload,
        filename=filename,
        reply_to=replied,
        text=str(params["caption"]) if recaptioned else shown,
    )
    return {"message_id": message["message_id"]}


async def get_file(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    file_id = str(params.get("file_id") or "")
    path, upload = files.downloadable(world, file_id)
    return {
        "file_id": file_id,
        "file_unique_id": files.unique_id(file_id),
        "file_size": len(upload.content),
        "file_path": path,
    }


METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "copyMessage": copy_message,
    "getFile": get_file,
}
