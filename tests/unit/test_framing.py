"""Frame defaults: wide cinematic stills, clips in their first frame's shape, and a given ratio always wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from higgsfield_mcp.config import Settings
from higgsfield_mcp.domain.generation.catalogue import Catalogue
from higgsfield_mcp.domain.generation.framing import nearest_ratio, start_frame_ratio, wide_default
from higgsfield_mcp.domain.generation.submit import GenerateRequest, with_framing

CAT = Catalogue.bundled()


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("a wide cinematic frame of a pier", "16:9"), ("anamorphic night street", "21:9"), ("widescreen desert", "21:9")],
)
def test_soul_cinema_is_wide(text: str, ratio: str) -> None:
    assert wide_default(CAT.get("soul_cinematic"), text) == ratio


def test_cinema_studio_without_21_9_stays_16_9_and_other_models_get_nothing() -> None:
    assert wide_default(CAT.get("cinematic_studio_2_5"), "anamorphic") == "16:9"
    assert wide_default(CAT.get("text2image_soul_v2"), "anamorphic") is None


@pytest.mark.parametrize(("size", "ratio"), [((768, 1024), "3:4"), ((2048, 878), "21:9"), ((1000, 1500), "3:4")])
def test_nearest_ratio_the_video_model_takes(size: tuple[int, int], ratio: str) -> None:
    assert nearest_ratio(CAT.get("seedance_2_0"), *size) == ratio


def test_a_changed_shape_is_said_in_one_line(tmp_path: Path) -> None:
    frame = tmp_path / "f.png"
    Image.new("RGB", (900, 900)).save(frame)
    assert start_frame_ratio(CAT.get("seedance_2_0"), frame) == ("1:1", None)
    ratio, note = start_frame_ratio(CAT.get("veo3_1"), frame)  # 16:9 or 9:16 only
    assert ratio in ("16:9", "9:16") and note and "900x900 (1:1)" in note


def test_a_ratio_given_in_any_spelling_wins(tmp_path: Path) -> None:
    settings = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path)})
    request = GenerateRequest(prompt="anamorphic", model="soul_cinematic", params={"aspect-ratio": "1:1"})
    assert with_framing(request, CAT.get("soul_cinematic"), settings) == (request, None)
    plain = GenerateRequest(prompt="anamorphic alley", model="soul_cinematic")
    framed, note = with_framing(plain, CAT.get("soul_cinematic"), settings)
    assert framed.aspect_ratio == "21:9" and note is None
