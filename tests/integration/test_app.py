"""The console script's other faces: doctor, streamable HTTP, and the demo (the README's main command)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client

from higgsfield_mcp.demo import run_demo

from ..conftest import Sandbox
from ..support.processes import free_port, serving
from .test_stdio import server_command


def _doctor(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [server_command(), "doctor", *args],
        env=sandbox.process_env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_doctor_ready_exits_zero(sandbox: Sandbox) -> None:
    done = _doctor(sandbox)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "offline sandbox" in done.stdout and "Ready" in done.stdout


def test_doctor_session_expired_exits_non_zero_with_fix(sandbox: Sandbox) -> None:
    sandbox.fault("session_expired")
    done = _doctor(sandbox)
    assert done.returncode == 1
    assert "session expired" in done.stdout and "higgsfield auth login" in done.stdout


def test_doctor_json_cli_missing(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set(HIGGSFIELD_BIN=str(tmp_path / "nowhere" / "higgsfield"))
    done = _doctor(sandbox, "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ready"] is False and report["problems"][0]["code"] == "cli_not_installed"


async def test_http_transport_on_loopback(sandbox: Sandbox) -> None:
    port = free_port()
    with serving([server_command(), "--http", "--port", str(port)], sandbox.process_env(), "127.0.0.1", port):
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            names = {t.name for t in (await client.list_tools()).tools}
            result = await client.call_tool("account", {})
        assert {"account", "generate", "jobs", "pick_model"} <= names
        assert result.structured_content["ready"] is True


@pytest.mark.usefixtures("cdn")
async def test_demo_runs_the_whole_story(tmp_path: Path) -> None:
    out = io.StringIO()
    results = await run_demo(tmp_path / "demo", job_seconds=0.5, out=out)
    assert results["account"]["ready"] is True
    assert results["pick"]["model"] == "text2image_soul_v2"
    still, clip = results["still"]["jobs"][0], results["clip"]["jobs"][0]
    assert still["state"] == clip["state"] == "completed"
    assert Path(still["files"][0]).is_file() and Path(clip["files"][0]).suffix == ".mp4"
    text = out.getvalue()
    assert "preview image" in text and still["urls"][0] in text and str(tmp_path / "demo") in text
    refs = results["references"]["character"]["references"]
    assert sorted(r["angle"] for r in refs) == ["front", "profile", "three_quarter"]
    assert all((Path(results["references"]["folder"]) / r["file"]).is_file() for r in refs)
    lookbook = results["lookbook"]
    assert len(lookbook["board"]["items"]) == 3 and Path(lookbook["contact_sheet"]).is_file()
    assert lookbook["contact_sheet"] in text and Path(lookbook["gallery"]).as_uri() in text
    assert "they are kept" in text and "higgsfield-mcp --sandbox" in text
    assert sys.executable  # the demo ran the server with this interpreter
