"""Post-production and voice over stdio against the sandbox CLI and a loopback CDN: reframe and dub
a generated clip, a voice-over in a described voice, a cut-out of a still, refusals that spend nothing."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image

from higgsfield_mcp.domain.generation.previews import probe_video

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")

ASSETS = Path(__file__).parents[2] / "server" / "higgsfield_sandbox" / "assets"
SPENDING = (("generate", "create"), ("generate", "workflow"), ("generate", "cost"))


def _ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data: dict[str, Any] = result.structured_content
    return data


def _spending_calls(sandbox: Sandbox) -> list[list[str]]:
    return [argv for prefix in SPENDING for argv in sandbox.argvs(*prefix)]


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


async def test_generated_clip_reframed_vertical_and_dubbed_into_spanish(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        clip = _ok(
            await client.call_tool(
                "generate", {"prompt": "a barista pours latte art", "model": "seedance1_5", "aspect_ratio": "16:9"}
            )
        )["jobs"][0]
        # "make it vertical": no source, no aspect ratio -- the clip just made, 9:16
        vertical = _ok(await client.call_tool("edit", {"action": "reframe"}))
        dubbed = _ok(await client.call_tool("edit", {"action": "dub", "source": clip["job_id"], "language": "español"}))
        history = _ok(await client.call_tool("jobs", {"action": "history"}))["jobs"]

    [reframe_job], [dub_job] = vertical["jobs"], dubbed["jobs"]
    for job, name in ((reframe_job, "reframe"), (dub_job, "dubbing")):
        assert job["state"] == "completed" and job["model"] == name and job["source"] == clip["job_id"]
        [path] = [Path(f) for f in job["files"]]
        assert path.is_file() and path.suffix == ".mp4" and path.is_relative_to(sandbox.mcp_home / "media")
    assert vertical["source"]["value"] == clip["job_id"] and vertical["source"]["kind"] == "video"
    # the sandbox renders its clips (issue 15): the reframe is portrait, the dub keeps the clip's landscape shape
    width, height, _ = probe_video(Path(reframe_job["files"][0]))
    assert width and height and height > width, (width, height)
    width, height, _ = probe_video(Path(dub_job["files"][0]))
    assert width and height and width > height, (width, height)

    [reframe_argv] = sandbox.argvs("generate", "workflow", "reframe")
    assert _flag(reframe_argv, "--video") == clip["job_id"] and _flag(reframe_argv, "--aspect_ratio") == "9:16"
    [dub_argv] = sandbox.argvs("generate", "workflow", "dubbing")
    assert _flag(dub_argv, "--target_language") == "spa" and _flag(dub_argv, "--video") == clip["job_id"]
    linked = {j["job_id"]: j["source"] for j in history}
    assert linked[reframe_job["job_id"]] == linked[dub_job["job_id"]] == clip["job_id"]
    assert linked[clip["job_id"]] is None


async def test_voice_over_from_a_script_in_a_described_voice(sandbox: Sandbox) -> None:
    script = "Meet the new espresso machine. Ten seconds to the perfect cup."
    async with Client(stdio_params(sandbox)) as client:
        found = _ok(await client.call_tool("edit", {"action": "voices", "voice": "deep male trailer"}))["voices"]
        result = await client.call_tool(
            "generate", {"prompt": script, "model": "seed_audio", "voice": "calm deep male cinematic trailer voice"}
        )
        data = _ok(result)
        [link] = [b for b in result.content if b.type == "resource_link"]
        blob = base64.b64decode((await client.read_resource(link.uri)).contents[0].blob)
    assert found[0]["name"] == "Marcus" and all(v["gender"] == "male" for v in found)
    [argv] = sandbox.argvs("generate", "create", "seed_audio")
    assert _flag(argv, "--voice_id") == found[0]["id"] and _flag(argv, "--voice_type") == "preset"
    assert _flag(argv, "--prompt") == script
    [job] = data["jobs"]
    path = Path(job["files"][0])
    assert job["kind"] == "audio" and path.suffix == ".wav" and path.read_bytes()[:4] == b"RIFF"
    assert blob == path.read_bytes()


async def test_background_removed_from_a_still(sandbox: Sandbox, tmp_path: Path) -> None:
    roots = tmp_path / "inputs"
    roots.mkdir()
    still = roots / "mug.png"
    Image.new("RGB", (96, 64), (200, 120, 40)).save(still)
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(roots))
    async with Client(stdio_params(sandbox)) as client:
        data = _ok(await client.call_tool("edit", {"action": "remove_background", "source": str(still)}))
    [job] = data["jobs"]
    assert job["model"] == "image_background_remover" and job["source"] == str(still.resolve())
    assert Path(job["files"][0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    [argv] = sandbox.argvs("generate", "create", "image_background_remover")
    assert _flag(argv, "--image") == str(still.resolve()) and "--prompt" not in argv


async def test_refused_edits_spend_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    roots = tmp_path / "inputs"
    roots.mkdir()
    clip = roots / "ad.mp4"
    shutil.copy(ASSETS / "sandbox_landscape.mp4", clip)
    still = roots / "frame.png"
    Image.new("RGB", (32, 32), (10, 20, 30)).save(still)
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(roots))
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"action": "reframe"}, "no earlier video result"),
        ({"action": "reframe", "source": str(clip), "aspect_ratio": "7:3"}, "9:16"),
        ({"action": "reframe", "source": str(clip), "params": {"foo": 1}}, "Unknown params: foo"),
        ({"action": "reframe", "source": str(clip), "language": "spa"}, "does not take language"),
        ({"action": "reframe", "source": str(still)}, "outpaint"),
        ({"action": "reframe", "source": str(clip), "reference_images": [str(still)]}, "mode pro"),
        ({"action": "outpaint", "source": str(clip)}, "reframe"),
        ({"action": "dub", "source": str(clip), "language": "Klingon"}, "Spanish"),
        ({"action": "dub", "source": str(clip)}, "language"),
        ({"action": "voice_change", "source": str(clip)}, "needs a voice"),
        ({"action": "voice_change", "source": str(clip), "voice": "zzz qqq"}, "No voice matches"),
        ({"action": "draw_to_video", "source": str(clip), "prompt": "a kite"}, "sketch"),
        ({"action": "upscale", "source": str(still)}, "no image upscale model"),
        ({"action": "reframe", "source": str(tmp_path / "elsewhere.mp4")}, ""),
    ]
    async with Client(stdio_params(sandbox)) as client:
        for args, words in refusals:
            result = await client.call_tool("edit", args)
            text = result.content[0].text
            assert result.is_error, (args, text)
            assert words.casefold() in text.casefold(), (args, text)
        for args in ({"action": "dub", "source": str(clip), "language": "fr"}, {"action": "voice_change"}):
            args = {**args, "estimate_only": True, **({"voice": "Aria"} if args["action"] == "voice_change" else {})}
            if args["action"] == "voice_change":
                args["source"] = str(clip)
            result = await client.call_tool("edit", args)
            assert not result.is_error and "no estimate" in result.content[0].text, result.content
        spoken = await client.call_tool("generate", {"prompt": "hello", "model": "z_image", "voice": "Aria"})
        assert spoken.is_error and "does not take a voice" in spoken.content[0].text
        estimate = _ok(
            await client.call_tool("edit", {"action": "reframe", "source": str(clip), "estimate_only": True})
        )
    assert _spending_calls(sandbox) == [sandbox.argvs("generate", "cost", "workflow", "reframe")[0]]
    assert estimate["estimate_credits"] == 5 and estimate["jobs"] == []


async def test_outpaint_voice_change_draw_to_video_music_and_effects(sandbox: Sandbox, tmp_path: Path) -> None:
    roots = tmp_path / "inputs"
    roots.mkdir()
    sketch = roots / "sketch.png"
    Image.new("RGB", (64, 36), (250, 250, 250)).save(sketch)
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(roots))
    async with Client(stdio_params(sandbox)) as client:
        still = _ok(await client.call_tool("generate", {"prompt": "a teapot on oak", "model": "z_image"}))["jobs"][0]
        wide = _ok(await client.call_tool("edit", {"action": "outpaint", "aspect_ratio": "21:9"}))
        clip = _ok(await client.call_tool("generate", {"prompt": "a runner at dawn", "model": "seedance1_5"}))["jobs"][
            0
        ]
        revoiced = _ok(await client.call_tool("edit", {"action": "voice_change", "voice": "Spanish woman storyteller"}))
        args = {"action": "draw_to_video", "sketch": str(sketch), "timestamp": 1.5, "prompt": "a kite rises"}
        args["source"] = clip["job_id"]  # the newest video is now the voice-changed one
        drawn = _ok(await client.call_tool("edit", args))
        music = _ok(await client.call_tool("generate", {"prompt": "lofi beat", "model": "sonilo_music", "duration": 8}))
        sfx = _ok(await client.call_tool("generate", {"prompt": "door creak", "model": "mirelo_text_to_audio"}))
    assert wide["jobs"][0]["source"] == still["job_id"] and wide["jobs"][0]["model"] == "outpaint"
    [outpaint_argv] = sandbox.argvs("generate", "create", "outpaint")
    assert _flag(outpaint_argv, "--image") == still["job_id"] and _flag(outpaint_argv, "--aspect_ratio") == "21:9"
    for result in (revoiced, drawn):
        [job] = result["jobs"]
        assert job["source"] == clip["job_id"] and Path(job["files"][0]).suffix == ".mp4"
    [voice_argv] = sandbox.argvs("generate", "workflow", "voice-change")
    voices = sandbox.argvs("voices", "list")
    assert voices and _flag(voice_argv, "--voice_type") == "preset"
    [draw_argv] = sandbox.argvs("generate", "workflow", "draw_to_video")
    assert _flag(draw_argv, "--sketch") == str(sketch.resolve()) and _flag(draw_argv, "--timestamp") == "1.5"
    assert float(_flag(sandbox.argvs("generate", "create", "sonilo_music")[0], "--duration")) == 8
    for result in (music, sfx):
        [job] = result["jobs"]
        assert job["kind"] == "audio" and Path(job["files"][0]).read_bytes()[:4] == b"RIFF"


async def test_unclear_workflow_submit_is_reconciled_never_resent(sandbox: Sandbox) -> None:
    sandbox.fault("garbled_json@generate.workflow#1")
    async with Client(stdio_params(sandbox)) as client:
        clip = _ok(await client.call_tool("generate", {"prompt": "waves at dusk", "model": "seedance1_5"}))["jobs"][0]
        result = _ok(await client.call_tool("edit", {"action": "reframe", "aspect_ratio": "1:1"}))
    [job] = result["jobs"]
    assert job["state"] == "completed" and job["source"] == clip["job_id"] and Path(job["files"][0]).is_file()
    assert result["unclear_submissions"] == 0
    assert len(sandbox.argvs("generate", "workflow")) == 1, "found through generate list, not sent again"


async def test_ids_made_elsewhere_are_edited_as_what_they_are(sandbox: Sandbox) -> None:
    """An upload id or a job from the website says nothing about its kind: it is looked up, not assumed an image."""
    import json
    import subprocess

    def cli(*args: str) -> Any:
        done = subprocess.run(
            [sandbox.binary, *args, "--json"], env=sandbox.process_env(), capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)

    uploaded = cli("upload", "create", str(ASSETS / "sandbox_landscape.mp4"), "--video")["id"]
    [made_elsewhere] = cli("generate", "create", "seedance1_5", "--prompt", "a tram at night", "--wait")
    async with Client(stdio_params(sandbox)) as client:
        upload_cut = _ok(await client.call_tool("edit", {"action": "remove_background", "source": uploaded}))
        job_cut = _ok(await client.call_tool("edit", {"action": "remove_background", "source": made_elsewhere["id"]}))
    assert upload_cut["source"]["kind"] == "video" and job_cut["source"]["kind"] == "video"
    creates = sandbox.argvs("generate", "create", "video_background_remover")
    assert [_flag(argv, "--video") for argv in creates] == [uploaded, made_elsewhere["id"]]
    assert not sandbox.argvs("generate", "create", "image_background_remover")
