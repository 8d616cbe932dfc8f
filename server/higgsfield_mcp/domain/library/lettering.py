"""Lettering for sheets: names and labels in any script, drawn with whatever font has each character.

Pillow's built-in font has no dashes, accents, Cyrillic or CJK, so a sheet for "Café" or
美咲 came out as boxes. Here a line is split into runs, each drawn with the first font
that has its characters: a sans-serif installed on the system first (so a machine with
its own CJK fonts uses them), then the two freely licensed fonts shipped in the package
(`higgsfield_mcp/fonts/`, see its README for licences and coverage), then Pillow's own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent.parent.parent / "fonts"
SHIPPED_FONTS = ("DejaVuSans-subset.ttf", "DroidSansFallback-subset.ttf")

SYSTEM_FONTS = (
    # Linux (Debian/Ubuntu/Fedora names)
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    # macOS
    "/System/Library/Fonts/Helvetica.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    # Windows
    "C:/Windows/Fonts/segoeui.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/YuGothM.ttc",
    "C:/Windows/Fonts/malgun.ttf",
)
"""Sans-serif fonts looked for on the system, Latin first, then CJK; missing ones are skipped."""

Font = Any  # ImageFont.FreeTypeFont | ImageFont.ImageFont (Pillow ships no type hints)


@cache
def font_files() -> tuple[Path, ...]:
    """The fonts in the order they are tried: the system's, then the shipped ones."""
    found = [Path(p) for p in SYSTEM_FONTS if Path(p).is_file()]
    found += [SHIPPED / name for name in SHIPPED_FONTS if (SHIPPED / name).is_file()]
    return tuple(found)


@cache
def _faces(size: int) -> tuple[Font, ...]:
    faces: list[Font] = []
    for path in font_files():
        try:
            faces.append(ImageFont.truetype(str(path), size))
        except OSError as exc:  # an unreadable or unsupported file: try the next one
            log.debug("font %s not usable: %s", path, exc)
    faces.append(ImageFont.load_default(size=size))
    return tuple(faces)


_MISSING = "\U0010fffd"  # a private-use code point no font draws: its mask is the font's "no glyph" box


@cache
def _has(face: Font, char: str) -> bool:
    """Whether `face` draws `char` as itself rather than its missing-glyph box."""
    if char.isspace():
        return True
    try:
        mask = face.getmask(char)
        missing = face.getmask(_MISSING)
    except (OSError, ValueError, UnicodeError):
        return False
    if mask.size == (0, 0) or mask.getbbox() is None:
        return False
    return bool(mask.size != missing.size or bytes(mask) != bytes(missing))


def face_for(char: str, size: int) -> Font:
    """The first font that has `char` (the last resort, Pillow's own, when none has it)."""
    faces = _faces(size)
    return next((face for face in faces[:-1] if _has(face, char)), faces[0])


def runs(text: str, size: int) -> Iterator[tuple[str, Font]]:
    """`text` cut into stretches that one font draws, in order."""
    current = ""
    current_face: Font | None = None
    for char in text:
        face = _faces(size)[0] if char.isspace() else face_for(char, size)  # a CJK font's space is too wide
        if face is current_face:
            current += char
            continue
        if current and current_face is not None:
            yield current, current_face
        current, current_face = char, face
    if current and current_face is not None:
        yield current, current_face


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, *, size: int, fill: Any) -> None:
    """Draw one line of `text` from its top-left corner, each run in the font that has it."""
    x, y = xy
    base = _faces(size)[0]
    ascent = base.getmetrics()[0] if hasattr(base, "getmetrics") else size
    for part, face in runs(text, size):
        offset = ascent - face.getmetrics()[0] if hasattr(face, "getmetrics") else 0
        draw.text((x, y + offset), part, fill=fill, font=face)
        x += face.getlength(part)


def fit(text: str, size: int, width: float) -> str:
    """`text` on one line, cut with an ellipsis where it would run past `width` pixels."""
    line = " ".join(text.split())
    if measure(line, size) <= width:
        return line
    while line and measure(line + "…", size) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def measure(text: str, size: int) -> float:
    """How wide `text` is when drawn by `draw_text`."""
    return float(sum(face.getlength(part) for part, face in runs(text, size)))


def specimen(text: str, size: int = 28) -> Image.Image:
    """A strip with `text` lettered on it (for checking a font by eye)."""
    width = int(measure(text, size)) + 2 * size
    image = Image.new("RGB", (max(width, 1), size * 2), (255, 255, 255))
    draw_text(ImageDraw.Draw(image), (size, size // 2), text, size=size, fill=(0, 0, 0))
    return image
