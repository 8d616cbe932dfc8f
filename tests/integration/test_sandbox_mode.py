"""`higgsfield-mcp --sandbox`: any client can try the server with no account, over stdio or HTTP.

The README's client config for the sandbox is exactly this command; a result must really
be downloaded (the loopback HTTPS file server, trusted by this process only) and every
result, `account` and the startup log must say it is a sandbox.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from ..conftest import Sandbox
from ..support.processes import free_port
from .test_stdio import server_command


def _plain_env(home: Path) -> dict[str, str]:
    """What a desktop client passes: PATH and a home, none of the test sandbox's variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIGGSFIELD_", "SSL_CERT"))}
    return {**env, "HIGGSFIELD_MCP_HOME": str(home), "HIGGSFIELD_SANDBOX_JOB_SECONDS": "0.3"}


async def test_sandbox_stdio_downloads_results_and_labels_them(sandbox: Sandbox, tmp_path: Path) -> None:
    home = tmp_path / "home"
    params = StdioServerParameters(command=server_command(), args=["--sandbox"], env=_plain_env(home))
    log = (tmp_path / "stderr.txt").open("w")
    async with Client(stdio_client(params, errlog=log)) as client:
        account = await client.call_tool("account", {})
        still = await client.call_tool("generate", {"prompt": "a lighthouse at dusk", "model": "z_image"})
    log.close()
    assert not account.is_error and account.structured_content["cli"]["sandbox"] is True
    assert account.structured_content["ready"] is True
    assert "sandbox" in account.content[0].text.lower()
    assert not still.is_error, still.content
    [job] = still.structured_content["jobs"]
    assert job["state"] == "completed", job
    saved = Path(job["files"][0])
    assert saved.is_file() and saved.is_relative_to(home / "sandbox" / "mcp" / "media"), saved
    assert job["urls"][0].startswith("https://127.0.0.1:")
    for result in (account, still):
        assert result.content[-1].type == "text" and result.content[-1].text.startswith("Sandbox:")
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "SANDBOX MODE" in stderr and str(home / "sandbox") in stderr
    assert not (home / "journal.sqlite3").exists(), "sandbox jobs never mix with a real account's journal"


async def test_sandbox_over_http_on_loopback(sandbox: Sandbox, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [server_command(), "--sandbox", "--http", "--port", str(port)],
        env=_plain_env(tmp_path / "home"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        result = None
        with anyio.fail_after(60):
            while result is None:
                try:
                    async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                        result = await client.call_tool("account", {})
                except Exception:  # not listening yet
                    assert proc.poll() is None, "the server exited"
                    await anyio.sleep(0.2)
        assert result.structured_content["cli"]["sandbox"] is True and result.structured_content["ready"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
