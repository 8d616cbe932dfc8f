"""The animatic: a storyboard's scenes cut together, in order, as one MP4 (PyAV; no system ffmpeg).

Each scene lasts exactly its duration in the cut, so the animatic's length is the
storyboard's: its clip plays from its first frame (a clip longer than the scene is cut, one
shorter holds its last frame, and both are said in the result), or where there is no clip
yet its still is held. Every source is letterboxed into one resolution and frame rate. A
short title card (scene number, beat, duration) sits over the first moments of each scene
instead of adding time, so the timing reviewed is the timing that will be cut.

Also here: the storyboard's static `index.html`, which shows the animatic and plays the
scenes' clips one after another. CPU-bound; async callers run it in a worker thread.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote

from PIL import Image, ImageDraw

from ...adapters.atomic_files import write_bytes_atomic
from ..generation.previews import PREVIEW_FORMATS
from . import lettering

FPS = 24
LONG_SIDE = 854
"""480p for 16:9: an animatic is for judging timing and flow, and stays small enough to share."""
TITLE_SECONDS = 1.5
BAND = (12, 12, 12)


@dataclass(frozen=True)
class Segment:
    """One scene in the cut: its title, its length, and what to show (a clip, else a still)."""

    title: str
    detail: str
    seconds: float
    clip: Path | None = None
    still: Path | None = None


@dataclass
class Cut:
    """What was written: the file's shape, and per scene what it shows (with any length mismatch)."""

    width: int
    height: int
    fps: int
    frames: int
    seconds: float
    scenes: list[str] = field(default_factory=list)


def frame_size(aspect_ratio: str, long_side: int = LONG_SIDE) -> tuple[int, int]:
    """Even pixel sides (H.264 needs them) for an `a:b` ratio with the given long side."""
    try:
        a, b = (float(x) for x in aspect_ratio.split(":"))
    except ValueError:
        a, b = 16.0, 9.0
    if a <= 0 or b <= 0:
        a, b = 16.0, 9.0
    width, height = (long_side, long_side * b / a) if a >= b else (long_side * a / b, long_side)
    return int(width) // 2 * 2, int(height) // 2 * 2


def assemble(
    segments: Sequence[Segment],
    target: Path,
    poster: Path,
    *,
    aspect_ratio: str = "16:9",
    fps: int = FPS,
    long_side: int = LONG_SIDE,
) -> Cut:
    """Write the animatic to `target` (atomically) and a poster frame to `poster`; raises ValueError if empty."""
    import av  # loaded only when an animatic is made

    if not segments:
        raise ValueError("no scenes to assemble")
    width, height = frame_size(aspect_ratio, long_side)
    cut = Cut(width=width, height=height, fps=fps, frames=0, seconds=0.0)
    partial = target.with_name(f".{target.name}.partial")
    poster_image: Image.Image | None = None
    try:
        with av.open(str(partial), mode="w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=fps, options={"preset": "superfast", "crf": "23"})
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.time_base = Fraction(1, fps)
            for segment in segments:
                count = max(1, round(segment.seconds * fps))
                frames, said = _source_frames(segment, (width, height), count / fps)
                cut.scenes.append(f"{segment.title}: {said}")
                card = _title_card(segment, (width, height))
                titled = min(round(TITLE_SECONDS * fps), count // 2)
                times = [t for t, _ in frames]
                for index in range(count):
                    at = index / fps
                    image = frames[_last_at_or_before(times, at)][1]
                    if poster_image is None and index == count // 2:
                        poster_image = image
                    if index < titled:
                        image = image.copy()
                        image.paste(card, (0, 0), card)
                    frame = av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]
                    frame.pts = cut.frames
                    for packet in stream.encode(frame):
                        container.mux(packet)
                    cut.frames += 1
            for packet in stream.encode():
                container.mux(packet)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    cut.seconds = round(cut.frames / fps, 3)
    if poster_image is not None:
        write_bytes_atomic(poster, _jpeg(poster_image))
    return cut


Frames = list[tuple[float, Image.Image]]


def _source_frames(segment: Segment, size: tuple[int, int], seconds: float) -> tuple[Frames, str]:
    """(time, fitted image) pairs to draw the scene from, and a plain note of what the scene shows."""
    if segment.clip is not None:
        frames = _clip_frames(segment.clip, size)
        if frames:
            length = frames[-1][0] + (frames[1][0] - frames[0][0] if len(frames) > 1 else 0.0)
            if length + 0.05 < seconds:
                return frames, f"clip ({length:.1f} s) then its last frame held {seconds - length:.1f} s"
            if length > seconds + 0.05:
                return frames, f"clip cut from {length:.1f} s to {seconds:.1f} s"
            return frames, f"clip ({length:.1f} s)"
    if segment.still is not None:
        with Image.open(segment.still, formats=PREVIEW_FORMATS) as opened:
            still = _fit(opened.convert("RGB"), size)
        what = "still held (its clip could not be read)" if segment.clip is not None else "still held (no clip yet)"
        return [(0.0, still)], f"{what} {seconds:.1f} s"
    return [(0.0, Image.new("RGB", size, BAND))], f"nothing to show yet: a blank card {seconds:.1f} s"


def _clip_frames(path: Path, size: tuple[int, int]) -> list[tuple[float, Image.Image]]:
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            start: float | None = None
            frames: list[tuple[float, Image.Image]] = []
            for frame in container.decode(stream):
                at = float(frame.time or 0.0)
                start = at if start is None else start
                image = frame.to_image().convert("RGB")  # type: ignore[no-untyped-call]
                frames.append((at - start, _fit(image, size)))
            return frames
    except (av.FFmpegError, IndexError, OSError):
        return []


def _last_at_or_before(times: Sequence[float], at: float) -> int:
    index = 0
    for i, t in enumerate(times):
        if t <= at + 1e-6:
            index = i
        else:
            break
    return index


def _fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The image scaled to fit `size` whole, centred on black (letterbox or pillarbox)."""
    scale = min(size[0] / image.width, size[1] / image.height)
    box = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    scaled = image.resize(box, Image.Resampling.BILINEAR)
    canvas = Image.new("RGB", size, (0, 0, 0))
    canvas.paste(scaled, ((size[0] - scaled.width) // 2, (size[1] - scaled.height) // 2))
    return canvas


def _title_card(segment: Segment, size: tuple[int, int]) -> Image.Image:
    """A translucent band across the top with the scene's number and beat, and its duration and framing.

    Lettered like the sheets (`lettering`), so a beat in Cyrillic or a name in kanji reads as
    written rather than as boxes.
    """
    width, height = size
    big, small = max(14, height // 18), max(11, height // 30)
    band = max(48, height // 6)
    card = Image.new("RGBA", (width, band), (*BAND, 190))
    draw = ImageDraw.Draw(card)
    margin = max(10, width // 60)
    room = width - 2 * margin
    lettering.draw_text(draw, (margin, margin // 2), lettering.fit(segment.title, big, room), size=big, fill="white")
    detail = lettering.fit(segment.detail, small, room)
    lettering.draw_text(draw, (margin, band - margin // 2 - small * 5 // 4), detail, size=small, fill=(215, 215, 215))
    return card


def _jpeg(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()


# -- the storyboard page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageScene:
    title: str
    detail: str
    state: str
    still: str | None = None
    clip: str | None = None
    note: str = ""


def render_page(
    title: str,
    scenes: Sequence[PageScene],
    *,
    intro: str = "",
    animatic: str | None = None,
    poster: str | None = None,
    sheet: str | None = None,
) -> str:
    """A static page (relative links only) with the animatic and every scene; a button plays the clips in order."""
    esc = html.escape

    def src(name: str) -> str:
        return esc(quote(name))

    figures: list[str] = []
    for scene in scenes:
        if scene.clip:
            poster_attr = f' poster="{src(scene.still)}"' if scene.still else ""
            media = f'<video class="clip" src="{src(scene.clip)}"{poster_attr} controls preload="metadata"></video>'
        elif scene.still:
            media = f'<a href="{src(scene.still)}"><img src="{src(scene.still)}" alt="{esc(scene.title)}"></a>'
        else:
            media = '<div class="pending">no still yet</div>'
        note = f"<small>Note: {esc(scene.note)}</small>" if scene.note else ""
        figures.append(
            f"<figure>{media}<figcaption><strong>{esc(scene.title)}</strong> <em>{esc(scene.state)}</em>"
            f"<span>{esc(scene.detail)}</span>{note}</figcaption></figure>"
        )
    top = ""
    if animatic:
        poster_attr = f' poster="{src(poster)}"' if poster else ""
        top = f'<video class="animatic" src="{src(animatic)}"{poster_attr} controls preload="metadata"></video>'
    links = [f'<a href="{src(sheet)}">Storyboard sheet</a>'] if sheet else []
    if animatic:
        links.append(f'<a href="{src(animatic)}">Animatic (MP4)</a>')
    return _PAGE.format(
        title=esc(title),
        intro=f'<p class="intro">{esc(intro)}</p>' if intro else "",
        top=top,
        links=" · ".join(links),
        figures="\n".join(figures),
        count=len(scenes),
        made=time.strftime("%Y-%m-%d %H:%M"),
    )


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; padding: 2rem; font: 15px/1.45 system-ui, sans-serif; background: #f6f5f2; color: #1c1c1c; }}
header, main, footer {{ max-width: 70rem; margin: 0 auto; }}
h1 {{ margin: 0 0 .4rem; font-size: 1.6rem; }}
.intro {{ color: #4a4946; }}
.animatic {{ display: block; width: 100%; max-height: 70vh; background: #000; margin: 1rem 0; }}
main {{ display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); margin-top: 1rem; }}
figure {{ margin: 0; background: #fff; border: 1px solid #e2e0db; }}
figure img, figure video {{ display: block; width: 100%; height: 12rem; object-fit: contain; background: #111; }}
.pending {{ height: 12rem; display: grid; place-items: center; color: #6e6c68; background: #e2e0db; }}
figcaption {{ padding: .5rem .7rem .7rem; }}
figcaption em {{ color: #6e6c68; font-style: normal; font-size: .85rem; }}
figcaption span, figcaption small {{ display: block; margin-top: .3rem; color: #4a4946; }}
footer {{ margin-top: 1.5rem; color: #6e6c68; font-size: .85rem; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
{intro}
{top}
<p><button id="play">Play the clips in order</button> {links}</p>
</header>
<main>
{figures}
</main>
<footer>{count} scene(s) · made {made} by higgsfield-mcp</footer>
<script>
document.getElementById("play").onclick = function () {{
  var clips = Array.prototype.slice.call(document.querySelectorAll("video.clip"));
  var next = function (i) {{
    if (i >= clips.length) return;
    clips[i].scrollIntoView({{behavior: "smooth", block: "center"}});
    clips[i].onended = function () {{ next(i + 1); }};
    clips[i].currentTime = 0; clips[i].play();
  }};
  next(0);
}};
</script>
</body>
</html>
"""
