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


async def test_a_library_character_reaches_the_router(sandbox: Sandbox) -> None:
    """pick_model with character=<name> routes on the character's Soul ids, as generate with auto does."""
    import json

    async with Client(stdio_params(sandbox)) as client:
        await client.call_tool("character_library", {"action": "create", "name": "Ivo", "description": "a sailor"})
        path = sandbox.mcp_home / "library" / "characters" / "ivo" / "character.json"
        data = json.loads(path.read_text())
        soul = {"variant": "soul_cinematic", "id": "0f0e0d0c-0000-4000-8000-000000000002", "status": "completed"}
        data["souls"] = {"soul_cinematic": soul}
        path.write_text(json.dumps(data))
        request = {"request": "a cinematic film still of Ivo on a night ferry, sodium lamps"}
        plain = await client.call_tool("pick_model", request)
        cast = await client.call_tool("pick_model", {**request, "character": "Ivo"})
        unknown = await client.call_tool("pick_model", {**request, "character": "Nobody"})
    assert not cast.is_error, cast.content
    assert cast.structured_content["model"] == "soul_cinematic"
    assert cast.structured_content["params"].get("soul_id") == soul["id"]
    assert plain.structured_content["params"].get("soul_id") is None
    assert unknown.is_error and "Nobody" in unknown.content[0].text
    assert sandbox.argvs("generate", "create") == []
