"""Uploads: ``upload create <file> [--video]`` and ``upload list``.

An upload copies the file under ``<state>/cdn/uploads/<id>/`` and records
``uploads/<id>.json``; its URL is served from ``HIGGSFIELD_SANDBOX_CDN``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from . import errors
from .config import Settings
from .context import Ctx
from .state import JsonDict, State, new_id

IMAGE_EXT = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})
VIDEO_EXT = frozenset({".mp4", ".mov", ".webm"})
AUDIO_EXT = frozenset({".mp3", ".wav", ".m4a", ".ogg"})
INPUT_TYPES = {"image": "media_input", "video": "video_input", "audio": "audio_input"}

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def kind_of(path: Path) -> str | None:
    ext = path.suffix.lower()
    if ext in IMAGE_EXT:
        return "image"
    if ext in VIDEO_EXT:
        return "video"
    if ext in AUDIO_EXT:
        return "audio"
    return None


def check_file(raw: str) -> Path:
    """The local file named by ``raw``, or Go's ``open`` error text."""
    path = Path(raw).expanduser()
    if not path.exists():
        raise errors.usage(f"open {raw}: no such file or directory")
    if path.is_dir():
        raise errors.usage(f"read {raw}: is a directory")
    return path


def file_kind(raw: str, forced: str | None = None) -> tuple[Path, str]:
    path = check_file(raw)
    kind = forced or kind_of(path)
    if kind is None:
        raise errors.usage(
            f'Unsupported file type "{path.suffix or path.name}": use png, jpg, jpeg, webp, gif, mp4, mov, webm, '
            "mp3, wav, m4a or ogg"
        )
    return path, kind


def create(state: State, settings: Settings, path: Path, kind: str) -> JsonDict:
    ident = new_id()
    name = _SAFE.sub("_", path.name) or "upload"
    rel = f"uploads/{ident}/{name}"
    state.write_bytes(rel, path.read_bytes())
    record: JsonDict = {
        "id": ident,
        "type": kind,
        "url": settings.cdn_url(rel),
        "created_at": time.time(),
        "filename": path.name,
    }
    state.save("uploads", record)
    return record


def view(record: JsonDict, with_time: bool = False) -> JsonDict:
    out: JsonDict = {"id": record["id"], "type": record["type"], "url": record["url"]}
    if with_time:
        out["created_at"] = record["created_at"]
    return out


def cmd_upload_create(ctx: Ctx) -> int:
    raw = ctx.positional("file")
    forced = next((k for k in ("video", "audio", "image") if ctx.flag(k)), None)
    path, kind = file_kind(raw, forced)
    record = create(ctx.state, ctx.settings, path, kind)
    if ctx.json:
        ctx.emit(view(record))
    else:
        ctx.line(record["id"])
    return 0


def cmd_upload_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    size = ctx.int_flag("size", 20, 1, 100)
    kinds = [k for k in ("image", "video", "audio") if ctx.flag(k)]
    records = sorted(ctx.state.load_all("uploads"), key=lambda r: float(r.get("created_at", 0)), reverse=True)
    if kinds:
        records = [r for r in records if r.get("type") in kinds]
    items = [view(r, with_time=True) for r in records[:size]]
    if ctx.json:
        ctx.emit(items)
    else:
        for item in items:
            ctx.line(f"{item['id']}  {item['type']}  {item['url']}")
    return 0
