"""Contact sheets (a JPEG grid of labelled cells) and the static gallery page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from higgsfield_mcp.domain.library.contact_sheet import (
    Cell,
    GalleryItem,
    SheetLayout,
    render_contact_sheet,
    render_gallery,
)


@pytest.mark.parametrize(
    ("count", "grid"), [(1, (1, 1)), (3, (3, 1)), (5, (4, 2)), (12, (4, 3)), (15, (4, 4)), (20, (5, 4))]
)
def test_layout_grids(count: int, grid: tuple[int, int]) -> None:
    layout = SheetLayout.for_count(count)
    assert (layout.columns, layout.rows) == grid
    last = layout.label_box(count - 1)
    assert last[2] <= layout.width - layout.margin and last[3] <= layout.height - layout.margin


def cells(tmp_path: Path, count: int) -> list[Cell]:
    made = []
    for n in range(count):
        path = tmp_path / f"{n}.png"
        Image.new("RGB", (400 + 40 * n, 300), ((n * 53) % 256, (n * 97) % 256, (n * 31) % 256)).save(path)
        made.append(Cell(path, f"{n + 1}. Environment", "Maya Chen" if n % 2 else ""))
    return made


def test_twelve_cells_each_its_own_image_with_a_label(tmp_path: Path) -> None:
    data = render_contact_sheet(cells(tmp_path, 12), title="Night Ferry")
    layout = SheetLayout.for_count(12)
    with Image.open(io.BytesIO(data)) as sheet:
        assert sheet.format == "JPEG" and sheet.size == (layout.width, layout.height)
        means = []
        for index in range(12):
            left, top, right, bottom = layout.image_box(index)
            centre = sheet.crop((left + 140, top + 140, right - 140, bottom - 140))
            means.append(tuple(round(v / 16) for v in ImageStat.Stat(centre).mean))
            label = sheet.crop(layout.label_box(index)).convert("L")
            assert ImageStat.Stat(label).extrema[0][0] < 90, "dark label text on the light strip"
        assert len(set(means)) == 12
        title = sheet.crop((0, 0, layout.width, layout.header_height + layout.margin)).convert("L")
        assert ImageStat.Stat(title).extrema[0][0] < 90


def test_missing_or_unreadable_images_get_a_placeholder_not_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    data = render_contact_sheet([Cell(None, "1. Tone"), Cell(broken, "2. Tone"), Cell(tmp_path / "gone.png", "3.")])
    layout = SheetLayout.for_count(3, titled=False)
    assert Image.open(io.BytesIO(data)).size == (layout.width, layout.height)


def test_long_labels_are_cut_to_the_cell(tmp_path: Path) -> None:
    [cell] = cells(tmp_path, 1)
    long = Cell(cell.image, "Character " * 30, "detail " * 40)
    assert render_contact_sheet([long])  # renders; the text is cut with an ellipsis rather than overflowing


def test_gallery_is_static_relative_and_escaped() -> None:
    items = [
        GalleryItem("01 <evil>.png", "Character", "Maya & Leo", 'a "quoted" <script>alert(1)</script> prompt'),
        GalleryItem(None, "Tone"),
    ]
    page = render_gallery("Night <Ferry>", items, intro="A & B", sheet_file="contact-sheet.jpg")
    assert '<img src="01%20%3Cevil%3E.png"' in page and 'href="contact-sheet.jpg"' in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "Night &lt;Ferry&gt;" in page
    assert "still generating" in page
    assert not re.search(r'(src|href)="(https?:|//|/)', page), "no external or absolute references"
