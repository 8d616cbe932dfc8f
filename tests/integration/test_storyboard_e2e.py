"""A storyboard over stdio against the sandbox and a loopback CDN, from brief to animatic: six scenes
with two library characters, six stills at once, one redone, all approved, six clips made from their
stills (checked in the calls log), an animatic decoded frame by frame, and the page's every file."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import av
import pytest
from mcp import Client
from PIL import Image

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")

SCENES: list[dict[str, Any]] = [
    {"beat": "Maya boards the night ferry alone, clutching a letter", "characters": ["Maya Chen"],
     "location": "the ferry gangway in rain", "duration": 4},
    {"beat": "Tomas, the captain, watches her from the wheelhouse", "characters": ["Tomas Reyes"],
     "location": "the wheelhouse, instruments glowing", "framing": "over-the-shoulder", "duration": 5},
    {"beat": "Maya and Tomas meet on the deck; he recognises her", "characters": ["Maya Chen", "Tomas Reyes"],
     "framing": "two-shot", "camera_move": "slow orbit", "duration": 6},
    {"beat": "Maya reads the letter under a deck lamp", "characters": ["Maya Chen"],
     "framing": "close-up", "aspect_ratio": "9:16", "duration": 4},
    {"beat": "The far city's lights appear through the fog", "location": "open water, the skyline ahead",
     "camera_move": "static", "duration": 5},
    {"beat": "They step off together onto the harbour", "characters": ["Tomas Reyes", "Maya Chen"],
     "location": "the harbour terminal at dawn", "camera_move": "crane up", "duration": 4},
]  # fmt: skip


async def _call(client: Client, tool: str, args: dict[str, Any], said: list[str] | None = None) -> Any:
    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        if said is not None and message:
            said.append(message)

    result = await client.call_tool(tool, args, progress_callback=on_progress)
    assert not result.is_error, result.content[0].text if result.content else result
    return result


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _by_scene(creates: list[list[str]]) -> list[list[str]]:
    """The submits in scene order (they run at once, so the log's order is arbitrary): matched by beat."""
    ordered = [[argv for argv in creates if scene["beat"] in _flag(argv, "--prompt")] for scene in SCENES]
    assert all(len(found) == 1 for found in ordered), "one submit per scene"
    return [found[0] for found in ordered]


async def test_six_scene_storyboard_from_stills_to_animatic(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        for name, description in (
            ("Maya Chen", "A woman in her thirties with a short black bob and a green raincoat"),
            ("Tomas Reyes", "A ferry captain in his sixties, white beard, navy wool cap"),
        ):
            await _call(client, "character_library", {"action": "create", "name": name, "description": description})
        await _call(client, "character_library", {"action": "make_references", "name": "Maya Chen"})
        await _call(
            client,
            "moodboard",
            {
                "action": "create",
                "name": "Night Ferry",
                "brief": "Two strangers cross a dark strait and find they share a past",
                "look": "sodium amber against deep teal, wet reflections",
                "tone": "tender and uneasy",
            },
        )
        created = (
            await _call(client, "storyboard", {"action": "create", "name": "Night Ferry", "scenes": SCENES})
        ).structured_content
        board = created["board"]
        assert [s["state"] for s in board["scenes"]] == ["drafted"] * 6
        assert board["moodboard"] == "night-ferry" and board["scenes"][2]["characters"] == ["Maya Chen", "Tomas Reyes"]
        third, fifth = board["scenes"][2], board["scenes"][4]
        assert third["location"] == "the wheelhouse, instruments glowing" and "location" in third["filled"]
        assert third["lighting"] == "sodium amber against deep teal, wet reflections"
        assert fifth["characters"] == [] and fifth["framing"] == "medium shot"
        assert all("note" in s for s in board["scenes"]), "every scene carries a previs note field"

        estimate = (await _call(client, "storyboard", {"action": "estimate", "name": "Night Ferry"})).structured_content
        assert len(estimate["estimate"]["items"]) == 12 and estimate["estimate"]["total_credits"] > 0
        assert not [i for i in estimate["estimate"]["items"] if i["problem"]]
        assert len(sandbox.argvs("generate", "create")) == 3, "an estimate submits nothing"

        stills = await _call(client, "storyboard", {"action": "stills", "name": "Night Ferry"})
        creates = _by_scene(sandbox.argvs("generate", "create")[3:])
        assert len(creates) == 6 and all(argv[2] == "soul_cinematic" for argv in creates), "six stills in one call"
        board = stills.structured_content["board"]
        assert [s["state"] for s in board["scenes"]] == ["still_made"] * 6
        assert [b for b in stills.content if b.type == "image"], "the storyboard sheet is shown"
        prompts = [_flag(argv, "--prompt") for argv in creates]
        assert "green raincoat" in prompts[2] and "white beard" in prompts[2], "both characters are applied"
        assert "sodium amber" in prompts[4] and "tender and uneasy" in prompts[4]
        maya_refs = [argv for argv in creates if "--image" in argv]
        assert len(maya_refs) == 4, "Maya's front reference goes with each of her four scenes (Soul Cinema takes one)"
        assert _flag(creates[3], "--aspect_ratio") == "9:16" and _flag(creates[0], "--aspect_ratio") == "16:9"
        first_stills = [s["still"]["job_id"] for s in board["scenes"]]

        redo = await _call(
            client,
            "storyboard",
            {"action": "redo_still", "name": "Night Ferry", "numbers": [3], "change": "closer, rain on the rail"},
        )
        assert len(sandbox.argvs("generate", "create")) == 3 + 7
        assert "Closer, rain on the rail." in _flag(sandbox.argvs("generate", "create")[-1], "--prompt")
        board = redo.structured_content["board"]
        stills_now = [s["still"]["job_id"] for s in board["scenes"]]
        assert (
            stills_now[2] != first_stills[2] and stills_now[:2] + stills_now[3:] == first_stills[:2] + first_stills[3:]
        )
        assert board["scenes"][2]["earlier"][0]["job_id"] == first_stills[2], "the replaced still is kept"

        await _call(
            client, "storyboard", {"action": "note", "name": "Night Ferry", "numbers": [3], "note": "works; keep rain"}
        )
        approved = (await _call(client, "storyboard", {"action": "approve", "name": "Night Ferry"})).structured_content
        assert [s["state"] for s in approved["board"]["scenes"]] == ["still_approved"] * 6
        assert approved["board"]["scenes"][2]["note"] == "works; keep rain"

        said: list[str] = []
        clips = await _call(client, "storyboard", {"action": "clips", "name": "Night Ferry"}, said)
        assert said[0] == "Submitting 6 clips at once…", said
        clip_creates = _by_scene(sandbox.argvs("generate", "create")[10:])
        assert len(clip_creates) == 6 and all(argv[2] == "seedance_2_0" for argv in clip_creates)
        board = clips.structured_content["board"]
        for scene, argv in zip(board["scenes"], clip_creates, strict=True):
            assert _flag(argv, "--start-image") == scene["still"]["job_id"], "the clip starts from its scene's still"
            still = Path(created["folder"]) / scene["still"]["file"]
            with Image.open(still) as image:
                ratio = image.width / image.height
            a, b = (float(x) for x in _flag(argv, "--aspect_ratio").split(":"))
            assert a / b == pytest.approx(ratio, rel=0.02), "the clip keeps its still's aspect ratio"
            assert _flag(argv, "--duration") == str(scene["duration"])
            motion = _flag(argv, "--prompt")
            assert scene["camera_move"].capitalize() in motion and scene["beat"] in motion
        assert "Slow orbit." in _flag(clip_creates[2], "--prompt")
        assert [s["state"] for s in board["scenes"]] == ["clip_made"] * 6
        strips = [b for b in clips.content if b.type == "image"]
        assert strips and all(len(base64.b64decode(s.data)) < 1_000_000 for s in strips)
        for scene in board["scenes"]:
            assert scene["clip"]["seconds"] == pytest.approx(scene["duration"], abs=0.3)

        await _call(client, "storyboard", {"action": "approve", "name": "Night Ferry"})
        cut = await _call(client, "storyboard", {"action": "animatic", "name": "Night Ferry"})
        data = cut.structured_content
        links = [b.uri for b in cut.content if b.type == "resource_link"]
        assert "higgsfield://library/storyboards/night-ferry/animatic.mp4" in links
        assert [b for b in cut.content if b.type == "image"], "the poster frame is shown"
        read = await client.read_resource("higgsfield://library/storyboards/night-ferry/animatic.mp4")
        assert base64.b64decode(read.contents[0].blob)[4:8] == b"ftyp"

    animatic = Path(data["animatic_file"])
    total = sum(s["duration"] for s in SCENES)
    with av.open(str(animatic)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        seconds = float(container.duration or 0) / 1_000_000
        rate = float(stream.average_rate or 0)
    assert seconds == pytest.approx(total, abs=0.5)
    assert len(frames) == round(total * rate) == data["board"]["animatic"]["frames"]
    assert {(f.width, f.height) for f in frames} == {(854, 480)}
    assert all("clip" in line for line in data["board"]["animatic"]["scenes"])

    folder = Path(data["folder"])
    page = (folder / "index.html").read_text(encoding="utf-8")
    referenced = {unquote(x) for x in re.findall(r'(?:src|href|poster)="([^"]+)"', page)}
    expected = {s["still"]["file"] for s in data["board"]["scenes"]} | {
        s["clip"]["file"] for s in data["board"]["scenes"]
    }
    expected |= {"animatic.mp4", "animatic-poster.jpg", "storyboard-sheet.jpg"}
    assert expected <= referenced
    assert all((folder / name).is_file() for name in referenced)
    assert "http://" not in page and "https://" not in page
