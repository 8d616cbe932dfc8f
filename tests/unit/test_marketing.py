"""Marketing Studio domain logic in plain pytest: modes from words, avatar and hook matching,
the checks made before anything is spent, and the requests built for the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from higgsfield_mcp.adapters.cli import errors as e
from higgsfield_mcp.adapters.cli.models import Avatar, Product, SetupItem
from higgsfield_mcp.adapters.media_policy import MediaNotAllowed
from higgsfield_mcp.bundle import bundle_path
from higgsfield_mcp.domain.marketing.ads import (
    AdPlan,
    AdRequest,
    AdResult,
    default_prompt,
    headline,
    image_request,
    match_setup_item,
    missing_product,
    missing_product_error,
    plan_ad,
    video_request,
)
from higgsfield_mcp.domain.marketing.avatars import AvatarView, front_reference_path, match_avatar
from higgsfield_mcp.domain.marketing.modes import choose_mode, marketing_data, resolve_mode
from higgsfield_mcp.domain.marketing.products import ProductView, check_product_url, is_app_store

CONTRACT_VIDEO_MODES = [
    "ugc",
    "ugc_how_to",
    "ugc_unboxing",
    "product_showcase",
    "product_review",
    "tv_spot",
    "wild_card",
    "ugc_virtual_try_on",
    "virtual_try_on",
]

# --- the data --------------------------------------------------------------------------------------


def test_marketing_json_has_the_contract_modes() -> None:
    data = marketing_data()
    assert [m.id for m in data.video_modes] == CONTRACT_VIDEO_MODES
    assert {m.id for m in data.video_modes if m.setup_items} == {
        "ugc",
        "ugc_how_to",
        "ugc_unboxing",
        "product_review",
        "ugc_virtual_try_on",
    }
    from higgsfield_sandbox.photoshoot import ASPECTS, MODES

    assert [m.id for m in data.photoshoot_modes] == list(MODES)
    assert sorted(data.photoshoot.aspect_ratios) == sorted(ASPECTS)
    for mode in [*data.video_modes, *data.photoshoot_modes]:
        assert mode.description and mode.words, mode.id
    raw = json.loads(bundle_path("skill", "marketing.json").read_text())
    assert raw["video"]["click_to_ad"] == {"mode": "ugc", "duration": 15, "aspect_ratio": "9:16"}


# --- modes from words -------------------------------------------------------------------------------

VIDEO_WORDS = [
    ("make it look phone-filmed", "ugc"),
    ("casual creator style", "ugc"),
    ("a phone-filmed unboxing", "ugc_unboxing"),
    ("just got this in the mail", "ugc_unboxing"),
    ("a tutorial showing how to use it", "ugc_how_to"),
    ("clean product showcase, no presenter", "product_showcase"),
    ("hyper_motion", "product_showcase"),
    ("an honest review", "product_review"),
    ("a proper TV commercial", "tv_spot"),
    ("surprise me", "wild_card"),
    ("someone trying on the jacket", "ugc_virtual_try_on"),
    ("a polished try-on for the campaign", "virtual_try_on"),
    ("pro try on", "virtual_try_on"),
    ("Unboxing", "ugc_unboxing"),
    ("tutorial", "ugc_how_to"),
]


@pytest.mark.parametrize(("text", "mode"), VIDEO_WORDS)
def test_video_mode_from_words(text: str, mode: str) -> None:
    assert resolve_mode("video", text).id == mode  # type: ignore[union-attr]


PHOTOSHOOT_WORDS = [
    ("Pinterest pin of my product on a kitchen counter", "moodboard_pin"),
    ("hero banner showing my product in use", "hero_banner"),
    ("a carousel of 5 slides", "social_carousel"),
    ("meta ad variants", "ad_creative_pack"),
    ("make it Christmas themed", "restyle"),
    ("levitating in a splash of water", "conceptual_product"),
    ("on a plain white background for my listing", "product_shot"),
]


@pytest.mark.parametrize(("text", "mode"), PHOTOSHOOT_WORDS)
def test_photoshoot_mode_from_words(text: str, mode: str) -> None:
    assert resolve_mode("photoshoot", None, prompt=text).id == mode  # type: ignore[union-attr]


def test_mode_defaults_and_refusals() -> None:
    assert resolve_mode("video", None).id == "ugc"  # type: ignore[union-attr]
    assert resolve_mode("video", None, prompt="an unboxing").id == "ugc", "a video never guesses from the prompt"  # type: ignore[union-attr]
    assert resolve_mode("photoshoot", None, prompt="something nice").id == "product_shot"  # type: ignore[union-attr]
    assert resolve_mode("image", None) is None
    with pytest.raises(e.InvalidValues) as info:
        resolve_mode("video", "jazz hands")
    assert info.value.allowed == CONTRACT_VIDEO_MODES and "Nothing was spent" in info.value.remedy
    assert choose_mode("nothing relevant here", marketing_data().video_modes) is None


# --- avatars, hooks and settings -------------------------------------------------------------------------

AVATARS = [
    Avatar(id="a1", name="Ava (sandbox)", gender="female", tags=["casual", "ugc"]),
    Avatar(id="a2", name="Marcus (sandbox)", gender="male", tags=["business", "presenter"]),
    Avatar(id="a3", name="Lena (sandbox)", gender="female", tags=["fitness", "outdoor"]),
    Avatar(id="a4", name="Omar", gender="male", tags=["food", "kitchen"]),
    Avatar(id="a5", name="Elliot", gender="non-binary", tags=["gaming"]),
    Avatar(id="0b8e6f5e-6a0e-4f4e-9d7e-2f3c1a2b3c4d", name="Founder", type="custom"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ava", "a1"),
        ("lena", "a3"),
        ("Marcus (sandbox)", "a2"),
        ("use Omar please", "a4"),
        ("female, fitness", "a3"),
        ("a woman", "a1"),
        ("a man in the kitchen", "a4"),
        ("business presenter", "a2"),
        ("non-binary gamer", "a5"),
        ("0B8E6F5E-6A0E-4F4E-9D7E-2F3C1A2B3C4D", "0b8e6f5e-6a0e-4f4e-9d7e-2f3c1a2b3c4d"),
    ],
)
def test_avatar_matching_by_name_gender_and_tags(query: str, expected: str) -> None:
    assert match_avatar(AVATARS, query).id == expected


def test_avatar_without_a_match_lists_the_names() -> None:
    for query in ("a robot", "kitchen chef"):
        with pytest.raises(e.InvalidValues) as info:
            match_avatar(AVATARS[:3], query)
        assert "Ava (sandbox)" in info.value.remedy and "avatar_photo" in info.value.remedy
    with pytest.raises(e.InvalidValues, match="no avatar with that id"):
        match_avatar(AVATARS, "11111111-2222-3333-4444-555555555555")


def test_setup_items_by_id_name_and_words() -> None:
    hooks = [
        SetupItem(id="h1", name="Stop scrolling (sandbox)", prompt="Direct address to camera."),
        SetupItem(id="h2", name="Before and after (sandbox)", prompt="Split reveal in the first two seconds."),
    ]
    assert match_setup_item(hooks, "h2", "hooks").id == "h2"
    assert match_setup_item(hooks, "stop scrolling", "hooks").id == "h1"
    assert match_setup_item(hooks, "a split reveal", "hooks").id == "h2"
    with pytest.raises(e.InvalidValues) as info:
        match_setup_item(hooks, "zzz", "hooks")
    assert info.value.param == "hook" and "Stop scrolling (sandbox)" in info.value.allowed


# --- checks before anything is spent ------------------------------------------------------------------------


def test_hook_with_ad_reference_is_refused_first() -> None:
    request = AdRequest(product_url="https://x.example/p", hook="h", ad_reference_id="r", mode="tv spot")
    with pytest.raises(e.ValidationError, match="ad reference"):
        plan_ad(request, [])


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"kind": "image", "hook": "h"}, "hook does not apply to a image"),
        ({"kind": "photoshoot", "avatar": "Ava"}, "avatar does not apply"),
        ({"kind": "photoshoot", "duration": 10}, "duration does not apply"),
        ({"product_id": "p1"}, "More than one product"),
        ({"avatar": "Ava", "avatar_character": "Mara"}, "More than one avatar"),
        ({"mode": "tv spot", "setting": "kitchen"}, "mode=tv_spot"),
        ({"duration": 3}, "duration=3"),
        ({"kind": "photoshoot", "aspect_ratio": "21:9"}, "aspect_ratio=21:9"),
    ],
)
def test_requests_that_cannot_work_are_refused(fields: dict[str, Any], words: str) -> None:
    request = AdRequest.model_validate({"product_url": "https://shop.example.com/p", **fields})
    with pytest.raises(e.ValidationError) as info:
        plan_ad(request, [])
    assert words in str(info.value) and "nothing was s" in info.value.remedy.lower()


def test_local_files_go_through_the_media_policy(tmp_path: Path) -> None:
    inside = tmp_path / "in"
    inside.mkdir()
    Image.new("RGB", (8, 8)).save(inside / "face.png")
    (inside / "clip.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    outside = tmp_path / "secret.png"
    Image.new("RGB", (8, 8)).save(outside)
    ok = plan_ad(AdRequest(kind="image", product_photos=[str(inside / "face.png")]), [inside])
    assert ok.product_photos[0].path == (inside / "face.png").resolve()
    with pytest.raises(MediaNotAllowed):
        plan_ad(AdRequest(kind="image", product_photos=[str(outside)]), [inside])
    with pytest.raises(e.InvalidValues, match="not a photo"):
        plan_ad(AdRequest(kind="image", product_photos=[str(inside / "clip.mp4")]), [inside])
    with pytest.raises(e.InvalidValues, match="an id, not a photo file"):
        plan_ad(AdRequest(product_url="https://a.example/p", avatar_photo="0b8e6f5e-6a0e-4f4e-9d7e-2f3c1a2b3c4d"), [])


def test_the_one_missing_thing_is_the_product() -> None:
    assert missing_product(AdRequest())
    assert missing_product(AdRequest(kind="image", prompt="an ad"))
    assert not missing_product(AdRequest(kind="photoshoot", prompt="a scented candle"))
    assert not missing_product(AdRequest(product_id="p"))
    error = missing_product_error("video")
    assert error.params == ["product_url"] and "product_url" in error.remedy


def test_product_urls() -> None:
    assert check_product_url(" https://shop.example.com/p ") == "https://shop.example.com/p"
    with pytest.raises(e.InvalidValues):
        check_product_url("shop.example.com/p")
    assert is_app_store("https://apps.apple.com/us/app/x/id1") and not is_app_store("https://example.com/apps.apple")


# --- the requests built ----------------------------------------------------------------------------------------


def _plan(**fields: Any) -> AdPlan:
    return plan_ad(AdRequest.model_validate(fields), [])


def test_video_request_with_product_ids_and_avatars() -> None:
    plan = _plan(product_url="https://shop.example.com/p", avatar="Ava", mode="review", duration=10, prompt="hi")
    product = ProductView(id="p1", title="Sneakers", url="https://shop.example.com/p")
    avatar = AvatarView(id="a1", name="Ava", type="preset")
    request = video_request(plan, product, avatar, hook_id="h1")
    assert request.model == "marketing_studio_video" and request.duration == 10 and request.prompt == "hi"
    assert request.params == {
        "mode": "product_review",
        "product_ids": ["p1"],
        "avatars": [{"id": "a1", "type": "preset"}],
        "hook_id": "h1",
    }


def test_web_products_and_click_to_ad() -> None:
    web = ProductView(id="w1", url="https://apps.apple.com/app/x", kind="web_product")
    request = video_request(_plan(product_url="https://apps.apple.com/app/x", avatar="Ava"), web, None)
    assert request.params["web_product_ids"] == ["w1"] and "product_ids" not in request.params

    plan = _plan(product_url="https://shop.example.com/p")
    assert plan.click_to_ad
    click = video_request(plan, ProductView(id="p1", url="https://shop.example.com/p"), None)
    assert click.params == {"mode": "ugc", "url": "https://shop.example.com/p"}
    assert (click.duration, click.aspect_ratio) == (15, "9:16")
    own = video_request(_plan(product_url="https://shop.example.com/p", aspect_ratio="1:1"), ProductView(id="p"), None)
    assert own.aspect_ratio == "1:1", "the user's choice beats the Click-to-Ad default"
    assert not _plan(product_url="https://shop.example.com/p", prompt="x").click_to_ad


def test_image_request_and_default_prompts() -> None:
    plan = _plan(kind="image", product_id="p1", aspect_ratio="4:5", resolution="2k")
    request = image_request(plan, ["u1", "u2"], "An ad")
    assert (request.model, request.reference_images, request.aspect_ratio, request.resolution) == (
        "marketing_studio_image",
        ["u1", "u2"],
        "4:5",
        "2k",
    )
    assert default_prompt("image", "Sneakers", "Ava") == "A polished ad image of Sneakers, presented by Ava"
    assert default_prompt("photoshoot", "Sneakers", None) == "Sneakers"
    assert default_prompt("image", None, None) is None


def test_headline_says_what_was_made_without_ids() -> None:
    result = AdResult(
        jobs=[],
        kind="video",
        mode_label="Unboxing",
        product_name="Sneakers",
        avatar=AvatarView(id="a1", name="Ava"),
    )
    assert headline(result) == "Unboxing video ad for Sneakers with Ava."
    shoot = AdResult(jobs=[], kind="photoshoot", mode_label="Ad creative pack", product_name="Candle")
    assert headline(shoot) == "Product photoshoot (Ad creative pack, 0 images) for Candle."


# --- wire models and the library reference --------------------------------------------------------------------


def test_product_and_avatar_wire_shapes() -> None:
    product = Product.model_validate(
        {
            "id": "p",
            "status": "FAILED",
            "fail_reason": "scrape blocked",
            "medias": [{"url": "https://c/x.jpg"}, "https://c/y.png", {"type": "image"}],
        }
    )
    assert (
        product.terminal and product.status == "failed" and product.image_urls == ["https://c/x.jpg", "https://c/y.png"]
    )
    assert not Product.model_validate({"id": "p", "status": "in_progress"}).terminal
    avatar = Avatar.model_validate({"id": "a", "tags": "casual, ugc", "thumbnail_url": "https://c/a.jpg"})
    assert avatar.tags == ["casual", "ugc"] and avatar.image_url == "https://c/a.jpg"


@dataclass
class _Ref:
    angle: str
    file: str | None
    state: str = "ready"


@dataclass
class _Character:
    references: list[_Ref]
    name: str = "Mara"
    avatar_ids: list[str] = field(default_factory=list)


class _Library:
    def __init__(self, root: Path, refs: list[_Ref]) -> None:
        self.root, self.refs = root, refs

    def get(self, name: str) -> _Character:
        return _Character(self.refs)

    def character_dir(self, name: str) -> Path:
        return self.root / name

    def set_avatar(self, name: str, avatar_id: str) -> None:
        raise AssertionError("not called here")


def test_front_reference_is_preferred_and_kept_inside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mara"
    folder.mkdir()
    for name in ("front.png", "side.png", "old-front.png"):
        Image.new("RGB", (8, 8)).save(folder / name)
    Image.new("RGB", (8, 8)).save(tmp_path / "elsewhere.png")
    refs = [
        _Ref("profile", "side.png"),
        _Ref("front", "missing.png"),
        _Ref("front", "old-front.png", state="failed"),
        _Ref("front", "front.png"),
    ]
    assert front_reference_path(_Library(tmp_path, refs), "mara") == (folder / "front.png").resolve()
    assert front_reference_path(_Library(tmp_path, refs[:1]), "mara").name == "side.png"
    with pytest.raises(e.ValidationError, match="no reference image"):
        front_reference_path(_Library(tmp_path, [_Ref("front", "../elsewhere.png"), _Ref("free", None)]), "mara")
