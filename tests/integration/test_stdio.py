"""The real console script over stdio, driven by the SDK's client as an MCP host would."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from mcp import Client, StdioServerParameters

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
