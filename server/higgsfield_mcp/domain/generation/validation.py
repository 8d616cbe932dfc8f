"""Check a generation request against the model's schema before anything is spent.

The CLI validates too, but only after a subprocess and sometimes after uploading media;
refusing here is instant, names the allowed values, and never costs credits. Where the
catalogue does not know something (a model's media is None, or `params_known` is False)
we let it through and leave the verdict to the CLI rather than refuse a valid request.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ...adapters.cli.errors import InvalidValues, MediaRoleError, MissingParams, UnknownParams
from ...adapters.cli.models import ParamSpec
from .catalogue import ModelInfo

PARAM_ALIASES: dict[str, tuple[str, ...]] = {
    "model": ("variant",),
    "variant": ("model",),
    "custom_reference_id": ("soul_id",),
    "soul_id": ("custom_reference_id",),
    "reference_id": ("soul_id",),
}
"""Old and new spellings of the same flag: 1.x renamed `--model` to `--variant` and `--custom-reference-id`
to `--soul-id` (contract §6.3); whichever the model declares is used."""

_REFERENCE_BASES = ("image", "video", "audio")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


# --- names ---------------------------------------------------------------------------------


def param_key(name: str) -> str:
    """`--Aspect-Ratio` → `aspect_ratio`: the CLI accepts both spellings, so we compare one."""
    return name.strip().lstrip("-").strip().lower().replace("-", "_").replace(" ", "_")


def canonical_param(model: ModelInfo, name: str) -> str:
    key = param_key(name)
    if key in model.params:
        return key
    for alias in PARAM_ALIASES.get(key, ()):
        if alias in model.params:
            return alias
    return key


def media_role(model: ModelInfo, role: str) -> str:
    """The role this model calls an input, accepting the CLI's interchangeable spellings.

    `image` and `image_references` (likewise video/audio) are one slot under two names
    (1.x made the short flags aliases, §5.6). A video model that declares only
    `start_image` gets a plain `image` there, as the CLI remaps it (§7.3).
    """
    key = param_key(role)
    if model.media is None or key in model.media:
        return key
    base = key.removesuffix("_references")
    if base in _REFERENCE_BASES:
        for candidate in (base, f"{base}_references"):
            if candidate in model.media:
                return candidate
        if base == "image" and model.kind == "video" and "start_image" in model.media:
            return "start_image"
    return key


def normalise_media(model: ModelInfo, media: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The media list with each role spelled as the model declares it (what the CLI flags should use)."""
    return [(media_role(model, role), ref) for role, ref in media]


# --- media ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaProblem:
    """One way a set of inputs does not fit a model; `kind` lets the router tell "too much" from "too little"."""

    kind: Literal["unknown_role", "excess", "missing"]
    message: str


def _count(n: int, role: str) -> str:
    return f"{n} {role}" if n == 1 else f"{n} {role} inputs"


def describe_media(model: ModelInfo) -> str:
    """What a model takes, for error messages: "image (up to 8)", "start_image (exactly 1, required)"."""
    if model.media is None:
        return "media the catalogue does not know (the CLI will check)"
    if not model.media:
        return "no media inputs"
    parts = []
    for role, slot in model.media.items():
        if slot.max is None:
            span = f"{slot.min} or more" if slot.min else "any number"
        elif slot.min == slot.max:
            span = f"exactly {slot.max}"
        else:
            span = f"up to {slot.max}" if not slot.min else f"{slot.min} to {slot.max}"
        parts.append(f"{role} ({span}{', required' if slot.min else ''})")
    return ", ".join(parts)


def media_problems(
    model: ModelInfo, roles: Sequence[str], *, prompt_given: bool = True, unknown_max: int | None = None
) -> list[MediaProblem]:
    """Every way `roles` (one entry per input, already normalised) breaks the model's media rules.

    `unknown_max` is what an unknown maximum counts as: None (validation) lets any number
    through; the router passes 1 so it never promises a count nobody has confirmed.
    """
    if model.media is None:
        return [MediaProblem("excess", "has no known media roles")] if roles and unknown_max is not None else []
    counts = Counter(roles)
    problems: list[MediaProblem] = []
    for role, n in counts.items():
        slot = model.media.get(role)
        if slot is None:
            what = "takes no media inputs" if not model.media else f"does not take {role}"
            problems.append(MediaProblem("unknown_role", what))
            continue
        limit = slot.max if slot.max is not None else unknown_max
        if limit is not None and n > limit:
            problems.append(MediaProblem("excess", f"takes at most {_count(limit, role)}, not {n}"))
    for role, slot in model.media.items():
        if slot.min and counts.get(role, 0) < slot.min:
            problems.append(MediaProblem("missing", f"needs at least {_count(slot.min, role)}"))
    for rule in model.media_rules:
        if rule.when and not any(counts.get(role) for role in rule.when):
            continue
        used = [role for role in rule.roles if counts.get(role)]
        total = sum(counts.get(role, 0) for role in rule.roles)
        too_many = rule.max is not None and total > rule.max
        if (rule.exclusive and len(used) > 1) or too_many:
            problems.append(MediaProblem("excess", rule.message))
        elif rule.min and total < rule.min and not (rule.or_prompt and prompt_given):
            problems.append(MediaProblem("missing", rule.message))
    return problems


# --- values --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _invalid(name: str, value: Any, allowed: Sequence[str], why: str | None = None) -> InvalidValues:
    shown = _text(value)
    message = f"Invalid values: {name}={shown} (allowed: {', '.join(allowed)})"
    return InvalidValues(message + (f"; {why}" if why else ""), param=name, value=shown, allowed=allowed)


def _range(spec: ParamSpec) -> list[str]:
    lo, hi = spec.minimum, spec.maximum
    if lo is not None and hi is not None:
        return [f"{lo:g}..{hi:g}"]
    if lo is not None:
        return [f">= {lo:g}"]
    if hi is not None:
        return [f"<= {hi:g}"]
    return ["a number"]


def _number(name: str, spec: ParamSpec, value: Any, integer: bool) -> int | float:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(
            name, value, _range(spec), "expected a whole number" if integer else "expected a number"
        ) from None
    if integer and not number.is_integer():
        raise _invalid(name, value, _range(spec), "expected a whole number")
    if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
        raise _invalid(name, value, _range(spec))
    return int(number) if integer else number


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _invalid(name, value, ["true", "false"])


def coerce_value(name: str, spec: ParamSpec, value: Any) -> Any:
    """The value in the type the schema declares, or InvalidValues naming what is allowed."""
    kind = (spec.type or "").lower()
    if spec.enum:
        text = _text(value)
        match = next((a for a in spec.enum if a == text), None) or next(
            (a for a in spec.enum if a.lower() == text.lower()), None
        )
        if match is None:
            raise _invalid(name, value, spec.enum)
        if kind in ("integer", "int"):
            return int(float(match))
        if kind in ("number", "float", "double"):
            return float(match)
        return match
    if kind in ("integer", "int"):
        return _number(name, spec, value, integer=True)
    if kind in ("number", "float", "double"):
        return _number(name, spec, value, integer=False)
    if kind in ("boolean", "bool"):
        return _boolean(name, value)
    if kind == "array":
        if isinstance(value, list | tuple):
            return list(value)
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError:
                raise _invalid(name, value, ["a JSON array"]) from None
            if isinstance(parsed, list):
                return parsed
        raise _invalid(name, value, ["a list"])
    return value


# --- the request ---------------------------------------------------------------------------------


def validate_request(
    model: ModelInfo,
    *,
    prompt: str | None,
    params: Mapping[str, Any],
    media: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """The params normalised for the CLI, or the typed error the CLI would give, raised before any spend.

    Checks in the CLI's own order of messages: unknown params, invalid values, missing
    required ones, then media roles and counts. Required params with a known default are
    filled in (Soul Cast's only aspect ratio, say) rather than refused.
    """
    given: dict[str, Any] = {}
    for raw_name, value in params.items():
        name = canonical_param(model, raw_name)
        if name == "prompt":
            if prompt is None and value is not None:
                prompt = str(value)
            continue
        if name in given and value is not None and given[name] is not None and _text(given[name]) != _text(value):
            raise _invalid(name, value, [_text(given[name])], f"{name} was given twice with different values")
        if value is not None or name not in given:
            given[name] = value

    unknown = [name for name in given if name not in model.params] if model.params_known else []
    prompt_given = bool(prompt and prompt.strip())
    if model.prompt == "none" and prompt_given:
        unknown.insert(0, "prompt")
    if unknown:
        takes = ", ".join(model.params) or "no parameters"
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, list(model.params), n=1)
            if close:
                hints.append(f"{name} → {close[0]}?")
        message = f"Unknown params: {', '.join(unknown)} ({model.display_name} takes {takes}"
        message += f"; did you mean {' '.join(hints)}" if hints else ""
        if "generate_audio" in unknown and _takes_audio(model):
            message += f"; {AUDIO_ROLE_HINT}"
        raise UnknownParams(message + ")", params=unknown)

    normalised: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        spec = model.params.get(name)
        try:
            normalised[name] = coerce_value(name, spec, value) if spec else value
        except InvalidValues as exc:
            raise _audio_hint(model, name, exc) from None

    missing = ["prompt"] if model.prompt == "required" and not prompt_given else []
    for name, spec in model.params.items():
        if spec.required and name not in normalised:
            if spec.default is not None:
                normalised[name] = coerce_value(name, spec, spec.default)
            else:
                missing.append(name)
    if missing:
        raise MissingParams(f"Missing required params: {', '.join(missing)}", params=missing)

    roles = [media_role(model, role) for role, _ in media]
    problems = media_problems(model, roles, prompt_given=prompt_given)
    if problems:
        details = "; ".join(dict.fromkeys(p.message for p in problems))
        raise MediaRoleError(f"{model.display_name} {details}. It takes {describe_media(model)}.")
    return normalised


# --- hints ------------------------------------------------------------------------------------

AUDIO_ROLE_HINT = (
    "generate_audio only switches the model's own soundtrack on or off; reference audio (a voice, a track "
    "to cut or lip-sync to) goes in the `audio` input"
)


def _takes_audio(model: ModelInfo) -> bool:
    return any(param_key(role).removesuffix("_references") == "audio" for role in model.media or {})


def _audio_hint(model: ModelInfo, name: str, error: InvalidValues) -> InvalidValues:
    """A file or id passed as `generate_audio` is reference audio given to the wrong name: say where it goes."""
    if name != "generate_audio" or not _takes_audio(model):
        return error
    return InvalidValues(
        f"{error.message}. {AUDIO_ROLE_HINT}",
        param=error.param,
        value=error.value,
        allowed=error.allowed,
        remedy="Pass the audio file or upload id in `audio` and leave generate_audio as true or false; "
        "nothing was submitted.",
    )
