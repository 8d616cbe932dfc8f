"""Brand ads without MCP or the CLI: formats, kits, listing scopes and workspaces by the user's words."""

from __future__ import annotations

import pytest

from higgsfield_mcp.adapters.cli.brand import AdFormat, BrandKit
from higgsfield_mcp.adapters.cli.errors import InvalidValues, MissingParams, UnknownParams, ValidationError
from higgsfield_mcp.adapters.cli.models import Workspace
from higgsfield_mcp.domain.account import match_workspace
from higgsfield_mcp.domain.marketing.brand_kits import match_kit
from higgsfield_mcp.domain.marketing.dtc_ads import check_static, match_format, search_formats
from higgsfield_mcp.domain.marketing.marketplace import plan_listing

FORMATS = [
    AdFormat(id="f1", name="Bold headline", type="headline", priority=1),
    AdFormat(id="f2", name="Benefit stack", type="headline", priority=2),
    AdFormat(id="f3", name="Customer quote", type="testimonial", priority=3),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("f3", "f3"), ("bold headline", "f1"), ("a Customer Quote ad", "f3"), ("headline", "f1"), ("benefit", "f2")],
)
def test_format_by_id_name_words_or_type(query: str, expected: str) -> None:
    assert match_format(FORMATS, query).id == expected


def test_unknown_format_lists_every_format_with_its_type() -> None:
    with pytest.raises(InvalidValues) as caught:
        match_format(FORMATS, "carousel")
    assert caught.value.allowed == ["Bold headline", "Benefit stack", "Customer quote"]
    assert "Customer quote (testimonial)" in caught.value.remedy and "Nothing was spent" in caught.value.remedy


def test_search_formats_by_name_or_type() -> None:
    assert [f.id for f in search_formats(FORMATS, "headline")] == ["f1", "f2"]
    assert [f.id for f in search_formats(FORMATS, "quote")] == ["f3"]
    assert search_formats(FORMATS, None) == FORMATS


def _static(**kw: object) -> None:
    args: dict[str, object] = {
        "prompt": "Sale",
        "aspect_ratio": None,
        "resolution": None,
        "quality": None,
        "count": None,
        "media": 0,
        "params": {},
    }
    check_static(**{**args, **kw})  # type: ignore[arg-type]


def test_static_checks_name_the_allowed_values() -> None:
    _static(aspect_ratio="27:16", resolution="4k", quality="high", count=20, media=14, params={"folder_id": "x"})
    with pytest.raises(UnknownParams, match="Unknown params: seed"):
        _static(params={"seed": 1})
    with pytest.raises(MissingParams):
        _static(prompt=" ")
    for kw, allowed in [({"aspect_ratio": "4:5"}, "9:4"), ({"resolution": "8k"}, "1k"), ({"quality": "max"}, "low")]:
        with pytest.raises(InvalidValues) as caught:
            _static(**kw)
        assert allowed in caught.value.allowed
    with pytest.raises(InvalidValues, match=r"1\.\.20"):
        _static(count=21)
    with pytest.raises(InvalidValues, match="at most 14"):
        _static(media=15)


def test_listing_scopes_assets_and_main_job() -> None:
    assert plan_listing(None, [], None) == ("product-images", plan_listing("product-images", [], None)[1])
    assert len(plan_listing("full set", [], None)[1]) == 13
    assert plan_listing("aplus", [], "job")[1][0] == "aplus_hero_banner", "the main image is not made again"
    assert plan_listing(None, ["lifestyle", "lifestyle"], None) == (None, ["lifestyle"])
    for scope, assets, main, error in [
        ("main", ["lifestyle"], None, ValidationError),
        ("everything", [], None, InvalidValues),
        (None, ["banner"], None, InvalidValues),
        ("main", [], "job", ValidationError),
    ]:
        with pytest.raises(error):
            plan_listing(scope, assets, main)


def test_brand_kit_by_id_name_or_words_only_when_completed() -> None:
    kits = [
        BrandKit(id="k1", status="completed", data={"brand_name": "Acme Coffee"}),
        BrandKit(id="k2", status="failed", data={"brand_name": "Globex"}),
    ]
    assert match_kit(kits, "K1").id == "k1"
    assert match_kit(kits, "acme coffee").id == "k1"
    assert match_kit(kits, "the Acme Coffee kit").id == "k1"
    with pytest.raises(InvalidValues) as caught:
        match_kit(kits, "Globex")
    assert caught.value.allowed == ["Acme Coffee"]


def test_workspace_by_id_or_name() -> None:
    spaces = [
        Workspace(id="w1", name="Sandbox workspace", is_selected=False),
        Workspace(id="w2", name="Studio team"),
        Workspace(id="w3", name=None),
    ]
    assert match_workspace(spaces, "w2").id == "w2"
    assert match_workspace(spaces, "  studio   TEAM ").id == "w2"
    assert match_workspace(spaces, "private").id == "w3", "a workspace without a name is the private one"
    with pytest.raises(InvalidValues) as caught:
        match_workspace(spaces, "Globex")
    assert caught.value.allowed == ["Sandbox workspace", "Studio team", "Private"]
