"""The sandbox's video results are real, decodable clips of the duration and aspect ratio asked for,
and its bundled fallback clips decode too (PyAV, no system ffmpeg)."""

from __future__ import annotations

import json
import os
import subprocess
from importlib import resources
from pathlib import Path

import av
import pytest

from higgsfield_mcp.demo import sandbox_binary


def _probe(path: Path) -> tuple[int, int, int, float]:
    """(width, height, frames, seconds) of an MP4, found by decoding every frame."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        rate = float(stream.average_rate or 0)
    return frames[0].width, frames[0].height, len(frames), len(frames) / rate


@pytest.mark.parametrize("name", ["sandbox_landscape.mp4", "sandbox_portrait.mp4"])
def test_bundled_clips_decode(name: str, tmp_path: Path) -> None:
    data = resources.files("higgsfield_sandbox").joinpath("assets", name).read_bytes()
    (tmp_path / name).write_bytes(data)
    width, height, frames, seconds = _probe(tmp_path / name)
    assert frames > 1 and seconds == pytest.approx(2.0, abs=0.3)
    assert (width > height) == (name == "sandbox_landscape.mp4")


@pytest.mark.parametrize(
    ("aspect", "duration", "ratio"), [("16:9", "7", 16 / 9), ("9:16", "4", 9 / 16), ("1:1", "5", 1)]
)
def test_clip_has_requested_duration_and_aspect(tmp_path: Path, aspect: str, duration: str, ratio: float) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIGGSFIELD_")}
    env.update(HIGGSFIELD_SANDBOX_HOME=str(tmp_path), HIGGSFIELD_SANDBOX_JOB_SECONDS="0.1")
    argv = [sandbox_binary(), "generate", "create", "seedance_2_0", "--prompt", "slow push-in on a lighthouse"]
    argv += ["--aspect_ratio", aspect, "--duration", duration, "--wait", "--json"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    url = json.loads(done.stdout)[0]["result_url"]
    clip = tmp_path / "cdn" / url.split("/", 3)[3]
    width, height, _, seconds = _probe(clip)
    assert seconds == pytest.approx(float(duration), abs=0.2)
    assert width / height == pytest.approx(ratio, rel=0.03)
    assert clip.stat().st_size < 200_000
