"""Media flags (``--image``, ``--start-image`` …): mapping to a model's roles, checks, resolution.

A value is a local path (auto-uploaded at create time) or a UUID naming an upload or a
previous job in the sandbox state. Checking never creates anything; ``resolve`` uploads.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import errors, jobs, uploads
from .config import Settings
from .state import JsonDict, State

MEDIA_FLAGS = (
    "image",
    "image_references",
    "start_image",
    "end_image",
    "video",
    "video_references",
    "audio",
    "audio_references",
)
IMAGE_ROLES = frozenset({"image", "image_references", "start_image", "end_image"})
VIDEO_ROLES = frozenset({"video", "video_references"})
AUDIO_ROLES = frozenset({"audio", "audio_references"})
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def role_kind(role: str) -> str:
    if role in VIDEO_ROLES:
        return "video"
    if role in AUDIO_ROLES:
        return "audio"
    return "image"


def candidate_roles(flag: str, model_type: str) -> list[str]:
    """Roles a flag may land in, best first (``--image`` is an alias of ``*_references``)."""
    if flag == "image":
        roles = ["image_references", "image"]
        return [*roles, "start_image"] if model_type == "video" else roles
    if flag == "image_references":
        return ["image_references", "image"]
    if flag in ("video", "video_references"):
        return ["video_references", "video"]
    if flag in ("audio", "audio_references"):
        return ["audio_references", "audio"]
    return [flag]


class MediaItem:
    def __init__(
        self,
        role: str,
        raw: str,
        kind: str,  # image | video | audio
        *,
        upload: JsonDict | None = None,
        job: JsonDict | None = None,
        path: str | None = None,
    ) -> None:
        self.role = role
        self.raw = raw
        self.kind = kind
        self.upload = upload
        self.job = job
        self.path = path


def looks_like_uuid(text: str) -> bool:
    return bool(_UUID.match(text.strip()))


def check_value(state: State, settings: Settings, role: str, raw: str) -> MediaItem:
    """Classify one media value without creating anything."""
    wanted = role_kind(role)
    value = raw.strip()
    if looks_like_uuid(value):
        upload = state.load("uploads", value.lower())
        if upload is not None:
            _match(role, wanted, str(upload.get("type")))
            return MediaItem(role, raw, wanted, upload=upload)
        job = state.load("jobs", value.lower())
        if job is not None:
            job, status = jobs.observe(state, settings, job)
            if status != "completed":
                raise errors.usage(f'Job {value} is not completed (status "{status}")')
            kind = str(job.get("model_type"))
            _match(role, wanted, kind if kind in ("video", "audio") else "image")
            return MediaItem(role, raw, wanted, job=job)
    if not Path(raw).expanduser().exists() and looks_like_uuid(value):
        raise errors.usage(f'media "{value}" is neither an upload nor a job id in this account')
    path, kind = uploads.file_kind(raw)
    _match(role, wanted, kind)
    return MediaItem(role, raw, wanted, path=str(path))


def _match(role: str, wanted: str, got: str) -> None:
    if wanted != got:
        raise errors.usage(f'Upload type mismatch for role "{role}": expected {wanted}, got {got}')


def assign(
    state: State, settings: Settings, model: JsonDict, given: dict[str, list[str]]
) -> dict[str, list[MediaItem]]:
    """Map media flags onto the model's roles and check counts, types and existence."""
    roles: dict[str, JsonDict] = model.get("medias") or {}
    assigned: dict[str, list[MediaItem]] = {}
    total = sum(len(v) for v in given.values())
    if total and not roles:
        raise errors.usage("Model does not accept media inputs")
    for flag, values in given.items():  # in the order the flags were first given
        if not values:
            continue
        role = next((r for r in candidate_roles(flag, str(model["type"])) if r in roles), None)
        if role is None:
            raise errors.usage(f'Unknown media role "{flag}"')
        assigned.setdefault(role, []).extend(MediaItem(role, v, role_kind(role)) for v in values)
    for role, spec in roles.items():
        count = len(assigned.get(role, []))
        lo, hi = int(spec.get("min", 0)), int(spec.get("max", 0))
        if count > hi:
            if hi == 1 and role in IMAGE_ROLES:
                raise errors.usage("Model accepts only one image reference")
            if hi == 1:
                raise errors.usage(f"Model accepts only one {role_kind(role)} reference")
            raise errors.usage(f"Too many {role} inputs: {count} (max {hi})")
        if count < lo:
            raise errors.usage("Missing required params: medias")
    for role, items in assigned.items():
        assigned[role] = [check_value(state, settings, role, item.raw) for item in items]
    return assigned


def resolve(state: State, settings: Settings, assigned: dict[str, list[MediaItem]]) -> list[JsonDict]:
    """``params.medias`` entries, auto-uploading local paths."""
    medias: list[JsonDict] = []
    for role, items in assigned.items():
        for item in items:
            if item.path is not None:
                item.upload = uploads.create(state, settings, uploads.check_file(item.path), item.kind)
            if item.upload is not None:
                data = {
                    "id": item.upload["id"],
                    "url": item.upload["url"],
                    "type": uploads.INPUT_TYPES.get(str(item.upload["type"]), "media_input"),
                }
            elif item.job is not None:
                kind = str(item.job.get("model_type"))
                data = {
                    "id": item.job["id"],
                    "url": item.job.get("result_url"),
                    "type": f"{kind if kind in ('video', 'audio') else 'image'}_job",
                }
            else:  # pragma: no cover - check_value always classifies
                continue
            medias.append({"role": role, "data": data})
    return medias
