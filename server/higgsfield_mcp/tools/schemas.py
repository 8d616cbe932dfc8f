"""Input schemas as advertised in `tools/list`: the same rules in fewer bytes.

Every host puts the whole tool list into the model's context on every turn. Pydantic's
schemas repeat a `title` per property (the name again, capitalised) and spell an optional
argument `anyOf: [X, {"type": "null"}]` with `default: null`. `compact_schema` drops the
titles and the null (or empty-string) defaults and advertises an optional argument as just X: not required,
so a client leaves it out. That is also the most portable spelling (a `type` array, the
other short form, is rejected by single-type dialects such as Gemini's function schemas).
The server still accepts an explicit null: validation runs against the full schema the
SDK built.
"""

from __future__ import annotations

from typing import Any

NULL = {"type": "null"}


def compact_schema(schema: Any) -> Any:
    """The same JSON schema without annotations an agent does not need (see the module doc)."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: compact_schema(prop) for name, prop in value.items()}  # names are data, keep all
        elif (key == "title" and isinstance(value, str)) or (key == "default" and value in (None, "")):
            continue
        else:
            out[key] = compact_schema(value)
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and NULL in options:
        other = next(o for o in options if o != NULL)
        if isinstance(other, dict):
            del out["anyOf"]
            out = {**other, **out}  # the property's own description wins over its item type's
    return out
