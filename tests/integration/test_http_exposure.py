"""Who can reach `--http`: loopback is token-free but Host-checked; anything else needs a bearer token."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from higgsfield_mcp.exposure import ExposureRefused, HttpExposure, is_loopback

from ..conftest import Sandbox
from ..support.processes import free_port, serving
from .test_stdio import server_command

TOKEN = "s3cret-token-for-the-http-test-0123456789"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


@contextmanager
def _serving(sandbox: Sandbox, host: str, **env: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port(host)
    argv = [server_command(), "--http", "--host", host, "--port", str(port)]
    with serving(argv, {**sandbox.process_env(), **env}, host, port) as proc:
        yield port, proc


def _post(
    host: str, port: int, *, host_header: str | None = None, token: str | None = None, origin: str | None = None
) -> int:
    req = urllib.request.Request(f"http://{host}:{port}/mcp", data=json.dumps(INIT).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json, text/event-stream")
    if host_header:
        req.add_header("Host", host_header)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if origin:
        req.add_header("Origin", origin)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_non_loopback_without_token_exits_naming_the_variable(sandbox: Sandbox, host: str) -> None:
    done = subprocess.run(
        [server_command(), "--http", "--host", host, "--port", "1"],
        env=sandbox.process_env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    assert "HIGGSFIELD_MCP_TOKEN" in done.stderr, done.stderr


def test_with_token_requests_need_it_and_foreign_hosts_are_refused(sandbox: Sandbox) -> None:
    host = "127.0.0.2"
    with _serving(sandbox, host, HIGGSFIELD_MCP_TOKEN=TOKEN) as (port, proc):
        assert _post(host, port) == 401
        assert _post(host, port, token="wrong-token-wrong-token-wrong") == 401
        assert _post(host, port, token=TOKEN, host_header="evil.example.com") == 421
        assert _post(host, port, token=TOKEN, origin="https://evil.example.com") == 403
        assert _post(host, port, token=TOKEN, origin=f"http://{host}:{port}") == 200
        assert _post(host, port, token=TOKEN) == 200
    assert proc.stderr is not None
    log = proc.stderr.read().decode()
    assert "bearer token required" in log and TOKEN not in log


def test_every_address_with_a_token_and_an_allow_list_really_serves_that_way(sandbox: Sandbox) -> None:
    """Bound to 0.0.0.0 (off loopback): the token, the Host allow-list and the Origin check all hold on the wire."""
    env = {"HIGGSFIELD_MCP_TOKEN": TOKEN, "HIGGSFIELD_MCP_ALLOWED_HOSTS": "studio.local"}
    with _serving(sandbox, "0.0.0.0", **env) as (port, proc):
        reach = "127.0.0.1"  # the test reaches the wildcard bind through loopback, naming an allowed host
        assert _post(reach, port, host_header=f"studio.local:{port}") == 401
        assert _post(reach, port, host_header=f"studio.local:{port}", token=TOKEN) == 200
        assert _post(reach, port, host_header="evil.example.com", token=TOKEN) == 421
        assert _post(reach, port, host_header=f"studio.local:{port}", token=TOKEN, origin="https://evil.example") == 403
    assert proc.stderr is not None
    log = proc.stderr.read().decode()
    assert "THE NETWORK" in log and "bearer token required" in log and TOKEN not in log


def test_other_loopback_address_keeps_host_checking_on(sandbox: Sandbox) -> None:
    host = "127.0.0.2"
    with _serving(sandbox, host) as (port, proc):
        assert _post(host, port, host_header="evil.example.com") == 421
        assert _post(host, port, origin="https://evil.example.com") == 403, "a web page elsewhere cannot drive it"
        assert _post(host, port) == 200
    assert proc.stderr is not None
    assert "this machine only (loopback)" in proc.stderr.read().decode()


def test_is_loopback_is_honest() -> None:
    assert is_loopback("127.0.0.2") and is_loopback("127.255.0.9") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("10.0.0.1")
    assert not is_loopback("example.com") and not is_loopback("")


def test_plan_off_loopback_keeps_an_allow_list() -> None:
    plan = HttpExposure.plan("192.0.2.10", 8000, {"HIGGSFIELD_MCP_TOKEN": TOKEN})
    assert "192.0.2.10:*" in plan.allowed_hosts and plan.transport_security().enable_dns_rebinding_protection
    assert TOKEN not in repr(plan) and TOKEN not in plan.describe()
    with pytest.raises(ExposureRefused, match="HIGGSFIELD_MCP_ALLOWED_HOSTS"):
        HttpExposure.plan("0.0.0.0", 8000, {"HIGGSFIELD_MCP_TOKEN": TOKEN})
    wide = HttpExposure.plan(
        "0.0.0.0", 8000, {"HIGGSFIELD_MCP_TOKEN": TOKEN, "HIGGSFIELD_MCP_ALLOWED_HOSTS": "studio.local, 10.1.2.3:9000"}
    )
    assert "studio.local:*" in wide.allowed_hosts and "10.1.2.3:9000" in wide.allowed_hosts
    assert "http://studio.local:*" in wide.allowed_origins
    with pytest.raises(ExposureRefused, match="shorter"):
        HttpExposure.plan("192.0.2.10", 8000, {"HIGGSFIELD_MCP_TOKEN": "short"})


def test_doctor_says_what_is_exposed(sandbox: Sandbox) -> None:
    done = subprocess.run(
        [server_command(), "doctor"],
        env={**sandbox.process_env(), "HIGGSFIELD_MCP_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert "Exposure" in done.stdout and "HIGGSFIELD_MCP_TOKEN is set" in done.stdout
    assert TOKEN not in done.stdout + done.stderr
