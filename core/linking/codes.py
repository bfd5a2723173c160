"""Invite codes: random, URL-safe, short enough for a Telegram start parameter, stored hashed."""

from __future__ import annotations

import hashlib
import re
import secrets

# 24 random bytes = 192 bits, 32 characters of base64url: well inside Telegram's 64-character
# limit for a /start parameter, and well beyond what anyone can guess (see ``code_hash``).
CODE_BYTES = 24
# What a code (or a slightly mistyped one) looks like. Lenient on length so that a pasted code
# with a character lost is answered as a wrong code rather than as an unknown message.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    """The stored form of a code.

    A plain SHA-256 (no salt, no slow KDF) is enough here: a slow hash protects low-entropy
    secrets such as passwords from offline guessing, but a 192-bit random code cannot be
    guessed from its hash at any speed. An unsalted hash also lets redeeming find the row
    with one indexed lookup.
    """
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def has_code_shape(text: str) -> bool:
    return _SHAPE.fullmatch(text) is not None
