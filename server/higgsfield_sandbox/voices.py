"""``voices list|get``: the preset voice library that TTS and ``voice-change`` take ids from.

Contract §5.9 says only that a voice has an ``id`` (used as ``--voice_id``) and a ``type``
(``preset``/``element``, used as ``--voice_type``); the other keys (name, gender, language
as an ISO 639-3 code, accent, description) are the sandbox's choice.
"""

from __future__ import annotations

import uuid

from . import errors
from .context import Ctx
from .state import JsonDict

_NAMESPACE = uuid.UUID("5b0c9d1e-6a43-4f0e-9a51-2f6d3c8e7b10")

# name, gender, language, accent, description
_PRESETS: tuple[tuple[str, str, str, str, str], ...] = (
    ("Aria", "female", "eng", "american", "warm, friendly narrator for explainers and ads"),
    ("Marcus", "male", "eng", "american", "deep, calm trailer voice, slow and cinematic"),
    ("Olivia", "female", "eng", "british", "crisp, confident presenter, upbeat"),
    ("Theo", "male", "eng", "british", "young, energetic, casual UGC style"),
    ("Grace", "female", "eng", "australian", "soft, soothing, meditation and wellness"),
    ("Lucía", "female", "spa", "castilian", "bright, cheerful storyteller"),
    ("Mateo", "male", "spa", "mexican", "warm, conversational, radio host"),
    ("Camille", "female", "fra", "parisian", "elegant, luxury brand voice, whispery"),
    ("Hugo", "male", "fra", "parisian", "authoritative documentary narrator"),
    ("Lena", "female", "deu", "standard", "clear, neutral, corporate training"),
    ("Felix", "male", "deu", "standard", "playful, cartoon character"),
    ("Giulia", "female", "ita", "standard", "passionate, expressive, food and travel"),
    ("Yuki", "female", "jpn", "tokyo", "gentle, anime style, youthful"),
    ("Kenji", "male", "jpn", "tokyo", "calm, serious news anchor"),
    ("Ana", "female", "por", "brazilian", "sunny, lively social media voice"),
    ("Wei", "male", "cmn", "beijing", "steady, professional product demo"),
)


def _voice(name: str, gender: str, language: str, accent: str, description: str) -> JsonDict:
    return {
        "id": str(uuid.uuid5(_NAMESPACE, name)),
        "name": name,
        "type": "preset",
        "gender": gender,
        "language": language,
        "accent": accent,
        "description": description,
    }


VOICES: tuple[JsonDict, ...] = tuple(_voice(*row) for row in _PRESETS)


def find(voice_id: str, voice_type: str | None = None) -> JsonDict | None:
    wanted = voice_id.strip().lower()
    for voice in VOICES:
        if voice["id"] == wanted and (voice_type is None or voice["type"] == voice_type):
            return voice
    return None


def cmd_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    if ctx.json:
        ctx.emit([dict(v) for v in VOICES])
    else:
        for v in VOICES:
            ctx.line(f"{v['id']}  {v['name']:<10} {v['gender']:<7} {v['language']}  {v['description']}")
    return 0


def cmd_get(ctx: Ctx) -> int:
    ident = ctx.positional("voice_id")
    voice = find(ident)
    if voice is None:
        raise errors.not_found("voice", ident)
    if ctx.json:
        ctx.emit(dict(voice))
    else:
        ctx.line(f"{voice['id']}  {voice['name']}  {voice['type']}  {voice['language']}  {voice['description']}")
    return 0
