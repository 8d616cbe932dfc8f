"""The model catalogue (``catalogue.json``): lookups, public views, per-model cost."""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from typing import Any

from .context import Ctx
from .errors import usage

JsonDict = dict[str, Any]

_INTERNAL_KEYS = ("cost", "constraints")
# 1.x parameter names that 0.x spelled differently.
_LEGACY_PARAM_NAMES = {"variant": "model"}

MODEL_TYPES = ("image", "video", "audio", "text", "3d")


@cache
def _models() -> dict[str, JsonDict]:
    with open(os.path.join(os.path.dirname(__file__), "catalogue.json"), encoding="utf-8") as fh:
        raw = json.load(fh)
    return {m["job_type"]: m for m in raw["models"]}


def all_models() -> list[JsonDict]:
    return list(_models().values())


def find(job_type: str) -> JsonDict | None:
    return _models().get(job_type)


def get(job_type: str) -> JsonDict:
    model = find(job_type)
    if model is None:
        raise usage(f'No model with job_type "{job_type}".')
    return model


def param_name(name: str, legacy: bool) -> str:
    """The spelling of a parameter name for the CLI version being imitated."""
    return _LEGACY_PARAM_NAMES.get(name, name) if legacy else name


def user_param_names(model: JsonDict, legacy: bool) -> dict[str, str]:
    """User-facing (normalized) flag name -> catalogue parameter name, including aliases."""
    names = {param_name(k, legacy): k for k in model["parameters"]}
    if "soul_id" in model["parameters"]:
        names["custom_reference_id"] = "soul_id"
    return names


def summary(model: JsonDict, model_key: str) -> JsonDict:
    return {model_key: model["job_type"], "display_name": model["display_name"], "type": model["type"]}


def public_view(model: JsonDict, model_key: str, legacy: bool) -> JsonDict:
    """``model get --json``: §10 shape, without the sandbox-internal keys."""
    params = {param_name(k, legacy): copy.deepcopy(v) for k, v in model["parameters"].items()}
    view: JsonDict = {model_key: model["job_type"]}
    for key, value in model.items():
        if key in _INTERNAL_KEYS or key == "job_type":
            continue
        view[key] = params if key == "parameters" else copy.deepcopy(value)
    return view


def cost_per_job(model: JsonDict) -> int:
    return int(model.get("cost", 1))


def constraints(model: JsonDict) -> list[str]:
    return list(model.get("constraints", []))


# ---------------------------------------------------------------------- commands
def cmd_model_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    kinds = [k for k in MODEL_TYPES if ctx.flag(k)]
    models = [m for m in all_models() if not kinds or m["type"] in kinds]
    if ctx.json:
        ctx.emit([summary(m, ctx.settings.model_key) for m in models])
    else:
        for m in models:
            ctx.line(f"{m['job_type']:<28} {m['display_name']:<30} {m['type']}")
    return 0


def cmd_model_get(ctx: Ctx) -> int:
    model = get(ctx.positional("job_type"))
    view = public_view(model, ctx.settings.model_key, ctx.settings.legacy)
    if ctx.json:
        ctx.emit(view)
        return 0
    ctx.line(f"{model['display_name']} ({model['job_type']}, {model['type']})")
    ctx.line(f"{'PARAM':<22} {'TYPE':<9} {'DEFAULT':<14} {'REQUIRED':<9} ALLOWED")
    for name, spec in view["parameters"].items():
        allowed = ", ".join(str(v) for v in spec.get("enum", []))
        if not allowed and ("min" in spec or "max" in spec):
            allowed = f"{spec.get('min', '')}..{spec.get('max', '')}"
        default = "-" if spec.get("default") is None else str(spec["default"])
        required = "yes" if spec.get("required") else "no"
        ctx.line(f"{name:<22} {spec.get('type', ''):<9} {default:<14} {required:<9} {allowed}")
    medias = view.get("medias") or {}
    if medias:
        ctx.line("MEDIA: " + ", ".join(f"{role} {m['min']}..{m['max']}" for role, m in medias.items()))
    else:
        ctx.line("MEDIA: none")
    return 0
