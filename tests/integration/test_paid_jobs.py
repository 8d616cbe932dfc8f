"""Paid jobs under faults, over stdio with a real client: never lost, never paid twice.

Each test drives the real server against the sandbox CLI and the sandbox's loopback CDN,
whose faults (a created job followed by a hang or no answer, a dripping or failing CDN,
a file too big to write) are the ones a user meets. Waits are bounded on conditions,
never on how fast this machine is.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from higgsfield_sandbox.cdn import LoopbackCDN

from ..conftest import Sandbox
from .test_stdio import server_command

NO_FAULTS = {"HIGGSFIELD_SANDBOX_FAULT": ""}
LIST_DOWN = "server_error@generate.list"
"""Keeps the first server from reconciling, so a second one (without faults) has to."""


@pytest.fixture
def cdn(sandbox: Sandbox) -> Iterator[LoopbackCDN]:
    with LoopbackCDN(sandbox.home / "cdn") as server:
        sandbox.set(**server.env(), HIGGSFIELD_MCP_POLL_SECONDS="0.2")
        yield server


pytestmark = pytest.mark.usefixtures("cdn")


def params(sandbox: Sandbox, **env: str) -> StdioServerParameters:
    return StdioServerParameters(command=server_command(), args=[], env={**sandbox.env, **env})


def text_of(result: Any) -> str:
    return "\n".join(b.text for b in result.content if b.type == "text")


def png_hits(cdn: LoopbackCDN) -> dict[str, int]:
    return {path: n for path, n in cdn.hits.items() if path.endswith(".png")}


async def until(condition: Any, *, within: float = 60.0, what: str = "condition") -> None:
    """Poll `condition()` until true; a generous bound, not a speed target."""
    with anyio.fail_after(within):
        while not condition():
            await anyio.sleep(0.05)


def hung_creates(sandbox: Sandbox) -> list[dict[str, int]]:
    folder = sandbox.home / "hangs"
    return [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.exists() else []


async def resume_in_new_server(sandbox: Sandbox) -> tuple[Any, str]:
    async with Client(params(sandbox, **NO_FAULTS)) as client:
        result = await client.call_tool("jobs", {"action": "resume", "wait_seconds": 30})
    assert not result.is_error, text_of(result)
    return result, text_of(result)


def assert_found_and_saved(sandbox: Sandbox, result: Any, text: str) -> None:
    [job] = result.structured_content["jobs"]
    assert job["state"] == "completed" and Path(job["files"][0]).is_file()
    assert "Found the job" in text and "never sent twice" in text
    assert len(sandbox.argvs("generate", "create")) == 1, "the paid job was never re-sent"


# --- cases 1 and 2: a created job whose submit never answered cleanly -------------------------


@pytest.mark.parametrize("how", ["killed", "no_response"])
async def test_created_job_with_lost_answer_is_found_never_rejected(sandbox: Sandbox, how: str) -> None:
    fault = "hang@generate.create#1" if how == "killed" else "created_no_response@generate.create#1"
    sandbox.fault(f"{fault},{LIST_DOWN}")
    async with Client(params(sandbox)) as client:
        first: list[Any] = []

        async def call() -> None:
            first.append(
                await client.call_tool(
                    "generate", {"prompt": "a lantern at dusk", "model": "z_image", "wait_seconds": 3}
                )
            )

        async with anyio.create_task_group() as tg:
            tg.start_soon(call)
            if how == "killed":
                await until(lambda: hung_creates(sandbox), what="the create to hang")
                [hung] = hung_creates(sandbox)
                os.killpg(hung["pgid"], signal.SIGKILL)  # the CLI dies by a signal after the job was created
    [result] = first
    assert not result.is_error, text_of(result)
    assert result.structured_content["unclear_submissions"] == 1
    text = text_of(result)
    assert "may have started" in text and "resume" in text
    assert len(sandbox.argvs("generate", "create")) == 1

    found, found_text = await resume_in_new_server(sandbox)
    assert_found_and_saved(sandbox, found, found_text)


async def test_hung_submit_is_stopped_when_the_wait_ends(sandbox: Sandbox) -> None:
    sandbox.fault(f"hang@generate.create#1,{LIST_DOWN}")
    async with Client(params(sandbox)) as client:
        with anyio.fail_after(90):  # today the call blocks for the 300 s submit timeout
            result = await client.call_tool(
                "generate", {"prompt": "a hung kite", "model": "z_image", "wait_seconds": 1}
            )
    assert not result.is_error, text_of(result)
    assert result.structured_content["unclear_submissions"] == 1
    assert result.structured_content["jobs"] == []
    assert "may have started" in text_of(result)
    [hung] = hung_creates(sandbox)
    await until(lambda: not _alive(hung["pid"]), what="the hung CLI to be stopped")

    found, found_text = await resume_in_new_server(sandbox)
    assert_found_and_saved(sandbox, found, found_text)


def _alive(pid: int) -> bool:
    from ..support.processes import alive

    return alive(pid)


# --- case 3: one slow download delays nobody else -----------------------------------------------


async def test_slow_download_does_not_hold_back_another_job(sandbox: Sandbox, cdn: LoopbackCDN) -> None:
    cdn.faults.add("drip", ".png", seconds=1.0, times=1)  # the first result file comes a byte a second
    async with Client(params(sandbox)) as client:
        slow = await client.call_tool("generate", {"prompt": "a slow river", "model": "z_image", "wait_seconds": 0})
        slow_id = slow.structured_content["jobs"][0]["job_id"]
        await until(lambda: png_hits(cdn), what="the slow download to start")
        quick = await client.call_tool("generate", {"prompt": "a quick hare", "model": "z_image", "wait_seconds": 30})
        [job] = quick.structured_content["jobs"]
        assert job["state"] == "completed" and Path(job["files"][0]).is_file()
        status = await client.call_tool("jobs", {"action": "status", "job_ids": [slow_id]})
        assert status.structured_content["jobs"][0]["state"] == "pending", "the slow one is still downloading"


# --- case 4: a failed download is retried --------------------------------------------------------


async def test_one_503_is_retried_within_the_download(sandbox: Sandbox, cdn: LoopbackCDN) -> None:
    cdn.faults.add("status", ".png", status=503, times=1)
    async with Client(params(sandbox)) as client:
        result = await client.call_tool("generate", {"prompt": "a teapot", "model": "z_image"})
    [job] = result.structured_content["jobs"]
    assert job["state"] == "completed" and Path(job["files"][0]).is_file() and not job["note"]
    assert sum(png_hits(cdn).values()) == 2


async def test_failed_download_stays_retryable_and_jobs_retries_it(sandbox: Sandbox, cdn: LoopbackCDN) -> None:
    cdn.faults.add("status", ".png", status=503, times=3)  # every attempt of the first download fails
    async with Client(params(sandbox)) as client:
        first = await client.call_tool("generate", {"prompt": "a broken vase", "model": "z_image"})
        [job] = first.structured_content["jobs"]
        assert job["files"] == [] and "download failed" in job["note"] and "tried again" in job["note"]
        assert "HTTP 503" in text_of(first)
        again = await client.call_tool("jobs", {"action": "wait", "job_ids": [job["job_id"]], "wait_seconds": 30})
    [retried] = again.structured_content["jobs"]
    assert retried["state"] == "completed" and Path(retried["files"][0]).is_file() and not retried["note"]
    assert len(sandbox.argvs("generate", "create")) == 1


# --- case 5: a disk that is full ------------------------------------------------------------------

FILE_LIMIT = 8 * 1024 * 1024
LIMITED = (
    "import os, resource, sys\n"
    f"resource.setrlimit(resource.RLIMIT_FSIZE, ({FILE_LIMIT}, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)
"""Start the server with a small per-file size limit: writing past it fails as a full disk does (EFBIG)."""


async def test_full_disk_is_a_note_not_a_crashed_round(sandbox: Sandbox, cdn: LoopbackCDN) -> None:
    cdn.faults.add("pad", ".png", pad=2 * FILE_LIMIT, times=1)
    limited = StdioServerParameters(command=sys.executable, args=["-c", LIMITED, server_command()], env=sandbox.env)
    async with Client(limited) as client:
        full = await client.call_tool("generate", {"prompt": "a huge mural", "model": "z_image"})
        [job] = full.structured_content["jobs"]
        assert job["state"] == "completed" and job["files"] == []
        assert "full" in job["note"] and "jobs" in job["note"]
        after = await client.call_tool("generate", {"prompt": "a small stamp", "model": "z_image"})
        [other] = after.structured_content["jobs"]
        assert other["state"] == "completed" and Path(other["files"][0]).is_file(), "the poller kept working"
        again = await client.call_tool("jobs", {"action": "wait", "job_ids": [job["job_id"]], "wait_seconds": 30})
    assert Path(again.structured_content["jobs"][0]["files"][0]).is_file(), "retried once there was room"


# --- case 6: resume waits for unclear submissions ------------------------------------------------


async def test_resume_waits_for_an_unclear_submission_and_reports_it(sandbox: Sandbox) -> None:
    sandbox.fault("garbled_json@generate.create#1,server_error@generate.list#3")
    async with Client(params(sandbox)) as client:
        first = await client.call_tool("generate", {"prompt": "a paper crane", "model": "z_image", "wait_seconds": 0})
        assert first.structured_content["unclear_submissions"] == 1
        resumed = await client.call_tool("jobs", {"action": "resume", "wait_seconds": 30})
        later = await client.call_tool("jobs", {"action": "resume", "wait_seconds": 0})
    [job] = resumed.structured_content["jobs"]
    assert job["state"] == "completed" and Path(job["files"][0]).is_file()
    assert resumed.structured_content["unclear_submissions"] == 0
    assert "Found the job" in text_of(resumed)
    assert "Found the job" not in text_of(later), "told once"
    assert len(sandbox.argvs("generate", "create")) == 1


# --- case 8: servers sharing one home download each result once ----------------------------------


async def test_three_servers_sharing_a_home_download_each_result_once(sandbox: Sandbox, cdn: LoopbackCDN) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="2")
    outcomes: list[Any] = []
    all_answered = anyio.Event()

    async def one_server(n: int) -> None:
        # all three stay open until every call is answered, as two hosts left open do: a server that
        # stops mid-download hands the job over and it is fetched again (test_polling covers that case)
        async with Client(params(sandbox)) as client:
            async with anyio.create_task_group() as tg:
                for i in range(5):
                    tg.start_soon(_generate, client, f"server {n} still {i}", outcomes)
            if len(outcomes) == 15:
                all_answered.set()
            await all_answered.wait()

    async with anyio.create_task_group() as tg:
        for n in range(3):
            tg.start_soon(one_server, n)
    jobs = [job for result in outcomes for job in result.structured_content["jobs"]]
    states = [
        (j["state"], j["files"], j.get("note"))
        for j in jobs
        if not (j["state"] == "completed" and j["files"] and Path(j["files"][0]).is_file())
    ]
    assert len(jobs) == 15 and all(j["state"] == "completed" and Path(j["files"][0]).is_file() for j in jobs), states
    hits = png_hits(cdn)
    assert len(hits) == 15 and set(hits.values()) == {1}, f"downloaded more than once: {hits}"


async def _generate(client: Client, prompt: str, into: list[Any]) -> None:
    into.append(await client.call_tool("generate", {"prompt": prompt, "model": "z_image", "wait_seconds": 60}))
