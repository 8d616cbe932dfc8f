"""Every video result gets a strip of its start, middle and end frames as its preview."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from higgsfield_mcp.domain.generation.previews import cached_preview, make_preview, make_video_preview, preview_file_for
from higgsfield_sandbox.render import video_clip


def _clip(tmp_path: Path, size: tuple[int, int] = (320, 180), seconds: float = 3.0) -> Path:
    poster = Image.new("RGB", size, (30, 60, 120))
    ImageDraw.Draw(poster).ellipse((20, 20, size[0] // 3, size[1] // 2), fill=(220, 120, 40))
    path = tmp_path / "clip.mp4"
    path.write_bytes(video_clip(poster, seconds))
    return path


def test_strip_shows_start_middle_and_end(tmp_path: Path) -> None:
    clip = _clip(tmp_path)
    preview = make_video_preview(clip)
    assert preview is not None and preview.mime_type == "image/jpeg"
    assert len(preview.data) < 1_000_000
    strip = Image.open(io.BytesIO(preview.data)).convert("RGB")
    assert strip.width > 2.5 * strip.height  # three 16:9 frames side by side
    third = (strip.width - 8) // 3
    # the sandbox's light bar sweeps left to right: bottom-left lit at the start, bottom-right at the end
    bottom = strip.height - 2
    assert sum(strip.getpixel((4, bottom))) > 600  # type: ignore[arg-type]
    assert sum(strip.getpixel((2 * third + 8 + third - 4, bottom))) > 600  # type: ignore[arg-type]
    assert sum(strip.getpixel((2 * third + 8 + 4, bottom))) < 400  # type: ignore[arg-type]
    (tmp_path / "strip.jpg").write_bytes(preview.data)


def test_portrait_strip_and_byte_budget(tmp_path: Path) -> None:
    clip = _clip(tmp_path, (180, 320))
    preview = make_video_preview(clip, max_side=300, max_bytes=20_000)
    assert preview is not None and len(preview.data) <= 20_000 and preview.width <= 300
    assert preview.width > preview.height


def test_cached_preview_picks_the_strip_for_videos(tmp_path: Path) -> None:
    clip = _clip(tmp_path)
    preview = cached_preview(clip)
    assert preview is not None and preview.width > 2.5 * preview.height
    assert preview_file_for(clip).is_file()
    assert make_preview(clip) is None  # the image entry point still refuses videos


def test_broken_video_gives_none(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 512)
    assert make_video_preview(broken) is None
    assert cached_preview(broken) is None
