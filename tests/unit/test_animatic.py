"""The animatic: scenes cut to their durations at one resolution and frame rate, decoded back to check."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from PIL import Image

from higgsfield_mcp.domain.library.animatic import PageScene, Segment, assemble, frame_size, render_page
from higgsfield_sandbox.render import video_clip


def _decode(path: Path) -> tuple[int, int, int, float, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        rate = float(stream.average_rate or 0)
        length = float(container.duration or 0) / 1_000_000
    return frames[0].width, frames[0].height, len(frames), rate, length


def test_mismatched_clips_stills_and_shapes_cut_to_the_storyboard(tmp_path: Path) -> None:
    short = tmp_path / "short.mp4"
    short.write_bytes(video_clip(Image.new("RGB", (320, 180), (200, 40, 40)), 2.0))
    long = tmp_path / "long.mp4"
    long.write_bytes(video_clip(Image.new("RGB", (180, 320), (40, 200, 40)), 7.0))  # portrait in a 16:9 cut
    still = tmp_path / "still.png"
    Image.new("RGB", (1024, 1024), (40, 40, 200)).save(still)
    segments = [
        Segment("1. Arrival", "wide · 4 s", 4, clip=short),
        Segment("2. The letter", "close-up · 3 s", 3, still=still),
        Segment("3. Departure", "medium · 5 s", 5, clip=long),
    ]
    cut = assemble(segments, tmp_path / "animatic.mp4", tmp_path / "poster.jpg", fps=12, long_side=640)
    width, height, frames, rate, length = _decode(tmp_path / "animatic.mp4")
    assert (width, height) == (640, 360) == (cut.width, cut.height)
    assert frames == cut.frames == 12 * (4 + 3 + 5) and rate == 12
    assert length == pytest.approx(12, abs=0.5)
    assert "held 2.0 s" in cut.scenes[0] and "still held" in cut.scenes[1] and "cut from 7.0 s" in cut.scenes[2]
    assert Image.open(tmp_path / "poster.jpg").size == (640, 360)
    assert not list(tmp_path.glob(".*partial"))


def test_frame_size_is_even() -> None:
    assert frame_size("16:9") == (854, 480)
    assert frame_size("9:16") == (480, 854)
    assert all(side % 2 == 0 for side in frame_size("21:9"))


def test_page_links_every_file() -> None:
    page = render_page(
        "Night Ferry",
        [
            PageScene("1. Arrival", "wide", "clip approved", still="s 1.png", clip="c1.mp4"),
            PageScene("2. X", "", "drafted"),
        ],
        animatic="animatic.mp4",
        poster="poster.jpg",
        sheet="sheet.jpg",
    )
    for name in ("s%201.png", "c1.mp4", "animatic.mp4", "poster.jpg", "sheet.jpg"):
        assert f'"{name}"' in page
    assert "no still yet" in page


def test_title_cards_letter_any_script() -> None:
    """Two different kanji give two different cards: Pillow's own font drew both as the same box."""
    from higgsfield_mcp.domain.library.animatic import Segment, _title_card

    def card(title: str) -> bytes:
        return _title_card(Segment(title=title, detail="4 s · medium", seconds=4), (854, 480)).tobytes()

    assert card("1. 美") != card("1. 咲")
    assert card("1. Ночь") != card("1. День")
