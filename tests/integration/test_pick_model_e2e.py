"""pick_model and generate's `auto` over stdio against the sandbox CLI: what the router decides reaches the CLI."""

from __future__ import annotations

import pytest
from mcp import Client

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")


async def test_auto_with_a_duration_makes_a_clip(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        result = await client.call_tool(
            "generate", {"prompt": "a red fox trotting through fresh snow", "model": "auto", "duration": 5}
        )
    assert not result.is_error, result.content
    assert result.structured_content["model"] == "seedance_2_0"
    [argv] = sandbox.argvs("generate", "create")
    assert argv[2] == "seedance_2_0" and "--duration" in argv


async def test_unsure_and_library_picks_over_stdio(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        thin = await client.call_tool("pick_model", {"request": "make something cool"})
        detective = await client.call_tool(
            "pick_model", {"request": "keep my detective the same across 12 scenes with Soul Cast"}
        )
    assert not thin.is_error and not detective.is_error
    unsure = thin.structured_content["unsure"]
    assert unsure["question"].endswith("?") and len(unsure["options"]) == 2
    assert unsure["question"] in thin.content[0].text, "the question reaches the agent in the text too"
    assert detective.structured_content["tool"] == "character_library"
    assert detective.structured_content.get("unsure") is None
    assert sandbox.argvs("generate", "create") == [], "picking spends nothing"
