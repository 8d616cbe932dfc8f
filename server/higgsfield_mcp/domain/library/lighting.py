"""A character's lighting notes as prompt words: what to light with, never what to avoid.

Notes are written for people ("avoid flat frontal flash", "no overhead light"); pasted into
a prompt, the words after "avoid" are what the model draws. So each clause is kept when it
says what to do, and a clause that says what not to do is turned into the setup that does
the opposite where the vocabulary knows one, or left out of the prompt (it stays in the
notes for people to read).
"""

from __future__ import annotations

import re

_CLAUSES = re.compile(r"[;.\n]+|,\s*(?=(?:but|and)?\s*(?:avoid|no|not|never|don'?t|without)\b)", re.I)
_NEGATIVE = re.compile(
    r"^\s*(?:but\s+|and\s+)?(?:avoid|no|not|never|don'?t(?:\s+use)?|without|skip|stay away from)\b", re.I
)
_NEGATED_INSIDE = re.compile(r"\b(?:avoid|never|don'?t|not|without)\b", re.I)

OPPOSITES: tuple[tuple[str, str], ...] = (
    ("flash", "soft continuous light"),
    ("flat", "directional light that models the face"),
    ("frontal", "key light from about 45 degrees to the side"),
    ("on-camera", "key light from about 45 degrees to the side"),
    ("overhead", "low, side-angled key light"),
    ("top light", "low, side-angled key light"),
    ("harsh", "soft, diffused light"),
    ("hard", "soft, diffused light"),
    ("direct sun", "open shade or overcast daylight"),
    ("noon", "low golden-hour sun"),
    ("fluorescent", "warm tungsten practicals"),
    ("mixed", "one consistent colour temperature"),
    ("green", "neutral, clean skin tones"),
    ("blown", "highlights held with detail"),
    ("overexposed", "highlights held with detail"),
    ("underexposed", "a well-exposed face"),
    ("muddy", "clear contrast between light and shadow"),
    ("backlit", "the key light in front of the subject"),
    ("silhouette", "the face lit and readable"),
    ("shadow", "a fill light that opens the shadows"),
    ("cold", "warm light"),
    ("warm", "cool light"),
    ("ring light", "a large soft key light"),
)
"""Words a "don't" clause may name → the positive setup that does the opposite (first match per word)."""


def prompt_lighting(notes: str, fallback: str) -> str:
    """The notes as positive lighting phrases for a prompt; `fallback` when nothing positive is left."""
    phrases: list[str] = []
    for clause in (c.strip(" ,") for c in _CLAUSES.split(notes or "")):
        if not clause:
            continue
        if _NEGATIVE.match(clause) or _NEGATED_INSIDE.search(clause):
            phrases += _opposites(clause)
        else:
            phrases.append(clause)
    kept = list(dict.fromkeys(p for p in phrases if p))
    return ", ".join(kept) if kept else fallback


def _opposites(clause: str) -> list[str]:
    lowered = clause.lower()
    return [positive for word, positive in OPPOSITES if re.search(rf"\b{re.escape(word)}\b", lowered)]
