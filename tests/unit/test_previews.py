"""Chat previews: small enough for every client, upright, flattened, and never an exception."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from higgsfield_mcp.domain.generation.previews import make_preview


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_large_png_is_downscaled(tmp_path: Path) -> None:
    source = tmp_path / "big.png"
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient)).save(source)
    preview = make_preview(source)
    assert preview is not None
    assert preview.mime_type == "image/jpeg"
    assert (preview.width, preview.height) == (768, 576)
    assert len(preview.data) < 300_000
    decoded = _open(preview.data)
    assert decoded.format == "JPEG" and decoded.size == (768, 576)
    assert preview.base64


def test_noisy_image_still_fits(tmp_path: Path) -> None:
    source = tmp_path / "noise.png"
    Image.frombytes("RGB", (1024, 1024), os.urandom(1024 * 1024 * 3)).save(source, compress_level=1)
    preview = make_preview(source)
    assert preview is not None
    assert len(preview.data) <= 300_000
    assert max(preview.width, preview.height) <= 768
    tight = make_preview(source, max_bytes=40_000)
    assert tight is not None and len(tight.data) <= 40_000


def test_small_image_is_not_enlarged(tmp_path: Path) -> None:
    source = tmp_path / "small.webp"
    Image.new("RGB", (100, 50), (10, 120, 200)).save(source)
    preview = make_preview(source)
    assert preview is not None and (preview.width, preview.height) == (100, 50)


def test_exif_orientation_is_respected(tmp_path: Path) -> None:
    source = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90° clockwise
    Image.new("RGB", (400, 200), (200, 30, 30)).save(source, exif=exif)
    preview = make_preview(source)
    assert preview is not None and (preview.width, preview.height) == (200, 400)


def test_transparency_is_flattened_on_white(tmp_path: Path) -> None:
    source = tmp_path / "cutout.png"
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (16, 16, 48, 48))
    image.save(source)
    preview = make_preview(source)
    assert preview is not None
    decoded = _open(preview.data).convert("RGB")
    corner = decoded.getpixel((2, 2))
    centre = decoded.getpixel((32, 32))
    assert isinstance(corner, tuple) and min(corner) > 240
    assert isinstance(centre, tuple) and centre[0] > 200 and centre[1] < 60


def test_palette_gif_with_transparency(tmp_path: Path) -> None:
    source = tmp_path / "anim.gif"
    frame = Image.new("P", (32, 32), 0)
    frame.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    frame.save(source, transparency=0, save_all=True, append_images=[frame.copy()])
    preview = make_preview(source)
    assert preview is not None
    pixel = _open(preview.data).convert("RGB").getpixel((16, 16))
    assert isinstance(pixel, tuple) and min(pixel) > 240


def test_sixteen_bit_greyscale(tmp_path: Path) -> None:
    source = tmp_path / "depth.png"
    Image.new("I;16", (50, 50), 32768).save(source)
    preview = make_preview(source)
    assert preview is not None
    pixel = _open(preview.data).convert("L").getpixel((25, 25))
    assert isinstance(pixel, int) and 100 < pixel < 160


def test_video_gives_none(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 4096)
    assert make_preview(clip) is None
    sandbox_clip = Path(__file__).parents[2] / "server" / "higgsfield_sandbox" / "assets" / "sandbox_landscape.mp4"
    if sandbox_clip.exists():
        assert make_preview(sandbox_clip) is None


def test_truncated_png_gives_none(tmp_path: Path) -> None:
    whole = io.BytesIO()
    Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3)).save(whole, format="PNG")
    broken = tmp_path / "broken.png"
    broken.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    assert make_preview(broken) is None


def test_missing_and_garbage_files_give_none(tmp_path: Path) -> None:
    assert make_preview(tmp_path / "nope.png") is None
    (tmp_path / "fake.png").write_bytes(b"not an image at all")
    assert make_preview(tmp_path / "fake.png") is None
    assert make_preview(tmp_path) is None
