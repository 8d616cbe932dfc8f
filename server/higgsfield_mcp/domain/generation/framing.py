"""The frame a generation gets when the request does not name one.

Two defaults a director expects: a cinematic still is wide (16:9, or 21:9 when the request
says widescreen or anamorphic), and a clip keeps the shape of its first frame (the nearest
ratio the video model accepts, with one line saying so when it had to change). An aspect
ratio the user or the router gave always wins; these only fill the gap, and only with a
ratio the model declares.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

from PIL import Image

from .catalogue import ModelInfo

_SCOPE = re.compile(r"\b(wide ?screen|anamorphic|cinemascope|scope|2\.39|2\.35|ultra[- ]?wide|letterbox\w*)\b", re.I)


def declared_ratios(model: ModelInfo) -> list[str]:
    """The explicit `w:h` ratios the model takes (not `auto`), as the schema lists them."""
    spec = model.params.get("aspect_ratio")
    return [r for r in (spec.enum or []) if _value(r) is not None] if spec else []


def wide_default(model: ModelInfo, request_text: str | None) -> str | None:
    """16:9 (21:9 when asked for widescreen/anamorphic) for a cinematic still model, if it declares it."""
    if not model.wide_frame:
        return None
    ratios = declared_ratios(model)
    if request_text and _SCOPE.search(request_text) and "21:9" in ratios:
        return "21:9"
    return "16:9" if "16:9" in ratios else None


def image_size(path: Path) -> tuple[int, int] | None:
    """Width and height of an image file, or None when it cannot be read as one."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, ValueError):
        return None
    return (int(width), int(height)) if width and height else None


def nearest_ratio(model: ModelInfo, width: int, height: int) -> str | None:
    """The declared ratio closest in shape to `width`×`height` (compared on a log scale)."""
    target = math.log(width / height)
    scored = [(abs(math.log(value) - target), ratio) for ratio in declared_ratios(model) if (value := _value(ratio))]
    return min(scored)[1] if scored else None


def start_frame_ratio(model: ModelInfo, path: Path | None) -> tuple[str | None, str | None]:
    """The ratio a clip from this first frame should have, and a note when it is not the frame's own shape."""
    if model.kind != "video" or path is None:
        return None, None
    size = image_size(path)
    if size is None:
        return None, None
    width, height = size
    chosen = nearest_ratio(model, width, height)
    if chosen is None:
        return None, None
    value = _value(chosen) or 1.0
    if abs(math.log(value) - math.log(width / height)) < 0.02:  # the frame's own shape, give or take rounding
        return chosen, None
    note = (
        f"The start image is {width}x{height} ({_label(width, height)}); {model.display_name} has no such ratio, "
        f"so the clip is {chosen}, the nearest it takes."
    )
    return chosen, note


def _value(ratio: str) -> float | None:
    left, sep, right = ratio.partition(":")
    try:
        a, b = float(left), float(right)
    except ValueError:
        return None
    return a / b if sep and a > 0 and b > 0 else None


def _label(width: int, height: int) -> str:
    """`w:h` in small numbers where it is close to one (768x1024 → 3:4), else the exact fraction."""
    exact = Fraction(width, height)
    close = exact.limit_denominator(32)
    if abs(float(close) - float(exact)) / float(exact) < 0.01:
        exact = close
    return f"{exact.numerator}:{exact.denominator}"
