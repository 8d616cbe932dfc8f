"""From a request to submitted jobs: choose the model, check everything, then spend.

Order matters because submits cost credits: the model is resolved (the router for
`auto`), local media is checked against the allowed folders, parameters and media roles
are validated against the model's schema, and only then is a submission written to the
journal and sent. A submit whose outcome is unclear is left for the poller to reconcile;
nothing here ever sends the same request twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import CLITimeout, GarbledOutput, HiggsfieldError, ValidationError
from ...adapters.journal import Journal
from ...adapters.media_policy import resolve_media_input
from ...config import Settings
from .catalogue import Catalogue, LiveCatalogue, ModelInfo
from .router import Pick, RouteRequest, pick_model
from .validation import validate_request

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


class Submitted(BaseModel):
    """What was sent: the model, the job ids, and any submission still being reconciled."""

    model: ModelInfo
    pick: Pick | None = None
    job_ids: list[str]
    unclear: list[str] = Field(default_factory=list, description="Submissions whose outcome is being reconciled.")
    params: dict[str, Any]


class Estimate(BaseModel):
    model: ModelInfo
    pick: Pick | None = None
    credits: float
    params: dict[str, Any]


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
    if pick.tool:
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


async def prepare(
    cli: HiggsfieldCLI, request: GenerateRequest, catalogues: LiveCatalogue, settings: Settings
) -> Prepared:
    """Everything before spending, shared by estimate and submit so an estimate checks exactly what would be sent."""
    model, pick = await resolve_model(cli, request, catalogues)
    request = with_character(request, model)
    params, media = build_call(request, model, settings, pick)
    return Prepared(model=model, pick=pick, request=request, params=params, media=media)


async def estimate(
    cli: HiggsfieldCLI, request: GenerateRequest, catalogues: LiveCatalogue, settings: Settings
) -> Estimate:
    """Credits the request would cost; free, and validates like a submit would."""
    ready = await prepare(cli, request, catalogues, settings)
    model, pick, request, params, media = ready.model, ready.pick, ready.request, ready.params, ready.media
    cost = await cli.cost(model.id, prompt=request.prompt, params=params, media=media)
    return Estimate(model=model, pick=pick, credits=cost.credits_exact or cost.credits, params=params)


async def submit(
    cli: HiggsfieldCLI, journal: Journal, request: GenerateRequest, catalogues: LiveCatalogue, settings: Settings
) -> Submitted:
    ready = await prepare(cli, request, catalogues, settings)
    model, pick, request, params, media = ready.model, ready.pick, ready.request, ready.params, ready.media
    repeats = request.count if request.count and request.count > 1 and "batch_size" not in model.params else 1
    job_ids: list[str] = []
    unclear: list[str] = []
    for _ in range(repeats):
        submission = journal.begin_submission(
            model=model.id,
            prompt=request.prompt,
            params=params,
            media=media,
            character=request.character,
            moodboard=request.moodboard,
        )
        try:
            ids = await cli.submit(model.id, prompt=request.prompt, params=params, media=media)
        except (CLITimeout, GarbledOutput) as exc:
            journal.ambiguous(submission, exc.message)
            unclear.append(submission)
            log.warning("submit outcome unclear (%s); left for reconciliation", exc.code)
            continue
        except HiggsfieldError as exc:
            journal.rejected(submission, exc.message)
            if job_ids or unclear:  # earlier repeats went through: report them, not just the failure
                log.warning("repeat submit refused after %d job(s): %s", len(job_ids), exc.message)
                break
            raise
        except BaseException:
            journal.ambiguous(submission, "the call was interrupted while submitting")
            raise
        journal.submitted(submission, ids, kind=model.kind, prompt=request.prompt, params=params)
        job_ids += ids
    return Submitted(model=model, pick=pick, job_ids=job_ids, unclear=unclear, params=params)
