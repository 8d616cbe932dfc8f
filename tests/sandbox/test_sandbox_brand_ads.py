"""``higgsfield-sandbox`` brand ads, marketplace cards and several workspaces (contract §5.4, §5.11, §5.12)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tests.sandbox.test_sandbox_cli import Sandbox


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path / "state")


def _until(sb: Sandbox, args: tuple[str, ...], status: str, seconds: float = 30) -> Any:
    """Poll (bounded) until the object reads `status`."""
    deadline = time.monotonic() + seconds
    while True:
        obj = sb.ok(*args)
        if obj["status"] == status or time.monotonic() > deadline:
            return obj
        time.sleep(0.05)


def _creates(sb: Sandbox) -> int:
    return len(sb.job_files())


def test_brand_kit_fetch_waits_with_progress_dedupes_and_fails(sb: Sandbox) -> None:
    res = sb.run("ms", "brand-kits", "fetch", "--url", "https://www.acme-coffee.com/", "--wait", "--json")
    assert res.code == 0, res
    kit = res.json()
    assert kit["status"] == "completed" and kit["data"]["brand_name"] == "Acme Coffee (sandbox)"
    assert kit["data"]["logo"].endswith(".jpg") and kit["latest_progress"]
    progress = res.err.splitlines()
    # which phases a poll sees depends on how busy the machine is; their order and the end do not
    phases = [
        next(i for i, p in enumerate(("queued", "in_progress", "completed")) if f": {p} - " in line)
        for line in progress
    ]
    assert phases == sorted(phases) and phases[-1] == 2, progress
    assert progress[-1].endswith("completed - Brand kit ready")
    assert all(line.endswith("queued - Queued") for line, phase in zip(progress, phases, strict=True) if phase == 0)
    assert not any(line.startswith("Error:") for line in progress)


def test_brand_kit_list_get_and_failure(sb: Sandbox) -> None:
    kit = sb.ok("ms", "brand-kit", "fetch", "--url", "https://acme.example")
    assert kit["status"] in ("queued", "in_progress")
    assert sb.ok("ms", "bk", "fetch", "--url", "https://ACME.example/")["id"] == kit["id"]
    listed = sb.ok("ms", "brand-kits", "list")
    assert set(listed) == {"items", "cursor", "has_more"} and [k["id"] for k in listed["items"]] == [kit["id"]]
    assert _until(sb, ("ms", "brand-kits", "get", kit["id"]), "completed")["status"] == "completed"
    res = sb.run("ms", "brand-kits", "fetch", "--url", "https://fail.example", "--wait", "--json")
    assert res.code == 1 and res.json()["status"] == "failed"
    assert res.err.strip().splitlines()[-1].startswith("Error: could not read the site")
    assert sb.run("ms", "brand-kits", "get", "nope").code == 3


def test_ad_formats_list_and_type_filter(sb: Sandbox) -> None:
    listed = sb.ok("ms", "ad-formats", "list")
    assert set(listed) == {"items", "cursor", "has_more"} and len(listed["items"]) == 10
    first = listed["items"][0]
    assert set(first) == {"id", "name", "type", "priority", "media"} and first["media"]["thumbnail_url"]
    headlines = sb.ok("ms", "ad-formats", "list", "--type", "headline")["items"]
    assert headlines and {f["type"] for f in headlines} == {"headline"}


def test_dtc_ads_required_flags_and_limits_create_nothing(sb: Sandbox, tmp_path: Path) -> None:
    fmt = sb.ok("ms", "ad-formats", "list")["items"][0]["id"]
    cases: list[tuple[list[str], str]] = [
        (["--format-id", fmt], "Error: Flag --prompt is required"),
        (["--prompt", "x"], "Error: Flag --format-id is required"),
        (
            ["--prompt", "x", "--format-id", fmt, *["--media", "m"] * 15],
            "Error: --media accepts at most 14 entries.",
        ),
        (
            ["--prompt", "x", "--format-id", fmt, "--avatar", "a", "--avatar", "b"],
            "Error: --avatar accepts at most 1 entry.",
        ),
        (
            ["--prompt", "x", "--format-id", fmt, "--product", "a", "--product", "b"],
            "Error: --product accepts at most 1 entry.",
        ),
        (["--prompt", "x", "--format-id", fmt, "--aspect-ratio", "5:5"], "Error: Invalid values: aspect_ratio=5:5"),
        (["--prompt", "x", "--format-id", fmt, "--batch-size", "21"], "Error: Invalid values: batch_size=21"),
        (["--prompt", "x", "--format-id", fmt, "--quality", "ultra"], "Error: Invalid values: quality=ultra"),
    ]
    for flags, error in cases:
        res = sb.run("ms", "dtc-ads", "generate", *flags, "--json")
        assert res.code == 1 and res.err.startswith(error), (flags, res)
    assert sb.run("ms", "dtc-ads", "generate", "--prompt", "x", "--format-id", "nope").code == 3
    assert _creates(sb) == 0
    assert sb.ok("account", "transactions")["items"] == []


def test_dtc_ads_batch_in_a_format_with_a_brand_kit(sb: Sandbox) -> None:
    fmt = sb.ok("ms", "ad-formats", "list", "--type", "offer")["items"][0]["id"]
    kit = sb.run("ms", "bk", "fetch", "--url", "https://acme.example", "--wait", "--json").json()
    cost = sb.ok(
        "ms", "dtc", "generate", "--prompt", "Spring sale", "--format-id", fmt, "--batch-size", "3", "--cost-only"
    )
    assert cost["credits"] == 9 and _creates(sb) == 0
    ids = sb.ok(
        "ms",
        "ads",
        "generate",
        "--prompt",
        "Spring sale",
        "--format-id",
        fmt,
        "--brand-kit-id",
        kit["id"],
        "--batch-size",
        "3",
        "--aspect-ratio",
        "4:5" if False else "9:16",
    )
    assert len(ids) == 3 and all(isinstance(i, str) for i in ids)
    job = _until(sb, ("generate", "get", ids[0]), "completed")
    assert job["job_type"] == "dtc_ads" and job["params"]["style_id"] == fmt
    assert job["params"]["brand_kit_id"] == kit["id"] and job["params"]["prompt"] == "Spring sale"
    assert job["result_url"].endswith(".png")
    assert {j["id"] for j in sb.ok("generate", "list")} >= set(ids)


def test_ad_references_from_a_job_or_a_video(sb: Sandbox, tmp_path: Path) -> None:
    both = sb.run("ms", "ad-references", "create", "--video-input", "a", "--job", "b")
    none = sb.run("ms", "adrefs", "create")
    for res in (both, none):
        assert res.code == 1 and res.err == "Error: Exactly one of --video-input or --job is required.\n"
    video = sb.ok("generate", "create", "kling3_0", "--prompt", "a clip", "--wait")[0]
    ref = sb.ok("ms", "ad-refs", "create", "--job", video["id"])
    assert ref["status"] in ("queued", "in_progress") and ref["job_id"] == video["id"] and ref["video_s3_url"] is None
    done = _until(sb, ("ms", "ad-references", "get", ref["id"]), "completed")
    assert done["video_s3_url"] == video["result_url"] and done["source_platform"] == "job"
    listed = sb.ok("ms", "ad-references", "list")
    assert set(listed) == {"items", "total_count", "cursor"} and listed["total_count"] == 1
    image = sb.ok("generate", "create", "z_image", "--prompt", "a still", "--wait")[0]
    assert sb.run("ms", "ad-references", "create", "--job", image["id"]).code == 1


def test_marketplace_cards_scopes_assets_and_main_job(sb: Sandbox) -> None:
    counts = {"main": 1, "product-images": 6, "aplus": 8, "full-set": 13}
    for scope, n in counts.items():
        made = sb.ok("marketplace-cards", "create", "--scope", scope, "--prompt", f"Kettle {scope}")
        assert len(made) == n and {j["job_type"] for j in made} == {"nano_banana_2"}
        assert made[0]["params"]["asset"] == "main_image" and made[0]["params"]["prompt"] == f"Kettle {scope}"
    main = made[0]
    _until(sb, ("generate", "get", main["id"]), "completed")
    extra = sb.ok(
        "marketplace-cards",
        "create",
        "--asset",
        "lifestyle",
        "--asset",
        "aplus_features",
        "--main-job",
        main["id"],
        "--prompt",
        "Kettle",
    )
    assert [j["params"]["asset"] for j in extra] == ["lifestyle", "aplus_features"]
    before = _creates(sb)
    for flags, error in [
        (["--scope", "everything"], "Error: Invalid values: scope=everything (allowed: main, product-images"),
        (["--asset", "banner"], "Error: Invalid values: asset=banner (allowed: main_image"),
        (["--scope", "main", "--asset", "lifestyle"], "Error: --scope and --asset cannot be used together"),
        ([], "Error: one of --scope or --asset is required"),
        (["--scope", "main", "--main-job", main["id"]], "Error: --main-job already is the main image"),
    ]:
        res = sb.run("marketplace-cards", "create", *flags, "--prompt", "Kettle", "--json")
        assert res.code == 1 and res.err.startswith(error), (flags, res)
    assert _creates(sb) == before
    poor = sb.run(
        "marketplace-cards",
        "create",
        "--scope",
        "full-set",
        "--prompt",
        "K",
        "--json",
        env={"HIGGSFIELD_SANDBOX_CREDITS": "10"},
    )
    assert poor.code == 3 and "Insufficient credits" in poor.err and _creates(sb) == before


def test_several_workspaces_list_set_status_unset(sb: Sandbox) -> None:
    env = {"HIGGSFIELD_SANDBOX_WORKSPACES": "Studio team, Agency"}
    spaces = sb.run("workspace", "list", "--json", env=env).json()
    assert [w["name"] for w in spaces] == ["Sandbox workspace", "Studio team", "Agency"]
    assert [w["is_selected"] for w in spaces] == [True, False, False]
    assert sb.run("workspace", "set", spaces[2]["id"], env=env).out.strip() == f"Selected workspace: {spaces[2]['id']}"
    status = sb.run("workspace", "status", "--json", env=env).json()
    assert status["name"] == "Agency" and status["is_selected"] is True
    assert sb.run("workspace", "unset", env=env).code == 0
    listed = sb.run("workspace", "list", "--json", env=env).json()
    assert not any(w["is_selected"] for w in listed)
    assert sb.run("workspace", "status", env=env).code == 4
