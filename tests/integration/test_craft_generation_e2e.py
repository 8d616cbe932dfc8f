"""What a director notices in generation results, over stdio against the sandbox (calls log and files checked):
Soul Cast straight from `generate`, Soul Cinema wide by default, a clip that keeps its first frame's shape,
a character with nothing to keep its face said so, and a missing prompt that asks the user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")


def _flag(argv: list[str], *flags: str) -> str | None:
    values = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in flags]
    return values[-1] if values else None


async def _generate(client: Client, args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    result = await client.call_tool("generate", args)
    text = "\n".join(b.text for b in result.content if b.type == "text")
    assert not result.is_error, text
    return result.structured_content or {}, text


def _shape(path: str) -> float:
    with Image.open(path) as image:
        return image.width / image.height


async def test_soul_cast_from_generate_sends_its_object_prompt(sandbox: Sandbox) -> None:
    words = 'a weathered lighthouse keeper, "salt-grey" beard, oilskin coat, storm light'
    async with Client(stdio_params(sandbox)) as client:
        data, _ = await _generate(client, {"prompt": words, "model": "soul_cast"})
        [job] = data["jobs"]
        assert job["state"] == "completed" and Path(job["files"][0]).is_file()
        # the old workaround (the object under params) still works, and is not wrapped twice
        again, _ = await _generate(
            client, {"prompt": None, "model": "Soul Cast", "params": {"prompt": {"prompt": words}}}
        )
        assert again["jobs"][0]["state"] == "completed"
        # make_references goes through the same home for the prompt shape
        await client.call_tool("character_library", {"action": "create", "name": "Keeper", "description": words})
        refs = await client.call_tool(
            "character_library", {"action": "make_references", "name": "Keeper", "pipeline": "soul_cast"}
        )
        assert not refs.is_error, refs.content[0].text
        stored = refs.structured_content["character"]["references"]
        assert len(stored) == 3 and all(r["prompt"].startswith(words) for r in stored), "kept as words, not JSON"
    first, second, *references = sandbox.argvs("generate", "create")
    assert len(references) == 3
    assert all(json.loads(_flag(a, "--prompt") or "")["prompt"].startswith(words) for a in references)
    assert first[2] == "soul_cast" and json.loads(_flag(first, "--prompt") or "") == {"prompt": words}
    assert json.loads(_flag(second, "--prompt") or "") == {"prompt": words}
    assert _flag(first, "--aspect_ratio", "--aspect-ratio") == "16:9", "its only ratio, filled in"


async def test_soul_cinema_is_wide_unless_a_ratio_is_given(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        wide, _ = await _generate(
            client,
            {"prompt": "wide cinematic frame of a harbour at dawn, fog, sodium lamps", "model": "soul_cinematic"},
        )
        scope, _ = await _generate(
            client, {"prompt": "anamorphic night exterior, rain on chrome, a lone taxi", "model": "Soul Cinema"}
        )
        routed, _ = await _generate(client, {"prompt": "a film still of a diner at 3am, neon through glass"})
        square, _ = await _generate(
            client, {"prompt": "a square poster frame of a diner", "model": "soul_cinematic", "aspect_ratio": "1:1"}
        )
    calls = sandbox.argvs("generate", "create")
    ratios = [_flag(argv, "--aspect_ratio", "--aspect-ratio") for argv in calls]
    assert ratios == ["16:9", "21:9", "16:9", "1:1"]
    assert routed["model"] == "soul_cinematic"
    assert _shape(wide["jobs"][0]["files"][0]) == pytest.approx(16 / 9, rel=0.02)
    assert _shape(scope["jobs"][0]["files"][0]) == pytest.approx(21 / 9, rel=0.02)
    assert _shape(square["jobs"][0]["files"][0]) == pytest.approx(1.0, rel=0.02)


async def test_a_clip_keeps_its_start_images_shape(sandbox: Sandbox, tmp_path: Path) -> None:
    odd = tmp_path / "frames" / "tall.png"
    odd.parent.mkdir()
    Image.new("RGB", (1000, 1500), (40, 60, 90)).save(odd)  # 2:3, which Seedance 2.0 does not take
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(odd.parent))
    async with Client(stdio_params(sandbox)) as client:
        still, _ = await _generate(
            client,
            {"prompt": "a dancer mid-turn, red dress, tungsten key light", "model": "soul_2", "aspect_ratio": "3:4"},
        )
        [frame] = still["jobs"]
        assert _shape(frame["files"][0]) == pytest.approx(3 / 4, rel=0.02)
        clip, clip_text = await _generate(
            client,
            {"prompt": "she completes the turn, camera holds", "model": "seedance_2_0", "start_image": frame["job_id"]},
        )
        other, other_text = await _generate(
            client, {"prompt": "slow push in", "model": "seedance_2_0", "start_image": str(odd)}
        )
        given, _ = await _generate(
            client,
            {"prompt": "slow push in", "model": "seedance_2_0", "start_image": str(odd), "aspect_ratio": "16:9"},
        )
    calls = sandbox.argvs("generate", "create")
    assert [_flag(a, "--aspect_ratio", "--aspect-ratio") for a in calls] == ["3:4", "3:4", "3:4", "16:9"]
    assert _flag(calls[1], "--start-image", "--start_image") == frame["job_id"]
    assert clip["jobs"][0]["state"] == "completed" and not clip["advice"], "3:4 is its own shape: nothing to say"
    assert "start image" not in clip_text
    [note] = other["advice"]
    assert "1000x1500 (2:3)" in note and "3:4" in note and note in other_text
    rendered = json.loads((sandbox.home / "jobs" / f"{clip['jobs'][0]['job_id']}.json").read_text())
    assert rendered["params"]["aspect_ratio"] == "3:4"
    assert rendered["params"]["width"] < rendered["params"]["height"], "the sandbox renders a portrait clip"
    assert given["jobs"][0]["state"] == "completed"


async def test_a_character_without_references_or_soul_says_so(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        created = await client.call_tool(
            "character_library",
            {"action": "create", "name": "Ines Duarte", "description": "a woman in her sixties, silver crop, linen"},
        )
        assert not created.is_error
        data, text = await _generate(
            client, {"prompt": "at a market stall at noon", "model": "soul_2", "character": "Ines Duarte"}
        )
    [note] = data["advice"]
    assert "Ines Duarte has no reference images or Soul id" in note and "make_references" in note
    assert note in text
    [argv] = sandbox.argvs("generate", "create")
    assert "--image" not in argv and "--soul-id" not in argv
    assert "a woman in her sixties" in (_flag(argv, "--prompt") or "")


async def test_a_missing_prompt_tells_the_agent_to_ask_the_user(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("generate", {"prompt": None, "model": "soul_cinematic"})
    assert result.is_error
    text = result.content[0].text
    assert "Ask the user what they want to see" in text and "Provide prompt" not in text
    assert not sandbox.argvs("generate", "create"), "nothing was sent"
