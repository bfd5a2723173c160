"""The upload host and the file host: where the bot's uploads land and users' files are served.

In MAX, ``POST /uploads`` hands out a URL on a separate upload server; a multipart POST of the
field ``data`` there answers ``{"token"}`` for a file, ``{"photos": {id: {"token"}}}`` for an
image and an XML ``<retval>1</retval>`` for video and audio (whose token came with the URL).
maxapi reads exactly these shapes.  Neither host checks the bot token, as in production.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from tests.fake_max.records import StoredFile
from tests.fake_max.state import World

RETVAL = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<retval>1</retval>'


async def receive(world: World, request: web.Request) -> web.Response:
    """A multipart POST to an upload URL: keep the bytes, answer what MAX answers."""
    slot = world.upload_slots.pop(request.match_info["upload_id"], None)
    if slot is None:
        return web.json_response(
            {"code": "not.found", "message": "Unknown or used upload URL"}, status=404
        )
    kind, token = slot
    form = await request.post()
    field = form.get("data")
    if not isinstance(field, web.FileField):
        return web.json_response(
            {"code": "proto.payload", "message": "multipart field 'data' is required"}, status=400
        )
    n = world.next_id()
    file = StoredFile(
        file_id=f"f{n}",
        kind=kind,
        filename=field.filename,
        content_type=field.content_type,
        data=field.file.read(),
        token=token or world.opaque(kind),
        photo_id=n if kind == "image" else None,
        from_bot=True,
        at=world.clock(),
    )
    world.files[file.token] = file
    world.uploads.append(file)
    if kind == "file":
        return web.json_response({"fileId": n, "token": file.token})
    if kind == "image":
        return web.json_response({"photos": {str(n): {"token": file.token}}})
    return web.Response(text=RETVAL, content_type="text/xml")


async def download(world: World, request: web.Request) -> web.Response:
    """A file's URL as it appears in an attachment's payload."""
    file_id = request.match_info["file_id"]
    file = next((f for f in world.files.values() if f.file_id == file_id), None)
    if file is None:
        return web.json_response({"code": "not.found", "message": "File not found"}, status=404)
    headers = {}
    if file.filename:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    return web.Response(
        body=file.data,
        content_type=file.content_type or "application/octet-stream",
        headers=headers,
    )
