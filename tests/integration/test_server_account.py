"""The MCP surface in-process (`async with Client(server)`): tools, annotations, schemas, `account`."""

from __future__ import annotations

import pytest
from mcp import Client

from higgsfield_mcp.server import create_server

from ..conftest import Sandbox


async def test_tools_are_listed_with_annotations_and_no_output_schemas(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert "account" in tools
    for tool in tools.values():
        assert tool.annotations is not None, tool.name
        assert tool.output_schema is None, f"{tool.name}: output schemas cost context and no host reads them"
        assert tool.description and len(tool.description) > 40, tool.name
    account = tools["account"].annotations
    assert not account.read_only_hint, "it can select the billing workspace (absent means not read-only)"
    assert account.destructive_hint is False and account.idempotent_hint is True


async def test_account_and_pick_model_text_is_a_short_summary_not_json(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        account = await client.call_tool("account", {})
        pick = await client.call_tool("pick_model", {"request": "a lookbook portrait"})
    report = account.structured_content
    assert {"ready", "summary", "cli", "auth", "problems"} <= set(report)
    [text] = [b.text for b in account.content if b.type == "text"]
    assert text.startswith(report["summary"]) and "{" not in text
    chosen = pick.structured_content
    assert chosen["model"] and chosen["why"]
    [words] = [b.text for b in pick.content if b.type == "text"]
    assert chosen["display_name"] in words and chosen["why"] in words and "{" not in words
    assert len(words) < 1200


async def test_account_healthy_sandbox(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("account", {})
    assert not result.is_error
    report = result.structured_content
    assert report["ready"] is True and report["auth"] == "authenticated"
    assert report["cli"]["sandbox"] is True and report["cli"]["version"]
    assert report["credits"] is not None and report["plan"] and report["workspace"]["name"]
    assert report["problems"] == []
    assert "sandbox" in report["summary"]


AUTH_FAULTS = [
    ("not_authenticated", "not_authenticated", "higgsfield auth login"),
    ("session_expired", "session_expired", "higgsfield auth login"),
    ("older_auth_flow", "not_authenticated", "higgsfield auth logout"),
    ("auth_error_exit0", "not_authenticated", "higgsfield auth login"),
    ("no_workspace", "authenticated", "higgsfield workspace set"),
    ("workspace_membership", "authenticated", "workspace"),
]


@pytest.mark.parametrize(("fault", "auth", "remedy"), AUTH_FAULTS, ids=[f[0] for f in AUTH_FAULTS])
async def test_account_reports_each_auth_fault_with_remedy(
    sandbox: Sandbox, fault: str, auth: str, remedy: str
) -> None:
    sandbox.fault(fault if fault not in {"no_workspace", "workspace_membership"} else f"{fault}@account.status")
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("account", {})
        assert not result.is_error, "a diagnosis is a normal result, not a tool error"
        report = result.structured_content
        assert report["ready"] is False
        assert report["auth"] == auth
        assert any(remedy in p["remedy"] for p in report["problems"]), report["problems"]
        assert remedy in report["summary"]
        # the server keeps serving
        again = await client.call_tool("account", {})
        assert again.structured_content["ready"] is False


async def test_account_cli_missing_and_config_problem(
    sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> None:
    sandbox.set(HIGGSFIELD_BIN=str(tmp_path_factory.mktemp("empty") / "higgsfield"), HIGGSFIELD_MCP_WAIT_SECONDS="soon")
    async with Client(create_server(sandbox.settings())) as client:
        report = (await client.call_tool("account", {})).structured_content
    assert report["ready"] is False and report["cli"]["found"] is False
    codes = [p["code"] for p in report["problems"]]
    assert codes[0] == "cli_not_installed" and "config" in codes
    assert any("HIGGSFIELD_MCP_WAIT_SECONDS" in p["message"] for p in report["problems"])


async def test_account_recovers_after_the_user_fixes_the_cli(sandbox: Sandbox) -> None:
    """A CLI installed while the server runs is found on the next call: nothing is cached as missing."""
    settings = sandbox.settings()
    missing = settings.model_copy(update={"bin": "/nonexistent/higgsfield"})
    server = create_server(missing)
    async with Client(server) as client:
        assert (await client.call_tool("account", {})).structured_content["cli"]["found"] is False
