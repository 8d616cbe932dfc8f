"""Library results keep the agent's context small: previews only of images new to the agent (or when
asked), and the result URLs the UX rules say to deliver, for references and moodboard images alike."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")


def _images(result: Any) -> int:
    return sum(1 for block in result.content if block.type == "image")


async def _ok(client: Client, tool: str, args: dict[str, Any]) -> Any:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content
    return result


async def test_previews_only_when_new_or_asked_and_urls_given(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        await _ok(client, "character_library", {"action": "create", "name": "Ada", "description": "a tall painter"})
        made = await _ok(client, "character_library", {"action": "make_references", "name": "Ada"})
        assert _images(made) == 3, "three new references: three previews"
        urls = [j["urls"][0] for j in made.structured_content["jobs"]]
        assert len(urls) == 3 and all(url in made.content[0].text for url in urls), made.content[0].text

        shown = await _ok(client, "character_library", {"action": "show", "name": "Ada"})
        assert _images(shown) == 0, "show resends nothing the agent has already seen"
        assert all(url in shown.content[0].text for url in urls)
        assert sum(1 for b in shown.content if b.type == "resource_link") >= 3, "files stay reachable as links"
        looked = await _ok(client, "character_library", {"action": "show", "name": "Ada", "previews": True})
        assert _images(looked) == 3

        scene = await _ok(client, "generate", {"prompt": "painting by a window", "model": "z_image"})
        job_id = scene.structured_content["jobs"][0]["job_id"]
        kept = await _ok(client, "character_library", {"action": "add_test_shot", "name": "Ada", "job_id": job_id})
        assert _images(kept) == 1, "only the new test shot is previewed"

        await _ok(client, "moodboard", {"action": "create", "name": "Harbour", "brief": "a quiet harbour at dawn"})
        added = await _ok(client, "moodboard", {"action": "add", "name": "Harbour", "images": [job_id]})
        assert scene.structured_content["jobs"][0]["urls"][0] in added.content[0].text
