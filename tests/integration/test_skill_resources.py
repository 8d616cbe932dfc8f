"""The skill half served over MCP: SKILL.md and every reference listed, readable, completable."""

from __future__ import annotations

import pytest
from mcp import Client, MCPError
from mcp.types import ResourceTemplateReference

from higgsfield_mcp.domain.skill_files import references
from higgsfield_mcp.server import create_server

from ..conftest import Sandbox


async def test_skill_and_every_reference_listed_and_readable(sandbox: Sandbox) -> None:
    names = [r.name for r in references()]
    assert "troubleshooting" in names
    async with Client(create_server(sandbox.settings())) as client:
        listed = {r.uri: r for r in (await client.list_resources()).resources}
        assert "higgsfield://skill" in listed
        for name in names:
            uri = f"higgsfield://references/{name}"
            assert uri in listed and listed[uri].title and listed[uri].description, name
            text = (await client.read_resource(uri)).contents[0].text
            assert text.startswith("#") and len(text) > 200, name
        skill = (await client.read_resource("higgsfield://skill")).contents[0].text
        assert skill.startswith("---\nname: higgsfield\n")
        templates = {t.uri_template: t for t in (await client.list_resource_templates()).resource_templates}
        assert templates["higgsfield://references/{name}"].description


async def test_reference_names_complete_and_unknown_is_not_found(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        ref = ResourceTemplateReference(type="ref/resource", uri="higgsfield://references/{name}")
        done = await client.complete(ref, {"name": "name", "value": "trou"})
        assert done.completion.values == ["troubleshooting"]
        with pytest.raises(MCPError) as info:
            await client.read_resource("higgsfield://references/nope")
        assert info.value.error.code == -32602 and "troubleshooting" in info.value.error.message
        with pytest.raises(MCPError):
            await client.read_resource("higgsfield://references/..%2F..%2Fpyproject")


async def test_workflow_prompts_have_descriptions(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert {"compare_pipelines", "moodboard_before_video", "quick_ad", "click_to_ad"} <= set(prompts)
        assert all(p.description for p in prompts.values())
        got = await client.get_prompt("click_to_ad", {"url": "https://shop.example.com/sneakers"})
        assert "https://shop.example.com/sneakers" in got.messages[0].content.text


async def test_the_workflow_prompts_carry_their_arguments_and_rules(sandbox: Sandbox) -> None:
    async with Client(create_server(sandbox.settings())) as client:
        story = await client.get_prompt(
            "storyboard_to_animatic",
            {"brief": "a night ferry crossing", "name": "Night Ferry", "characters": "Maya Chen, Tomas Reyes"},
        )
        compare = await client.get_prompt("compare_pipelines", {"subject": "a baker of about sixty"})
    text = story.messages[0].content.text
    assert "a night ferry crossing" in text and "'Night Ferry'" in text and "Maya Chen, Tomas Reyes" in text
    assert "one question" in text and "only if I raise it" in text, "the one-question and cost rules travel along"
    assert text.index("moodboard") < text.index("stills") < text.index("clips") < text.index("the animatic")
    side_by_side = compare.messages[0].content.text
    assert "a baker of about sixty" in side_by_side and "aspect_ratio 16:9" in side_by_side
