"""`--http` streams are resumable: a client whose connection drops mid-call reconnects and gets the result.

A real server process and a raw HTTP client, so what is asserted is the SSE a client reads:
the priming event (an id and the retry interval) first, then, after the client hung up
while the job was running, the same call's result replayed on a GET with Last-Event-ID.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx
import pytest

from ..conftest import Sandbox
from ..support.processes import free_port, serving
from .test_stdio import server_command

pytestmark = pytest.mark.usefixtures("cdn")

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
VERSION = "2025-11-25"


def _events(lines: Any) -> Any:
    """SSE events as dicts of their fields, one by one (an event ends at a blank line)."""
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            if event:
                yield event
            event = {}
            continue
        field, _, value = line.partition(":")
        event[field] = value.removeprefix(" ")


def test_a_dropped_generate_is_replayed_on_reconnect(sandbox: Sandbox) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="2")
    port = free_port()
    argv = [server_command(), "--http", "--port", str(port)]
    with (
        serving(argv, sandbox.process_env(), "127.0.0.1", port),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
    ):
        init = {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
        answer = http.post(
            "/mcp", headers=ACCEPT, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}
        )
        assert answer.status_code == 200, answer.text
        headers = {**ACCEPT, "mcp-session-id": answer.headers["mcp-session-id"], "mcp-protocol-version": VERSION}
        http.post("/mcp", headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})

        call = {"name": "generate", "arguments": {"prompt": "a kite over dunes", "model": "z_image"}}
        body = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call}
        with http.stream("POST", "/mcp", headers=headers, json=body) as stream:
            priming = next(_events(stream.iter_lines()))
        # the client hung up before the 2 s job was done: nothing of the result has reached it
        assert priming.get("data") == "" and priming["id"] and priming.get("retry") == "2000", priming

        again = {**headers, "Accept": "text/event-stream", "last-event-id": priming["id"]}
        with http.stream("GET", "/mcp", headers=again) as replay:
            assert replay.status_code == 200
            for event in _events(replay.iter_lines()):
                message = json.loads(event.get("data") or "{}")
                if message.get("id") == 2:
                    break
    result = message["result"]
    assert not result.get("isError"), result
    [job] = result["structuredContent"]["jobs"]
    assert job["state"] == "completed" and job["files"], job
    assert len(sandbox.argvs("generate", "create")) == 1, "one job: the reconnect re-sent nothing"
