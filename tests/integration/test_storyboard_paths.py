"""Storyboard paths beside the happy one: stills still generating when the wait ends (brought in by
`show`, never re-sent), a clip redone from the same still, an animatic that holds stills where no
clip is approved, a failed still, and every refusal as a tool error naming the remedy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pytest
from mcp import Client

from higgsfield_mcp.server import create_server

from ..conftest import Sandbox

pytestmark = pytest.mark.usefixtures("cdn")

TWO = [
    {"beat": "A lighthouse keeper lights the lamp", "duration": 4},
    {"beat": "A ship turns toward it", "duration": 5},
]


async def _call(client: Client, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool("storyboard", args)
    assert not result.is_error, result.content[0].text if result.content else result
    return result.structured_content or {}


async def _refused(client: Client, args: dict[str, Any]) -> str:
    result = await client.call_tool("storyboard", args)
    assert result.is_error, result
    return result.content[0].text


async def test_pending_stills_show_redo_clip_and_held_stills(sandbox: Sandbox) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="2.5")
    async with Client(create_server()) as client:
        await _call(client, {"action": "create", "name": "Lamp", "scenes": TWO})
        made = await _call(client, {"action": "stills", "name": "Lamp", "wait_seconds": 0.2})
        assert [s["still"]["state"] for s in made["board"]["scenes"]] == ["pending", "pending"]
        assert [s["state"] for s in made["board"]["scenes"]] == ["drafted", "drafted"]
        ids = [s["still"]["job_id"] for s in made["board"]["scenes"]]
        waited = await client.call_tool("jobs", {"action": "wait", "job_ids": ids})
        assert [j["state"] for j in waited.structured_content["jobs"]] == ["completed", "completed"]
        shown = await _call(client, {"action": "show", "name": "Lamp"})
        assert [s["state"] for s in shown["board"]["scenes"]] == ["still_made", "still_made"]
        assert len(sandbox.argvs("generate", "create")) == 2, "pending stills are looked for, never re-sent"

        early = await _refused(client, {"action": "clips", "name": "Lamp"})
        assert "approve" in early.lower()
        await _call(client, {"action": "approve", "name": "Lamp", "numbers": [1]})
        sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="0.3")
        clips = await _call(client, {"action": "clips", "name": "Lamp"})
        assert len(sandbox.argvs("generate", "create")) == 3, "only the approved scene is animated"
        assert any("skipped" in n for n in clips["notes"])
        first_clip = clips["board"]["scenes"][0]["clip"]["job_id"]
        redone = await _call(client, {"action": "redo_clip", "name": "Lamp", "numbers": [1], "change": "slower"})
        scene = redone["board"]["scenes"][0]
        argv = sandbox.argvs("generate", "create")[-1]
        assert argv[argv.index("--start-image") + 1] == scene["still"]["job_id"], "the redo starts from the same still"
        assert "Slower." in argv[argv.index("--prompt") + 1]
        assert scene["clip"]["job_id"] != first_clip and scene["earlier"][0]["job_id"] == first_clip

        cut = await _call(client, {"action": "animatic", "name": "Lamp"})
        lines = cut["board"]["animatic"]["scenes"]
        assert "still held (no clip yet)" in lines[0] and "still held (no clip yet)" in lines[1], lines
        with av.open(cut["animatic_file"]) as container:
            assert float(container.duration or 0) / 1_000_000 == pytest.approx(9, abs=0.5)
        assert Path(cut["folder"], "animatic-poster.jpg").is_file()


async def test_refusals_name_the_remedy(sandbox: Sandbox) -> None:
    async with Client(create_server()) as client:
        unknown = await _refused(
            client, {"action": "create", "name": "X", "scenes": [{"beat": "b", "characters": ["Nobody"]}]}
        )
        assert "Nobody" in unknown and "character" in unknown.lower()
        assert "beat" in await _refused(client, {"action": "create", "name": "X", "scenes": []})
        missing = await _refused(client, {"action": "create", "name": "X", "scenes": TWO, "moodboard": "Nope"})
        assert "moodboard" in missing.lower()
        short = [{"beat": "A flash of lightning", "duration": 2}, {"beat": "A slow dolly", "clip_model": "kling3_0"}]
        too_short = await _refused(client, {"action": "create", "name": "Flash", "scenes": short})
        assert "Scene 1" in too_short and "Seedance 2.0" in too_short and "4" in too_short, too_short
        assert not (sandbox.mcp_home / "library" / "storyboards" / "flash").exists(), (
            "refused before the still is paid for"
        )
        assert "name" in await _refused(client, {"action": "show"})
        await _call(client, {"action": "create", "name": "X", "scenes": TWO})
        assert "already" in (await _refused(client, {"action": "create", "name": "X", "scenes": TWO})).lower()
        assert "Make the stills first" in await _refused(client, {"action": "animatic", "name": "X"})
        assert "exactly one" in await _refused(client, {"action": "redo_still", "name": "X", "numbers": [1, 2]})
        assert "change" in await _refused(client, {"action": "redo_still", "name": "X", "numbers": [1]})
        assert "no scene 9" in await _refused(client, {"action": "approve", "name": "X", "numbers": [9]})
        assert "animatic" not in [p.name for p in (sandbox.mcp_home / "library" / "storyboards" / "x").iterdir()]


async def test_a_failed_still_is_reported_and_only_it_is_made_again(sandbox: Sandbox) -> None:
    scenes = [{"beat": "A keeper at the lamp [sandbox:nsfw]", "duration": 4}, TWO[1]]
    async with Client(create_server()) as client:
        await _call(client, {"action": "create", "name": "Fog", "scenes": scenes})
        data = await _call(client, {"action": "stills", "name": "Fog"})
        assert [s["still"]["state"] for s in data["board"]["scenes"]] == ["failed", "ready"]
        assert [s["state"] for s in data["board"]["scenes"]] == ["drafted", "still_made"]
        assert "Scene 1" in data["problems"][0] and "nsfw" in data["problems"][0]
        kept = data["board"]["scenes"][1]["still"]["job_id"]
        again = await _refused(client, {"action": "stills", "name": "Fog"})
        assert "nsfw" in again.lower(), "every still of the call failed: a tool error with the remedy"
        assert len(sandbox.argvs("generate", "create")) == 3, "only the failed scene is submitted again"
        shown = await _call(client, {"action": "show", "name": "Fog"})
        assert shown["board"]["scenes"][1]["still"]["job_id"] == kept


async def test_a_scene_names_its_own_clip_model(sandbox: Sandbox) -> None:
    """Seedance 2.0 unless the scene says otherwise: a scene with clip_model is animated on that model."""
    scenes = [TWO[0], {**TWO[1], "clip_model": "kling3_0"}]
    async with Client(create_server()) as client:
        await _call(client, {"action": "create", "name": "Models", "scenes": scenes})
        await _call(client, {"action": "stills", "name": "Models"})
        await _call(client, {"action": "approve", "name": "Models"})
        clips = await _call(client, {"action": "clips", "name": "Models"})
    assert [s["clip"]["state"] for s in clips["board"]["scenes"]] == ["ready", "ready"]
    clip_calls = sandbox.argvs("generate", "create")[2:]  # submitted at once: in no fixed order
    models = {argv[2]: argv[argv.index("--prompt") + 1] for argv in clip_calls}
    assert set(models) == {"seedance_2_0", "kling3_0"}, models
    assert "ship" in models["kling3_0"] and "lamp" in models["seedance_2_0"], models
