"""Small JPEG previews of results, for showing inline in a chat: images downscaled, videos as
a strip of their start, middle and end frames.

Full-size results (4K stills, multi-megabyte PNGs) are too big for many MCP clients to
accept as image content, and some reject anything near 1 MB. A preview is downscaled and
re-encoded until it fits a byte budget, turned upright per its EXIF orientation (phones
and some generators store rotated pixels), and flattened on white (JPEG has no alpha, and
black behind a transparent cut-out reads as a bug). A preview is a nicety: a file that
cannot be previewed yields None and a log line, never an error that would hide the
result itself. CPU-bound; async callers should run it in a worker thread.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageOps

from ...adapters.atomic_files import write_bytes_atomic

log = logging.getLogger(__name__)

PREVIEW_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")
"""Image formats results and references come in. Pillow is told to try only these, so a
video or an exotic file never reaches a parser we do not need (EPS would even run Ghostscript)."""

QUALITY_STEPS = (85, 75, 65, 55, 45, 35)
MIN_SIDE = 64
"""Below this a preview shows nothing useful; give up rather than shrink further."""


@dataclass(frozen=True)
class Preview:
    data: bytes
    width: int
    height: int
    mime_type: Literal["image/jpeg"] = "image/jpeg"

    @property
    def base64(self) -> str:
        """The bytes as MCP image content wants them."""
        return base64.b64encode(self.data).decode("ascii")


def make_preview(path: Path, *, max_side: int = 768, max_bytes: int = 300_000) -> Preview | None:
    """A downscaled JPEG of the image at `path`, at most `max_side` px per side and `max_bytes` long.

    None when `path` is not an image (video, audio), cannot be read, or cannot be made small enough.
    """
    try:
        with Image.open(path, formats=PREVIEW_FORMATS) as opened:
            opened.draft("RGB", (max_side, max_side))  # JPEG only: decode at a reduced scale, much faster
            image = _upright_on_white(opened)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return _fit(image, max_bytes)
    except Exception as exc:  # a preview must never fail the call that produced the result
        log.info("no preview for %s: %s", path, exc)
        return None


VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".m4v", ".mkv"})
"""Files previewed as a strip of frames rather than as an image."""
STRIP_GAP = 4


def make_video_preview(path: Path, *, max_side: int = 768, max_bytes: int = 300_000) -> Preview | None:
    """A JPEG strip of three frames of the clip at `path` (start, middle, end), side by side on white.

    It lets an agent (and the user) judge a clip without playing it. The strip is at most
    `max_side` px wide and `max_bytes` long; None when the file has no decodable video.
    """
    try:
        frames = video_frames(path, (0.0, 0.5, 1.0))
        if not frames:
            return None
        height = min(frame.height for frame in frames)
        scaled = [f.resize((max(1, round(f.width * height / f.height)), height)) for f in frames]
        strip = Image.new("RGB", (sum(f.width for f in scaled) + STRIP_GAP * (len(scaled) - 1), height), "white")
        x = 0
        for frame in scaled:
            strip.paste(frame, (x, 0))
            x += frame.width + STRIP_GAP
        strip.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return _fit(strip, max_bytes)
    except Exception as exc:  # like an image preview: never fail the call that made the result
        log.info("no frame strip for %s: %s", path, exc)
        return None


def video_frames(path: Path, fractions: tuple[float, ...]) -> list[Image.Image]:
    """The frames shown at these fractions of the clip's length (1.0 is its last frame), as RGB images."""
    import av  # imported here: only video previews and the animatic pay for loading FFmpeg

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        length = _seconds(container, stream)
        picked: list[Image.Image] = []
        for fraction in fractions:
            target = (length or 0.0) * fraction
            if stream.time_base:
                container.seek(int(target / stream.time_base), stream=stream, backward=True)
            chosen = None
            for frame in container.decode(stream):
                if chosen is not None and frame.time is not None and frame.time > target:
                    break
                chosen = frame
            if chosen is not None:
                picked.append(chosen.to_image().convert("RGB"))  # type: ignore[no-untyped-call]
        return picked


def probe_video(path: Path) -> tuple[int | None, int | None, float | None]:
    """(width, height, seconds) of a clip's video; None where it cannot be read."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            seconds = _seconds(container, stream)
            return stream.width, stream.height, round(seconds, 2) if seconds else None
    except (av.FFmpegError, IndexError, OSError):
        return None, None, None


def _seconds(container: Any, stream: Any) -> float | None:
    """The video stream's length, else the container's; None when neither says."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return container.duration / 1_000_000 if container.duration else None


def _fit(image: Image.Image, max_bytes: int) -> Preview | None:
    """Lower the JPEG quality step by step, then the size, until the encoding fits `max_bytes`."""
    while True:
        for quality in QUALITY_STEPS:
            data = _jpeg(image, quality)
            if len(data) <= max_bytes:
                return Preview(data=data, width=image.width, height=image.height)
        if min(image.size) * 3 // 4 < MIN_SIDE:
            log.info("no preview: even %dx%d at quality %d exceeds %d bytes", *image.size, QUALITY_STEPS[-1], max_bytes)
            return None
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.Resampling.LANCZOS)


def _upright_on_white(image: Image.Image) -> Image.Image:
    """Load, rotate per EXIF, and convert to RGB with any transparency composited on white."""
    image.seek(0)  # animated GIF/WebP: the first frame
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if upright.mode.startswith("I;16") or upright.mode == "I":
        # 16-bit greyscale: scale to 8 bits instead of clipping everything to white
        upright = upright.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return upright.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


PREVIEW_DIR = ".previews"


def preview_file_for(path: Path) -> Path:
    """Where the preview of a saved result is kept: a hidden folder beside it, never served as a result."""
    return path.parent / PREVIEW_DIR / f"{path.name}.jpg"


def cached_preview(path: Path) -> Preview | None:
    """The preview of `path`, made once and kept on disk; later calls cost a file read, not a resize.

    The poller calls this in a worker thread as soon as a result is saved, so tool calls
    that show the result never pay for the image work on the event loop.
    """
    cache = preview_file_for(path)
    try:
        if cache.is_file() and cache.stat().st_mtime >= path.stat().st_mtime:
            data = cache.read_bytes()
            with Image.open(cache) as image:
                return Preview(data=data, width=image.width, height=image.height)
    except (OSError, ValueError) as exc:
        log.info("preview cache for %s unreadable (%s); making it again", path, exc)
    preview = make_video_preview(path) if path.suffix.lower() in VIDEO_SUFFIXES else make_preview(path)
    if preview is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(cache, preview.data)
        except OSError as exc:  # a read-only media folder still gets its preview, just not cached
            log.info("could not cache the preview of %s: %s", path, exc)
    return preview
