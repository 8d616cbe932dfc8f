"""Planning a moodboard's images from the recipes in `skill/shot_lists.json` (pure: nothing is sent).

The production recipe: two or three images per major character, three or four environment
stills (Soul Cinema, or Soul Location for places alone), one colour-and-lighting reference
and one or two tone images, 10 to 15 in all. Counts start at the recipe's defaults and grow
or shrink in a fixed order to meet a requested total, so the same inputs always give the
same plan. The lookbook recipe is the trio for one fashion item: texture close-up,
full-body lifestyle, clean studio.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..generation.submit import SOUL_VARIANT_OF_MODEL, CharacterInputs, GenerateRequest
from .errors import LibraryRequestInvalid
from .moodboards import BoardRole, Moodboard
from .shot_lists import MoodboardRecipe, fill, mid_sentence, shot_lists

EnvironmentModel = Literal["soul_cinematic", "soul_location"]


@dataclass(frozen=True)
class Cast:
    """A major character of the production: a library character (with what it brings) or a description."""

    name: str
    text: str
    """The words that describe them in a prompt."""
    slug: str | None = None
    inputs: CharacterInputs | None = None


@dataclass
class Counts:
    per_character: list[int]
    environment: int
    color_lighting: int
    tone: int

    @property
    def total(self) -> int:
        return sum(self.per_character) + self.environment + self.color_lighting + self.tone


@dataclass(frozen=True)
class PlannedImage:
    role: BoardRole
    request: GenerateRequest
    character: Cast | None = None
    recipe: str = "production"
    label: str = field(default="")
    pipeline: str = ""
    """For a character slot: which pipeline keeps the likeness (Soul id, references, or description only)."""


def plan_counts(recipe: MoodboardRecipe, characters: int, total: int | None = None) -> Counts:
    """How many images of each role, for `characters` major characters and an optional total."""
    if characters < 1:
        raise LibraryRequestInvalid(
            "The moodboard recipe needs at least one major character",
            remedy="Name library characters (characters) or describe them (character_descriptions).",
        )
    slots = {s.role: s for s in recipe.slots}
    char, env, color, tone = slots["character"], slots["environment"], slots["color_lighting"], slots["tone"]
    counts = Counts([char.count.default] * characters, env.count.default, color.count.default, tone.count.default)
    low = characters * char.count.min + env.count.min + color.count.min + tone.count.min
    high = characters * char.count.max + env.count.max + color.count.max + tone.count.max
    target = total if total is not None else min(max(counts.total, recipe.total.min), recipe.total.max)
    if not recipe.total.min <= target <= recipe.total.max:
        raise LibraryRequestInvalid(
            f"A production moodboard has {recipe.total.min} to {recipe.total.max} images, not {target}",
            remedy=f"Ask for a total between {recipe.total.min} and {recipe.total.max}.",
        )
    if not low <= target <= high:
        raise LibraryRequestInvalid(
            f"{characters} major character(s) give {low} to {high} images, so {target} cannot be planned",
            remedy="Pick the main characters only (a moodboard fixes the look; the rest come later)"
            if target < low
            else "Add a major character, or ask for fewer images.",
        )
    while counts.total < target:
        _grow(counts, recipe)
    while counts.total > target:
        _shrink(counts, recipe)
    return counts


def _grow(counts: Counts, recipe: MoodboardRecipe) -> None:
    for role in recipe.grow_order:
        limit = recipe.slot(role).count.max
        if role == "character":
            for i, n in enumerate(counts.per_character):
                if n < limit:
                    counts.per_character[i] += 1
                    return
        elif getattr(counts, role) < limit:
            setattr(counts, role, getattr(counts, role) + 1)
            return
    raise AssertionError("grow past the recipe's maximum")  # plan_counts checked the range


def _shrink(counts: Counts, recipe: MoodboardRecipe) -> None:
    for role in reversed(recipe.grow_order):
        floor = recipe.slot(role).count.min
        if role == "character":
            for i in reversed(range(len(counts.per_character))):
                if counts.per_character[i] > floor:
                    counts.per_character[i] -= 1
                    return
        elif getattr(counts, role) > floor:
            setattr(counts, role, getattr(counts, role) - 1)
            return
    raise AssertionError("shrink past the recipe's minimum")


def plan_production(
    board: Moodboard,
    characters: Sequence[Cast],
    *,
    environments: Sequence[str] = (),
    total: int | None = None,
    environment_model: EnvironmentModel = "soul_cinematic",
) -> list[PlannedImage]:
    """Every image of the production recipe as a request, characters first."""
    recipe = shot_lists().moodboard
    counts = plan_counts(recipe, len(characters), total)
    brief = board.brief.strip().rstrip(".") or board.name
    values = {
        "production": board.name,
        "brief": brief,
        "look": (board.look.strip() or recipe.defaults["look"]).rstrip("."),
        "tone": (board.tone.strip() or recipe.defaults["tone"]).rstrip("."),
    }
    planned: list[PlannedImage] = []
    slot = recipe.slot("character")
    for cast, count in zip(characters, counts.per_character, strict=True):
        model, pipeline = character_pipeline(slot.model, slot.reference_model, cast)
        for i in range(count):
            # only this character and the board's look: the brief may name the others
            prompt = fill(slot.prompts[i % len(slot.prompts)], {**values, "character": cast.text.rstrip(".")})
            request = _request(board, model, slot.params, prompt, cast)
            planned.append(PlannedImage("character", request, cast, pipeline=pipeline))
    slot = recipe.slot("environment")
    places = [e.strip().rstrip(".") for e in environments if e.strip()] or [_setting(board, brief, characters)]
    model = slot.alternative_model if environment_model == "soul_location" and slot.alternative_model else slot.model
    for i in range(counts.environment):
        # every place gets its establishing shot first; later shots of it (inside, detail, another hour)
        # follow in the recipe's order, so a variation always shows a place already on the board
        place, shown_before = places[i % len(places)], i // len(places)
        prompt = fill(slot.prompts[shown_before % len(slot.prompts)], {**values, "environment": place})
        planned.append(PlannedImage("environment", _request(board, model, _params(model, slot.params), prompt)))
    for slot, count in ((recipe.slot("color_lighting"), counts.color_lighting), (recipe.slot("tone"), counts.tone)):
        for i in range(count):
            prompt = fill(slot.prompts[i % len(slot.prompts)], values)
            planned.append(PlannedImage(slot.role, _request(board, slot.model, slot.params, prompt)))
    return planned


def plan_lookbook(
    board: Moodboard,
    item: str,
    *,
    material: str | None = None,
    mood: str | None = None,
    setting: str | None = None,
    wearer: Cast | None = None,
) -> list[PlannedImage]:
    """The lookbook trio for one fashion item, all with Soul 2.0 so they read as one shoot."""
    if not item.strip():
        raise LibraryRequestInvalid(
            "The lookbook recipe needs the fashion item",
            remedy="Describe it, e.g. 'a navy wool blazer with horn buttons'.",
        )
    recipe = shot_lists().lookbook
    values = {
        "item": item.strip().rstrip("."),
        "material": (material or recipe.defaults["material"]).strip().rstrip("."),
        "mood": (mood or recipe.defaults["mood"]).strip().rstrip("."),
        "setting": (setting or recipe.defaults["setting"]).strip().rstrip("."),
        "wearer": mid_sentence(wearer.text if wearer else recipe.defaults["wearer"]).rstrip("."),
    }
    return [
        PlannedImage(
            shot.role,
            _request(board, recipe.model, shot.params, fill(shot.prompt, values), _worn(shot.role, wearer)),
            _worn(shot.role, wearer),
            recipe="lookbook",
            label=shot.label,
        )
        for shot in recipe.shots
    ]


def character_pipeline(model: str, reference_model: str | None, cast: Cast) -> tuple[str, str]:
    """The model for a character's slots and how it keeps their likeness, in words for the board.

    A trained Soul 2.0 id goes with Soul 2.0; references without a Soul id go to the
    reference model (it takes several); with neither, the description is all there is.
    """
    inputs = cast.inputs
    if inputs is not None and SOUL_VARIANT_OF_MODEL.get(model) in inputs.soul_ids:
        return model, "kept by the Soul id"
    if inputs is not None and inputs.reference_images and reference_model:
        n = len(inputs.reference_images)
        return reference_model, f"kept by {n} reference image{'s' if n != 1 else ''}"
    if cast.slug:
        return model, "from the description only (no references or Soul id yet)"
    return model, "from the description"


def _setting(board: Moodboard, brief: str, characters: Sequence[Cast]) -> str:
    """The place to show when no locations were named: the brief's sentences that name no character."""
    names = {part.casefold() for cast in characters for part in cast.name.replace(",", " ").split() if len(part) > 2}
    sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s+", brief) if s.strip()]
    kept = [s for s in sentences if not any(re.search(rf"\b{re.escape(n)}\b", s.casefold()) for n in names)]
    place = " ".join(kept).rstrip(".;!? ")
    return f"the setting of {board.name}: {place}" if place else f"the main setting of {board.name}"


def _worn(role: str, wearer: Cast | None) -> Cast | None:
    """The texture close-up shows the fabric, not the person: it carries no character."""
    return None if role == "texture" else wearer


def _params(model: str, params: dict[str, object]) -> dict[str, object]:
    """Soul Location takes only an aspect ratio; keep the slot's params to what every environment model takes."""
    return {k: v for k, v in params.items() if k == "aspect_ratio"} if model == "soul_location" else dict(params)


def _request(
    board: Moodboard, model: str, params: dict[str, object], prompt: str, cast: Cast | None = None
) -> GenerateRequest:
    return GenerateRequest(
        prompt=prompt,
        model=model,
        params=dict(params),
        moodboard=board.slug,
        character=cast.slug if cast else None,
        cast=cast.inputs if cast else None,
    )
