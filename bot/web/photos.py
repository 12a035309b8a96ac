"""Photos a grid worker takes on patrol, sent from the web chat: stored once by content under the
data directory, named on the report by their address on the staff pages, and shown only to staff.

Only a signed-in grid worker may upload (the chat page carries their CSRF token); the bytes must be
a JPEG, PNG or WebP image by their own signature, whatever the browser calls them.
"""

import hashlib
import hmac
import re
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.datastructures import FormData, UploadFile

from bot.web.auth import Forbidden, signed_in
from bot.web.deps import WebDeps
from bot.web.staff.access import AnyStaff

UPLOAD = "/photos"  # on the chat's router (bot/web/resident.py)
SHOWN = "/console/work/photos/"  # a photo's address as reports and case files name it (bot/web/staff)
MAX_BYTES = 8 * 1024 * 1024
NAME = re.compile(r"[0-9a-f]{64}\.(?:jpg|png|webp)")
ADDRESS = re.compile(re.escape(SHOWN) + NAME.pattern)
MEDIA = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
TOO_BIG = f"图片不能超过 {MAX_BYTES // (1024 * 1024)} MB，请压缩后再发。"
NOT_AN_IMAGE = "只能发送 JPG、PNG 或 WebP 格式的照片。"


def kind_of(data: bytes) -> str | None:
    """The image format by the file's own signature, or None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def folder(deps: WebDeps) -> Path:
    return deps.app.settings.data_dir / "photos"


async def upload(request: Request) -> JSONResponse:
    """Store one photo and answer its address, which the page then sends as a chat message."""
    deps: WebDeps = request.app.state.deps
    session = await signed_in(request)
    if session is None or not session.staff.patrols:
        raise Forbidden("只有登录的网格员可以在巡查上报中发送照片。")
    offered = request.headers.get("x-csrf-token", "")
    if not hmac.compare_digest(offered.encode(), session.csrf_token.encode()):
        raise Forbidden("页面已过期，请刷新页面后重试。")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BYTES:
            return JSONResponse({"error": TOO_BIG}, status_code=413)
    try:
        return JSONResponse({"photo": store(deps, bytes(data))})
    except ValueError as refused:
        return JSONResponse({"error": str(refused)}, status_code=415)


async def from_form(deps: WebDeps, form: FormData, field: str = "photo") -> tuple[str, ...]:
    """The photo a staff form attached (a 现场记录 on a case file), stored; none if the field is empty.
    ValueError says in Chinese why a file was refused."""
    upload = form.get(field)
    if not isinstance(upload, UploadFile):
        return ()
    try:  # a form sent with no file chosen still carries the field, empty and nameless
        data = await upload.read(MAX_BYTES + 1) if upload.filename else b""
    finally:
        await upload.close()  # the form's spooled file, closed here rather than left to the collector
    if not data:
        return ()
    if len(data) > MAX_BYTES:
        raise ValueError(TOO_BIG)
    return (store(deps, data),)


def store(deps: WebDeps, data: bytes) -> str:
    """Keep the image once under the digest of its bytes and answer its address."""
    kind = kind_of(data)
    if kind is None:
        raise ValueError(NOT_AN_IMAGE)
    name = f"{hashlib.sha256(data).hexdigest()}.{kind}"
    target = folder(deps) / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)  # never a half-written photo under its final name
    return SHOWN + name


async def show(request: Request, name: str, session: AnyStaff) -> FileResponse:
    """A stored photo, for any signed-in staff member (its name is its content's digest)."""
    path = folder(request.app.state.deps) / name
    if not NAME.fullmatch(name) or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=MEDIA[name.rsplit(".", 1)[1]])
