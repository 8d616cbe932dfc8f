"""From a request to submitted jobs: choose the model, check everything, then spend.

Order matters because submits cost credits: the model is resolved (the router for
`auto`), local media is checked against the allowed folders, parameters and media roles
are validated against the model's schema, and only then is a submission written to the
journal and sent. A submit whose outcome is unclear is left for the poller to reconcile;
nothing here ever sends the same request twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ...adapters.cli.client import SUBMIT_TIMEOUT, HiggsfieldCLI
from ...adapters.cli.errors import CLITimeout, HiggsfieldError, ValidationError, submit_outcome
from ...adapters.journal import Journal
from ...adapters.media_policy import resolve_media_input
from ...config import Settings
from .catalogue import Catalogue, LiveCatalogue, ModelInfo
from .framing import start_frame_ratio, wide_default
from .prompt_shape import wire_prompt
from .router import DIRECT_TOOLS, Pick, RouteRequest, pick_model
from .validation import param_key, validate_request

log = logging.getLogger(__name__)

ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "reference_images": ("image_references", "image"),
    "start_image": ("start_image",),
    "end_image": ("end_image",),
    "videos": ("video_references", "video"),
    "audio": ("audio_references", "audio"),
}
"""Our input names → the roles a model may declare for them, preferred first (1.x `*_references`, then 0.x)."""


SOUL_VARIANT_OF_MODEL = {"text2image_soul_v2": "soul_2", "soul_cinematic": "soul_cinematic"}
"""Soul models → the Soul id variant each takes (contract §5.10): soul_2 on Soul 2.0, soul_cinematic on Soul Cinema."""


class CharacterInputs(BaseModel):
    """What a library character brings to a generation; which parts apply depends on the model chosen."""

    soul_ids: dict[str, str] = Field(default_factory=dict, description="Trained Soul ids per variant.")
    reference_images: list[str] = Field(default_factory=list, description="Reference files, front angle first.")
    description: str | None = Field(default=None, description="The canonical description, put before the prompt.")
    name: str | None = Field(default=None, description="The character's display name, for notes in the result.")


class GenerateRequest(BaseModel):
    prompt: str | None = None
    model: str = "auto"
    aspect_ratio: str | None = None
    resolution: str | None = None
    quality: str | None = None
    duration: int | float | None = None
    count: int | None = Field(default=None, ge=1, le=20)
    reference_images: list[str] = Field(default_factory=list)
    start_image: str | None = None
    end_image: str | None = None
    videos: list[str] = Field(default_factory=list)
    audio: list[str] = Field(default_factory=list)
    soul_id: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    character: str | None = None
    moodboard: str | None = None
    cast: CharacterInputs | None = None
    """Filled in from the library when `character` is given; applied by `with_character` once the model is known."""
    voice: str | None = None
    """A voice for speech models, by name, id or description; resolved through `voices list` into voice_id/type."""
    source: str | None = None
    """For post-production through a model (background removal, outpaint, upscale): what is being edited."""


SUBMIT_MIN_SECONDS = 15.0
"""The least a submit is given, however short the call's wait: the CLI needs a moment to start and send."""
SUBMIT_MIN_WITH_FILES_SECONDS = 120.0
"""The least when local files go along: the CLI uploads them first."""

UNCLEAR_REMEDY = (
    "Higgsfield may have started it (and charged for it); it is being looked for and will never be re-sent. "
    "Check `jobs` with action 'resume' before trying again."
)
REJECTED_NOTE = "Nothing was submitted, so nothing was spent."


class Submitted(BaseModel):
    """What was sent: the model, the job ids, and any submission still being reconciled."""

    model: ModelInfo
    pick: Pick | None = None
    job_ids: list[str]
    unclear: list[str] = Field(default_factory=list, description="Submissions whose outcome is being reconciled.")
    params: dict[str, Any]
    timed_out: bool = False
    """A submit used up the call's wait and was stopped: the call should return at once."""
    unclear_reason: str | None = None
    notes: list[str] = Field(default_factory=list)


class Estimate(BaseModel):
    model: ModelInfo
    pick: Pick | None = None
    credits: float
    params: dict[str, Any]
    notes: list[str] = Field(default_factory=list)


def choose_model(request: GenerateRequest, catalogue: Catalogue) -> tuple[ModelInfo, Pick | None]:
    """The model to use: the named one (marketing names resolve), or the router's pick for `auto`."""
    if request.model.strip().lower() not in ("", "auto"):
        return catalogue.get(request.model), None  # UnknownModel (with suggestions) when nothing matches
    pick = pick_model(
        RouteRequest(
            request=request.prompt or "",
            start_image=request.start_image is not None,
            end_image=request.end_image is not None,
            reference_images=len(request.reference_images),
            reference_videos=len(request.videos),
            audio_references=len(request.audio),
            character_soul_ids=_soul_ids(request),
            character_has_references=bool(request.cast and request.cast.reference_images),
            duration=request.duration is not None,
        ),
        catalogue,
    )
    if pick.tool and pick.tool not in DIRECT_TOOLS:
        raise ValidationError(
            f"This request is for another tool: {pick.tool_hint or pick.tool}",
            remedy=f"Use the `{pick.tool}` tool for it; nothing was submitted.",
        )
    return catalogue.get(pick.model), pick


def _soul_ids(request: GenerateRequest) -> dict[str, str]:
    souls = dict(request.cast.soul_ids) if request.cast else {}
    if request.soul_id:
        souls["soul_2"] = request.soul_id
    return souls


def with_character(request: GenerateRequest, model: ModelInfo) -> GenerateRequest:
    """The request with its library character applied for this model.

    The Soul id when one is trained for this Soul model's variant (and none was given),
    else the character's reference images as far as the model takes image references,
    and in both cases the canonical description before the prompt.
    """
    cast = request.cast
    if cast is None:
        return request
    update: dict[str, Any] = {}
    variant = SOUL_VARIANT_OF_MODEL.get(model.id)
    if variant and variant in cast.soul_ids:
        update["soul_id"] = request.soul_id or cast.soul_ids[variant]
    elif cast.reference_images and request.soul_id is None:
        room = _reference_room(model, len(request.reference_images))
        update["reference_images"] = [*request.reference_images, *cast.reference_images[:room]]
    description = (cast.description or "").strip().rstrip(".")
    if description and description.casefold() not in (request.prompt or "").casefold():
        update["prompt"] = f"{description}. {request.prompt}" if request.prompt else description
    return request.model_copy(update=update)


def _frame_file(value: str, settings: Settings, journal: Journal | None) -> Path | None:
    frame = resolve_media_input(value, settings.media_roots)
    if frame.path is not None:
        return frame.path
    record = journal.get(value.strip()) if journal is not None else None
    saved = [Path(f) for f in (record.files if record else []) if Path(f).is_file()]
    return saved[0] if saved else None


def _reference_room(model: ModelInfo, given: int) -> int:
    """How many more reference images the model takes (all of them when its limit is unknown)."""
    if model.media is None:
        return 3
    role = _role_for(model, ROLE_ALIASES["reference_images"])
    slot = model.media.get(role)
    if slot is None:
        return 0
    return 3 if slot.max is None else max(0, slot.max - given)


def build_call(
    request: GenerateRequest, model: ModelInfo, settings: Settings, pick: Pick | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Checked params and media for the CLI, or a validation error before anything is spent."""
    params: dict[str, Any] = dict(pick.params) if pick else {}
    params.update({k: v for k, v in request.params.items() if v is not None})
    for name in ("aspect_ratio", "duration"):
        value = getattr(request, name)
        if value is not None:
            params[name] = value
    _apply_quality(params, model, resolution=request.resolution, quality=request.quality)
    if request.count is not None and request.count > 1 and "batch_size" in model.params:
        params["batch_size"] = request.count
    if request.soul_id:
        params["soul_id"] = request.soul_id

    media: list[tuple[str, str]] = []
    for field_name, aliases in ROLE_ALIASES.items():
        values = getattr(request, field_name)
        values = [values] if isinstance(values, str) else list(values or [])
        if not values:
            continue
        role = _role_for(model, aliases)
        for value in values:
            resolved = resolve_media_input(value, settings.media_roots)
            media.append((role, resolved.cli_value))
    checked = validate_request(model, prompt=request.prompt, params=params, media=media)
    return checked, media


def _role_for(model: ModelInfo, aliases: Sequence[str]) -> str:
    declared = model.media or {}
    for role in aliases:
        if role in declared:
            return role
    return aliases[-1]  # the 0.x name; validation explains if the model takes none


def _apply_quality(params: dict[str, Any], model: ModelInfo, *, resolution: str | None, quality: str | None) -> None:
    """Put resolution/quality under the name this model uses (Soul calls its resolution `quality`)."""
    for value, preferred, other in ((resolution, "resolution", "quality"), (quality, "quality", "resolution")):
        if value is None:
            continue
        spec = model.params.get(other)
        if preferred not in model.params and spec is not None and spec.enum and str(value) in spec.enum:
            params[other] = value
        else:
            params[preferred] = value


async def resolve_model(
    cli: HiggsfieldCLI, request: GenerateRequest, catalogues: LiveCatalogue
) -> tuple[ModelInfo, Pick | None]:
    """The chosen model with its live schema when the CLI has one, so new enums validate without a release."""
    model, pick = choose_model(request, await catalogues.get(cli))
    return await catalogues.model(cli, model.id), pick


class Prepared(BaseModel):
    """A request ready to send: the model, the router's pick, the request with its character applied, checked args."""

    model: ModelInfo
    pick: Pick | None
    request: GenerateRequest
    params: dict[str, Any]
    media: list[tuple[str, str]]
    notes: list[str] = Field(default_factory=list, description="One line each on what was chosen for the user.")


async def prepare(
    cli: HiggsfieldCLI,
    request: GenerateRequest,
    catalogues: LiveCatalogue,
    settings: Settings,
    journal: Journal | None = None,
) -> Prepared:
    """Everything before spending, shared by estimate and submit so an estimate checks exactly what would be sent."""
    model, pick = await resolve_model(cli, request, catalogues)
    notes = character_notes(request, model)
    request = with_character(request, model)
    request = with_prompt_shape(request, model)
    request, framing_note = with_framing(request, model, settings, pick, journal)
    notes += [framing_note] if framing_note else []
    if request.voice:
        request = await with_voice(cli, request, model)
    params, media = build_call(request, model, settings, pick)
    return Prepared(model=model, pick=pick, request=request, params=params, media=media, notes=notes)


def character_notes(request: GenerateRequest, model: ModelInfo) -> list[str]:
    """A line when the character brings no likeness to this model (no Soul id it can use, no references it takes)."""
    cast = request.cast
    if cast is None or request.soul_id:
        return []
    variant = SOUL_VARIANT_OF_MODEL.get(model.id)
    if variant and variant in cast.soul_ids:
        return []
    name = cast.name or request.character or "The character"
    if cast.reference_images and _reference_room(model, len(request.reference_images)) > 0:
        return []
    if cast.reference_images:
        return [
            f"{model.display_name} takes no reference images, so {name} was drawn from the description alone; "
            "for the same face use a model that takes references, or Soul 2.0 with a trained Soul id."
        ]
    return [
        f"{name} has no reference images or Soul id yet, so only the description was used and the face will "
        "vary: make the references with character_library action 'make_references', then generate again."
    ]


def with_prompt_shape(request: GenerateRequest, model: ModelInfo) -> GenerateRequest:
    """The prompt in the shape the model takes (Soul Cast's JSON object), also when given under params."""
    prompt: Any = request.prompt
    params = dict(request.params)
    if prompt is None and params.get("prompt") is not None:
        prompt = params.pop("prompt")
    else:
        params.pop("prompt", None)
    return request.model_copy(update={"prompt": wire_prompt(model, prompt), "params": params})


def with_framing(
    request: GenerateRequest,
    model: ModelInfo,
    settings: Settings,
    pick: Pick | None = None,
    journal: Journal | None = None,
) -> tuple[GenerateRequest, str | None]:
    """Fill in the aspect ratio nobody gave: a clip keeps its start image's shape, a cinematic still is wide.

    The start image may be a local file or the id of a job whose result this server saved.
    """
    named = [v for k, v in request.params.items() if param_key(k) == "aspect_ratio" and v is not None]
    given = request.aspect_ratio or named or (pick.params.get("aspect_ratio") if pick else None)
    if given:
        return request, None
    note = None
    ratio = None
    if request.start_image:
        ratio, note = start_frame_ratio(model, _frame_file(request.start_image, settings, journal))
    if ratio is None:
        ratio = wide_default(model, request.prompt)
    return (request.model_copy(update={"aspect_ratio": ratio}) if ratio else request), note


async def with_voice(cli: HiggsfieldCLI, request: GenerateRequest, model: ModelInfo) -> GenerateRequest:
    """The request with its named or described voice looked up in `voices list` and set as voice_id/voice_type."""
    if "voice_id" not in model.params:
        takers = "seed_audio or text2speech_v2"
        raise ValidationError(
            f"{model.display_name} does not take a voice",
            remedy=f"For speech in a chosen voice use {takers}, or leave voice out. Nothing was submitted.",
        )
    from ..postproduction.voices import choose_voice  # the voice library lives with post-production

    chosen = choose_voice(await cli.list_voices(), request.voice or "")
    params = {**request.params, "voice_id": chosen.id, "voice_type": chosen.type}
    return request.model_copy(update={"params": params})


async def estimate(
    cli: HiggsfieldCLI,
    request: GenerateRequest,
    catalogues: LiveCatalogue,
    settings: Settings,
    journal: Journal | None = None,
) -> Estimate:
    """Credits the request would cost; free, and validates like a submit would."""
    ready = await prepare(cli, request, catalogues, settings, journal)
    model, pick, request, params, media = ready.model, ready.pick, ready.request, ready.params, ready.media
    cost = await cli.cost(model.id, prompt=request.prompt, params=params, media=media)
    credits = cost.credits_exact or cost.credits
    return Estimate(model=model, pick=pick, credits=credits, params=params, notes=ready.notes)


def submit_budget(wait_seconds: float, media: Sequence[tuple[str, str]]) -> float:
    """How long one submit may run: the call's wait, but never less than a submit needs to get going."""
    files = any(Path(value).is_absolute() for _role, value in media)
    return min(SUBMIT_TIMEOUT, max(wait_seconds, SUBMIT_MIN_WITH_FILES_SECONDS if files else SUBMIT_MIN_SECONDS))


async def submit(
    cli: HiggsfieldCLI,
    journal: Journal,
    request: GenerateRequest,
    catalogues: LiveCatalogue,
    settings: Settings,
    *,
    wait_seconds: float | None = None,
) -> Submitted:
    """Send the request once per repeat, each journaled first, each bounded by what is left of `wait_seconds`.

    A failure `submit_outcome` calls rejected is raised (nothing was spent); any other is
    recorded as ambiguous for the poller to find, and the remaining repeats are not sent.
    """
    ready = await prepare(cli, request, catalogues, settings, journal)
    model, pick, request, params, media = ready.model, ready.pick, ready.request, ready.params, ready.media
    repeats = request.count if request.count and request.count > 1 and "batch_size" not in model.params else 1
    job_ids: list[str] = []
    unclear: list[str] = []
    started = time.monotonic()
    budget = settings.wait_seconds if wait_seconds is None else wait_seconds
    timed_out = False
    reason: str | None = None
    for _ in range(repeats):
        timeout = submit_budget(budget - (time.monotonic() - started), media)
        try:
            ids, open_id, problem = await send_once(
                journal,
                partial(cli.submit, model.id, prompt=request.prompt, params=params, media=media, timeout=timeout),
                model=model.id,
                kind=model.kind,
                prompt=request.prompt,
                params=params,
                media=media,
                character=request.character,
                moodboard=request.moodboard,
                source=request.source,
            )
        except HiggsfieldError as exc:
            if job_ids or unclear:  # earlier repeats went through: report them, not just the failure
                log.warning("repeat submit refused after %d job(s): %s", len(job_ids), exc.message)
                break
            if "nothing was" not in exc.remedy.lower():
                exc.remedy = f"{exc.remedy} {REJECTED_NOTE}"
            raise
        job_ids += ids
        if open_id:
            unclear.append(open_id)
            reason = problem.message if problem else None
            timed_out = isinstance(problem, CLITimeout)
            if timed_out:  # the call's wait is used up: the remaining repeats are not sent
                break
    return Submitted(
        model=model,
        pick=pick,
        job_ids=job_ids,
        unclear=unclear,
        params=params,
        timed_out=timed_out,
        unclear_reason=reason,
        notes=ready.notes,
    )


async def send_once(
    journal: Journal,
    send: Callable[[], Awaitable[list[str]]],
    *,
    model: str,
    kind: str,
    prompt: str | None,
    params: dict[str, Any],
    media: Sequence[tuple[str, str]],
    character: str | None = None,
    moodboard: str | None = None,
    source: str | None = None,
) -> tuple[list[str], str | None, HiggsfieldError | None]:
    """Journal one paid call, make it, record its outcome: (job ids, submission left unclear, why unclear).

    The one place a submit is sent, for models and workflows alike: written down first; a
    failure `submit_outcome` calls rejected is recorded and raised (nothing was spent); any
    other outcome is left for the poller to reconcile and never re-sent.
    """
    submission = journal.begin_submission(
        model=model,
        prompt=prompt,
        params=params,
        media=media,
        kind=kind,
        character=character,
        moodboard=moodboard,
        source=source,
    )
    try:
        ids = await send()
    except HiggsfieldError as exc:
        if submit_outcome(exc) == "ambiguous":
            journal.ambiguous(submission, exc.message)
            log.warning("submit outcome unclear (%s); left for reconciliation", exc.code)
            return [], submission, exc
        journal.rejected(submission, exc.message)
        raise
    except BaseException:
        journal.ambiguous(submission, "the call was interrupted while submitting")
        raise
    journal.submitted(submission, ids, kind=kind, prompt=prompt, params=params)
    return ids, None, None
