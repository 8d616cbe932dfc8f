"""Contact-sheet lettering cost with names in several scripts, printed as figures.

    .venv/bin/python benchmarks/bench_sheets.py [--cells 15] [--runs 10]

Every label is drawn run by run in the first font that has its characters (system fonts,
then the DejaVu Sans and Droid Sans Fallback subsets shipped in the package), so this
times the first sheet (fonts opened, glyph checks cached) against later ones, and a sheet
lettered in Latin only against one in Latin, Cyrillic and CJK, and the lettering alone (the
rest is decoding and scaling the images). Machines here are shared and noisy: medians are
printed next to the best run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from higgsfield_mcp.domain.library import lettering
from higgsfield_mcp.domain.library.contact_sheet import Cell, render_contact_sheet

LATIN = ["Mara Voss", "Teo Lind", "Harbour at dawn", "Palette study", "Mood frame"]
MIXED = ["美咲", "Ночной рынок", "Zoë Martín — café", "민지", "Teo Lind"]


def _cells(folder: Path, names: list[str], count: int) -> list[Cell]:
    image = folder / "img.png"
    Image.new("RGB", (768, 1024), (90, 120, 150)).save(image)
    return [Cell(image, f"{n + 1}. Character", names[n % len(names)]) for n in range(count)]


def _time(cells: list[Cell], title: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render_contact_sheet(cells, title=title)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _letter_only(cells: list[Cell], title: str, runs: int) -> list[float]:
    """Only the text of a sheet (title, labels, details) on a blank canvas: what the font fallback costs."""
    canvas = Image.new("RGB", (1400, 1300), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        lettering.draw_text(draw, (24, 24), lettering.fit(title, 26, 1300), size=26, fill=(0, 0, 0))
        for n, cell in enumerate(cells):
            lettering.draw_text(draw, (24, 60 + n * 40), lettering.fit(cell.label, 16, 316), size=16, fill=(0, 0, 0))
            lettering.draw_text(draw, (24, 80 + n * 40), lettering.fit(cell.detail, 13, 316), size=13, fill=(0, 0, 0))
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=15)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print("fonts tried, in order:", ", ".join(p.name for p in lettering.font_files()))
    with tempfile.TemporaryDirectory() as tmp:
        for label, names, title in (
            ("latin", LATIN, "Harbour Lights"),
            ("latin+cyrillic+cjk", MIXED, "Ночной рынок — 美咲"),
        ):
            cells = _cells(Path(tmp), names, args.cells)
            [first] = _time(cells, title, 1)
            later = _time(cells, title, args.runs)
            lettered = _letter_only(cells, title, args.runs)
            print(
                f"{label:>20}: {args.cells} cells, first sheet {first:.0f} ms, "
                f"then median {statistics.median(later):.0f} ms, best {min(later):.0f} ms; "
                f"the lettering alone median {statistics.median(lettered):.1f} ms"
            )


if __name__ == "__main__":
    main()
