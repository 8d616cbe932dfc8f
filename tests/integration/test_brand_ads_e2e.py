"""Brand ads end to end over stdio against the sandbox CLI and a loopback CDN: a brand kit read
from a site then static ads in one format, a marketplace listing set, an ad reference from a
job, and refusals that spend nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")

SITE = "https://www.acme-coffee.com"
PAID = (("marketing-studio", "dtc-ads", "generate"), ("marketplace-cards", "create"), ("generate", "create"))


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _spent(sandbox: Sandbox) -> list[list[str]]:
    """Every call that creates or prices a job."""
    return [a for prefix in PAID for a in sandbox.argvs(*prefix)] + sandbox.argvs("generate", "cost")


async def _call(client: Client, **args: Any) -> Any:
    result = await client.call_tool("marketing_ad", args)
    assert not result.is_error, result.content
    return result


async def test_brand_kit_from_a_site_then_three_static_ads_in_one_format(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        kit = await _call(client, action="brand_kit", brand_url=SITE)
        made = kit.structured_content["brand_kit"]
        assert made["name"] == "Acme Coffee (sandbox)" and made["status"] == "completed"
        assert "brand_kit=Acme Coffee (sandbox)" in kit.content[0].text

        formats = await _call(client, action="list_formats", ad_format="headline")
        names = [f["name"] for f in formats.structured_content["ad_formats"]]
        assert names == ["Bold headline (sandbox)", "Benefit stack (sandbox)"]

        ads = await _call(
            client,
            kind="static",
            brand_kit="acme coffee",
            ad_format="Bold headline",
            prompt="Cold brew season: 20% off this week",
            count=3,
            aspect_ratio="9:16",
            quality="medium",
        )
        data = ads.structured_content
        assert data["brand_kit"]["id"] == made["id"] and data["ad_format"]["name"] == "Bold headline (sandbox)"
        assert len(data["jobs"]) == 3 and {j["state"] for j in data["jobs"]} == {"completed"}
        for job in data["jobs"]:
            assert job["model"] == "dtc_ads" and Path(job["files"][0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert ads.content[0].text.startswith("3 static ads in “Bold headline (sandbox)” for Acme Coffee (sandbox)")
        assert any(block.type == "image" for block in ads.content), "previews like any generation"
        history = await client.call_tool("jobs", {"action": "history", "model": "dtc_ads"})
        assert len(history.structured_content["jobs"]) == 3, "static ads appear in `jobs`"

        again = await _call(client, kind="static", brand_url=SITE, ad_format="offer", prompt="Bundle and save")
        assert again.structured_content["brand_kit"]["id"] == made["id"], "the kit is kept and reused"

    assert len(sandbox.argvs("marketing-studio", "brand-kits", "fetch")) == 1
    [first, _] = sandbox.argvs("marketing-studio", "dtc-ads", "generate")
    assert _flag(first, "--brand-kit-id") == made["id"] and _flag(first, "--batch-size") == "3"
    assert (_flag(first, "--aspect-ratio"), _flag(first, "--quality")) == ("9:16", "medium")
    assert "--wait" not in first, "submitted, then polled by the one poller"


async def test_marketplace_listing_set_with_product_context(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        listing = await _call(
            client, kind="marketplace", prompt="Stainless kettle, 1.7 l", scope="product-images", brand_url=SITE
        )
        data = listing.structured_content
        assert len(data["jobs"]) == 6 and {j["state"] for j in data["jobs"]} == {"completed"}
        assert sorted(data["assets"].values()) == sorted(
            ["main_image", "infographic", "multi_angle", "detail_shot", "lifestyle", "whats_in_box"]
        )
        assert all(Path(j["files"][0]).exists() for j in data["jobs"])
        main = next(i for i, a in data["assets"].items() if a == "main_image")
        aplus = await _call(client, kind="marketplace", prompt="Stainless kettle, 1.7 l", scope="aplus", source=main)
        assert len(aplus.structured_content["jobs"]) == 7, "the main image is reused, not made again"
    [first, second] = sandbox.argvs("marketplace-cards", "create")
    assert _flag(first, "--scope") == "product-images" and "Acme Coffee" in _flag(first, "--brand_context")
    assert _flag(second, "--main-job") == main


async def test_ad_reference_from_a_generated_clip(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        clip = await client.call_tool("generate", {"prompt": "a barista pours latte art", "model": "kling3_0"})
        assert not clip.is_error, clip.content
        job_id = clip.structured_content["jobs"][0]["job_id"]
        ref = await _call(client, action="ad_reference", source=job_id)
        made = ref.structured_content["ad_reference"]
        assert made["status"] == "completed" and made["job_id"] == job_id
        assert f"ad_reference_id={made['id']}" in ref.content[0].text
    assert _flag(sandbox.argvs("marketing-studio", "ad-references", "create")[0], "--job") == job_id


async def test_a_static_ad_whose_answer_is_lost_is_found_again_not_resent(sandbox: Sandbox) -> None:
    sandbox.fault("garbled_json@marketing-studio.dtc-ads.generate")
    async with Client(stdio_params(sandbox)) as client:
        result = await _call(client, kind="static", ad_format="offer", prompt="Lost answer", count=2)
        history = await client.call_tool("jobs", {"action": "history", "model": "dtc_ads"})
    data = result.structured_content
    assert len(sandbox.argvs("marketing-studio", "dtc-ads", "generate")) == 1, "never sent twice"
    assert len(data["jobs"]) == 2 and {j["state"] for j in data["jobs"]} == {"completed"}
    assert data["unclear_submissions"] == 0 and len(history.structured_content["jobs"]) == 2


REFUSED: list[tuple[dict[str, Any], str]] = [
    (
        {"kind": "static", "prompt": "x", "ad_format": "offer", "seed": 3},
        "`marketing_ad` has no argument `seed`; nothing was run",
    ),
    ({"kind": "static", "prompt": "x", "ad_format": "Bold headline", "params": {"seed": 1}}, "Unknown params: seed"),
    ({"kind": "static", "prompt": "x", "ad_format": "Bold headline", "aspect_ratio": "5:4"}, "allowed: 1:1, 3:2"),
    ({"kind": "static", "prompt": "x", "ad_format": "Bold headline", "quality": "ultra"}, "low, medium, high"),
    ({"kind": "static", "prompt": "x", "ad_format": "nonesuch"}, "Bold headline (sandbox) (headline)"),
    ({"kind": "static", "ad_format": "Bold headline"}, "needs a prompt"),
    ({"kind": "static", "prompt": "x"}, "needs an ad format"),
    ({"kind": "static", "prompt": "x", "ad_format": "offer", "brand_kit": "Globex"}, "no brand kit has that name"),
    ({"kind": "static", "prompt": "x", "ad_format": "offer", "hook": "Stop scrolling"}, "hook does not apply"),
    ({"kind": "static", "prompt": "x", "ad_format": "offer", "brand_url": "https://fail.example"}, "could not read"),
    ({"kind": "marketplace", "prompt": "x", "scope": "everything"}, "allowed: main, product-images, aplus"),
    ({"kind": "marketplace", "prompt": "x", "assets": ["banner"]}, "allowed: main_image, infographic"),
    ({"kind": "marketplace", "prompt": "x", "scope": "main", "assets": ["lifestyle"]}, "Both scope and assets"),
    ({"kind": "marketplace", "prompt": "x", "quality": "high"}, "quality does not apply"),
    ({"kind": "video", "product_url": "https://shop.example.com/a", "brand_kit": "Acme"}, "brand_kit does not apply"),
    ({"kind": "photoshoot", "prompt": "a mug", "count": 11}, "allowed: 1..10"),
    ({"action": "ad_reference"}, "needs its source"),
]


async def test_refused_combinations_spend_nothing(sandbox: Sandbox) -> None:
    """One session for all of them (each refusal is checked on its own)."""
    async with Client(stdio_params(sandbox)) as client:
        for args, expected in REFUSED:
            result = await client.call_tool("marketing_ad", args)
            assert result.is_error, args
            text = result.content[0].text
            assert expected in text and ("Nothing was spent" in text or "nothing was run" in text), (args, text)
            assert _spent(sandbox) == [], f"{args}: no create or cost call reached the CLI"


async def test_a_site_slower_than_the_wait_is_read_on_and_found_by_the_next_call(sandbox: Sandbox) -> None:
    """A 60 s host gets an answer: the read goes on (it is free), a static ad waits for it, nothing is spent."""
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="6")
    async with Client(stdio_params(sandbox)) as client:
        first = await _call(client, action="brand_kit", brand_url=SITE, wait_seconds=1)
        ad = await client.call_tool(
            "marketing_ad",
            {"kind": "static", "brand_url": SITE, "ad_format": "offer", "prompt": "x", "wait_seconds": 1},
        )
        later = await _call(client, action="brand_kit", brand_url=SITE, wait_seconds=60)
    assert first.structured_content["brand_kit"] is None
    assert "still reading" in first.content[0].text and "Call again" in first.content[0].text, first.content[0].text
    assert ad.is_error and "still reading" in ad.content[0].text and "Nothing was submitted" in ad.content[0].text
    assert later.structured_content["brand_kit"]["status"] == "completed"
    assert _spent(sandbox) == []
