"""Choosing the billing workspace from chat with `account`: over stdio against the sandbox with
several workspaces, and the one question asked in-process when the client can answer."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from mcp import Client
from mcp.types import ElicitResult

from higgsfield_mcp.server import create_server

from ..conftest import Sandbox
from .test_stdio import stdio_params

NAMES = ["Sandbox workspace", "Studio team", "Agency"]


@pytest.fixture
def unselected(sandbox: Sandbox) -> Sandbox:
    """Three workspaces, none selected (as after `workspace unset`)."""
    sandbox.set(HIGGSFIELD_SANDBOX_WORKSPACES="Studio team,Agency")
    done = subprocess.run(
        [sandbox.binary, "workspace", "unset"], env=sandbox.process_env(), capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return sandbox


def _selected(sandbox: Sandbox) -> list[str]:
    return [a[2] for a in sandbox.argvs("workspace", "set")]


async def test_several_workspaces_over_stdio_one_question_then_selection(unselected: Sandbox) -> None:
    async with Client(stdio_params(unselected)) as client:
        first = await client.call_tool("account", {})
        assert not first.is_error, first.content
        report = first.structured_content
        assert report["ready"] is False and [w["name"] for w in report["workspaces"]] == NAMES
        [problem] = [p for p in report["problems"] if p["code"] == "workspace_choice"]
        assert all(name in problem["message"] for name in NAMES) and "one question" in problem["remedy"]
        assert not any(p["code"] == "no_workspace" for p in report["problems"]), "one question, not two"
        assert _selected(unselected) == [], "nothing is chosen on the user's behalf"

        wrong = await client.call_tool("account", {"workspace": "Globex"})
        assert wrong.is_error and all(name in wrong.content[0].text for name in NAMES)

        chosen = await client.call_tool("account", {"workspace": "studio TEAM"})
        assert not chosen.is_error, chosen.content
        report = chosen.structured_content
        assert report["ready"] is True and report["workspace"]["name"] == "Studio team"
        assert report["summary"].startswith("Billing workspace: Studio team.")
        generated = await client.call_tool("generate", {"prompt": "a red apple", "model": "z_image"})
        assert not generated.is_error, generated.content
    [picked] = _selected(unselected)
    assert picked == report["workspace"]["id"]


async def test_a_single_unselected_workspace_is_selected_without_a_question(sandbox: Sandbox) -> None:
    subprocess.run([sandbox.binary, "workspace", "unset"], env=sandbox.process_env(), check=True)
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool("account", {})
    report = result.structured_content
    assert report["ready"] is True and report["workspace"]["name"] == "Sandbox workspace"
    assert len(_selected(sandbox)) == 1


async def test_the_client_is_asked_once_with_every_name(unselected: Sandbox) -> None:
    questions: list[Any] = []

    async def answer(context: Any, params: Any) -> ElicitResult:
        questions.append(params)
        return ElicitResult(action="accept", content={"workspace": "Agency"})

    async with Client(create_server(unselected.settings()), elicitation_callback=answer) as client:
        result = await client.call_tool("account", {})
        again = await client.call_tool("account", {})
    assert not result.is_error, result.content
    [question] = questions
    assert all(name in question.message for name in NAMES)
    assert result.structured_content["workspace"]["name"] == "Agency" and result.structured_content["ready"]
    assert again.structured_content["workspace"]["name"] == "Agency", "selected once, not asked again"
