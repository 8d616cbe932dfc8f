"""Placeholder result files: labelled images (Pillow, imported lazily), MP4 clips of the
asked length and shape (PyAV, imported lazily), WAV tones (stdlib ``wave``), a one-triangle GLB and a JSON report.

Everything rendered says "HIGGSFIELD SANDBOX"; colours come from a hash of the prompt so
different prompts look different.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import json
import math
import struct
import textwrap
import wave
from importlib import resources
from typing import Any

LONG_SIDE = 1024
PREVIEW_SIDE = 256


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "replace")).digest()


def colour_for(text: str, shift: float = 0.0) -> tuple[int, int, int]:
    d = _digest(text)
    hue = (d[0] / 255.0 + shift) % 1.0
    light = 0.32 + (d[1] / 255.0) * 0.3
    sat = 0.45 + (d[2] / 255.0) * 0.4
    r, g, b = colorsys.hls_to_rgb(hue, light, sat)
    return int(r * 255), int(g * 255), int(b * 255)


def size_for(aspect_ratio: str | None, long_side: int = LONG_SIDE, video: bool = False) -> tuple[int, int]:
    """Pixel size with the given longest side for an ``a:b`` ratio (``auto``/unknown: square or 16:9)."""
    w_ratio, h_ratio = (16.0, 9.0) if video else (1.0, 1.0)
    if aspect_ratio and ":" in aspect_ratio:
        left, _, right = aspect_ratio.partition(":")
        try:
            a, b = float(left), float(right)
            if a > 0 and b > 0:
                w_ratio, h_ratio = a, b
        except ValueError:
            pass
    if w_ratio >= h_ratio:
        return long_side, max(16, round(long_side * h_ratio / w_ratio))
    return max(16, round(long_side * w_ratio / h_ratio)), long_side


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ValueError):  # pragma: no cover - Pillow without FreeType
        return ImageFont.load_default()


def placeholder(
    *,
    width: int,
    height: int,
    heading: str,
    subtitle: str,
    body: str,
    footer: str,
    seed_text: str,
    shift: float = 0.0,
) -> Any:
    """A labelled placeholder as a PIL image."""
    from PIL import Image, ImageDraw

    bg = colour_for(seed_text, shift)
    luminance = 0.299 * bg[0] + 0.587 * bg[1] + 0.114 * bg[2]
    fg = (20, 20, 24) if luminance > 150 else (250, 250, 250)
    accent = colour_for(seed_text + "#accent", shift + 0.5)
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    digest = _digest(seed_text)
    base = min(width, height)
    for k in range(4):  # a few hash-placed discs so prompts also differ in shape
        cx = digest[3 + k] / 255 * width
        cy = digest[7 + k] / 255 * height
        radius = base * (0.08 + digest[11 + k] / 255 * 0.22)
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=accent, width=max(2, base // 120))
    margin = max(12, base // 20)
    title_px = max(14, min(base // 12, (width - 2 * margin) // 12))
    title_font = _font(title_px)
    sub_font = _font(max(11, base // 24))
    body_font = _font(max(10, base // 20))
    body_px = max(10, base // 20)
    band = int(title_px * 1.9) + margin
    draw.rectangle([0, 0, width, band], fill=(0, 0, 0))
    draw.text((margin, margin // 2), "HIGGSFIELD SANDBOX", font=title_font, fill=(255, 200, 40))
    y = band + margin // 2
    draw.text((margin, y), subtitle, font=sub_font, fill=fg)
    y += int(base // 24 * 1.8)
    chars = max(12, int((width - 2 * margin) / (body_px * 0.55)))
    lines = textwrap.wrap(body, width=chars, replace_whitespace=True, drop_whitespace=True) or [""]
    max_lines = max(1, int((height - y - 3 * margin) / (body_px * 1.35 + 1)))
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: chars - 1] + "…"]
    for text_line in lines:
        draw.text((margin, y), text_line, font=body_font, fill=fg)
        y += int(body_px * 1.35) + 1
    draw.text((margin, height - margin - base // 24), footer, font=sub_font, fill=fg)
    if heading:
        draw.text((width - margin, band + margin // 2), heading, font=sub_font, fill=fg, anchor="ra")
    return img


def encode(img: Any, fmt: str, max_side: int | None = None) -> bytes:
    if max_side is not None:
        img = img.copy()
        img.thumbnail((max_side, max_side))
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, format="JPEG", quality=80)
    else:
        img.save(buf, format="PNG", compress_level=1)  # flat placeholder art: fast beats small
    return buf.getvalue()


def image_pair(
    *,
    aspect_ratio: str | None,
    heading: str,
    subtitle: str,
    body: str,
    footer: str,
    seed_text: str,
    shift: float = 0.0,
    long_side: int = LONG_SIDE,
    video: bool = False,
) -> tuple[bytes, bytes]:
    """PNG at full size and a small JPEG preview."""
    width, height = size_for(aspect_ratio, long_side, video=video)
    img = placeholder(
        width=width,
        height=height,
        heading=heading,
        subtitle=subtitle,
        body=body,
        footer=footer,
        seed_text=seed_text,
        shift=shift,
    )
    return encode(img, "PNG"), encode(img, "JPEG", PREVIEW_SIDE)


def thumbnail_jpeg(*, title: str, body: str, seed_text: str, aspect_ratio: str = "1:1") -> bytes:
    width, height = size_for(aspect_ratio, 384)
    img = placeholder(
        width=width, height=height, heading="", subtitle=title, body=body, footer="placeholder", seed_text=seed_text
    )
    return encode(img, "JPEG")


def video_mp4(portrait: bool) -> bytes:
    """A bundled 2-second clip (kept for callers that ask for no particular length or shape)."""
    name = "sandbox_portrait.mp4" if portrait else "sandbox_landscape.mp4"
    return resources.files("higgsfield_sandbox").joinpath("assets", name).read_bytes()


CLIP_FPS = 8
CLIP_LONG_SIDE = 320


def video_clip(poster: Any, seconds: float, fps: int = CLIP_FPS) -> bytes:
    """An H.264 MP4 of `poster` (a Pillow image, resized so its long side is CLIP_LONG_SIDE) lasting `seconds`.

    A light bar sweeps across the bottom so the clip visibly moves and its start, middle and
    end frames differ; the real service returns clips of the asked duration and aspect ratio,
    and so does this stand-in.
    """
    import av
    from PIL import ImageDraw

    frame_image = poster.convert("RGB")
    frame_image.thumbnail((CLIP_LONG_SIDE, CLIP_LONG_SIDE))
    width, height = frame_image.width // 2 * 2, frame_image.height // 2 * 2  # yuv420p needs even sides
    frame_image = frame_image.crop((0, 0, width, height))
    count = max(1, round(seconds * fps))
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": "32"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        bar = max(4, height // 24)
        for index in range(count):
            image = frame_image.copy()
            x = round((width - width // 6) * index / max(1, count - 1))
            ImageDraw.Draw(image).rectangle((x, height - bar, x + width // 6, height - 1), fill=(240, 240, 240))
            for packet in stream.encode(av.VideoFrame.from_image(image)):  # type: ignore[no-untyped-call]
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def wav_tone(seed_text: str, seconds: float = 1.0, rate: int = 16000) -> bytes:
    freq = 220.0 + (_digest(seed_text)[0] / 255.0) * 440.0
    frames = int(rate * seconds)
    fade = rate // 20
    samples = bytearray()
    for n in range(frames):
        env = min(1.0, n / fade, (frames - n) / fade)
        samples += struct.pack("<h", int(9000 * env * math.sin(2 * math.pi * freq * n / rate)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(samples))
    return buf.getvalue()


def glb_triangle() -> bytes:
    """A valid binary glTF 2.0 holding one triangle."""
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    doc = {
        "asset": {"version": "2.0", "generator": "higgsfield-sandbox placeholder"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "HIGGSFIELD SANDBOX"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "buffers": [{"byteLength": len(positions)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(positions), "target": 34962}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "max": [1, 1, 0], "min": [0, 0, 0]}
        ],
    }
    json_chunk = json.dumps(doc, separators=(",", ":")).encode()
    json_chunk += b" " * (-len(json_chunk) % 4)
    bin_chunk = positions + b"\0" * (-len(positions) % 4)
    total = 12 + 8 + len(json_chunk) + 8 + len(bin_chunk)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<I4s", len(json_chunk), b"JSON")
        + json_chunk
        + struct.pack("<I4s", len(bin_chunk), b"BIN\0")
        + bin_chunk
    )


def virality_report(job_id: str, seed_text: str) -> dict[str, Any]:
    d = _digest(seed_text or job_id)
    return {
        "sandbox": True,
        "note": "higgsfield-sandbox placeholder report, not a real analysis",
        "overall_score": 30 + d[0] % 60,
        "peak_hook": {"percent": 20 + d[1] % 70, "second": d[2] % 5},
        "sustain_percent": 40 + d[3] % 55,
        "strongest_region": ["Visual Cortex", "Auditory Cortex", "Reward System"][d[4] % 3],
        "weakest_region": "Default Mode",
        "report_url": f"https://higgsfield-sandbox.invalid/apps/virality-predictor?resultJobId={job_id}",
    }
