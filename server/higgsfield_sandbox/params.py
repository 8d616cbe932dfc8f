"""Validation of ``generate create``/``generate cost`` parameters against the catalogue.

Everything here is checked before anything is created or charged, and each failure is an
``Error:`` line with exit 1, in this order: value syntax (lists, objects), ``Unknown params``,
``Missing required params``, ``Invalid values``, media roles and counts, model constraints.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from . import errors, marketing, media, souls
from .argv import FALSE_WORDS, TRUE_WORDS
from .catalogue import user_param_names
from .context import Ctx
from .state import JsonDict

# Flags of generate create/cost that are not model parameters.
CONTROL_VALUE_FLAGS = frozenset({"wait_timeout", "wait_interval"})


class Request:
    def __init__(
        self,
        *,
        model: JsonDict,
        params: JsonDict,  # catalogue names -> coerced values (given + defaults)
        assigned: dict[str, list[media.MediaItem]] | None = None,
        count: int = 1,
    ) -> None:
        self.model = model
        self.params = params
        self.assigned = assigned or {}
        self.count = count

    @property
    def job_count(self) -> int:
        return self.count

    @property
    def prompt(self) -> Any:
        return self.params.get("prompt")


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _load_list(name: str, raw: str) -> list[Any]:
    if not raw.startswith("@"):
        raise errors.usage(f"{name}: Input should be a valid list")
    path_text = raw[1:]
    path = Path(path_text).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise errors.usage(f"open {path_text}: no such file or directory") from exc
    except OSError as exc:
        raise errors.usage(f"read {path_text}: {exc.strerror or exc}") from exc
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise errors.usage(f"{name}: invalid JSON in {path_text}: {exc.msg}") from exc
    if not isinstance(value, list):
        raise errors.usage(f"{name}: Input should be a valid list")
    return value


def _load_object(name: str, raw: str) -> Any:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise errors.usage(f"{name}: should be object|null, got string") from None
    if value is None or isinstance(value, dict):
        return value
    kind = {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}.get(type(value), "string")
    raise errors.usage(f"{name}: should be object|null, got {kind}")


def _coerce(name: str, spec: JsonDict, raw: str, invalid: list[str]) -> Any:
    kind = spec.get("type", "string")
    if kind == "array":
        return _load_list(name, raw)
    if kind == "object":
        return _load_object(name, raw)
    value: Any = raw
    if kind == "boolean":
        low = raw.strip().lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        invalid.append(f"{name}={raw} (allowed: true, false)")
        return None
    if kind in ("integer", "number"):
        try:
            number = float(raw.strip())
            if not math.isfinite(number):
                raise ValueError(raw)
        except ValueError:
            invalid.append(f"{name}={raw} (expected {kind})")
            return None
        if kind == "integer":
            if not number.is_integer():
                invalid.append(f"{name}={raw} (expected integer)")
                return None
            value = int(number)
        else:
            value = int(number) if number.is_integer() else number
        lo, hi = spec.get("min"), spec.get("max")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            low_text = _fmt(lo) if lo is not None else ""
            high_text = _fmt(hi) if hi is not None else ""
            invalid.append(f"{name}={raw} (allowed: {low_text}..{high_text})")
            return None
    allowed = spec.get("enum")
    if allowed is not None:
        match = next((a for a in allowed if _fmt(a) == _fmt(value)), None)
        if match is None:
            invalid.append(f"{name}={raw} (allowed: {', '.join(_fmt(a) for a in allowed)})")
            return None
        value = match
    return value


def build(ctx: Ctx, model: JsonDict) -> Request:
    """Validate flags for ``model`` and return the request; creates nothing."""
    legacy = ctx.settings.legacy
    names = user_param_names(model, legacy)
    specs: JsonDict = model["parameters"]
    given: dict[str, str] = {}
    unknown: list[str] = []
    media_given: dict[str, list[str]] = {}
    for flag in dict.fromkeys(ctx.args.order):
        if flag in CONTROL_VALUE_FLAGS:
            continue
        if flag in media.MEDIA_FLAGS:
            media_given[flag] = ctx.args.all(flag)
            continue
        canonical = names.get(flag)
        if canonical is None:
            unknown.append(flag)
            continue
        value = ctx.args.value(flag)
        if value is not None:
            given[canonical] = value

    # Prompt from stdin when no --prompt was given.
    if "prompt" in specs and "prompt" not in given and ctx.stdin_text is not None:
        text = ctx.stdin_text.strip()
        if text:
            given["prompt"] = text

    if unknown:
        raise errors.usage(f"Unknown params: {', '.join(unknown)}")
    params: JsonDict = {}
    invalid: list[str] = []
    for canonical, raw in given.items():
        shown = next((u for u, c in names.items() if c == canonical and u != "custom_reference_id"), canonical)
        params[canonical] = _coerce(shown, specs[canonical], raw, invalid)
    missing = [
        next((u for u, c in names.items() if c == n), n)
        for n, spec in specs.items()
        if spec.get("required") and (n not in given or given[n] == "")
    ]
    if missing:
        raise errors.usage(f"Missing required params: {', '.join(missing)}")
    soul_id = params.get("soul_id")
    if soul_id:
        soul = ctx.state.load("souls", str(soul_id).strip().lower())
        if soul is None:
            invalid.append(f"soul_id={soul_id} (no Soul id with this id)")
        elif souls.status_of(soul) != "completed":
            invalid.append(f"soul_id={soul_id} (Soul id is {souls.status_of(soul)}, not completed)")
    if invalid:
        raise errors.usage(f"Invalid values: {'; '.join(invalid)}")

    assigned = media.assign(ctx.state, ctx.settings, model, media_given)
    request = Request(model=model, params=params, assigned=assigned)
    _constraints(ctx, request)

    for n, spec in specs.items():
        if n not in params and spec.get("default") is not None:
            params[n] = spec["default"]
    if "batch_size" in specs:
        request.count = int(params.get("batch_size") or 1)
    return request


def _count(request: Request, *roles: str) -> int:
    return sum(len(request.assigned.get(r, [])) for r in roles)


def _constraints(ctx: Ctx, request: Request) -> None:
    p = request.params
    model = request.model
    for rule in model.get("constraints", []):
        if rule == "inpaint_needs_mask" and p.get("is_inpaint") is True and not p.get("mask"):
            raise errors.usage("Missing required params: mask")
        if rule == "prompt_or_reference" and not p.get("prompt") and not _count(request, "image_references"):
            raise errors.usage("Missing required params: prompt")
        if (
            rule == "auto_needs_reference"
            and p.get("aspect_ratio") == "auto"
            and not _count(request, "image_references")
        ):
            raise errors.usage("Invalid values: aspect_ratio=auto (needs at least one image reference)")
        if (
            rule == "omni_images_with_video"
            and _count(request, "video_references")
            and _count(request, "image_references") > 5
        ):
            raise errors.usage(
                f"Too many image_references inputs: {_count(request, 'image_references')} (max 5 with a video)"
            )
        if (
            rule == "seed_audio_exclusive"
            and _count(request, "audio_references")
            and _count(request, "image_references")
        ):
            raise errors.usage("Audio_references and image_references cannot both be set")
        if rule == "seedance_2_0":
            _seedance_2_0(request)
        if rule == "seedance_2_5":
            _seedance_2_5(request)
        if rule == "marketing_video":
            _marketing_video(ctx, request)


def _seedance_2_0(request: Request) -> None:
    p = request.params
    images = _count(request, "image", "start_image", "end_image")
    if images > 9:
        raise errors.usage(f"Too many image inputs: {images} (max 9 counting start_image and end_image)")
    total = images + _count(request, "video", "audio")
    if total > 12:
        raise errors.usage(f"Too many media inputs: {total} (max 12)")
    if _count(request, "audio") and not (images or _count(request, "video")):
        raise errors.usage("Audio references need an image or video reference")
    if p.get("mode") == "fast" and p.get("resolution") not in (None, "480p", "720p"):
        raise errors.usage(f"Invalid values: resolution={p.get('resolution')} (allowed with mode fast: 480p, 720p)")


def _seedance_2_5(request: Request) -> None:
    mode = request.params.get("mode") or "t2v"
    total = _count(request, "image", "start_image", "end_image", "video", "audio")
    if mode == "t2v" and total:
        raise errors.usage("Mode t2v does not accept media inputs")
    if mode != "omni_reference" and _count(request, "start_image", "end_image"):
        raise errors.usage("start_image and end_image need mode omni_reference")
    if mode in ("video_edit", "video_extension") and not _count(request, "video"):
        raise errors.usage(f"Mode {mode} requires a video")
    if total > 50:
        raise errors.usage(f"Too many media inputs: {total} (max 50)")


def _marketing_video(ctx: Ctx, request: Request) -> None:
    p = request.params
    if p.get("ad_reference_id") and (p.get("hook_id") or p.get("setting_id")):
        raise errors.usage("Ad_reference_id cannot be combined with hook_id or setting_id")
    if p.get("product_ids") and p.get("web_product_ids"):
        raise errors.usage("Product_ids and web_product_ids cannot both be set")
    state, settings = ctx.state, ctx.settings
    for entry in p.get("avatars") or []:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("id"), str)
            or entry.get("type")
            not in (
                "preset",
                "custom",
            )
        ):
            raise errors.usage('avatars: each item should be {"id": "<avatar_id>", "type": "preset|custom"}')
        if marketing.find_avatar(state, settings, entry["id"]) is None:
            raise errors.usage(f"Invalid values: avatars={entry['id']} (unknown avatar)")
    for ident in p.get("avatar_ids") or []:
        if not isinstance(ident, str) or marketing.find_avatar(state, settings, ident) is None:
            raise errors.usage(f"Invalid values: avatar_ids={ident} (unknown avatar)")
    for key, kind in (("product_ids", "products"), ("web_product_ids", "webproducts")):
        for ident in p.get(key) or []:
            if not isinstance(ident, str) or marketing.find_product(state, ident, kind) is None:
                raise errors.usage(f"Invalid values: {key}={ident} (unknown {kind[:-1]})")
    for key, kind in (("hook_id", "hook"), ("setting_id", "setting")):
        ident = p.get(key)
        if ident and not marketing.setup_item_exists(state, settings, kind, str(ident)):
            raise errors.usage(f"Invalid values: {key}={ident} (unknown {kind})")
    mode = p.get("mode") or "ugc"
    if (p.get("hook_id") or p.get("setting_id")) and mode not in marketing.HOOK_MODES:
        raise errors.usage(
            f"Invalid values: mode={mode} (hook_id and setting_id need one of: {', '.join(marketing.HOOK_MODES)})"
        )
