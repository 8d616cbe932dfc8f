"""The one home for a model's prompt shape: plain text for most, a JSON object for some.

Soul Cast declares its prompt as an object (`{"prompt": "..."}`); sent as a bare string the
CLI refuses it ("should be object|null, got string"). Which models do this, and under which
key the words go, is catalogue data (`ModelInfo.prompt_key`, from the live schema when the
CLI has one), so `generate`, `make_references` and moodboards all send the right shape.
"""

from __future__ import annotations

import json
from typing import Any

from .catalogue import ModelInfo


def wire_prompt(model: ModelInfo, prompt: Any) -> str | None:
    """The prompt as the CLI must receive it for this model (a JSON object given as such is kept)."""
    if prompt is None:
        return None
    if isinstance(prompt, dict):
        return json.dumps(prompt, ensure_ascii=False)
    text = str(prompt)
    if model.prompt_key is None or _object(text) is not None:
        return text
    return json.dumps({model.prompt_key: text}, ensure_ascii=False)


def prompt_words(prompt: str | None) -> str | None:
    """The words of a prompt, also when it was sent as a JSON object."""
    data = _object(prompt) if prompt else None
    if data is None:
        return prompt
    words = [value for value in data.values() if isinstance(value, str)]
    return " ".join(words) or prompt


def _object(text: str | None) -> dict[str, Any] | None:
    if not text or not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
