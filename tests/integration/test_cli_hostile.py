"""Arguments the CLI cannot receive, a CLI that hangs on `version`, and secrets in the CLI's stderr."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from higgsfield_mcp.adapters.cli import discovery
from higgsfield_mcp.adapters.cli.client import STDIN_PROMPT_BYTES, HiggsfieldCLI
from higgsfield_mcp.adapters.cli.errors import CLITimeout, ValidationError
from higgsfield_mcp.server import create_server
from higgsfield_sandbox.errors import LEAKED_TOKEN

from ..conftest import Sandbox


def _text(result: Any) -> str:
    return "\n".join(getattr(b, "text", "") for b in result.content)


def _submission_states(sandbox: Sandbox) -> list[str]:
    with sqlite3.connect(sandbox.mcp_home / "journal.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT state FROM submissions")]


async def test_nul_in_prompt_is_refused_before_spawning_and_journaled_as_not_sent(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("generate", {"prompt": "a red\x00chair", "model": "z_image"})
    assert result.is_error
    text = _text(result)
    assert "`prompt`" in text and "NUL" in text and "nothing was sent" in text, text
    assert "ValueError" not in text
    assert not sandbox.argvs("generate", "create"), "nothing may reach the CLI"
    assert "ambiguous" not in _submission_states(sandbox)


async def test_nul_in_a_flag_value_names_the_field(make_cli: Any) -> None:
    cli: HiggsfieldCLI = make_cli()
    with pytest.raises(ValidationError) as info:
        await cli.submit("z_image", prompt="ok", params={"aspect_ratio": "16\x009"})
    assert "`aspect_ratio`" in info.value.message


async def test_long_prompt_goes_on_stdin(sandbox: Sandbox) -> None:
    prompt = ("a long, careful description of a quiet harbour at dawn; " * 4000).strip()
    assert len(prompt.encode()) > 128 * 1024 > STDIN_PROMPT_BYTES
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("generate", {"prompt": prompt, "model": "z_image", "wait_seconds": 0})
    assert not result.is_error, _text(result)[:500]
    [call] = [c for c in sandbox.calls() if c["argv"][:2] == ["generate", "create"]]
    assert "--prompt" not in call["argv"] and call["stdin"] == prompt
    assert "Install the Higgsfield CLI" not in _text(result)


async def test_version_that_hangs_says_the_cli_did_not_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "higgsfield"
    script.write_text("#!/bin/sh\nsleep 600\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(discovery, "IDENTIFY_TIMEOUT_SECONDS", 1.0)
    with pytest.raises(CLITimeout) as info:
        await discovery.identify(str(script))
    assert "did not answer within 1 s" in info.value.message
    assert "not Higgsfield" not in info.value.message


@pytest.mark.parametrize("fault", ["leaky_stderr", "leaky_stdout"])
async def test_secrets_in_cli_output_never_leave_the_adapter(sandbox: Sandbox, fault: str) -> None:
    sandbox.fault(f"{fault}@generate.create")
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("generate", {"prompt": "a red chair", "model": "z_image"})
    text = _text(result)
    # an HTTP 502 on submit is unclear (issue 9's rule), so the answer is a pending note, not an error: redacted either way
    assert "[redacted]" in text and "Bearer" in text, text
    for secret in (LEAKED_TOKEN, "sb-cookie-value-123456", "sk-sandbox0123456789abcdef"):
        assert secret not in text
    journal = b"".join(p.read_bytes() for p in sandbox.mcp_home.glob("journal.sqlite3*"))
    assert LEAKED_TOKEN.encode() not in journal and b"sb-cookie-value" not in journal


def test_redact_shapes() -> None:
    from higgsfield_mcp.adapters.cli.redact import MARK, redact

    line = (
        'Authorization: Bearer abcdefghijklmnop token=zzzzzzzz "api_key": "k-123456789" '
        "Set-Cookie: sid=xyz; Path=/\nnext line ghp_0123456789abcdefghij stays"
    )
    out = redact(line)
    for secret in ("abcdefghijklmnop", "zzzzzzzz", "k-123456789", "sid=xyz", "ghp_0123456789abcdefghij"):
        assert secret not in out
    assert "next line" in out and "stays" in out
    for header in (
        "Authorization: Token tok-0123456789",
        "authorization=rawkey0123456789",
        "Authorization: Key k9k9k9k9",
    ):
        assert redact(header).endswith(MARK) and "0123456789" not in redact(header) and "k9k9" not in redact(header)
    assert redact("Authorization: Bearer abcdefghijklmnop") == f"Authorization: Bearer {MARK}"
    assert redact("Error: Invalid values: aspect_ratio must be one of 16:9") == (
        "Error: Invalid values: aspect_ratio must be one of 16:9"
    )


async def test_account_with_a_hanging_cli_is_a_report_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from higgsfield_mcp.config import Settings
    from higgsfield_mcp.domain.account import check_account

    script = tmp_path / "higgsfield"
    script.write_text("#!/bin/sh\nsleep 600\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(discovery, "IDENTIFY_TIMEOUT_SECONDS", 1.0)
    settings = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path / "home")})
    report = await check_account(HiggsfieldCLI(str(script)), settings)
    assert not report.ready and "did not answer within 1 s" in report.summary


async def test_nul_in_a_path_is_a_clear_refusal(sandbox: Sandbox, tmp_path: Path) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        media = await client.call_tool(
            "generate", {"prompt": "a chair", "model": "nano_banana_2", "reference_images": [f"{tmp_path}/a\x00.png"]}
        )
        archive = await client.call_tool("character_library", {"action": "import", "archive": f"{tmp_path}/a\x00.zip"})
    for result in (media, archive):
        assert result.is_error and "NUL character" in _text(result), _text(result)
        assert "bug in higgsfield-mcp" not in _text(result)
    assert not sandbox.argvs("generate", "create") and not sandbox.argvs("upload")


async def test_flag_shaped_ids_never_reach_a_positional_slot(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        status = await client.call_tool("jobs", {"action": "status", "job_ids": ["--help"]})
        model = await client.call_tool("generate", {"prompt": "a chair", "model": "--help", "estimate_only": True})
    assert "bug in higgsfield-mcp" not in _text(status)
    assert model.is_error and "bug in higgsfield-mcp" not in _text(model), _text(model)
    assert not [c for c in sandbox.calls() if "--help" in c["argv"]]


async def test_one_value_longer_than_a_command_line_argument_is_refused_by_name(sandbox: Sandbox) -> None:
    cli = HiggsfieldCLI(sandbox.binary, env=sandbox.process_env())
    with pytest.raises(ValidationError) as info:
        await cli.run(["marketing-studio", "products", "create", "--description", "é" * 70_000])
    assert "`description` is 136 KiB" in info.value.message and "nothing was sent" in info.value.remedy
    assert not sandbox.argvs("marketing-studio"), "refused before the CLI was started"


async def test_arguments_too_long_together_are_a_clear_refusal(sandbox: Sandbox) -> None:
    """Each value fits, the whole command line does not (E2BIG from the kernel, not from us)."""
    import os

    cli = HiggsfieldCLI(sandbox.binary, env=sandbox.process_env())
    await cli.identity()  # the version check runs first, with a short command line
    value = "x" * 120_000
    flags = [arg for _ in range(os.sysconf("SC_ARG_MAX") // len(value) + 8) for arg in ("--image", value)]
    with pytest.raises(ValidationError) as info:
        await cli.run(["generate", "create", "z_image", *flags])
    assert "more text than a command line can carry" in info.value.message
    assert "nothing was sent" in info.value.remedy
    assert not sandbox.argvs("generate", "create")
