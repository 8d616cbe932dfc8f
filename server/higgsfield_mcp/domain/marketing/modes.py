"""Marketing Studio's modes: the bundled tables (`skill/marketing.json`) and choosing a mode from words.

Video modes, photoshoot modes and their defaults are data; this module reads them once and
maps a person's words ("phone-filmed unboxing", "a pin") to one mode, or refuses with the
list when nothing fits.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from ...adapters.cli.errors import InvalidValues
from ...bundle import bundle_path
from .avatars import has_phrase, words
from .products import NOTHING_SPENT

AdKind = Literal["video", "image", "photoshoot", "static", "marketplace"]

# --- the data: skill/marketing.json ------------------------------------------------------------------


class Mode(BaseModel):
    """A Marketing Studio video mode or a photoshoot mode, with what it is for in plain words."""

    id: str
    label: str
    description: str
    setup_items: bool = Field(False, description="Takes hooks and settings (the UGC family).")
    priority: int = Field(0, description="1: names a deliverable (pin, banner…), beats words about the scene.")
    aliases: list[str] = Field(default_factory=list, description="Older or shorter slugs that mean this mode.")
    words: list[str] = Field(default_factory=list, description="What people say when they mean it.")


class ClickToAd(BaseModel):
    mode: str
    duration: int
    aspect_ratio: str


class VideoDefaults(BaseModel):
    model: str
    default_mode: str
    min_duration: int
    aspect_ratios: list[str]
    resolutions: list[str]
    click_to_ad: ClickToAd


class PhotoshootDefaults(BaseModel):
    default_mode: str
    max_count: int
    aspect_ratios: list[str]


class MarketingData(BaseModel):
    video: VideoDefaults
    photoshoot: PhotoshootDefaults
    video_modes: list[Mode]
    photoshoot_modes: list[Mode]

    def modes(self, kind: AdKind) -> list[Mode]:
        return self.photoshoot_modes if kind == "photoshoot" else self.video_modes if kind == "video" else []

    def default_mode(self, kind: AdKind) -> Mode | None:
        wanted = self.photoshoot.default_mode if kind == "photoshoot" else self.video.default_mode
        return next((m for m in self.modes(kind) if m.id == wanted), None)


@functools.cache
def marketing_data() -> MarketingData:
    """The bundled modes and defaults (read once)."""
    text = bundle_path("skill", "marketing.json").read_text(encoding="utf-8")
    return MarketingData.model_validate(json.loads(text))


# --- modes from words ----------------------------------------------------------------------------------


def find_mode(modes: Sequence[Mode], text: str) -> Mode | None:
    """The mode whose id or alias this is (`ugc_unboxing`, `Unboxing`, `hyper_motion`, `tv-spot`)."""
    key = words(text).strip().replace(" ", "_")
    for mode in modes:
        if key == mode.id or key in mode.aliases or key == words(mode.label).strip().replace(" ", "_"):
            return mode
    return None


def choose_mode(text: str, modes: Sequence[Mode], *, default: str | None = None) -> Mode | None:
    """The mode a person's words point to, or None when they name none.

    A mode naming a deliverable (priority 1: a pin, a banner) beats words about the scene;
    then the longest matching phrase wins ("pro try on" beats "try on"), and ties go to
    the list's order. The default mode's words ("phone-filmed", "casual") describe the
    whole UGC family, so they choose it only when no more specific mode matched:
    "phone-filmed unboxing" is an unboxing.
    """
    exact = find_mode(modes, text)
    if exact is not None:
        return exact
    best: tuple[int, int, int, int] | None = None
    chosen: Mode | None = None
    for order, mode in enumerate(modes):
        phrases = [*mode.words, mode.label, *(a.replace("_", " ") for a in mode.aliases)]
        score = max((len(words(p).split()) for p in phrases if has_phrase(text, p)), default=0)
        key = (0 if mode.id == default else 1, mode.priority, score, -order)
        if score and (best is None or key > best):
            best, chosen = key, mode
    return chosen


def resolve_mode(kind: AdKind, given: str | None, *, prompt: str | None = None) -> Mode | None:
    """The mode for this request: the one named (id, alias or words), else the default.

    A photoshoot without a mode picks one from the prompt's words (as the photoshoot skill
    does); a video keeps the default `ugc` rather than guess from a prompt. Words that fit
    no mode are an error listing the modes, since a silent default would ignore the user.
    """
    data = marketing_data()
    modes = data.modes(kind)
    default = data.default_mode(kind)
    if given is None or not given.strip():
        if kind == "photoshoot" and prompt:
            return choose_mode(prompt, modes, default=default.id if default else None) or default
        return default
    chosen = choose_mode(given, modes, default=default.id if default else None)
    if chosen is None:
        raise InvalidValues(
            f"Invalid values: mode={given.strip()} (no {kind} mode fits those words)",
            param="mode",
            value=given.strip(),
            allowed=[m.id for m in modes],
            remedy="Use one of: " + "; ".join(f"{m.id} ({m.description})" for m in modes) + ". " + NOTHING_SPENT,
        )
    return chosen
