"""`marketing_ad` end to end: stdio against the sandbox CLI and a loopback CDN (real subprocesses,
real downloads), plus the in-process elicitation path for a missing product."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitResult
from PIL import Image

from higgsfield_mcp.server import create_server

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")

SHOP_URL = "https://shop.example.com/sneakers"


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _index(sandbox: Sandbox, *prefix: str) -> int:
    """Position in the calls log of the first call starting with `prefix`."""
    return next(i for i, c in enumerate(sandbox.calls()) if list(c["argv"][: len(prefix)]) == list(prefix))


@pytest.fixture
def photos(sandbox: Sandbox, tmp_path: Path) -> Path:
    """A media root holding a product photo and a face photo."""
    root = tmp_path / "media-in"
    root.mkdir()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(root / "red-sneaker.png")
    Image.new("RGB", (64, 64), (220, 190, 160)).save(root / "founder.png")
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(root))
    return root


async def test_url_product_ugc_video_with_preset_avatar_then_click_to_ad(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "marketing_ad",
            {
                "product_url": SHOP_URL,
                "avatar": "Ava",
                "prompt": "she loves how light they are on a morning run",
                "duration": 15,
                "aspect_ratio": "9:16",
            },
        )
        assert not result.is_error, result.content
        data = result.structured_content
        assert data["mode"] == "ugc" and data["kind"] == "video" and not data["click_to_ad"]
        assert data["product"]["status"] == "completed" and data["avatar"]["name"].startswith("Ava")
        [job] = data["jobs"]
        assert job["state"] == "completed" and Path(job["files"][0]).read_bytes()[4:8] == b"ftyp"
        text = result.content[0].text
        assert text.startswith("UGC video ad for Sneakers") and job["urls"][0] in text

        click = await client.call_tool("marketing_ad", {"product_url": SHOP_URL})
        assert not click.is_error, click.content
        assert click.structured_content["click_to_ad"] and click.structured_content["jobs"][0]["state"] == "completed"
        history = await client.call_tool("jobs", {"action": "history", "model": "marketing_studio_video"})
        assert len(history.structured_content["jobs"]) == 2, "ads appear in `jobs`"

    fetches = sandbox.argvs("marketing-studio", "products", "fetch")
    assert fetches and all(_flag(a, "--url") == SHOP_URL for a in fetches)
    first, second = sandbox.argvs("generate", "create")
    assert first[:3] == ["generate", "create", "marketing_studio_video"]
    assert _index(sandbox, "marketing-studio", "products", "fetch") < _index(sandbox, "generate", "create")
    for name in ("--product_ids", "--avatars"):
        value = _flag(first, name)
        assert value.startswith("@") and value.endswith(".json"), name
        assert not Path(value[1:]).exists(), "temp array files are removed after the call"
    assert _flag(first, "--mode") == "ugc" and _flag(first, "--aspect_ratio") == "9:16"
    # Click-to-Ad: the page URL itself, UGC, 15 s, vertical
    assert _flag(second, "--url") == SHOP_URL and "--product_ids" not in second and "--avatars" not in second
    assert (_flag(second, "--mode"), _flag(second, "--duration"), _flag(second, "--aspect_ratio")) == (
        "ugc",
        "15",
        "9:16",
    )


async def test_failed_fetch_and_photo_product_405_spend_nothing(sandbox: Sandbox, photos: Path) -> None:
    async with Client(stdio_params(sandbox)) as client:
        failed = await client.call_tool("marketing_ad", {"product_url": "https://shop.example.com/fail-item"})
        refused = await client.call_tool(
            "marketing_ad", {"product_photos": [str(photos / "red-sneaker.png")], "product_title": "Red Sneaker"}
        )
    assert failed.is_error
    text = failed.content[0].text
    assert "scrape blocked" in text and "fail-item" in text and "Nothing was spent" in text
    assert refused.is_error
    text = refused.content[0].text
    assert "405" in text and "Method Not Allowed" in text and "product_url" in text
    assert sandbox.argvs("upload", "create") and sandbox.argvs("marketing-studio", "products", "create")
    assert not sandbox.argvs("generate"), "nothing was submitted or priced"


async def test_hook_with_ad_reference_is_refused_before_anything_is_spent(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "marketing_ad",
            {
                "product_url": SHOP_URL,
                "hook": "Stop scrolling",
                "ad_reference_id": "0b8e6f5e-6a0e-4f4e-9d7e-2f3c1a2b3c4d",
            },
        )
    assert result.is_error
    assert "ad reference" in result.content[0].text and "Nothing was spent" in result.content[0].text
    assert not sandbox.argvs("generate") and not sandbox.argvs("marketing-studio"), "no CLI call at all"


async def test_marketing_image_with_product_and_avatar_pictures(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "marketing_ad",
            {"kind": "image", "product_url": SHOP_URL, "avatar": "male, business", "aspect_ratio": "1:1"},
        )
    assert not result.is_error, result.content
    data = result.structured_content
    assert data["kind"] == "image" and data["avatar"]["name"].startswith("Marcus")
    [job] = data["jobs"]
    assert job["state"] == "completed" and Path(job["files"][0]).is_file()
    assert [b for b in result.content if b.type == "image"], "a preview of the still"
    [argv] = sandbox.argvs("generate", "create")
    assert argv[2] == "marketing_studio_image" and "Sneakers" in _flag(argv, "--prompt")
    images = [argv[i + 1] for i, a in enumerate(argv) if a == "--image"]
    assert len(images) == 2, "the product's and the presenter's pictures, uploaded"
    assert len(sandbox.argvs("upload", "create")) == 2


async def test_three_image_product_photoshoot_is_journaled(sandbox: Sandbox, photos: Path) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "marketing_ad",
            {
                "kind": "photoshoot",
                "product_photos": [str(photos / "red-sneaker.png")],
                "prompt": "ad variants for Meta and TikTok",
                "mode": "ad pack",
                "count": 3,
            },
        )
        assert not result.is_error, result.content
        history = await client.call_tool("jobs", {"action": "history", "model": "gpt_image_2"})
    data = result.structured_content
    assert data["mode"] == "ad_creative_pack" and len(data["jobs"]) == 3
    files = [Path(j["files"][0]) for j in data["jobs"]]
    assert all(j["state"] == "completed" for j in data["jobs"]) and all(f.is_file() for f in files)
    assert len({f.name for f in files}) == 3
    assert len([b for b in result.content if b.type == "image"]) == 3
    assert {j["job_id"] for j in history.structured_content["jobs"]} == {j["job_id"] for j in data["jobs"]}
    [argv] = sandbox.argvs("product-photoshoot", "create")
    assert (_flag(argv, "--mode"), _flag(argv, "--count")) == ("ad_creative_pack", "3")
    assert _flag(argv, "--image") == str((photos / "red-sneaker.png").resolve())
    assert not sandbox.argvs("generate", "create")


async def test_a_photoshoot_longer_than_the_wait_goes_on_and_resume_collects_it(sandbox: Sandbox, photos: Path) -> None:
    """The command waits for its images itself: a 60 s host gets an answer, the command is not killed or re-sent."""
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="6")
    shoot = {"kind": "photoshoot", "product_photos": [str(photos / "red-sneaker.png")], "count": 2, "wait_seconds": 1}
    async with Client(stdio_params(sandbox)) as client:
        first = await client.call_tool("marketing_ad", {**shoot, "prompt": "two clean packshots"})
        assert not first.is_error, first.content
        assert first.structured_content["jobs"] == [] and first.structured_content["unclear_submissions"] == 1
        text = "\n".join(b.text for b in first.content if b.type == "text")
        assert "still running" in text and "resume" in text, text
        resumed = await client.call_tool("jobs", {"action": "resume", "wait_seconds": 60})
        again = await client.call_tool("jobs", {"action": "resume", "wait_seconds": 0})
    jobs = resumed.structured_content["jobs"]
    assert len(jobs) == 2 and all(j["state"] == "completed" and Path(j["files"][0]).is_file() for j in jobs)
    said = "\n".join(b.text for b in resumed.content if b.type == "text")
    assert "Found the job" in said and "never sent twice" in said, said
    assert "Found the job" not in "\n".join(b.text for b in again.content if b.type == "text"), "told once"
    assert len(sandbox.argvs("product-photoshoot", "create")) == 1


# --- a library character as the avatar (in-process, the real library's character folders) ---------------


@pytest.fixture
def mara(sandbox: Sandbox, tmp_path: Path) -> Any:
    """A library character with a profile and a front reference (and a failed front that must be skipped)."""
    store_module = pytest.importorskip("higgsfield_mcp.domain.library.store")
    models = pytest.importorskip("higgsfield_mcp.domain.library.models")
    store = store_module.CharacterStore(sandbox.settings().library_dir)
    character = store.create(models.Character(name="Mara", slug="-", description="a climber in her thirties"))
    refs = []
    for angle, colour in (("profile", (40, 60, 90)), ("front", (90, 60, 40))):
        source = tmp_path / f"{angle}.png"
        Image.new("RGB", (64, 64), colour).save(source)
        refs.append(models.Reference(angle=angle, file=store.add_image(character.slug, source, angle)))
    refs.append(models.Reference(angle="front", file=None, state="failed"))
    store.change(character.slug, lambda c: c.references.extend(refs))
    return store


async def test_library_character_becomes_a_custom_avatar_once(sandbox: Sandbox, mara: Any) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        first = await client.call_tool(
            "marketing_ad", {"product_url": SHOP_URL, "avatar_character": "mara", "mode": "product review"}
        )
        assert not first.is_error, first.content
        again = await client.call_tool("marketing_ad", {"product_url": SHOP_URL, "avatar_character": "Mara"})
        assert not again.is_error, again.content
    avatar = first.structured_content["avatar"]
    assert avatar["type"] == "custom" and avatar["source"] == "character" and avatar["name"] == "Mara"
    assert first.structured_content["mode"] == "product_review"
    assert mara.load("mara").avatar_ids == [avatar["id"]], "the avatar id is stored on the character"
    [upload] = sandbox.argvs("upload", "create")
    assert Path(upload[2]).name == "front.png", "the front reference, not the profile"
    [create] = sandbox.argvs("marketing-studio", "avatars", "create")
    assert _flag(create, "--image-url").startswith("https://") and _flag(create, "--name") == "Mara"
    assert again.structured_content["avatar"]["id"] == avatar["id"], "reused, not made again"
    assert first.structured_content["params"]["avatars"] == [{"id": avatar["id"], "type": "custom"}]
    assert all(_flag(argv, "--avatars").startswith("@") for argv in sandbox.argvs("generate", "create"))


# --- elicitation of the one missing thing (in-process) ----------------------------------------------------


@pytest.mark.parametrize("era", ["auto", "legacy"])
async def test_missing_product_is_asked_for_when_the_client_can_answer(sandbox: Sandbox, era: Any) -> None:
    questions: list[Any] = []

    async def answer(context: Any, params: Any) -> ElicitResult:
        questions.append(params)
        return ElicitResult(action="accept", content={"product_url": SHOP_URL})

    async with Client(create_server(sandbox.settings()), mode=era, elicitation_callback=answer) as client:
        result = await client.call_tool("marketing_ad", {})
    assert not result.is_error, result.content
    [question] = questions
    assert "product" in question.message.lower()
    assert list(question.requested_schema["properties"]) == ["product_url"]
    assert result.structured_content["click_to_ad"] and result.structured_content["jobs"][0]["state"] == "completed"
    assert _flag(sandbox.argvs("marketing-studio", "products", "fetch")[0], "--url") == SHOP_URL


async def test_missing_product_without_elicitation_names_the_one_thing(sandbox: Sandbox) -> None:
    async def decline(context: Any, params: Any) -> ElicitResult:
        return ElicitResult(action="decline")

    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("marketing_ad", {"avatar": "Ava", "prompt": "an ad"})
    async with Client(create_server(sandbox.settings()), elicitation_callback=decline) as client:
        declined = await client.call_tool("marketing_ad", {"kind": "image", "prompt": "an ad"})
    assert declined.is_error and "product is missing" in declined.content[0].text
    assert result.is_error
    text = result.content[0].text
    assert "product is missing" in text and "product_url" in text
    assert not sandbox.argvs("generate") and not sandbox.argvs("marketing-studio")
