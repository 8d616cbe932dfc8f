"""What the CLI prints with `--json`, as pydantic models that tolerate every known spelling.

The CLI's JSON changed between 0.x and 1.x (`job_set_type` became `job_type`, list
commands answer a bare array or an `{items, cursor}` envelope, timestamps are floats or
ISO strings, model schemas are JSON Schema or a flat parameter table). Each model here
accepts all of them and exposes one normalised shape, so nothing above this module ever
looks at a raw spelling.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

TERMINAL_STATUSES = frozenset({"completed", "failed", "canceled", "cancelled", "nsfw", "ip_detected"})
"""A job in any other status (queued, in_progress, waiting, or one we have never seen) is still running."""

MediaKind = Literal["image", "video", "audio"]


class Wire(BaseModel):
    """Base for CLI payloads: unknown keys are kept (for forward compatibility) but never required."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _epoch(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    raise ValueError(f"not a timestamp: {value!r}")


def unwrap_items(payload: Any) -> list[Any]:
    """A list command's entries, whether it printed `[...]` or `{"items": [...], ...}`."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ("items", "data", "results", "jobs"):
            if isinstance(payload.get(key), list):
                return list(payload[key])
    raise ValueError("expected a JSON array or an object with `items`")


# --- account ----------------------------------------------------------------------------------


class Account(Wire):
    email: str | None = None
    credits: float | None = None
    plan: str | None = Field(default=None, validation_alias=AliasChoices("subscription_plan_type", "plan", "plan_type"))


class Workspace(Wire):
    id: str | None = Field(default=None, validation_alias=AliasChoices("id", "workspace_id"))
    name: str | None = None
    plan: str | None = Field(default=None, validation_alias=AliasChoices("plan_type", "plan", "subscription_plan_type"))
    credits: float | None = None
    is_selected: bool = Field(default=False, validation_alias=AliasChoices("is_selected", "selected"))
    role: str | None = Field(default=None, validation_alias=AliasChoices("user_role", "role"))


# --- models -------------------------------------------------------------------------------------


class ModelSummary(Wire):
    id: str = Field(validation_alias=AliasChoices("job_type", "job_set_type", "id"))
    display_name: str | None = Field(default=None, validation_alias=AliasChoices("display_name", "name"))
    kind: str | None = Field(default=None, validation_alias=AliasChoices("type", "kind"))


class ParamSpec(BaseModel):
    """One generation parameter as the model's schema declares it."""

    name: str
    type: str | None = None
    default: Any = None
    enum: list[str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    description: str | None = None


class MediaSlot(BaseModel):
    """How many inputs of one media role a model takes."""

    role: str
    min: int = 0
    max: int | None = None


class ModelSchema(Wire):
    """`model get <id> --json`, normalised: parameters and media roles in one flat form."""

    id: str = Field(validation_alias=AliasChoices("job_type", "job_set_type", "id"))
    display_name: str | None = Field(default=None, validation_alias=AliasChoices("display_name", "name"))
    kind: str | None = Field(default=None, validation_alias=AliasChoices("type", "kind"))
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    media: dict[str, MediaSlot] | None = None
    """None when the schema says nothing about media: validate less, let the CLI decide."""

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        params: dict[str, dict[str, Any]] = {}
        raw_params = data.get("parameters")
        if isinstance(raw_params, dict):  # 1.x flat table
            for name, spec in raw_params.items():
                params[name] = param_from_table(name, spec)
        elif isinstance(raw_params, list):
            for spec in raw_params:
                if isinstance(spec, dict) and "name" in spec:
                    params[spec["name"]] = param_from_table(spec["name"], spec)
        schema = data.get("params")
        if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):  # 0.x JSON Schema
            required = set(schema.get("required") or [])
            defs = schema.get("$defs") or schema.get("definitions") or {}
            for name, prop in schema["properties"].items():
                params.setdefault(name, _param_from_json_schema(name, prop, defs, name in required))
        if "aspect_ratio" not in params:
            ratios = data.get("aspect_ratios")
            if isinstance(ratios, list) and ratios:
                params["aspect_ratio"] = {"name": "aspect_ratio", "type": "string", "enum": [str(r) for r in ratios]}
        if "duration" not in params:
            durations = data.get("durations")
            if isinstance(durations, list) and durations:
                params["duration"] = {"name": "duration", "type": "integer", "enum": [str(d) for d in durations]}
            elif isinstance(durations, dict):
                params["duration"] = {
                    "name": "duration",
                    "type": "integer",
                    "minimum": durations.get("min"),
                    "maximum": durations.get("max"),
                }
        media = data.get("medias", data.get("media"))
        if isinstance(media, dict):
            data["media"] = {
                role: {"role": role, **(slot if isinstance(slot, dict) else {"max": slot})}
                for role, slot in media.items()
            }
        elif isinstance(media, list):
            data["media"] = {
                str(s["role"]): {"role": s["role"], "min": s.get("min", 0), "max": s.get("max")}
                for s in media
                if isinstance(s, dict) and "role" in s
            }
        else:
            data["media"] = None
        data.pop("medias", None)
        data["params"] = params
        return data


def param_from_table(name: str, spec: Any) -> dict[str, Any]:
    """One parameter of a flat (1.x-style) table, in `ParamSpec` fields; also used for the bundled catalogue."""
    if not isinstance(spec, dict):
        return {"name": name, "default": spec}
    enum = spec.get("enum") or spec.get("values") or spec.get("options")
    return {
        "name": name,
        "type": spec.get("type"),
        "default": spec.get("default"),
        "enum": [str(v) for v in enum] if isinstance(enum, list) else None,
        "minimum": spec.get("min", spec.get("minimum")),
        "maximum": spec.get("max", spec.get("maximum")),
        "required": bool(spec.get("required", False)),
        "description": spec.get("description"),
    }


def _param_from_json_schema(name: str, prop: Any, defs: dict[str, Any], required: bool) -> dict[str, Any]:
    prop = dict(prop) if isinstance(prop, dict) else {}
    for key in ("$ref",):
        if isinstance(prop.get(key), str):
            prop = {**defs.get(prop[key].rsplit("/", 1)[-1], {}), **{k: v for k, v in prop.items() if k != key}}
    for variant in prop.get("anyOf") or prop.get("allOf") or []:
        if isinstance(variant, dict) and isinstance(variant.get("$ref"), str):
            prop = {**defs.get(variant["$ref"].rsplit("/", 1)[-1], {}), **prop}
    enum = prop.get("enum")
    return {
        "name": name,
        "type": prop.get("type") if isinstance(prop.get("type"), str) else None,
        "default": prop.get("default"),
        "enum": [str(v) for v in enum] if isinstance(enum, list) else None,
        "minimum": prop.get("minimum"),
        "maximum": prop.get("maximum"),
        "required": required,
        "description": prop.get("description"),
    }


# --- jobs -----------------------------------------------------------------------------------------


class Job(Wire):
    id: str = Field(validation_alias=AliasChoices("id", "job_id"))
    status: str = "queued"
    model: str | None = Field(default=None, validation_alias=AliasChoices("job_type", "job_set_type", "model"))
    display_name: str | None = None
    result_url: str | None = None
    min_result_url: str | None = None
    result_urls: list[str] = Field(default_factory=list)
    created_at: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    fail_reason: str | None = Field(default=None, validation_alias=AliasChoices("fail_reason", "error", "reason"))

    @field_validator("created_at", mode="before")
    @classmethod
    def _created(cls, value: Any) -> float | None:
        return _epoch(value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return str(value or "queued").strip().lower()

    @field_validator("params", mode="before")
    @classmethod
    def _params(cls, value: Any) -> dict[str, Any]:
        return value if isinstance(value, dict) else {}

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def outputs(self) -> list[str]:
        """Every result URL, in order, without duplicates."""
        urls = [*self.result_urls, *([self.result_url] if self.result_url else [])]
        return list(dict.fromkeys(u for u in urls if u))


def parse_submitted(payload: Any) -> list[str]:
    """Job ids from `generate create --json`: an array of ids, one id, or job objects."""
    items = payload if isinstance(payload, list) else [payload]
    ids: list[str] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            ids.append(item.strip())
        elif isinstance(item, dict):
            ids.append(Job.model_validate(item).id)
        else:
            raise ValueError(f"unexpected entry in the submit answer: {item!r}")
    if not ids:
        raise ValueError("the submit answer held no job id")
    return ids


def parse_jobs(payload: Any) -> list[Job]:
    """Jobs from `--wait --json`, `generate get`, or `generate list`: one object, an array, or an envelope."""
    if isinstance(payload, dict) and not any(k in payload for k in ("items", "data", "results", "jobs")):
        return [Job.model_validate(payload)]
    return [Job.model_validate(item) for item in unwrap_items(payload)]


# --- uploads, souls, marketing ----------------------------------------------------------------


class Upload(Wire):
    id: str = Field(validation_alias=AliasChoices("id", "upload_id", "media_id"))
    url: str | None = None
    type: str | None = None


class SoulReference(Wire):
    id: str = Field(validation_alias=AliasChoices("id", "reference_id", "soul_id"))
    name: str | None = None
    variant: str | None = Field(default=None, validation_alias=AliasChoices("type", "variant"))
    status: str = "queued"
    created_at: float | None = None
    fail_reason: str | None = None

    @field_validator("created_at", mode="before")
    @classmethod
    def _created(cls, value: Any) -> float | None:
        return _epoch(value)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


PRODUCT_TERMINAL_STATUSES = frozenset({"completed", "failed"})
"""A product fetch is done in either; any other status (queued, in_progress, …) means still reading the page."""


class Product(Wire):
    """A Marketing Studio product or web product (App Store page); both print the same core fields."""

    id: str
    title: str | None = None
    status: str = "completed"
    url: str | None = Field(default=None, validation_alias=AliasChoices("url", "scrape_url", "source_url"))
    domain: str | None = Field(default=None, validation_alias=AliasChoices("scrape_url_domain", "domain"))
    description: str | None = None
    medias: list[Any] = Field(default_factory=list)
    fail_reason: str | None = Field(default=None, validation_alias=AliasChoices("fail_reason", "error"))

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return str(value or "completed").strip().lower()

    @property
    def terminal(self) -> bool:
        return self.status in PRODUCT_TERMINAL_STATUSES

    @property
    def image_urls(self) -> list[str]:
        """The product's pictures: `medias` entries as `{url, type}` objects or bare URLs."""
        urls: list[str] = []
        for media in self.medias:
            url = media.get("url") if isinstance(media, dict) else media
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                urls.append(url)
        return list(dict.fromkeys(urls))


def _tag_list(value: Any) -> list[str]:
    """Tags from a list or from one comma-separated string (the CLI has printed both)."""
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(t) for t in value] if isinstance(value, list) else []


Tags = Annotated[list[str], BeforeValidator(_tag_list)]


class Avatar(Wire):
    id: str
    name: str | None = None
    type: str = "preset"
    gender: str | None = None
    tags: Tags = Field(default_factory=list)
    image_url: str | None = Field(default=None, validation_alias=AliasChoices("image_url", "thumbnail_url"))


class Voice(Wire):
    """One entry of `voices list`: its `id` goes to `--voice_id`, its `type` to `--voice_type` (contract §5.9)."""

    id: str = Field(validation_alias=AliasChoices("id", "voice_id"))
    name: str | None = None
    type: str = Field(default="preset", validation_alias=AliasChoices("type", "voice_type"))
    gender: str | None = None
    language: str | None = None
    accent: str | None = None
    description: str | None = Field(default=None, validation_alias=AliasChoices("description", "style"))
    tags: Tags = Field(default_factory=list)


class SetupItem(Wire):
    """A Marketing Studio hook or setting."""

    id: str
    name: str | None = None
    prompt: str | None = None
    type: str | None = None


class Cost(Wire):
    credits: float
    credits_exact: float | None = None
