"""Training a Soul id from a character's images, and keeping its status current.

`soul-id create` costs credits, so its id is written to character.json the moment it
exists, before any waiting. The wait is bounded; a training still running when it ends is
returned as pending and settled later by `refresh_souls` (run by `show`), which asks
Higgsfield once per unsettled Soul.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import anyio

from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import PlanRequired
from ...adapters.cli.models import SoulReference
from ...adapters.media_policy import resolve_media_input
from ...config import Settings
from ..generation.production import QUEUED_STATUSES, Progress
from .documents import now
from .errors import NotEnoughImages, SoulTrainingFailed
from .models import Character, SoulState, SoulVariant
from .store import CharacterStore

MIN_IMAGES = 5
MAX_IMAGES = 20
"""Contract §5.10: 'Use 5–20 photos'."""

PLAN_REMEDY = (
    "Soul id training needs a paid Higgsfield plan (Basic or higher): upgrade at higgsfield.ai/pricing. "
    "Until then the character's reference images keep it consistent: generate with character= and they are used."
)


def training_images(
    character: Character, store: CharacterStore, settings: Settings, chosen: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """(label, CLI value) per training image: the character's own files by default, else the ones named.

    Each local file passes the media policy (inside its folder or the allowed roots, a real
    image, under the size cap) before it can be uploaded; upload ids pass as they are.
    """
    folder = store.folder(character.slug)
    if chosen is None:
        names = character.local_images()
        upload_ids = [r.upload_id for r in character.current_references() if r.upload_id and not r.file]
        picked = [(name, str(_checked(folder / name, [folder]))) for name in names]
        picked += [(f"upload {u}", u) for u in upload_ids]
        return picked[:MAX_IMAGES]
    picked = []
    for item in chosen:
        own = folder / item
        if "/" not in item and "\\" not in item and own.is_file():
            picked.append((item, str(_checked(own, [folder]))))
            continue
        checked = resolve_media_input(item, settings.media_roots)
        picked.append((item, checked.cli_value))
    if len(picked) > MAX_IMAGES:
        raise NotEnoughImages(
            f"{len(picked)} images were given; a Soul id takes at most {MAX_IMAGES}",
            remedy=f"Pick the {MAX_IMAGES} clearest images of the face (different angles and light).",
        )
    return picked


async def train_soul(
    store: CharacterStore,
    cli: HiggsfieldCLI,
    settings: Settings,
    slug: str,
    *,
    variant: SoulVariant = "soul_2",
    images: Sequence[str] | None = None,
    wait_seconds: float | None = None,
    progress: Progress | None = None,
) -> tuple[Character, SoulState]:
    """Train a Soul id of `variant` and wait for it (bounded); a failed training raises with what to do."""
    character = store.load(slug)
    picked = training_images(character, store, settings, images)
    if len(picked) < MIN_IMAGES:
        raise NotEnoughImages(
            f"{character.name} has {len(picked)} usable image(s); a Soul id needs at least {MIN_IMAGES}"
        )
    try:
        soul = await cli.create_soul(character.name, [value for _, value in picked], variant=variant)
    except PlanRequired as exc:
        raise PlanRequired(exc.message, remedy=PLAN_REMEDY, exit_code=exc.exit_code) from exc
    state = SoulState(variant=variant, id=soul.id, status=soul.status, images=[label for label, _ in picked])
    character = _save(store, slug, _with_reference(state, soul))  # paid for: on disk before any waiting
    bound = settings.bounded_wait(wait_seconds)
    soul = await _wait(cli, soul, bound, max(0.1, settings.poll_seconds), progress)
    state = _with_reference(state, soul)
    character = _save(store, slug, state)
    if state.status == "failed":
        raise SoulTrainingFailed(
            f"Training the {variant} Soul id of {character.name} failed: {state.fail_reason or 'no reason given'}"
        )
    return character, state


async def refresh_souls(store: CharacterStore, cli: HiggsfieldCLI, slug: str) -> Character:
    """Ask Higgsfield about every Soul still training and record what it says."""
    character = store.load(slug)
    for soul in [s for s in character.souls.values() if not s.settled]:
        latest = await cli.get_soul(soul.id)
        character = _save(store, slug, _with_reference(soul, latest))
    return character


def _with_reference(state: SoulState, soul: SoulReference) -> SoulState:
    return state.model_copy(update={"status": soul.status, "fail_reason": soul.fail_reason, "updated_at": now()})


def _save(store: CharacterStore, slug: str, state: SoulState) -> Character:
    def put(character: Character) -> None:
        character.souls[state.variant] = state

    character, _ = store.change(slug, put)
    return character


async def _wait(
    cli: HiggsfieldCLI, soul: SoulReference, bound: float, interval: float, progress: Progress | None
) -> SoulReference:
    started = time.monotonic()
    reported = -1  # steps: 0 queued, 1 training, 2 finished; reported once each (MCP progress only moves forward)
    while not soul.terminal:
        elapsed = time.monotonic() - started
        if elapsed >= bound:
            break
        step = 0 if soul.status in QUEUED_STATUSES else 1
        if progress is not None and step > reported:
            reported = step
            await progress(step, 2, f"Training the Soul id: {soul.status.replace('_', ' ')}")
        await anyio.sleep(min(interval, max(0.0, bound - elapsed)))
        soul = await cli.get_soul(soul.id)
    if progress is not None and soul.terminal:
        await progress(2, 2, f"Soul id training {soul.status.replace('_', ' ')}")
    return soul


def _checked(path: Path, roots: list[Path]) -> Path:
    checked = resolve_media_input(str(path), roots, allow_ids=False)
    assert checked.path is not None
    return checked.path
