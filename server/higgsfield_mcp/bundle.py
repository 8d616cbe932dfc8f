"""Where the files that ship beside the code (SKILL.md, references/, skill/) live.

A wheel force-includes them under `higgsfield_mcp/bundle/`; a source checkout or an
editable install has them at the repository root. Looking in the packaged place first
means an installed wheel never reads a stray checkout that happens to sit above it.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_PACKAGED_ROOT = _PACKAGE / "bundle"
_SOURCE_ROOT = _PACKAGE.parent.parent
"""server/higgsfield_mcp/bundle.py → the repository root."""


def bundle_path(*parts: str) -> Path:
    """The bundled file or folder at `parts` (e.g. `bundle_path("skill", "models.json")`).

    Raises FileNotFoundError naming both places looked in, so a broken install says what
    is missing instead of failing later on a None.
    """
    relative = Path(*parts)
    for root in (_PACKAGED_ROOT, _SOURCE_ROOT):
        candidate = root / relative
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"{relative} is not bundled: looked in {_PACKAGED_ROOT / relative} and {_SOURCE_ROOT / relative}. "
        "Reinstall higgsfield-mcp."
    )
