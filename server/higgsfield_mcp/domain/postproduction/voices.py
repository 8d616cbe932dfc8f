"""The voice library (`voices list`): search by language, gender and style, and pick the voice a
request names or describes ("Aria", its id, or "warm female narrator")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, Field

from ...adapters.cli.errors import ValidationError
from ...adapters.cli.models import Voice
from .languages import CODES_BY_NAME, fold, language_name

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_GENDER_WORDS = {
    "female": "female", "woman": "female", "women": "female", "girl": "female", "feminine": "female",
    "femenina": "female", "femenino": "female", "mujer": "female", "femme": "female", "weiblich": "female",
    "male": "male", "man": "male", "men": "male", "boy": "male", "masculine": "male", "masculino": "male",
    "masculina": "male", "hombre": "male", "homme": "male", "männlich": "male",
}  # fmt: skip


class VoiceInfo(BaseModel):
    """One voice as tools show it."""

    id: str
    name: str | None = None
    type: str = Field(description="preset or element; sent as voice_type with the id.")
    gender: str | None = None
    language: str | None = Field(None, description="Language name (from its ISO 639-3 code when given one).")
    accent: str | None = None
    description: str | None = None

    @classmethod
    def of(cls, voice: Voice) -> VoiceInfo:
        language = language_name(voice.language) if voice.language else None
        return cls(
            id=voice.id,
            name=voice.name,
            type=voice.type,
            gender=voice.gender,
            language=language,
            accent=voice.accent,
            description=voice.description,
        )


def _words(text: str) -> list[str]:
    return [fold(w) for w in _WORD.findall(text)]


def _haystack(voice: Voice) -> set[str]:
    parts = [voice.name or "", voice.accent or "", voice.description or "", " ".join(voice.tags)]
    words = set(_words(" ".join(parts)))
    if voice.language:
        words |= {fold(voice.language), *_words(language_name(voice.language))}
    return words


def score(voice: Voice, query: str) -> float:
    """How well a voice fits a free description: gender and language must agree, other words add up."""
    total = 0.0
    for word in _words(query):
        gender = _GENDER_WORDS.get(word)
        if gender is not None:
            if voice.gender and voice.gender.casefold() != gender:
                return -1.0
            total += 1.0
            continue
        code = CODES_BY_NAME.get(word)
        if code is not None and len(word) > 2 and voice.language:
            if CODES_BY_NAME.get(fold(voice.language)) != code:  # the CLI may give "spa" or "Spanish"
                return -1.0
            total += 1.0
            continue
        if word in _haystack(voice):
            total += 1.0
    return total


def search_voices(voices: Sequence[Voice], query: str | None, *, limit: int = 10) -> list[Voice]:
    """The voices that fit a description, best first; all of them (up to `limit`) without one."""
    if not query or not query.strip():
        return list(voices)[:limit]
    ranked = sorted(((score(v, query), i, v) for i, v in enumerate(voices)), key=lambda t: (-t[0], t[1]))
    return [v for s, _, v in ranked if s > 0][:limit]


def choose_voice(voices: Sequence[Voice], wanted: str) -> Voice:
    """The voice an id, a name or a description points to, or a refusal listing a few to choose from."""
    text = wanted.strip()
    for voice in voices:
        if voice.id.casefold() == text.casefold() or (voice.name and fold(voice.name) == fold(text)):
            return voice
    found = search_voices(voices, text, limit=1)
    if found:
        return found[0]
    sample = ", ".join(f"{v.name} ({v.gender or '?'}, {language_name(v.language or '?')})" for v in voices[:8])
    raise ValidationError(
        f"No voice matches {wanted!r}",
        remedy=f"Pick a voice by name or describe it differently (e.g. {sample}). Nothing was submitted.",
    )
