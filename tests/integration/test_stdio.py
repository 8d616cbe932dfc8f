"""The real console script over stdio, driven by the SDK's client as an MCP host would."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from ..conftest import Sandbox


def server_command() -> str:
    found = shutil.which("higgsfield-mcp", path=str(Path(sys.executable).parent))
    assert found, "higgsfield-mcp console script not installed"
    return found


def stdio_params(sandbox: Sandbox) -> StdioServerParameters:
    return StdioServerParameters(command=server_command(), args=[], env=sandbox.env)


async def test_stdio_account(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        assert client.server_info.name == "higgsfield"
        names = {t.name for t in (await client.list_tools()).tools}
        assert "account" in names
        result = await client.call_tool("account", {})
        assert not result.is_error and result.structured_content["ready"] is True
    assert sandbox.argvs("account", "status")


async def test_stdio_account_not_logged_in_keeps_serving(sandbox: Sandbox) -> None:
    sandbox.fault("session_expired")
    async with Client(stdio_params(sandbox), mode="legacy") as client:
        first = await client.call_tool("account", {})
        second = await client.call_tool("account", {})
    assert first.structured_content["auth"] == "session_expired"
    assert "higgsfield auth login" in first.structured_content["summary"]
    assert second.structured_content["auth"] == "session_expired"


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_prompt_errors_are_invalid_params_without_traceback(sandbox: Sandbox, mode: str, tmp_path: Path) -> None:
    """An unknown prompt or a missing argument is the caller's mistake: -32602 and a clear message, at both eras."""
    stderr = (tmp_path / "stderr.txt").open("w")
    async with Client(stdio_client(stdio_params(sandbox), errlog=stderr), mode=mode) as client:  # type: ignore[arg-type]
        with pytest.raises(MCPError) as unknown:
            await client.get_prompt("no_such_prompt", {})
        with pytest.raises(MCPError) as missing:
            await client.get_prompt("lookbook", {})
        fine = await client.get_prompt("lookbook", {"item": "a navy wool blazer"})
    stderr.close()
    assert unknown.value.code == INVALID_PARAMS and "no_such_prompt" in unknown.value.message
    assert "lookbook" in unknown.value.message, "the message lists the prompts there are"
    assert missing.value.code == INVALID_PARAMS and "item" in missing.value.message
    assert fine.messages
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text()
