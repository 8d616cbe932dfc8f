"""The server-wide tool edge, in-process against the sandbox CLI: strict argument names, strings
kept verbatim, plain-worded validation errors, and no bare SDK error or traceback."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image

from higgsfield_mcp.config import Settings
from higgsfield_mcp.server import create_server

from ..conftest import Sandbox


def _text(result: Any) -> str:
    return "\n".join(getattr(b, "text", "") for b in result.content)


async def test_unknown_argument_is_refused_with_the_valid_names_before_anything_runs(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool(
            "generate", {"prompt": "a red chair", "model": "z_image", "aspectratio": "16:9"}
        )
    assert result.is_error
    text = _text(result)
    assert "aspectratio" in text and "did you mean `aspect_ratio`" in text and "params" in text
    assert not text.startswith("Error executing tool")
    assert not sandbox.argvs("generate"), "a refused call must not reach the CLI"


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("generate", {"prompt": "a red\x00chair", "model": "seedance_2_0"}, "`prompt`"),
        ("generate", {"prompt": "a red chair", "params": {"seed": "7\x00"}}, "`params`"),
        ("character_library", {"action": "create", "name": "Ana\x00", "description": "a dancer"}, "`name`"),
        ("moodboard", {"action": "create", "name": "Dusk", "brief": "broken \ud800 text"}, "`brief`"),
    ],
)
async def test_unsendable_text_is_refused_before_the_tool_runs(
    sandbox: Sandbox, tool: str, arguments: dict[str, Any], field: str
) -> None:
    """A NUL or a broken character is refused at the edge: no catalogue read, no library file, no CLI call."""
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    text = _text(result)
    assert field in text and ("NUL character" in text or "broken character" in text), text
    assert sandbox.calls() == [], "nothing reached the CLI"
    library = sandbox.mcp_home / "library"
    assert not library.exists() or not any(p.is_file() for p in library.rglob("*")), "no library file was written"


async def test_a_huge_value_is_not_echoed_back_whole(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("generate", {"prompt": "x", "model": "z_image", "aspect_ratio": "9" * 200_000})
    text = _text(result)
    assert result.is_error and "aspect_ratio" in text and "allowed" in text
    assert len(text) < 1000, f"{len(text)} characters of error for one bad value"


@pytest.mark.parametrize("prompt", ['{"style": "noir"}', "null", "[1, 2]", "42", "true"])
async def test_json_looking_prompt_reaches_the_cli_verbatim(sandbox: Sandbox, prompt: str) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("generate", {"prompt": prompt, "model": "z_image", "estimate_only": True})
    assert not result.is_error, _text(result)
    [argv] = sandbox.argvs("generate", "cost")
    assert argv[argv.index("--prompt") + 1] == prompt


async def test_list_argument_sent_as_json_text_is_still_accepted(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("jobs", {"action": "status", "job_ids": '["no-such-job"]'})
    assert "valid list" not in _text(result)


async def test_validation_error_is_plain_words_with_allowed_values(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        bad_choice = await client.call_tool("jobs", {"action": "bogus"})
        bad_number = await client.call_tool("generate", {"prompt": "x", "duration": "long"})
        too_long = await client.call_tool("character_library", {"action": "create", "name": "n" * 150})
    for result in (bad_choice, bad_number, too_long):
        text = _text(result)
        assert result.is_error
        assert "pydantic" not in text and "https://" not in text and "validation error for" not in text, text
        assert not text.startswith("Error executing tool"), text
    assert "`action` must be one of 'status', 'wait', 'resume' or 'history'" in _text(bad_choice)
    assert "`duration`" in _text(bad_number)
    assert "`name` is too long: at most 100 characters" in _text(too_long)


async def test_expected_domain_failure_has_no_sdk_prefix(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("pick_model", {"request": "a portrait", "model": "no_such_model"})
    assert result.is_error
    assert _text(result).startswith("Unknown model")


async def test_disk_full_is_a_clear_error(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from higgsfield_mcp.adapters import atomic_files

    def full(*_: Any, **__: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/library/characters/ada/character.json")

    monkeypatch.setattr(atomic_files.os, "replace", full)
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("character_library", {"action": "create", "name": "Ada"})
    assert result.is_error
    text = _text(result)
    assert "disk is full" in text and "Free some space" in text, text


async def test_unexpected_error_says_bug_and_where_the_details_are(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from higgsfield_mcp.domain.generation import production

    def broken(*_: Any, **__: Any) -> None:
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(production, "pick_model", broken)
    settings = sandbox.settings()
    async with Client(create_server(settings)) as client:
        result = await client.call_tool("pick_model", {"request": "a portrait"})
        still = await client.call_tool("jobs", {"action": "history"})
    text = _text(result)
    assert result.is_error and "This is a bug in higgsfield-mcp" in text
    assert "Traceback" not in text and "secret internals" not in text
    log = settings.home / "logs" / "errors.log"
    assert str(log) in text and "ZeroDivisionError" in log.read_text()
    assert not still.is_error, "the server keeps answering"


def _started_from_slash(sandbox: Sandbox, user_home: Path) -> Settings:
    env = {k: v for k, v in sandbox.process_env().items() if k != "HIGGSFIELD_MCP_MEDIA_ROOTS"}
    return Settings.from_env(env, cwd=Path("/"), user_home=user_home)


async def test_server_started_from_slash_refuses_files_outside_the_default_roots(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "secret.png"
    outside.parent.mkdir()
    Image.new("RGB", (64, 64), "red").save(outside)
    settings = _started_from_slash(sandbox, tmp_path / "user")
    async with Client(create_server(settings)) as client:
        result = await client.call_tool(
            "generate", {"prompt": "a chair", "model": "nano_banana_2", "reference_images": [str(outside)]}
        )
        account = await client.call_tool("account", {})
    assert result.is_error and "outside" in _text(result), _text(result)
    assert not sandbox.argvs("upload") and not sandbox.argvs("generate", "create")
    assert str(tmp_path / "user" / "Higgsfield") in account.structured_content["media_inputs"]


async def test_exports_go_under_the_home_or_an_allowed_root(sandbox: Sandbox, tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    settings = _started_from_slash(sandbox, user)
    async with Client(create_server(settings)) as client:
        await client.call_tool("character_library", {"action": "create", "name": "Ada", "description": "a pilot"})
        refused = await client.call_tool(
            "character_library", {"action": "export", "name": "Ada", "destination": str(tmp_path / "outside")}
        )
        allowed = await client.call_tool(
            "character_library", {"action": "export", "name": "Ada", "destination": str(user / "shared")}
        )
        hidden = await client.call_tool(
            "character_library", {"action": "export", "name": "Ada", "destination": str(user / ".ssh" / "keys")}
        )
    assert hidden.is_error and "hidden folder" in _text(hidden) and not (user / ".ssh").exists()
    assert refused.is_error and "outside" in _text(refused)
    assert not (tmp_path / "outside").exists()
    assert not allowed.is_error, _text(allowed)
    assert list((user / "shared").glob("*.zip"))
