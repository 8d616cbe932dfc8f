"""The shot lists the library and moodboards follow, read from `skill/shot_lists.json`.

They are data so the craft (which angles, which roles, how many, what every prompt must
name) can be tuned without touching code, and so the skill's docs and the tools agree.
Templates use `{placeholders}`; `fill` substitutes them without ever interpreting the
values, so a user's braces or quotes pass through as written.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...bundle import bundle_path

Pipeline = Literal["soul_2", "soul_cast"]
BoardRole = Literal["character", "environment", "color_lighting", "tone"]
LookbookRole = Literal["texture", "lifestyle", "studio"]


class AngleShot(BaseModel):
    angle: Literal["front", "three_quarter", "profile"]
    label: str
    prompt: str


class PipelineSpec(BaseModel):
    model: str
    label: str
    params: dict[str, Any] = Field(default_factory=dict)


class ReferenceStandard(BaseModel):
    source: str
    default_lighting: str
    angles: list[AngleShot]
    models: dict[Pipeline, PipelineSpec]


class Count(BaseModel):
    min: int
    max: int
    default: int


class BoardSlot(BaseModel):
    role: BoardRole
    label: str
    per_character: bool = False
    count: Count
    model: str
    alternative_model: str | None = None
    reference_model: str | None = Field(
        default=None, description="Character slots: the model for a character with references but no Soul id."
    )
    params: dict[str, Any] = Field(default_factory=dict)
    prompts: list[str]


class Total(BaseModel):
    min: int
    max: int


class MoodboardRecipe(BaseModel):
    source: str
    total: Total
    slots: list[BoardSlot]
    grow_order: list[BoardRole]
    defaults: dict[str, str]

    def slot(self, role: BoardRole) -> BoardSlot:
        return next(s for s in self.slots if s.role == role)


class LookbookShot(BaseModel):
    role: LookbookRole
    label: str
    params: dict[str, Any] = Field(default_factory=dict)
    prompt: str


class LookbookRecipe(BaseModel):
    source: str
    model: str
    defaults: dict[str, str]
    shots: list[LookbookShot]


class ShotLists(BaseModel):
    version: int
    reference_angles: ReferenceStandard
    moodboard: MoodboardRecipe
    lookbook: LookbookRecipe


@cache
def shot_lists() -> ShotLists:
    """The bundled shot lists (read once per process)."""
    text = bundle_path("skill", "shot_lists.json").read_text(encoding="utf-8")
    return ShotLists.model_validate(json.loads(text))


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with its `{name}` fields replaced; an unknown field is a bug in the data, so it raises KeyError."""
    parts: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(literal)
        if field is not None:
            parts.append(values[field])
    return " ".join("".join(parts).split())


def mid_sentence(text: str) -> str:
    """A description as it reads after other words: "A woman…" → "a woman…" (names keep their capitals)."""
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}" if rest and first in ("A", "An", "The") else text


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}
