"""The model catalogue: what each Higgsfield model is called, takes and is good for.

Two sources disagree in small ways (contract §6), so the catalogue has two layers. The
bundled `skill/models.json` knows every model's marketing names, strengths and prompt
checklist, which the CLI never tells. The live CLI (`model list`, `model get`) knows the
exact enums, defaults and media roles of the installed version. `Catalogue.merged` lays
the live layer over the bundled one; `LiveCatalogue` fetches it lazily, caches it on disk
and falls back to the bundled layer whenever the CLI cannot answer, so routing and
validation work even before the user has installed or logged in to the CLI.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import anyio
from pydantic import BaseModel, Field, model_validator

from ...adapters.atomic_files import write_bytes_atomic
from ...adapters.cli.errors import HiggsfieldError, UnknownModel
from ...adapters.cli.models import MediaSlot, ModelSchema, ModelSummary, ParamSpec, param_from_table
from ...bundle import bundle_path

log = logging.getLogger(__name__)

Kind = Literal["image", "video", "audio", "3d", "other"]
PromptUse = Literal["required", "optional", "none"]
Source = Literal["bundled", "live", "cache"]

DEFAULT_TTL = 24 * 3600.0
CACHE_FILE = "model-catalogue.json"
_CACHE_VERSION = 1

_KIND_CHECKLIST: dict[str, str] = {"image": "image", "video": "video", "audio": "audio", "3d": "3d", "other": "utility"}


# --- the data --------------------------------------------------------------------------------


class MediaRule(BaseModel):
    """A limit across media roles that per-role counts cannot express (e.g. "≤9 images counting frames").

    The summed count of `roles` must lie within `min`..`max`; with `exclusive`, at most one
    of the roles may be used; with `when`, the rule applies only if one of those roles is
    used; with `or_prompt`, a prompt satisfies `min` on its own.
    """

    roles: list[str]
    min: int = 0
    max: int | None = None
    exclusive: bool = False
    when: list[str] = Field(default_factory=list)
    or_prompt: bool = False
    message: str


class Trap(BaseModel):
    """A name people use that does not mean what it looks like (e.g. "Nano Banana Pro" is `nano_banana_2`).

    `id` None means the name is in no CLI catalogue; `instead` is the closest model that is.
    """

    name: str
    id: str | None
    why: str
    instead: str | None = None


class ModelInfo(BaseModel):
    """One model as the router and validator see it, bundled knowledge and live schema combined."""

    id: str
    display_name: str
    names: list[str] = Field(default_factory=list, description="Marketing names people say.")
    kind: Kind
    provider: str | None = None
    prompt: PromptUse = "required"
    prompt_key: str | None = Field(
        default=None, description="Set when the model takes its prompt as a JSON object: the key the text goes under."
    )
    wide_frame: bool = Field(default=False, description="Cinematic stills: a wide frame when no aspect ratio is given.")
    media: dict[str, MediaSlot] | None = Field(
        default=None, description="Media roles it takes; {} takes none; None when unknown (not validated)."
    )
    media_rules: list[MediaRule] = Field(default_factory=list)
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    params_known: bool = Field(
        default=True, description="False when only some params are known: others are not refused up front."
    )
    strengths: str = ""
    checklist: str = "image"
    tool: str | None = Field(default=None, description="The MCP tool that should drive this model, if not `generate`.")
    notes: str | None = None
    in_cli: bool | None = Field(default=None, description="Listed by the live `model list`; None when not checked.")
    verified: bool = Field(default=False, description="Params and media come from a live `model get`.")

    @model_validator(mode="before")
    @classmethod
    def _from_json(cls, data: Any) -> Any:
        """Accept the compact models.json spellings: params without `name`, `min`/`max`, media without `role`."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        params = data.get("params")
        if isinstance(params, dict):
            data["params"] = {name: _param_spec(name, spec) for name, spec in params.items()}
        media = data.get("media")
        if isinstance(media, dict):
            data["media"] = {role: _media_slot(role, slot) for role, slot in media.items()}
        return data


def _param_spec(name: str, spec: Any) -> Any:
    """The bundled data uses the CLI's own flat table form, so it is read by the adapter's parser."""
    if isinstance(spec, ParamSpec) or not isinstance(spec, dict):
        return spec
    return param_from_table(name, spec)


def _media_slot(role: str, slot: Any) -> Any:
    if isinstance(slot, MediaSlot):
        return slot
    if isinstance(slot, dict):
        return {"role": role, "min": slot.get("min", 0) or 0, "max": slot.get("max")}
    return {"role": role, "max": slot}


# --- name keys ---------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")


def name_key(text: str) -> str:
    """How a name is compared: case, dashes, underscores and punctuation do not matter ("Soul 2.0" = "soul-2.0")."""
    return " ".join(_WORD.findall(text.lower()))


_KINDS: dict[str, Kind] = {"image": "image", "video": "video", "audio": "audio", "3d": "3d", "threed": "3d"}


def _kind(raw: str | None) -> Kind:
    """The CLI's `type` as one of our kinds; `text` (Virality Predictor's output) and anything new become other."""
    return _KINDS.get((raw or "").strip().lower().replace(" ", "").replace("_", ""), "other")


# --- the catalogue -----------------------------------------------------------------------------


class Catalogue:
    """An immutable set of models with name resolution.

    Lookup order is what keeps the traps safe: an exact id wins first (`nano_banana_2`),
    then trap and marketing names ("Nano Banana 2" → `nano_banana_flash`), and only then
    an id written loosely ("nano banana 2" would otherwise mean two models).
    """

    def __init__(
        self,
        models: Iterable[ModelInfo],
        *,
        traps: Iterable[Trap] = (),
        checklists: Mapping[str, Sequence[str]] | None = None,
        source: Source = "bundled",
        fetched_at: float | None = None,
        error: str | None = None,
    ) -> None:
        self._models: dict[str, ModelInfo] = {}
        for model in models:
            self._models.setdefault(model.id, model)
        self._traps = list(traps)
        self._checklists = {key: list(items) for key, items in (checklists or {}).items()}
        self.source: Source = source
        """Where the live layer came from: bundled only, the live CLI just now, or the on-disk cache."""
        self.fetched_at = fetched_at
        self.error = error
        """Why live data is not in use, when the CLI could not answer."""
        self.conflicts: list[str] = []
        """Names that two models claim; the first claim wins. Empty for the bundled data (a test checks)."""
        self._by_id = {model_id.lower(): model_id for model_id in self._models}
        self._by_name: dict[str, str] = {}
        self._null_traps: dict[str, Trap] = {}
        self._index()

    def _claim(self, name: str, model_id: str) -> None:
        key = name_key(name)
        if not key:
            return
        owner = self._by_name.setdefault(key, model_id)
        if owner != model_id:
            self.conflicts.append(f"{name!r} is claimed by {owner} and {model_id}")

    def _index(self) -> None:
        for trap in self._traps:
            if trap.id is None:
                self._null_traps[name_key(trap.name)] = trap
            elif trap.id in self._models:
                self._claim(trap.name, trap.id)
        for model in self._models.values():
            self._claim(model.display_name, model.id)
            for name in model.names:
                self._claim(name, model.id)
        for model_id in self._models:
            self._by_name.setdefault(name_key(model_id), model_id)

    # -- construction ------------------------------------------------------------------------------

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Catalogue:
        """Build from the models.json document (see skill/README.md)."""
        return cls(
            (ModelInfo.model_validate(m) for m in data.get("models", [])),
            traps=(Trap.model_validate(t) for t in data.get("traps", [])),
            checklists=data.get("checklists") or {},
        )

    @classmethod
    def bundled(cls) -> Catalogue:
        """The catalogue shipped with the package; parsed once per process."""
        return _bundled()

    def with_status(self, source: Source, *, fetched_at: float | None = None, error: str | None = None) -> Catalogue:
        """The same models, labelled with where they came from."""
        return Catalogue(
            self._models.values(),
            traps=self._traps,
            checklists=self._checklists,
            source=source,
            fetched_at=fetched_at,
            error=error,
        )

    # -- lookup ---------------------------------------------------------------------------------

    def find(self, id_or_name: str) -> ModelInfo | None:
        text = id_or_name.strip()
        model_id = self._by_id.get(text.lower()) or self._by_name.get(name_key(text))
        return self._models.get(model_id) if model_id else None

    def get(self, id_or_name: str) -> ModelInfo:
        """The model an id, CLI display name or marketing name means; UnknownModel with suggestions otherwise."""
        found = self.find(id_or_name)
        if found is not None:
            return found
        trap = self._null_traps.get(name_key(id_or_name))
        if trap is not None:
            instead = self.find(trap.instead) if trap.instead else None
            remedy = f"Use {instead.display_name} ({instead.id}) instead." if instead else None
            raise UnknownModel(f'"{id_or_name}" is not a model in the Higgsfield CLI: {trap.why}', remedy=remedy)
        close = difflib.get_close_matches(name_key(id_or_name), list(self._by_name), n=3, cutoff=0.6)
        suggestions = list(dict.fromkeys(self._by_name[key] for key in close))
        remedy = (
            f"Did you mean {', '.join(suggestions)}? Or use `pick_model` to choose one."
            if suggestions
            else "Use `pick_model` or the model catalogue to find a valid model id."
        )
        raise UnknownModel(f'Unknown model "{id_or_name}"', remedy=remedy)

    def trap(self, name: str) -> Trap | None:
        """The trap a name falls into, if any (with or without a real id)."""
        key = name_key(name)
        for trap in self._traps:
            if name_key(trap.name) == key:
                return trap
        return None

    @property
    def traps(self) -> list[Trap]:
        return list(self._traps)

    def models(self, kind: str | None = None) -> list[ModelInfo]:
        return [m for m in self._models.values() if kind is None or m.kind == kind]

    def checklist(self, key: str) -> list[str]:
        return list(self._checklists.get(key, ()))

    @property
    def checklists(self) -> dict[str, list[str]]:
        return {key: list(items) for key, items in self._checklists.items()}

    def __contains__(self, id_or_name: object) -> bool:
        return isinstance(id_or_name, str) and self.find(id_or_name) is not None

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    # -- the live layer ---------------------------------------------------------------------------

    def merged(
        self,
        live_list: Sequence[ModelSummary],
        live_schemas: Mapping[str, ModelSchema],
        *,
        source: Source = "live",
        fetched_at: float | None = None,
        error: str | None = None,
    ) -> Catalogue:
        """This catalogue with live CLI data laid over it.

        Live wins for display names, enums, defaults, ranges and media roles; bundled
        knowledge (marketing names, strengths, checklists, bundled-only params) is kept
        because the CLI never states it. Models the CLI lists that we do not know appear
        with the kind and display name it gives. Bundled models the CLI does not list stay,
        marked `in_cli=False`, so a named request still resolves and the CLI has the last word.
        """
        listed = {summary.id: summary for summary in live_list}
        merged: list[ModelInfo] = []
        for model in self._models.values():
            merged.append(_merge_one(model, listed.get(model.id), live_schemas.get(model.id), checked=bool(listed)))
        for summary in live_list:
            if summary.id not in self._models:
                merged.append(_from_live(summary, live_schemas.get(summary.id)))
        known = {m.id for m in merged}
        for model_id, schema in live_schemas.items():
            if model_id not in known:
                summary = ModelSummary(id=model_id, display_name=schema.display_name, kind=schema.kind)
                merged.append(_from_live(summary, schema, in_cli=None))
        return Catalogue(
            merged,
            traps=self._traps,
            checklists=self._checklists,
            source=source,
            fetched_at=fetched_at,
            error=error,
        )


@lru_cache(maxsize=1)
def _bundled() -> Catalogue:
    data = json.loads(bundle_path("skill", "models.json").read_text(encoding="utf-8"))
    return Catalogue.from_data(data)


def _merge_param(old: ParamSpec | None, new: ParamSpec) -> ParamSpec:
    if old is None:
        return new
    return ParamSpec(
        name=new.name,
        type=new.type or old.type,
        default=new.default if new.default is not None else old.default,
        enum=new.enum if new.enum is not None else old.enum,
        minimum=new.minimum if new.minimum is not None else old.minimum,
        maximum=new.maximum if new.maximum is not None else old.maximum,
        required=new.required,
        description=new.description or old.description,
    )


def _prompt_key(schema: ModelSchema, fallback: str | None) -> str | None:
    """The live schema decides whether the prompt is an object (Soul Cast's is); the bundled key names it."""
    spec = schema.params.get("prompt")
    if spec is None or not spec.type:
        return fallback
    return (fallback or "prompt") if spec.type.lower() == "object" else None


def _prompt_use(schema: ModelSchema, fallback: PromptUse) -> PromptUse:
    spec = schema.params.get("prompt")
    if spec is None:
        return fallback
    return "required" if spec.required else "optional"


def _merge_one(
    model: ModelInfo, summary: ModelSummary | None, schema: ModelSchema | None, *, checked: bool
) -> ModelInfo:
    update: dict[str, Any] = {}
    if checked:
        update["in_cli"] = summary is not None
    live_name = (summary.display_name if summary else None) or (schema.display_name if schema else None)
    if live_name and live_name != model.display_name:
        update["display_name"] = live_name
        update["names"] = [*model.names, model.display_name]  # the old display name still resolves
    if schema is not None:
        params = dict(model.params)
        for name, spec in schema.params.items():
            if name != "prompt":
                params[name] = _merge_param(params.get(name), spec)
        update["params"] = params
        update["prompt"] = _prompt_use(schema, model.prompt)
        update["prompt_key"] = _prompt_key(schema, model.prompt_key)
        update["verified"] = True
        if schema.params:
            update["params_known"] = True
        if schema.media is not None:
            update["media"] = dict(schema.media)
            roles = set(schema.media)
            update["media_rules"] = [r for r in model.media_rules if set(r.roles) | set(r.when) <= roles]
    return model.model_copy(update=update) if update else model


def _from_live(summary: ModelSummary, schema: ModelSchema | None, *, in_cli: bool | None = True) -> ModelInfo:
    kind = _kind(summary.kind or (schema.kind if schema else None))
    params = {name: spec for name, spec in (schema.params if schema else {}).items() if name != "prompt"}
    return ModelInfo(
        id=summary.id,
        display_name=summary.display_name or (schema.display_name if schema else None) or summary.id,
        kind=kind,
        prompt=_prompt_use(schema, "optional") if schema else "optional",
        prompt_key=_prompt_key(schema, None) if schema else None,
        media=dict(schema.media) if schema and schema.media is not None else None,
        params=params,
        params_known=bool(schema and schema.params),
        checklist=_KIND_CHECKLIST[kind],
        in_cli=in_cli,
        verified=schema is not None,
    )


# --- live, cached ------------------------------------------------------------------------------


class ModelSource(Protocol):
    """The two CLI calls the live catalogue needs; `HiggsfieldCLI` provides them."""

    async def list_models(self, kind: str | None = None) -> list[ModelSummary]: ...

    async def get_model(self, model_id: str) -> ModelSchema: ...


def _schema_wire(schema: ModelSchema) -> dict[str, Any]:
    """A schema in the CLI's 1.x `model get` shape, so the cache re-parses through the same code as live output."""
    wire: dict[str, Any] = {
        "job_type": schema.id,
        "display_name": schema.display_name,
        "type": schema.kind,
        "parameters": {
            name: {
                "type": spec.type,
                "default": spec.default,
                "enum": spec.enum,
                "min": spec.minimum,
                "max": spec.maximum,
                "required": spec.required,
                "description": spec.description,
            }
            for name, spec in schema.params.items()
        },
    }
    if schema.media is not None:
        wire["medias"] = {role: {"min": slot.min, "max": slot.max} for role, slot in schema.media.items()}
    return wire


class LiveCatalogue:
    """The catalogue as the installed CLI sees it, fetched lazily and cached on disk.

    `model list` is one call and is refreshed after `ttl` seconds; `model get` is fetched
    per model only when that model is about to be used (there are ~70), then cached with
    its own timestamp. Any HiggsfieldError (CLI missing, not logged in, garbled output)
    serves what we already have (the on-disk cache, however old, else the bundled data)
    with `source` and `error` saying so, and the CLI is not asked again for `retry_after`
    seconds so a broken install does not cost a subprocess per tool call.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        ttl: float = DEFAULT_TTL,
        retry_after: float = 60.0,
        base: Catalogue | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(cache_dir) / CACHE_FILE
        self._ttl = ttl
        self._retry_after = retry_after
        self._base = base if base is not None else Catalogue.bundled()
        self._clock = clock
        self._lock = anyio.Lock()
        self._listed: list[ModelSummary] | None = None
        self._listed_at: float | None = None
        self._schemas: dict[str, tuple[float, ModelSchema]] = {}
        self._source: Source = "bundled"
        self._error: str | None = None
        self._failed_at: float | None = None
        self._file_read = False
        self._current: Catalogue | None = None

    async def get(self, cli: ModelSource, *, refresh: bool = False) -> Catalogue:
        """The current catalogue; asks the CLI only when the list is missing or older than the TTL."""
        async with self._lock:
            now = self._clock()
            if not self._file_read:
                self._file_read = True
                self._read_file()
            fresh = self._listed_at is not None and now - self._listed_at < self._ttl
            if fresh and not refresh:
                return self._catalogue()
            if not refresh and self._failed_at is not None and now - self._failed_at < self._retry_after:
                return self._catalogue()
            try:
                listed = await cli.list_models()
            except HiggsfieldError as exc:
                log.info("model list failed (%s); serving %s data", exc.code, "cached" if self._listed else "bundled")
                self._failed_at = now
                self._error = exc.message
                self._source = "cache" if self._listed is not None else "bundled"
                self._current = None
                return self._catalogue()
            self._listed, self._listed_at = list(listed), now
            self._source, self._error, self._failed_at = "live", None, None
            self._schemas = {k: v for k, v in self._schemas.items() if now - v[0] < self._ttl}
            self._write_file()
            self._current = None
            return self._catalogue()

    async def model(self, cli: ModelSource, id_or_name: str) -> ModelInfo:
        """One model with its live schema, fetching `model get` once per TTL.

        Raises UnknownModel when the name resolves nowhere or the CLI says the id does not
        exist; any other CLI failure returns the best data we have instead.
        """
        catalogue = await self.get(cli)
        info = catalogue.get(id_or_name)
        if catalogue.error is not None:
            return info  # the CLI cannot answer right now; don't ask it again per model
        async with self._lock:
            now = self._clock()
            cached = self._schemas.get(info.id)
            if cached is not None and now - cached[0] < self._ttl:
                return self._catalogue().get(info.id)
            try:
                schema = await cli.get_model(info.id)
            except UnknownModel:
                raise
            except HiggsfieldError as exc:
                log.info("model get %s failed (%s); using %s data", info.id, exc.code, catalogue.source)
                return info
            self._schemas[info.id] = (now, schema)
            self._write_file()
            self._current = None
            return self._catalogue().get(info.id)

    def _catalogue(self) -> Catalogue:
        if self._current is None:
            if self._listed is None and not self._schemas:
                self._current = self._base.with_status("bundled", error=self._error)
            else:
                schemas = {model_id: schema for model_id, (_, schema) in self._schemas.items()}
                self._current = self._base.merged(
                    self._listed or [], schemas, source=self._source, fetched_at=self._listed_at, error=self._error
                )
        return self._current

    def _read_file(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != _CACHE_VERSION:
                return
            listed = [ModelSummary.model_validate(item) for item in data["models"]]
            schemas = {
                model_id: (float(entry["fetched_at"]), ModelSchema.model_validate(entry["schema"]))
                for model_id, entry in data.get("schemas", {}).items()
            }
            fetched_at = float(data["fetched_at"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring unreadable model cache %s: %s", self.path, exc)
            return
        self._listed, self._listed_at, self._schemas, self._source = listed, fetched_at, schemas, "cache"

    def _write_file(self) -> None:
        """Atomically, so a crash mid-write leaves the old cache rather than half a file."""
        if self._listed is None or self._listed_at is None:
            return
        data = {
            "version": _CACHE_VERSION,
            "fetched_at": self._listed_at,
            "models": [summary.model_dump(mode="json") for summary in self._listed],
            "schemas": {
                model_id: {"fetched_at": at, "schema": _schema_wire(schema)}
                for model_id, (at, schema) in self._schemas.items()
            },
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
        except OSError as exc:
            log.warning("could not write the model cache %s: %s", self.path, exc)
