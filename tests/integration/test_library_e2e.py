"""The character library over stdio against the sandbox and a loopback CDN, and its MCP surface in-process.

One character's whole life: created, its three-angle references made at once, generated
into new scenes (references, then its Soul id, seen in the CLI calls log), kept test shots,
a Soul id trained, exported and imported into an empty home. In-process: delete asks the
user (or demands confirm), resources, prompts, completion and the gallery app.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import (
    ElicitRequestFormParams,
    ElicitResult,
    PromptReference,
    ResourceTemplateReference,
)

from higgsfield_mcp.server import create_server

from ..conftest import Sandbox
from .test_stdio import stdio_params

DESCRIPTION = "A woman of about thirty, dark bob haircut, hazel eyes, navy blazer over a white shirt"


def _flag_values(argv: list[str], *flags: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in flags]


async def _call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content[0].text if result.content else result
    assert result.content[0].type == "text" and result.content[0].text
    return result.structured_content or {}


@pytest.mark.usefixtures("cdn")
async def test_character_references_scenes_soul_export_import(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_SOUL_SECONDS="0.6")
    async with Client(stdio_params(sandbox)) as client:
        await _call(
            client,
            "character_library",
            {
                "action": "create",
                "name": "Maya Chen",
                "description": DESCRIPTION,
                "lighting_notes": "soft window light",
            },
        )
        made = await _call(client, "character_library", {"action": "make_references", "name": "Maya Chen"})
        folder = Path(made["folder"])
        refs = made["character"]["references"]
        assert sorted(r["angle"] for r in refs) == ["front", "profile", "three_quarter"]
        assert all((folder / r["file"]).is_file() and r["state"] == "ready" for r in refs)
        assert len({r["job_id"] for r in refs}) == 3 and {r["model"] for r in refs} == {"text2image_soul_v2"}
        assert all(DESCRIPTION in r["prompt"] and "soft window light" in r["prompt"] for r in refs)
        assert len(sandbox.argvs("generate", "create")) == 3, "one job per angle, sent together"

        # a new scene on a model that takes several references: all three go, from the library folder
        scene = await _call(
            client,
            "generate",
            {
                "prompt": "walking through a rainy neon street at night",
                "model": "nano_banana_2",
                "character": "Maya Chen",
            },
        )
        argv = sandbox.argvs("generate", "create")[-1]
        sent = _flag_values(argv, "--image", "--image-references")
        assert len(sent) == 3 and all(Path(p).parent == folder for p in sent)
        assert _flag_values(argv, "--prompt")[0].startswith(DESCRIPTION)
        assert "--soul_id" not in argv

        # two more scenes kept as test shots: five images in all
        shots = [scene["jobs"][0]["job_id"]]
        lit = await _call(
            client,
            "generate",
            {"prompt": "reading in a cafe by the window", "model": "Soul 2.0", "character": "maya-chen"},
        )
        assert len(_flag_values(sandbox.argvs("generate", "create")[-1], "--image")) == 1, (
            "Soul 2.0 takes one reference"
        )
        shots.append(lit["jobs"][0]["job_id"])
        for job_id, light in zip(shots, ["neon rim light works", "window light flatters her"], strict=True):
            kept = await _call(
                client,
                "character_library",
                {"action": "add_test_shot", "name": "Maya Chen", "job_id": job_id, "lighting_notes": light},
            )
        assert [t["lighting_notes"] for t in kept["character"]["test_shots"]] == [
            "neon rim light works",
            "window light flatters her",
        ]
        assert {h["job_id"] for h in kept["character"]["history"]} >= set(shots)

        trained = await _call(client, "character_library", {"action": "train_soul", "name": "Maya Chen"})
        soul = trained["soul"]
        assert soul["status"] == "completed" and soul["variant"] == "soul_2" and len(soul["images"]) == 5
        [create] = sandbox.argvs("soul-id", "create")
        assert "--soul-2" in create and len(_flag_values(create, "--image")) == 5

        await _call(
            client,
            "generate",
            {"prompt": "portrait on a ferry deck at dusk", "model": "Soul 2.0", "character": "Maya Chen"},
        )
        argv = sandbox.argvs("generate", "create")[-1]
        assert _flag_values(argv, "--soul_id") == [soul["id"]], "a trained Soul id replaces the references"
        assert not _flag_values(argv, "--image")

        shown = await client.call_tool("character_library", {"action": "show", "name": "Maya Chen"})
        assert "Soul id (soul_2): trained" in shown.content[0].text
        assert sum(1 for b in shown.content if b.type == "image") == 0, "previews only when asked or new"
        looked = await client.call_tool("character_library", {"action": "show", "name": "Maya Chen", "previews": True})
        assert sum(1 for b in looked.content if b.type == "image") == 3
        character = json.loads(Path(folder / "character.json").read_text())
        assert len(character["history"]) == 6  # 3 references + 3 scenes

        exported = await _call(client, "character_library", {"action": "export", "name": "Maya Chen"})
        archive = Path(exported["archive"])
        assert archive.is_file() and archive.is_relative_to(sandbox.mcp_home)

    other = tmp_path / "other-home"
    sandbox.set(HIGGSFIELD_MCP_HOME=str(other), HIGGSFIELD_MCP_MEDIA_ROOTS=os.pathsep.join([str(archive.parent)]))
    async with Client(stdio_params(sandbox)) as client:
        empty = await _call(client, "character_library", {"action": "list"})
        assert empty["characters"] == []
        imported = await _call(client, "character_library", {"action": "import", "archive": str(archive)})
        again = await client.call_tool("character_library", {"action": "import", "archive": str(archive)})
        assert again.is_error and "overwrite" in again.content[0].text
        copy = await _call(
            client, "character_library", {"action": "import", "archive": str(archive), "new_name": "Maya Two"}
        )
    new_folder = other / "library" / "characters" / "maya-chen"
    assert Path(imported["folder"]) == new_folder
    assert imported["character"]["souls"]["soul_2"]["id"] == soul["id"]
    assert sorted(r["angle"] for r in imported["character"]["references"]) == ["front", "profile", "three_quarter"]
    for ref in imported["character"]["references"]:
        assert (new_folder / ref["file"]).read_bytes() == (folder / ref["file"]).read_bytes()
    assert copy["character"]["slug"] == "maya-two"


@pytest.mark.usefixtures("cdn")
async def test_reference_still_generating_is_picked_up_by_show(sandbox: Sandbox) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_JOB_SECONDS="2.5")
    async with Client(create_server()) as client:
        await _call(client, "character_library", {"action": "create", "name": "Leo", "description": "a tall man"})
        made = await _call(
            client,
            "character_library",
            {"action": "make_references", "name": "Leo", "angles": ["front"], "wait_seconds": 0.3},
        )
        [ref] = made["character"]["references"]
        assert ref["state"] == "pending" and ref["file"] is None
        result = await client.call_tool("jobs", {"action": "wait", "job_ids": [ref["job_id"]]})
        assert result.structured_content["jobs"][0]["state"] == "completed"
        shown = await _call(client, "character_library", {"action": "show", "name": "Leo"})
    [ref] = shown["character"]["references"]
    assert ref["state"] == "ready" and (Path(shown["folder"]) / ref["file"]).is_file()


async def test_soul_training_needs_five_images_and_a_paid_plan(sandbox: Sandbox, tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    from PIL import Image

    Image.new("RGB", (64, 64), (200, 40, 40)).save(image)
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(tmp_path), HIGGSFIELD_SANDBOX_PLAN="free")
    async with Client(create_server()) as client:
        await _call(client, "character_library", {"action": "create", "name": "Ana", "description": "a dancer"})
        few = await client.call_tool("character_library", {"action": "train_soul", "name": "Ana"})
        assert few.is_error and "at least 5" in few.content[0].text and "make_references" in few.content[0].text
        for _ in range(5):
            await _call(
                client, "character_library", {"action": "add_reference", "name": "Ana", "image_path": str(image)}
            )
        plan = await client.call_tool("character_library", {"action": "train_soul", "name": "Ana"})
        assert plan.is_error and "paid Higgsfield plan" in plan.content[0].text
        outside = await client.call_tool(
            "character_library", {"action": "add_reference", "name": "Ana", "image_path": "/etc/passwd"}
        )
        assert outside.is_error and "outside the folders" in outside.content[0].text
    assert not sandbox.argvs("generate", "create")


async def test_delete_asks_the_user_or_requires_confirm(sandbox: Sandbox) -> None:
    asked: list[str] = []

    async def answer(context: Any, params: ElicitRequestFormParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"delete": "Keep" not in params.message})

    server = create_server()
    async with Client(server, elicitation_callback=answer) as client:
        for name in ("Keep Me", "Drop Me"):
            await _call(client, "character_library", {"action": "create", "name": name, "description": "x"})
        kept = await client.call_tool("character_library", {"action": "delete", "name": "Keep Me"})
        assert not kept.is_error and "Nothing was deleted" in kept.content[0].text
        dropped = await _call(client, "character_library", {"action": "delete", "name": "Drop Me"})
        assert dropped["deleted"] is True
        listed = await _call(client, "character_library", {"action": "list"})
    assert [c["name"] for c in listed["characters"]] == ["Keep Me"]
    assert len(asked) == 2 and "cannot be undone" in asked[0]

    async with Client(create_server()) as client:  # no elicitation: an explicit confirm is required
        refused = await client.call_tool("character_library", {"action": "delete", "name": "Keep Me"})
        assert refused.is_error and "confirm: true" in refused.content[0].text
        await _call(client, "character_library", {"action": "delete", "name": "Keep Me", "confirm": True})
        tools = {t.name: t for t in (await client.list_tools()).tools}
    annotations = tools["character_library"].annotations
    assert annotations is not None and annotations.destructive_hint is True
    assert "confirm" in tools["character_library"].input_schema["properties"]
    assert "answer" not in tools["character_library"].input_schema["properties"]


async def test_corrupted_character_json_names_the_file(sandbox: Sandbox) -> None:
    async with Client(create_server()) as client:
        await _call(client, "character_library", {"action": "create", "name": "Ivy", "description": "a painter"})
        path = sandbox.mcp_home / "library" / "characters" / "ivy" / "character.json"
        broken = path.read_text().replace('"description"', '"description" "oops"', 1)
        path.write_text(broken)
        shown = await client.call_tool("character_library", {"action": "show", "name": "Ivy"})
        update = await client.call_tool("character_library", {"action": "update", "name": "Ivy", "notes": "x"})
        listed = await _call(client, "character_library", {"action": "list"})
    for result in (shown, update):
        assert result.is_error and str(path) in result.content[0].text and "line" in result.content[0].text
    assert path.read_text() == broken, "a broken file is never overwritten"
    assert listed["characters"][0]["problem"]


async def test_resources_prompts_completion_and_gallery_app(sandbox: Sandbox, tmp_path: Path) -> None:
    from PIL import Image

    image = tmp_path / "face.jpeg"
    Image.new("RGB", (80, 80), (20, 90, 160)).save(image)
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(tmp_path))
    server = create_server()
    apps = [mcp_client_extension()]
    async with Client(server, extensions=apps) as client:
        await _call(client, "character_library", {"action": "create", "name": "Zoë Martín", "description": "a chef"})
        added = await _call(
            client,
            "character_library",
            {"action": "add_reference", "name": "zoe-martin", "image_path": str(image), "angle": "front"},
        )
        [ref] = added["character"]["references"]
        assert ref["file"] == "front.jpg"

        listing = json.loads((await client.read_resource("higgsfield://library/characters")).contents[0].text)
        assert [c["slug"] for c in listing] == ["zoe-martin"]
        doc = await client.read_resource("higgsfield://library/characters/zoe-martin")
        assert json.loads(doc.contents[0].text)["name"] == "Zoë Martín"
        blob = (await client.read_resource("higgsfield://library/characters/zoe-martin/front.jpg")).contents[0]
        assert blob.mime_type == "image/jpeg" and base64.b64decode(blob.blob) == image.read_bytes()

        done = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="higgsfield://library/characters/{slug}"),
            {"name": "slug", "value": "zo"},
        )
        assert done.completion.values == ["zoe-martin"]
        wearer = await client.complete(
            PromptReference(type="ref/prompt", name="lookbook"), {"name": "wearer", "value": "z"}
        )
        assert wearer.completion.values == ["Zoë Martín"]

        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert {"character_reference_sheet", "lookbook", "previsualise_scene"} <= prompts
        previs = await client.get_prompt("previsualise_scene", {"scene": "a chef closing her restaurant at 2am"})
        words = previs.messages[0].content.text
        assert "count 3" in words and "aspect_ratio 16:9" in words and "the clip is briefed from that note" in words

        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert tools["show_gallery"].meta == {
            "ui": {"resourceUri": "ui://higgsfield/gallery.html", "visibility": ["model", "app"]}
        }
        page = (await client.read_resource("ui://higgsfield/gallery.html")).contents[0]
        assert page.mime_type == APP_MIME_TYPE and "ui/notifications/tool-result" in page.text
        assert "http://" not in page.text and "https://" not in page.text
        gallery = await client.call_tool("show_gallery", {"character": "Zoë Martín"})
        assert not gallery.is_error
        [card] = gallery.structured_content["cards"]
        assert card["uri"] == "higgsfield://library/characters/zoe-martin/front.jpg" and card["label"] == "Front"
        assert not [b for b in gallery.content if b.type == "image"], "an apps client gets the page, not previews"

    async with Client(server) as plain:  # no apps: a real text summary and a preview
        result = await plain.call_tool("show_gallery", {"character": "Zoë Martín"})
        assert "Zoë Martín — library character" in result.content[0].text
        assert [b for b in result.content if b.type == "image"]


def mcp_client_extension() -> Any:
    import mcp.client

    return mcp.client.advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


async def test_show_still_works_when_higgsfield_cannot_be_reached(sandbox: Sandbox) -> None:
    async with Client(create_server()) as client:
        await _call(client, "character_library", {"action": "create", "name": "Ivo", "description": "a sailor"})
    path = sandbox.mcp_home / "library" / "characters" / "ivo" / "character.json"
    data = json.loads(path.read_text())
    data["souls"] = {"soul_2": {"variant": "soul_2", "id": "0f0e0d0c-0000-4000-8000-000000000001", "status": "queued"}}
    path.write_text(json.dumps(data))
    sandbox.fault("session_expired")
    async with Client(create_server()) as client:
        shown = await client.call_tool("character_library", {"action": "show", "name": "Ivo"})
    assert not shown.is_error
    assert "Could not check the Soul training status" in shown.content[0].text
    assert "higgsfield auth login" in shown.content[0].text
    assert shown.structured_content["character"]["souls"]["soul_2"]["status"] == "queued"
