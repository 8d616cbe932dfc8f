"""``workflow list|get``, ``generate workflow <name>`` and ``generate cost workflow <name>`` (contract §5.8).

The four workflows the public sources document: ``reframe``, ``dubbing``, ``voice-change``
and ``draw_to_video``. A workflow job is an ordinary job record (``job_type`` is the
workflow's name), so ``generate get|wait|list`` read it back like any generation. Checks
run before anything is charged, in the order ``generate create`` uses: ``Unknown params``,
``Missing required params``, ``Invalid values``, then media. ``voice-change`` and ``dubbing``
answer ``generate cost`` with an error, as the README says they do not support estimates.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any

from . import account, errors, jobs, media, voices
from .argv import norm
from .context import Ctx
from .faults import Faults
from .state import JsonDict, new_id

ASPECT_RATIOS = ["9:16", "16:9", "1:1", "4:5", "3:4", "4:3"]
DUB_LANGUAGES = [
    "eng", "spa", "fra", "deu", "ita", "por", "jpn", "kor", "cmn", "hin",
    "ara", "rus", "nld", "pol", "tur", "swe", "ukr", "ind", "vie", "tha",
]  # fmt: skip

WORKFLOWS: dict[str, JsonDict] = {
    "reframe": {
        "name": "reframe",
        "display_name": "Reframe",
        "type": "video",
        "description": "Re-compose a video for another aspect ratio (std, or pro with 1-2 reference images).",
        "parameters": {
            "aspect_ratio": {"type": "string", "enum": ASPECT_RATIOS, "required": True},
            "resolution": {"type": "string", "default": "720p", "enum": ["720p", "1080p"]},
            "mode": {"type": "string", "default": "std", "enum": ["std", "pro"]},
            "duration": {"type": "number", "min": 1, "max": 60, "description": "seconds, for cost estimates"},
            "folder_id": {"type": "string"},
        },
        "medias": {"video": {"min": 1, "max": 1}, "start_image": {"min": 0, "max": 1}, "image": {"min": 0, "max": 2}},
        "cost_estimation": True,
    },
    "dubbing": {
        "name": "dubbing",
        "display_name": "Dubbing",
        "type": "video",
        "description": "Dub a video's speech into another language (ISO 639-3 code).",
        "parameters": {"target_language": {"type": "string", "enum": DUB_LANGUAGES, "required": True}},
        "medias": {"video": {"min": 1, "max": 1}},
        "cost_estimation": False,
    },
    "voice-change": {
        "name": "voice-change",
        "display_name": "Voice Change",
        "type": "video",
        "description": "Replace the voice in a video with a voice from `voices list`.",
        "parameters": {
            "voice_type": {"type": "string", "enum": ["preset", "element"], "required": True},
            "voice_id": {"type": "string", "required": True},
        },
        "medias": {"video": {"min": 1, "max": 1}},
        "cost_estimation": False,
    },
    "draw_to_video": {
        "name": "draw_to_video",
        "display_name": "Draw to Video",
        "type": "video",
        "description": "Continue a video from a sketched-over frame at a timestamp.",
        "parameters": {
            "prompt": {"type": "string", "required": True},
            "timestamp": {"type": "number", "default": 0, "min": 0},
        },
        "medias": {"video": {"min": 1, "max": 1}, "sketch": {"min": 1, "max": 1}},
        "cost_estimation": True,
    },
}
_MEDIA_FLAGS = {"video": "video", "sketch": "sketch", "start_image": "start_image", "image": "image"}
FLAT_COST = {"dubbing": 12, "voice-change": 6, "draw_to_video": 9}


def get(name: str) -> JsonDict:
    for key, spec in WORKFLOWS.items():
        if norm(key) == norm(name.strip().lower()):
            return spec
    raise errors.usage(f'Unknown workflow "{name}"')


# ---------------------------------------------------------------------- workflow list / get
def cmd_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    items = [{k: w[k] for k in ("name", "display_name", "type", "description")} for w in WORKFLOWS.values()]
    if ctx.json:
        ctx.emit(items)
    else:
        for item in items:
            ctx.line(f"{item['name']:<16} {item['display_name']:<16} {item['description']}")
    return 0


def cmd_get(ctx: Ctx) -> int:
    spec = get(ctx.positional("workflow"))
    if ctx.json:
        ctx.emit(copy.deepcopy(spec))
    else:
        ctx.line(f"{spec['display_name']} ({spec['name']})")
        for pname, p in spec["parameters"].items():
            ctx.line(f"  --{pname:<18} {p['type']:<7} {'required' if p.get('required') else ''}")
    return 0


# ---------------------------------------------------------------------- checks
def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise errors.usage(f"Invalid values: {name}={text} (should be a number)") from exc
    if not math.isfinite(value):
        raise errors.usage(f"Invalid values: {name}={text} (should be a number)")
    return value


def _params(ctx: Ctx, spec: JsonDict, *, for_cost: bool) -> JsonDict:
    declared: dict[str, JsonDict] = spec["parameters"]
    given = {name: ctx.value(name) for name in ctx.args.values if name not in _MEDIA_FLAGS}
    given = {k: v for k, v in given.items() if k not in ("wait_timeout", "wait_interval")}
    unknown = sorted(n for n in given if n not in declared)
    if unknown:
        raise errors.usage(f"Unknown params: {', '.join(unknown)}")
    missing = [n for n, p in declared.items() if p.get("required") and not given.get(n)]
    if missing and not for_cost:
        raise errors.usage(f"Missing required params: {', '.join(missing)}")
    params: JsonDict = {n: p["default"] for n, p in declared.items() if "default" in p}
    invalid: list[str] = []
    for name, raw in given.items():
        if raw is None:
            continue
        p = declared[name]
        value: Any = raw
        if p["type"] == "number":
            value = _number(name, raw)
            if ("min" in p and value < p["min"]) or ("max" in p and value > p["max"]):
                invalid.append(f"{name}={raw} (allowed: {p.get('min', '')}..{p.get('max', '')})")
        elif "enum" in p and raw not in p["enum"]:
            invalid.append(f"{name}={raw} (allowed: {', '.join(p['enum'])})")
        params[name] = value
    if invalid:
        raise errors.usage(f"Invalid values: {'; '.join(invalid)}")
    voice_id = params.get("voice_id") if spec["name"] == "voice-change" else None
    if voice_id is not None and voices.find(str(voice_id), str(params.get("voice_type"))) is None:
        raise errors.usage(f"Invalid values: voice_id={params['voice_id']} (not a voice in `voices list`)")
    return params


def _media(ctx: Ctx, spec: JsonDict, *, for_cost: bool) -> dict[str, list[media.MediaItem]]:
    roles: dict[str, JsonDict] = spec["medias"]
    given: dict[str, list[str]] = {}
    for flag, role in _MEDIA_FLAGS.items():
        if role == "image" and spec["name"] == "draw_to_video":
            role = "sketch"  # --image is an alias of --sketch there
        values = ctx.values(flag)
        if not values:
            continue
        if role not in roles:
            raise errors.usage(f'Unknown media role "{flag}"')
        given.setdefault(role, []).extend(values)
    for role, limits in roles.items():
        count = len(given.get(role, []))
        if count > int(limits["max"]):
            raise errors.usage(f"Too many {role} inputs: {count} (max {limits['max']})")
        if count < int(limits["min"]) and not for_cost:
            raise errors.usage("Missing required params: medias")
    if spec["name"] == "reframe" and given.get("image") and ctx.value("mode") != "pro":
        raise errors.usage("Invalid values: mode=std (reference images need mode pro)")
    kinds = {"video": "video"}
    return {
        role: [media.check_value(ctx.state, ctx.settings, kinds.get(role, "image"), v) for v in values]
        for role, values in given.items()
    }


def _cost(spec: JsonDict, params: JsonDict) -> int:
    if spec["name"] != "reframe":
        return FLAT_COST[spec["name"]]
    seconds = math.ceil(float(params.get("duration") or 5))
    return seconds * (2 if params.get("mode") == "pro" else 1) * (2 if params.get("resolution") == "1080p" else 1)


# ---------------------------------------------------------------------- generate cost workflow
def cmd_cost(ctx: Ctx) -> int:
    """``generate cost workflow <name> …`` (the positionals are ``workflow <name>``)."""
    if len(ctx.args.positionals) != 2:
        raise errors.usage(f"accepts 2 arg(s), received {len(ctx.args.positionals)} (workflow <name>)")
    spec = get(ctx.args.positionals[1])
    if not spec["cost_estimation"]:
        raise errors.usage(f'workflow "{spec["name"]}" does not support cost estimation')
    params = _params(ctx, spec, for_cost=True)
    _media(ctx, spec, for_cost=True)
    credits = _cost(spec, params)
    if ctx.json:
        ctx.emit({"credits": credits, "credits_exact": credits})
    else:
        ctx.line(f"{credits} credits")
    return 0


# ---------------------------------------------------------------------- generate workflow
def _source_aspect(items: dict[str, list[media.MediaItem]]) -> str | None:
    for item in items.get("video", []):
        if item.job is not None:
            aspect = (item.job.get("params") or {}).get("aspect_ratio") or item.job.get("render_aspect")
            return str(aspect) if aspect else None
    return None


def cmd_create(ctx: Ctx, faults: Faults) -> int:
    spec = get(ctx.positional("workflow"))
    params = _params(ctx, spec, for_cost=False)
    assigned = _media(ctx, spec, for_cost=False)
    job_id = new_id()
    cost = _cost(spec, params)  # reframe is priced per second of the source (5 s when not given)
    params.pop("duration", None)
    account.charge(ctx.state, ctx.settings, [(str(spec["display_name"]), cost, job_id)])
    try:
        medias = media.resolve(ctx.state, ctx.settings, assigned)
    except errors.SandboxError:
        account.refund(ctx.state, str(spec["display_name"]), cost, job_id)
        raise
    if spec["name"] == "reframe":
        from .generate import _dimensions

        params["width"], params["height"] = _dimensions("video", params)
    params["medias"] = medias
    model = {"job_type": spec["name"], "display_name": spec["display_name"], "type": spec["type"]}
    record = jobs.new_record(
        ident=job_id,
        model=model,
        params=params,
        created_at=time.time(),
        seconds=ctx.settings.job_seconds,
        stuck=faults.stuck(),
        cost=cost,
        batch_index=0,
        batch_size=1,
        outputs=1,
        job_set_id=new_id(),
    )
    aspect = _source_aspect(assigned)
    if aspect and "aspect_ratio" not in params:
        record["render_aspect"] = aspect
    ctx.state.save("jobs", record)
    jobs.prerender(ctx.state, ctx.settings, record)
    if not ctx.flag("wait"):
        if ctx.json:
            ctx.emit([job_id])
        else:
            ctx.line(job_id)
        return 0
    timeout_s, timeout_text = ctx.duration("wait_timeout", "10m")
    interval_s, _ = ctx.duration("wait_interval", "3s")
    observed = jobs.wait(ctx.state, ctx.settings, [job_id], timeout_s, timeout_text, interval_s)
    job, status = observed[0]
    if ctx.json:
        ctx.emit([jobs.view(ctx.settings, job, status)])
    elif status == "completed":
        ctx.line(str(job.get("result_url")))
    if status != "completed":
        raise errors.usage(f'Job ended with status "{status}"')
    return 0
