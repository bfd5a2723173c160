"""The journal's own file store: files a teacher attached in the chat, kept by their content.

A file is stored once per content under ``FILES_DIR`` as ``ab/cd/<sha256><.ext>`` (the first
two pairs of the hash as sub-directories, so no directory grows huge). The user's file name is
never part of the path: it is kept, cleaned, for display only, and the extension comes from a
short list of letters and digits. A storage path read back (from the database, from an
import) is checked against that exact shape and resolved under the root, so neither ``..``
nor a symlink out of the store is ever opened. The size limit is Telegram's: a bot downloads
at most 20 MB.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

MAX_FILE_BYTES = 20 * 1024 * 1024
NAME_LIMIT = 255  # HomeworkAttachment.file_name
EXPORT_PREFIX = "files/"  # how an export names a kept file (core.exchange)

_PATH_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")
_EXT_RE = re.compile(r"^[a-z0-9]{1,8}$")
_TYPE_EXT = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/plain": "txt",
}


class FileTooLargeError(ValueError):
    """More than the store keeps (or nothing at all)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes (limit {limit})")
        self.size = size
        self.limit = limit


@dataclass(frozen=True, slots=True)
class StoredFile:
    storage_path: str  # relative to the store's root, e.g. "3f/a1/3fa1….pdf"
    file_name: str  # the name shown to families (cleaned), never a path
    content_type: str | None
    size_bytes: int


def valid_storage_path(text: str) -> bool:
    """Whether ``text`` has the one shape :meth:`FileStore.put` writes."""
    return bool(_PATH_RE.match(text))


def clean_name(name: str | None, fallback: str = "file") -> str:
    """A display name: the last component of what the user sent, without control characters."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return base[:NAME_LIMIT] or fallback


def _extension(name: str, content_type: str | None) -> str:
    suffix = PurePosixPath(name).suffix.lower().removeprefix(".")
    if _EXT_RE.match(suffix):
        return suffix
    return _TYPE_EXT.get((content_type or "").lower(), "")


class FileStore:
    """Files under one root directory; created on the first write."""

    def __init__(self, root: Path, *, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def check_size(self, size: int | None) -> None:
        """Refuse a file by its announced size, before downloading it."""
        if size is not None and not 0 < size <= self.max_bytes:
            raise FileTooLargeError(size, self.max_bytes)

    def put(self, data: bytes, file_name: str | None, content_type: str | None) -> StoredFile:
        """Keep ``data`` (once per content) and say where it is."""
        self.check_size(len(data))
        name = clean_name(file_name)
        digest = hashlib.sha256(data).hexdigest()
        ext = _extension(name, content_type)
        relative = f"{digest[:2]}/{digest[2:4]}/{digest}{'.' + ext if ext else ''}"
        target = self.root / relative
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a reader never sees half a file.
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return StoredFile(relative, name, content_type, len(data))

    def path_of(self, storage_path: str) -> Path | None:
        """The file a storage path names, or None: a bad shape, outside the root, or missing."""
        if not valid_storage_path(storage_path):
            return None
        root = self.root.resolve()
        found = (root / storage_path).resolve()
        if not found.is_relative_to(root) or not found.is_file():
            return None
        return found


def export_ref(storage_path: str, file_name: str) -> str:
    """How an export names a kept file: ``files/<storage path>#<file name, %-quoted>``; the
    exported directory carries references, the files stay in (a copy of) ``FILES_DIR``."""
    return f"{EXPORT_PREFIX}{storage_path}#{quote(file_name, safe='')}"


def parse_ref(text: str) -> tuple[str, str] | None:
    """The storage path and file name of an :func:`export_ref`, or None for anything else."""
    if not text.startswith(EXPORT_PREFIX):
        return None
    path, _hash, name = text.removeprefix(EXPORT_PREFIX).partition("#")
    if not valid_storage_path(path):
        return None
    return path, clean_name(unquote(name), PurePosixPath(path).name)
