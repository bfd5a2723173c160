"""Files as Telegram describes them: ids, sizes and paths for what the bot uploads and people send.

Every file with bytes goes into one registry (``world.files``: file_id -> (file_path, Upload)), so
``getFile``, the download route and a re-send by file_id work alike for a chart the bot uploaded
and a photo a parent sent.  A re-send keeps the file's id and unique id, as Telegram does.  A
file's kind is its path's folder ("photos/file_7.jpg", as Telegram names them), which is how a
photo's id sent as a document is refused the way Telegram refuses it.
"""

from __future__ import annotations

import posixpath
from typing import Any

from tests.fake_telegram.errors import bad_request
from tests.fake_telegram.params import Upload
from tests.fake_telegram.state import World

FOLDERS = {"photo": "photos", "document": "documents", "voice": "voice", "sticker": "stickers"}
KINDS = {folder: kind for kind, folder in FOLDERS.items()}
EXTENSIONS = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp"}
# The first bytes of each kind of file, so a downloaded file looks like what it claims to be.
MAGIC = {"photo": b"\xff\xd8\xff\xe0", "voice": b"OggS", "sticker": b"RIFF", "document": b""}
PHOTO_SIDES = (90, 320, 800, 1280, 2560)  # the longest side of each size Telegram makes
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile serves bots files up to 20 MB
STICKER_SIDE = 512
STICKER_BYTES = 18_000
VOICE_BYTES_PER_SECOND = 2_000  # Opus at about 16 kbit/s, as Telegram's clients record


def unique_id(file_id: str) -> str:
    """The file's unique id, the same for every id of one file (the number behind the id)."""
    return "AgAD" + file_id.split("-")[0][4:]


def register(world: World, kind: str, upload: Upload | str) -> dict[str, Any]:
    """A new file id for an upload; only files with bytes (not URL names) can be fetched later."""
    number = world.next_id()
    file_id = f"{kind[:2].upper()}AC{number:06d}-fake-file-id"
    if isinstance(upload, Upload):
        extension = posixpath.splitext(upload.filename)[1] or EXTENSIONS.get(kind, "")
        world.files[file_id] = (f"{FOLDERS[kind]}/file_{number}{extension}", upload)
    return {
        "file_id": file_id,
        "file_unique_id": unique_id(file_id),
        "file_size": len(upload.content) if isinstance(upload, Upload) else 0,
    }


def known(world: World, file_id: str) -> dict[str, Any]:
    """A registered file described again under its own ids, for a re-send by file_id."""
    upload = world.files[file_id][1]
    return {
        "file_id": file_id,
        "file_unique_id": unique_id(file_id),
        "file_size": len(upload.content),
    }


def kind_of(world: World, file_id: str) -> str | None:
    entry = world.files.get(file_id)
    return KINDS.get(entry[0].split("/")[0]) if entry else None


def check_kind(world: World, file_id: str, kind: str) -> None:
    """Telegram sends a photo's id only as a photo, and only a photo's id as a photo."""
    if (kind_of(world, file_id) == "photo") != (kind == "photo"):
        raise bad_request("type of file mismatch")


def downloadable(world: World, file_id: str) -> tuple[str, Upload]:
    """The file behind ``getFile``, or Telegram's refusal of an unknown or too big one."""
    if file_id not in world.files:
        raise bad_request("invalid file_id")
    path, upload = world.files[file_id]
    if len(upload.content) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return path, upload


def filler(kind: str, size: int) -> bytes:
    """``size`` bytes standing for a file a person sent: its kind's magic, then zeros."""
    magic = MAGIC.get(kind, b"")[:size]
    return magic + bytes(size - len(magic))


def _positive(**values: int) -> None:
    for name, value in values.items():
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")


def _photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """Each size's width and height, smallest first: Telegram's steps below the photo, then it."""
    longest = max(width, height)
    steps = [side for side in PHOTO_SIDES if side < longest]
    scaled = [
        (max(1, round(width * side / longest)), max(1, round(height * side / longest)))
        for side in steps
    ]
    return [*scaled, (width, height)]


def bot_photo(world: World, upload: Upload | str) -> list[dict[str, Any]]:
    """A photo the bot uploads: one 320x320 size, as the fake does not decode images."""
    sizes = [{**register(world, "photo", upload), "width": 320, "height": 320}]
    if isinstance(upload, Upload):
        world.photos[sizes[0]["file_id"]] = sizes
    return sizes


def user_photo(world: World, size: int, width: int, height: int) -> list[dict[str, Any]]:
    """A photo as Telegram delivers it: sizes of growing area, ``size`` bytes for the largest.

    Every size is a file of its own (own id and bytes, in proportion to its area), and any of
    their ids re-sends the whole photo.
    """
    _positive(size=size, width=width, height=height)
    sizes = []
    for w, h in _photo_dimensions(width, height):
        nbytes = max(1, round(size * w * h / (width * height)))
        upload = Upload(f"photo_{w}x{h}.jpg", filler("photo", nbytes), "image/jpeg")
        sizes.append({**register(world, "photo", upload), "width": w, "height": h})
    for photo_size in sizes:
        world.photos[photo_size["file_id"]] = sizes
    return sizes


def user_document(world: World, filename: str, mime_type: str, content: bytes) -> dict[str, Any]:
    if not filename:
        raise ValueError("a document needs a file name")
    upload = Upload(filename, content, mime_type)
    return {**register(world, "document", upload), "file_name": filename, "mime_type": mime_type}


def document_content(size: int | None, content: bytes | None) -> bytes:
    """The document's bytes: ``content``, or ``size`` bytes of filler (100,000 by default)."""
    if content is None:
        _positive(size=100_000 if size is None else size)
        return filler("document", 100_000 if size is None else size)
    if size is not None and size != len(content):
        raise ValueError(f"size={size} contradicts the {len(content)} bytes of content")
    return content


def sticker(world: World, emoji: str | None) -> dict[str, Any]:
    """A static sticker of the usual 512x512 WebP kind."""
    upload = Upload("sticker.webp", filler("sticker", STICKER_BYTES), "image/webp")
    described = {
        **register(world, "sticker", upload),
        "type": "regular",
        "width": STICKER_SIDE,
        "height": STICKER_SIDE,
        "is_animated": False,
        "is_video": False,
    }
    if emoji:
        described["emoji"] = emoji
    return described


def voice(world: World, duration: int, size: int | None) -> dict[str, Any]:
    """A voice note: OGG/Opus of ``duration`` seconds, about 2 kB a second unless ``size``."""
    if duration < 0:
        raise ValueError(f"duration must not be negative, got {duration}")
    nbytes = size if size is not None else max(1, duration) * VOICE_BYTES_PER_SECOND
    _positive(size=nbytes)
    upload = Upload("voice.oga", filler("voice", nbytes), "audio/ogg")
    return {**register(world, "voice", upload), "duration": duration, "mime_type": "audio/ogg"}
