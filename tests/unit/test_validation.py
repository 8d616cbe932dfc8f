"""validate_request refuses what the CLI would refuse, before anything is spent, and names the fix."""

from __future__ import annotations

from typing import Any

import pytest

from higgsfield_mcp.adapters.cli.errors import InvalidValues, MediaRoleError, MissingParams, UnknownParams
from higgsfield_mcp.domain.generation.catalogue import Catalogue, ModelInfo
from higgsfield_mcp.domain.generation.validation import describe_media, normalise_media, validate_request


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.bundled()


def check(
    info: ModelInfo,
    prompt: str | None = "a prompt",
    media: list[tuple[str, str]] | None = None,
    **params: Any,
) -> dict[str, Any]:
    return validate_request(info, prompt=prompt, params=params, media=media or [])


def test_valid_request_is_normalised(catalogue: Catalogue) -> None:
    gpt = catalogue.get("gpt_image_2")
    out = validate_request(
        gpt,
        prompt="a neon city",
        params={"aspect-ratio": "16:9", "--Quality": "HIGH", "batch_size": "2", "is_inpaint": "false", "mask": None},
        media=[("image", "./ref.png")],
    )
    assert out == {"aspect_ratio": "16:9", "quality": "high", "batch_size": 2, "is_inpaint": False}


def test_nothing_raised_for_plain_valid_inputs(catalogue: Catalogue) -> None:
    assert check(catalogue.get("z_image")) == {}
    assert check(catalogue.get("seedance_2_0"), duration=12, resolution="4k", media=[("start_image", "a.png")]) == {
        "duration": 12,
        "resolution": "4k",
    }
    assert check(catalogue.get("brain_activity"), prompt=None, media=[("video", "clip.mp4")]) == {}


def test_unknown_params_name_what_the_model_takes(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownParams) as err:
        check(catalogue.get("z_image"), foo=1, aspect_ratoi="1:1")
    assert err.value.params == ["foo", "aspect_ratoi"]
    assert "aspect_ratio" in err.value.message  # the model's params, and the near miss
    assert "nothing was submitted" in err.value.remedy.lower()


def test_old_and_new_flag_spellings(catalogue: Catalogue) -> None:
    assert check(catalogue.get("flux_2"), model="max") == {"variant": "max"}
    assert check(catalogue.get("text2image_soul_v2"), **{"custom-reference-id": "abc"}) == {"soul_id": "abc"}
    assert check(catalogue.get("text2image_soul_v2"), **{"--soul-id": "abc"}) == {"soul_id": "abc"}


def test_soul_id_on_a_model_without_it(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownParams) as err:
        check(catalogue.get("gpt_image_2"), soul_id="abc")
    assert err.value.params == ["soul_id"]


def test_invalid_enum_lists_allowed_values(catalogue: Catalogue) -> None:
    model = catalogue.get("seedance_2_0")
    with pytest.raises(InvalidValues) as err:
        check(model, aspect_ratio="99:99")
    assert err.value.param == "aspect_ratio" and err.value.value == "99:99"
    assert err.value.allowed == model.params["aspect_ratio"].enum
    assert err.value.message.startswith("Invalid values: aspect_ratio=99:99 (allowed: auto, 16:9")
    assert err.value.to_dict()["allowed"] == err.value.allowed


def test_enum_case_and_numeric_enums(catalogue: Catalogue) -> None:
    assert check(catalogue.get("nano_banana_2_lite"), thinking="high") == {"thinking": "HIGH"}
    assert check(catalogue.get("veo3_1"), duration="8") == {"duration": 8}
    with pytest.raises(InvalidValues) as err:
        check(catalogue.get("veo3_1"), duration=7)
    assert err.value.allowed == ["4", "6", "8"]


def test_out_of_range_numbers(catalogue: Catalogue) -> None:
    model = catalogue.get("seedance_2_0")
    with pytest.raises(InvalidValues) as err:
        check(model, duration=20)
    assert err.value.allowed == ["4..15"]
    with pytest.raises(InvalidValues, match="whole number"):
        check(model, duration=4.5)
    with pytest.raises(InvalidValues):
        check(catalogue.get("dtc_ads"), style_id="s", batch_size=21)
    with pytest.raises(InvalidValues, match=">= 4"):
        check(catalogue.get("marketing_studio_video"), duration=2)


def test_booleans_and_arrays(catalogue: Catalogue) -> None:
    assert check(catalogue.get("kling2_6"), sound="off") == {"sound": False}
    with pytest.raises(InvalidValues) as err:
        check(catalogue.get("kling2_6"), sound="maybe")
    assert err.value.allowed == ["true", "false"]
    ms = catalogue.get("marketing_studio_video")
    assert check(ms, product_ids='["p1"]') == {"product_ids": ["p1"]}
    with pytest.raises(InvalidValues):
        check(ms, product_ids="p1")


def test_same_param_twice_with_different_values(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidValues, match="twice"):
        check(catalogue.get("z_image"), aspect_ratio="1:1", **{"aspect-ratio": "16:9"})


def test_missing_prompt_and_required_params(catalogue: Catalogue) -> None:
    with pytest.raises(MissingParams) as err:
        check(catalogue.get("gpt_image_2"), prompt="  ")
    assert err.value.params == ["prompt"]
    assert "Ask the user what they want to see" in (err.value.remedy or ""), "the seeds' rule: ask, never invent"
    with pytest.raises(MissingParams) as err:
        check(catalogue.get("text2speech_v2"), prompt=None)
    assert err.value.params == ["prompt", "variant", "voice_id", "voice_type"]
    assert err.value.message == "Missing required params: prompt, variant, voice_id, voice_type"
    with pytest.raises(MissingParams) as err:
        check(catalogue.get("dtc_ads"))
    assert err.value.params == ["style_id"]


def test_reference_audio_passed_as_generate_audio_says_to_use_the_audio_input(catalogue: Catalogue) -> None:
    with pytest.raises(InvalidValues) as err:
        check(catalogue.get("seedance_2_0"), prompt="she sings", generate_audio="voice.mp3")
    assert "`audio` input" in err.value.message and "audio" in (err.value.remedy or "")
    assert check(catalogue.get("seedance_2_0"), prompt="x", generate_audio="false") == {"generate_audio": False}


def test_prompt_may_come_in_params(catalogue: Catalogue) -> None:
    assert validate_request(catalogue.get("z_image"), prompt=None, params={"prompt": "a fox"}, media=[]) == {}


def test_required_param_with_a_default_is_filled(catalogue: Catalogue) -> None:
    assert check(catalogue.get("soul_cast"), prompt=None) == {"aspect_ratio": "16:9"}


def test_prompt_on_a_model_that_takes_none(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownParams) as err:
        check(catalogue.get("image_background_remover"), prompt="make it pop", media=[("image", "a.png")])
    assert err.value.params == ["prompt"]


def test_media_role_the_model_does_not_take(catalogue: Catalogue) -> None:
    with pytest.raises(MediaRoleError) as err:
        check(catalogue.get("z_image"), media=[("image", "a.png")])
    assert "takes no media inputs" in err.value.message
    with pytest.raises(MediaRoleError) as err:
        check(catalogue.get("kling3_0"), media=[("video", "a.mp4")])
    assert "does not take video" in err.value.message
    assert "start_image (up to 1)" in err.value.message and "end_image (up to 1)" in err.value.message


def test_media_counts(catalogue: Catalogue) -> None:
    with pytest.raises(MediaRoleError, match="at most 1 image, not 2"):
        check(catalogue.get("text2image_soul_v2"), media=[("image", "a"), ("image", "b")])
    with pytest.raises(MediaRoleError, match="needs at least 1 video"):
        check(catalogue.get("brain_activity"), prompt=None)
    with pytest.raises(MediaRoleError, match="at most 4 image"):
        check(catalogue.get("multi_image_to_3d"), media=[("image", str(i)) for i in range(5)])


def test_cross_role_rules(catalogue: Catalogue) -> None:
    seedance = catalogue.get("seedance_2_0")
    nine = [("image", str(i)) for i in range(8)] + [("start_image", "s"), ("end_image", "e")]
    with pytest.raises(MediaRoleError, match="9 images counting start and end"):
        check(seedance, media=nine)
    with pytest.raises(MediaRoleError, match="visual reference"):
        check(seedance, media=[("audio", "song.mp3")])
    assert check(seedance, media=[("audio", "song.mp3"), ("start_image", "s.png")]) == {}
    with pytest.raises(MediaRoleError, match="not both"):
        check(catalogue.get("seed_audio"), media=[("audio_references", "a"), ("image_references", "b")])
    omni = catalogue.get("gemini_omni")
    assert check(omni, media=[("image", str(i)) for i in range(7)]) == {}
    with pytest.raises(MediaRoleError, match="at most 5 reference images"):
        check(omni, media=[*[("image", str(i)) for i in range(6)], ("video", "v")])
    with pytest.raises(MediaRoleError, match="exactly one start image"):
        check(catalogue.get("grok_video_v15"))


def test_prompt_or_reference(catalogue: Catalogue) -> None:
    lite = catalogue.get("nano_banana_2_lite")
    with pytest.raises(MediaRoleError, match="prompt or at least one reference"):
        check(lite, prompt=None)
    assert check(lite, prompt=None, media=[("image", "ref.png")]) == {}
    assert check(lite, prompt="a cat") == {}


def test_role_aliases(catalogue: Catalogue) -> None:
    gpt = catalogue.get("gpt_image_2")
    lite = catalogue.get("nano_banana_2_lite")
    assert check(gpt, media=[("image_references", "a"), ("--image", "b")]) == {}
    assert normalise_media(lite, [("image", "a")]) == [("image_references", "a")]
    assert normalise_media(gpt, [("image-references", "a")]) == [("image", "a")]
    kling = catalogue.get("kling2_6")
    assert normalise_media(kling, [("image", "a")]) == [("start_image", "a")]
    assert normalise_media(catalogue.get("seedance_2_0"), [("--start-image", "a")]) == [("start_image", "a")]
    with pytest.raises(MediaRoleError):
        check(kling, media=[("image", "a"), ("start_image", "b")])


def test_unknown_media_is_not_validated(catalogue: Catalogue) -> None:
    mini = catalogue.get("seedance_2_0_mini")
    assert mini.media is None
    assert check(mini, media=[("video", "v")] * 5 + [("whatever", "x")]) == {}
    assert "catalogue does not know" in describe_media(mini)


def test_partially_known_params_still_check_what_is_known(catalogue: Catalogue) -> None:
    gpt25 = catalogue.get("gpt_image_2_5")
    assert not gpt25.params_known
    assert check(gpt25, resolution="2k", quality="xhigh") == {"resolution": "2k", "quality": "xhigh"}
    with pytest.raises(InvalidValues):
        check(gpt25, quality="ultra")
