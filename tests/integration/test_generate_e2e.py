"""The production path over stdio against the sandbox CLI and a loopback CDN: real subprocesses,
real downloads, real previews; faults, bounded waits, a killed server, unclear submits."""

from __future__ import annotations

import base64
import io
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from PIL import Image

from higgsfield_mcp.adapters.journal import Journal

from ..conftest import Sandbox
from ..support.processes import pids_with_env
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")


def _images(result: Any) -> list[bytes]:
    return [base64.b64decode(b.data) for b in result.content if b.type == "image"]


async def test_generate_image_downloads_with_preview_and_resource(sandbox: Sandbox) -> None:
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "generate",
            {"prompt": "a woman of about thirty, navy blazer, studio light, for a lookbook", "model": "auto"},
            progress_callback=on_progress,
        )
        assert not result.is_error, result.content
        data = result.structured_content
        assert data["model"] == "text2image_soul_v2" and data["why"]
        [job] = data["jobs"]
        assert job["state"] == "completed" and job["urls"][0].startswith("https://127.0.0.1:")
        path = Path(job["files"][0])
        assert path.is_file() and path.is_absolute() and path.is_relative_to(sandbox.mcp_home / "media")
        [preview] = _images(result)
        assert len(preview) < 1_000_000
        with Image.open(io.BytesIO(preview)) as im:
            assert im.format == "JPEG" and max(im.size) <= 768
        [link] = [b for b in result.content if b.type == "resource_link"]
        read = await client.read_resource(link.uri)
        assert base64.b64decode(read.contents[0].blob) == path.read_bytes()
        text = result.content[0].text
        assert job["urls"][0] in text
        bare = re.sub(r"https://\S+|\(saved: [^)]*\)", "", text)
        assert job["job_id"] not in bare, "the summary gives URLs, never bare ids"
    assert progress, "progress notifications were sent while waiting"
    assert len(sandbox.argvs("generate", "create")) == 1


async def test_generate_video_file_on_disk(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "generate",
            {
                "prompt": "slow dolly in on a rainy neon street",
                "model": "seedance1_5",
                "duration": 4,
                "aspect_ratio": "16:9",
            },
        )
    assert not result.is_error, result.content
    [job] = result.structured_content["jobs"]
    video = Path(job["files"][0])
    assert video.suffix == ".mp4" and video.read_bytes()[4:8] == b"ftyp"
    [strip] = _images(result)  # a video's preview is a strip of its start, middle and end frames
    assert len(strip) < 1_000_000
    with Image.open(io.BytesIO(strip)) as image:
        assert image.format == "JPEG" and image.width > 2.5 * image.height


async def test_rejected_parameter_names_allowed_values_and_spends_nothing(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("generate", {"prompt": "x", "model": "z_image", "aspect_ratio": "99:99"})
        assert result.is_error
        text = result.content[0].text
        assert "99:99" in text and "16:9" in text and "nothing was submitted" in text.lower()
        unknown = await client.call_tool("generate", {"prompt": "x", "model": "z_image", "params": {"foo": 1}})
        assert unknown.is_error and "foo" in unknown.content[0].text
    assert sandbox.argvs("generate", "create") == [], "validation happens before anything is sent"


async def test_nsfw_job_is_a_clear_error(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("generate", {"prompt": "a portrait [sandbox:nsfw]", "model": "z_image"})
        assert result.is_error
        assert "content filter" in result.content[0].text and "rephrase" in result.content[0].text.lower()
        again = await client.call_tool("account", {})
        assert again.structured_content["ready"], "the server keeps serving"
    assert len(sandbox.argvs("generate", "create")) == 1, "nothing retried silently"


async def test_pending_after_bounded_wait_then_jobs_completes(sandbox: Sandbox) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="3")
    async with Client(stdio_params(sandbox)) as client:
        first = await client.call_tool("generate", {"prompt": "a lighthouse", "model": "z_image", "wait_seconds": 0.5})
        assert not first.is_error, "a pending result is a normal result"
        data = first.structured_content
        assert data["pending"] == 1 and data["jobs"][0]["state"] == "pending"
        assert "Still generating" in first.content[0].text
        job_id = data["jobs"][0]["job_id"]
        done = await client.call_tool("jobs", {"action": "wait", "job_ids": [job_id]})
        [job] = done.structured_content["jobs"]
        assert job["state"] == "completed" and Path(job["files"][0]).is_file()
        history = await client.call_tool("jobs", {"action": "history", "model": "Z Image"})
        assert [j["job_id"] for j in history.structured_content["jobs"]] == [job_id]
    assert len(sandbox.argvs("generate", "create")) == 1


def _server_pids(sandbox: Sandbox) -> list[int]:
    return pids_with_env(f"HIGGSFIELD_MCP_HOME={sandbox.mcp_home}", command_contains=b"higgsfield-mcp")


async def test_sigkill_while_waiting_then_resume_downloads(sandbox: Sandbox) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="4")
    with pytest.raises(BaseException):  # noqa: B017 - the connection dies with the server
        async with Client(stdio_params(sandbox)) as client, anyio.create_task_group() as tg:
            tg.start_soon(client.call_tool, "generate", {"prompt": "a red kite over dunes", "model": "z_image"})
            deadline = time.monotonic() + 20
            while not sandbox.argvs("generate", "create") and time.monotonic() < deadline:
                await anyio.sleep(0.05)
            await anyio.sleep(0.3)  # the job id is journaled; the tool is waiting
            [pid] = _server_pids(sandbox)
            os.kill(pid, signal.SIGKILL)
    assert not _server_pids(sandbox)
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("jobs", {"action": "resume"})
    [job] = result.structured_content["jobs"]
    assert job["state"] == "completed" and Path(job["files"][0]).is_file()
    assert len(sandbox.argvs("generate", "create")) == 1, "the paid job was never re-sent"


async def test_unclear_submit_is_reconciled_never_resent(sandbox: Sandbox) -> None:
    sandbox.fault("garbled_json@generate.create#1")
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("generate", {"prompt": "a paper boat in rain", "model": "z_image"})
    assert not result.is_error, result.content
    [job] = result.structured_content["jobs"]
    assert job["state"] == "completed" and Path(job["files"][0]).is_file()
    assert result.structured_content["unclear_submissions"] == 0
    assert len(sandbox.argvs("generate", "create")) == 1, "reconciled through generate list, not re-sent"
    assert sandbox.argvs("generate", "list")


@pytest.mark.parametrize(("marker", "words"), [("ip_detected", "protected IP"), ("failed", "nothing was retried")])
async def test_other_failed_endings_are_clear_errors(sandbox: Sandbox, marker: str, words: str) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("generate", {"prompt": f"a logo [sandbox:{marker}]", "model": "z_image"})
    assert result.is_error and words in result.content[0].text


async def test_stuck_job_comes_back_pending_not_failed(sandbox: Sandbox) -> None:
    sandbox.fault("stuck_waiting")
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("generate", {"prompt": "a bridge", "model": "z_image", "wait_seconds": 1})
        assert not result.is_error
        [job] = result.structured_content["jobs"]
        assert job["state"] == "pending"
        with anyio.fail_after(60):  # however slow the submit was, a poll soon sees the job waiting
            while job["status"] != "waiting":
                again = await client.call_tool(
                    "jobs", {"action": "wait", "job_ids": [job["job_id"]], "wait_seconds": 1}
                )
                [job] = again.structured_content["jobs"]
    assert job["state"] == "pending"


async def test_estimate_only_spends_nothing(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "generate", {"prompt": "a bridge", "model": "Nano Banana Pro", "estimate_only": True}
        )
        account = await client.call_tool("account", {})
    assert not result.is_error
    data = result.structured_content
    assert data["model"] == "nano_banana_2" and data["estimate_credits"] > 0 and data["jobs"] == []
    assert "Nothing was submitted" in result.content[0].text
    assert sandbox.argvs("generate", "cost") and not sandbox.argvs("generate", "create")
    assert account.structured_content["credits"] == 1000


async def test_history_filters_by_status_and_date(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        await client.call_tool("generate", {"prompt": "one", "model": "z_image"})
        await client.call_tool("generate", {"prompt": "two [sandbox:nsfw]", "model": "z_image"})
        done = await client.call_tool("jobs", {"action": "history", "status": "completed"})
        blocked = await client.call_tool("jobs", {"action": "history", "status": "nsfw"})
        future = await client.call_tool("jobs", {"action": "history", "since": "2100-01-01T00:00:00Z"})
    assert [j["prompt"] for j in done.structured_content["jobs"]] == ["one"]
    assert [j["prompt"] for j in blocked.structured_content["jobs"]] == ["two [sandbox:nsfw]"]
    assert future.structured_content["jobs"] == []
    assert "newest first" in done.content[0].text


async def test_client_cancellation_stops_waiting_but_keeps_the_job(sandbox: Sandbox) -> None:
    from higgsfield_mcp.server import create_server

    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="2", HIGGSFIELD_MCP_POLL_SECONDS="0.1")
    async with Client(create_server(sandbox.settings())) as client:
        with anyio.CancelScope() as scope:

            async def give_up_once_journaled() -> None:  # cancel while waiting, not while still submitting
                path = sandbox.mcp_home / "journal.sqlite3"
                with anyio.fail_after(60):
                    while not path.exists():
                        await anyio.sleep(0.05)
                    with Journal(path) as journal:
                        while not journal.history(limit=1):
                            await anyio.sleep(0.05)
                scope.cancel()

            async with anyio.create_task_group() as tg:
                tg.start_soon(give_up_once_journaled)
                await client.call_tool("generate", {"prompt": "a slow sunrise", "model": "z_image"})
        assert scope.cancelled_caught, "the call was still waiting when the client gave up"
        resumed = await client.call_tool("jobs", {"action": "resume"})
        [job] = resumed.structured_content["jobs"]
        assert job["state"] == "completed" and Path(job["files"][0]).is_file()
    assert len(sandbox.argvs("generate", "create")) == 1
