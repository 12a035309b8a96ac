"""Registry files uploaded for a dry run, kept under the data directory until they are loaded (or a day
has passed), so that 确认导入 loads exactly the files its preview was worked out from. Each upload has
a random folder; a file keeps its own name (problems are said as 文件 第N行), made safe for the disk."""

import asyncio
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from starlette.datastructures import FormData, UploadFile

FILES = {  # form field: (what the page calls it, the name used when the upload's own name will not do)
    "grids": ("网格文件（GeoJSON）", "grids.geojson"),
    "places": ("地名文件（CSV）", "places.csv"),
    "departments": ("部门文件（CSV）", "departments.csv"),
}
MAX_BYTES = 20 * 1024 * 1024
TOO_BIG = f"超过 {MAX_BYTES // (1024 * 1024)} MB，请检查是否选错了文件。"  # after the file's name, here and on the page
MAX_REQUEST_BYTES = len(FILES) * MAX_BYTES + 64 * 1024  # refused before the files are spooled to disk
KEEP_SECONDS = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
SAFE_NAME = re.compile(r"[\w.()（）\- ]{1,100}")


class UploadRefused(ValueError):
    pass


@dataclass(frozen=True)
class Staged:
    token: str
    paths: tuple[Path, Path, Path]  # grids, places, departments, the order import_district takes them in


def folder(data_dir: Path) -> Path:
    return data_dir / "registry_uploads"


async def stage(root: Path, form: FormData) -> Staged:
    """Keep the form's three files; UploadRefused (and nothing kept) when one is missing or too large.
    The form's spooled files are closed here, rather than left to the collector."""
    try:
        return await _stage(root, {field: _upload(form, field) for field in FILES})
    finally:
        await form.close()


async def _stage(root: Path, uploads: dict[str, UploadFile]) -> Staged:
    token = secrets.token_urlsafe(32)
    paths = []
    try:
        for field, upload in uploads.items():
            data = await upload.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise UploadRefused(f"{FILES[field][0]}{TOO_BIG}")
            path = root / token / field / _safe_name(upload.filename, FILES[field][1])
            await asyncio.to_thread(_write, path, data)
            paths.append(path)
    except BaseException:
        discard(root, token)
        raise
    await asyncio.to_thread(_sweep, root, token)
    return Staged(token, (paths[0], paths[1], paths[2]))


def staged(root: Path, token: str) -> Staged | None:
    """An earlier upload, or None when the token is not one (loaded already, swept, or made up)."""
    if not TOKEN.fullmatch(token):
        return None
    found = [next(iter(sorted((root / token / field).glob("*"))), None) for field in FILES]
    if any(path is None for path in found):
        return None
    grids, places, departments = (path for path in found if path is not None)
    return Staged(token, (grids, places, departments))


def discard(root: Path, token: str) -> None:
    if TOKEN.fullmatch(token):
        shutil.rmtree(root / token, ignore_errors=True)


def _upload(form: FormData, field: str) -> UploadFile:
    value = form.get(field)
    if not isinstance(value, UploadFile) or not value.filename:
        raise UploadRefused(f"请选择{FILES[field][0]}。三个文件须一起上传，一起检查。")
    return value


def _safe_name(filename: str | None, default: str) -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return name if SAFE_NAME.fullmatch(name) and not name.startswith(".") else default


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _sweep(root: Path, keep: str) -> None:
    """Uploads older than a day were never confirmed: they go when the next one comes."""
    cutoff = time.time() - KEEP_SECONDS
    for old in root.iterdir():
        if old.name != keep and old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
