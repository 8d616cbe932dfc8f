"""A job longer than the server's wait, as a host with a 60 s request timeout meets it.

The call comes back as a normal pending result whose text names the jobs and the exact next
call, and that call, `jobs` wait, brings the result in. One test runs with the real default
wait (about 45 s of the suite, the price of showing a 60 s host is never cut off); the others
use a short HIGGSFIELD_MCP_WAIT_SECONDS in its place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")


async def test_job_longer_than_the_wait_returns_pending_with_the_next_call(sandbox: Sandbox) -> None:
    sandbox.set(HIGGSFIELD_MCP_WAIT_SECONDS="1", HIGGSFIELD_SANDBOX_JOB_SECONDS="4")
    calls: list[list[tuple[float, float | None, str | None]]] = []

    def recorder() -> Any:
        """One list per tool call: MCP progress belongs to its request (each call counts from its own start)."""
        seen: list[tuple[float, float | None, str | None]] = []
        calls.append(seen)

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            seen.append((value, total, message))

        return on_progress

    async with Client(stdio_params(sandbox)) as client:
        first = await client.call_tool(
            "generate", {"prompt": "a lighthouse at dusk", "model": "z_image"}, progress_callback=recorder()
        )
        assert not first.is_error, first.content
        data = first.structured_content
        assert data["pending"] == 1
        [job] = data["jobs"]
        text = first.content[0].text
        assert job["job_id"] in text, "the pending text names the job"
        call = re.search(r"`jobs` with (\{.*?\})", text)
        assert call, text
        assert json.loads(call.group(1)) == {"action": "wait", "job_ids": [job["job_id"]]}
        assert "tell the user" in text

        for _ in range(60):  # what SKILL.md tells the agent: keep calling it (each call is bounded by the wait)
            done = await client.call_tool("jobs", json.loads(call.group(1)), progress_callback=recorder())
            assert not done.is_error, done.content
            [finished] = done.structured_content["jobs"]
            if finished["state"] != "pending":
                break
        assert finished["state"] == "completed" and Path(finished["files"][0]).is_file()
    assert len(sandbox.argvs("generate", "create")) == 1, "waiting again never re-sends"
    assert any(calls), "progress was reported while waiting"  # by generate or, on a slow machine, by jobs wait
    for seen in calls:
        for value, total, message in seen:
            assert total == 1 and 0 <= value <= 1, (value, total)
            assert message and re.match(r"\d+ of 1 done", message), message
        assert [v for v, _, _ in seen] == sorted({v for v, _, _ in seen}), "progress only moves forward"


async def test_progress_counts_jobs_done_of_submitted(sandbox: Sandbox) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="1")
    messages: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        messages.append((value, total, message))

    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "generate", {"prompt": "three lighthouses", "model": "z_image", "count": 3}, progress_callback=on_progress
        )
        assert not result.is_error, result.content
    jobs = len(result.structured_content["jobs"])
    assert messages and messages[-1][0] == jobs and messages[-1][1] == jobs
    assert messages[-1][2] == f"{jobs} of {jobs} done"
    assert all(not re.search(r"\d+(\.\d+)? ?s\b|second", m or "") for _, _, m in messages), messages


async def test_with_the_default_wait_a_long_job_returns_pending_before_a_60_s_host_gives_up(sandbox: Sandbox) -> None:
    import time

    from higgsfield_mcp.config import DEFAULT_WAIT_SECONDS

    sandbox.set(HIGGSFIELD_MCP_WAIT_SECONDS="", HIGGSFIELD_SANDBOX_JOB_SECONDS=str(DEFAULT_WAIT_SECONDS + 4))
    async with Client(stdio_params(sandbox)) as client:
        started = time.monotonic()
        first = await client.call_tool("generate", {"prompt": "a slow tide over rocks", "model": "z_image"})
        took = time.monotonic() - started
        assert not first.is_error, first.content
        [job] = first.structured_content["jobs"]
        assert first.structured_content["pending"] == 1 and job["job_id"] in first.content[0].text
        assert took < 50, f"the call took {took:.1f} s; a host that cancels at 60 s must hear back before"
        call = re.search(r"`jobs` with (\{.*?\})", first.content[0].text)
        assert call, first.content[0].text
        done = await client.call_tool("jobs", json.loads(call.group(1)))
    [finished] = done.structured_content["jobs"]
    assert finished["state"] == "completed" and Path(finished["files"][0]).is_file()
