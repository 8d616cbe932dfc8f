"""Contact sheets and galleries: a set of images seen at once, as a JPEG grid and as a web page.

A moodboard or a character sheet is judged as a set, so both views show every image with
what it is for: the contact sheet is one JPEG grid (each cell labelled with its role and
character) to send or print; the gallery is a static `index.html` beside the images, with
relative links and no scripts or external assets, so it opens from disk, a zip or any
static host. Pure functions of their inputs; Pillow only.
"""

from __future__ import annotations

import html
import io
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from PIL import Image, ImageDraw, ImageOps

from ..generation.previews import PREVIEW_FORMATS
from .lettering import draw_text, fit

BACKGROUND = (246, 245, 242)
FRAME = (226, 224, 219)
INK = (28, 28, 28)
MUTED = (110, 108, 104)


@dataclass(frozen=True)
class Cell:
    """One image of a sheet with its label (role) and detail (character, angle or note)."""

    image: Path | None
    label: str
    detail: str = ""


@dataclass(frozen=True)
class SheetLayout:
    """Where everything sits on a sheet; tests and the gallery use it to find each cell."""

    count: int
    columns: int
    rows: int
    cell_width: int = 320
    image_height: int = 320
    label_height: int = 46
    gap: int = 12
    margin: int = 24
    header_height: int = 0

    @classmethod
    def for_count(cls, count: int, *, titled: bool = True) -> SheetLayout:
        """Up to 16 images in at most four columns (a 12-image moodboard is 4 × 3); more in a square grid."""
        columns = max(1, min(count, 4) if count <= 16 else math.ceil(math.sqrt(count)))
        rows = max(1, math.ceil(count / columns))
        return cls(count=count, columns=columns, rows=rows, header_height=56 if titled else 0)

    @property
    def cell_height(self) -> int:
        return self.image_height + self.label_height

    @property
    def width(self) -> int:
        return 2 * self.margin + self.columns * self.cell_width + (self.columns - 1) * self.gap

    @property
    def height(self) -> int:
        return 2 * self.margin + self.header_height + self.rows * self.cell_height + (self.rows - 1) * self.gap

    def origin(self, index: int) -> tuple[int, int]:
        row, column = divmod(index, self.columns)
        x = self.margin + column * (self.cell_width + self.gap)
        y = self.margin + self.header_height + row * (self.cell_height + self.gap)
        return x, y

    def image_box(self, index: int) -> tuple[int, int, int, int]:
        x, y = self.origin(index)
        return x, y, x + self.cell_width, y + self.image_height

    def label_box(self, index: int) -> tuple[int, int, int, int]:
        x, y = self.origin(index)
        return x, y + self.image_height, x + self.cell_width, y + self.cell_height


def render_contact_sheet(cells: Sequence[Cell], *, title: str | None = None, quality: int = 85) -> bytes:
    """The sheet as JPEG bytes: a grid of the images, each with its label strip under it."""
    layout = SheetLayout.for_count(len(cells), titled=bool(title))
    sheet = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    if title:
        draw_text(draw, (layout.margin, layout.margin + 8), fit(title, 26, layout.width), size=26, fill=INK)
    for index, cell in enumerate(cells):
        left, top, right, bottom = layout.image_box(index)
        draw.rectangle((left, top, right - 1, bottom - 1), fill=FRAME)
        thumb = _thumbnail(cell.image, (layout.cell_width, layout.image_height))
        if thumb is None:
            message = "pending" if cell.image is None else "unreadable"
            draw_text(draw, (left + 12, top + layout.image_height // 2 - 8), message, size=16, fill=MUTED)
        else:
            sheet.paste(
                thumb, (left + (layout.cell_width - thumb.width) // 2, top + (layout.image_height - thumb.height) // 2)
            )
        lx, ly, _, _ = layout.label_box(index)
        draw_text(draw, (lx + 2, ly + 5), fit(cell.label, 16, layout.cell_width - 4), size=16, fill=INK)
        if cell.detail:
            draw_text(draw, (lx + 2, ly + 25), fit(cell.detail, 13, layout.cell_width - 4), size=13, fill=MUTED)
    buffer = io.BytesIO()
    sheet.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


@dataclass(frozen=True)
class GalleryItem:
    file: str | None
    """Relative to the page (same folder); None for an image still generating."""
    label: str
    detail: str = ""
    caption: str = ""


def render_gallery(title: str, items: Sequence[GalleryItem], *, intro: str = "", sheet_file: str | None = None) -> str:
    """A self-contained static page of the images: relative links, inline CSS, no scripts, no external assets."""
    esc = html.escape
    figures: list[str] = []
    for number, item in enumerate(items, start=1):
        caption = f"<strong>{number}. {esc(item.label)}</strong>"
        if item.detail:
            caption += f" <span>{esc(item.detail)}</span>"
        if item.caption:
            caption += f"<small>{esc(item.caption)}</small>"
        if item.file:
            src = esc(quote(item.file))
            media = f'<a href="{src}"><img src="{src}" alt="{esc(item.label)}" loading="lazy"></a>'
        else:
            media = '<div class="pending">still generating</div>'
        figures.append(f"<figure>{media}<figcaption>{caption}</figcaption></figure>")
    sheet = f'<p><a href="{esc(quote(sheet_file))}">Contact sheet</a></p>' if sheet_file else ""
    made = time.strftime("%Y-%m-%d %H:%M")
    return _PAGE.format(
        title=esc(title),
        intro=f'<p class="intro">{esc(intro)}</p>' if intro else "",
        sheet=sheet,
        figures="\n".join(figures),
        count=len(items),
        made=made,
    )


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; padding: 2rem; font: 15px/1.45 system-ui, sans-serif; background: #f6f5f2; color: #1c1c1c; }}
header {{ max-width: 70rem; margin: 0 auto 1.5rem; }}
h1 {{ margin: 0 0 .4rem; font-size: 1.6rem; }}
.intro {{ color: #4a4946; margin: 0 0 .6rem; }}
main {{ max-width: 70rem; margin: 0 auto; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }}
figure {{ margin: 0; background: #fff; border: 1px solid #e2e0db; }}
img {{ display: block; width: 100%; height: 16rem; object-fit: cover; background: #e2e0db; }}
.pending {{ height: 16rem; display: grid; place-items: center; color: #6e6c68; background: #e2e0db; }}
figcaption {{ padding: .5rem .7rem .7rem; }}
figcaption span {{ color: #4a4946; }}
figcaption small {{ display: block; margin-top: .3rem; color: #6e6c68; }}
footer {{ max-width: 70rem; margin: 1.5rem auto 0; color: #6e6c68; font-size: .85rem; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
{intro}
{sheet}
</header>
<main>
{figures}
</main>
<footer>{count} image(s) · made {made} by higgsfield-mcp</footer>
</body>
</html>
"""


def _thumbnail(path: Path | None, box: tuple[int, int]) -> Image.Image | None:
    if path is None:
        return None
    try:
        with Image.open(path, formats=PREVIEW_FORMATS) as opened:
            opened.draft("RGB", box)
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError):
        return None
    image.thumbnail(box, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return image
