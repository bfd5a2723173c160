"""aiogram's parametrised ``Response[...]`` models, kept alive for the whole process.

aiogram reads every Bot API answer with ``Response[method.__returning__]`` (a pydantic generic
model made on the spot). pydantic caches such models in a ``WeakValueDictionary``: once the answer
is dropped, the next garbage collection frees the model and the next call builds it again, about
4 ms of CPU each time (measured: 13 rebuilds in 300 ``sendMessage`` calls with 6 collections; in
the evening-rush benchmark, ``bench/rush.py``, a sixth of the bot's CPU). Holding one reference
to the model of each return type the bot meets keeps them cached. Imported with the
dispatcher factory (bot/app.py).
"""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.methods.base import Response

# The Bot API methods the bot calls (answers, pushes, files, start-up).
_METHODS = tuple(
    getattr(methods, name)
    for name in (
        "AnswerCallbackQuery",
        "DeleteMessage",
        "DeleteWebhook",
        "EditMessageReplyMarkup",
        "EditMessageText",
        "GetFile",
        "GetMe",
        "GetUpdates",
        "SendChatAction",
        "SendDocument",
        "SendMediaGroup",
        "SendMessage",
        "SendPhoto",
        "SetMyCommands",
    )
)

PINNED: dict[Any, Any] = {}
for _method in _METHODS:
    _returning = _method.__returning__
    if _returning not in PINNED:
        PINNED[_returning] = Response[_returning]  # type: ignore[valid-type]
