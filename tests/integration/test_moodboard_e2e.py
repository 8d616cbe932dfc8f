"""Moodboards over stdio against the sandbox and a loopback CDN: a 12-image production board
submitted at once, its contact sheet (a real JPEG grid of 12 labelled, different cells) and
its gallery page, then the lookbook trio, existing images, removal and export."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image, ImageStat

from higgsfield_mcp.domain.library.contact_sheet import SheetLayout

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")


async def _call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content[0].text if result.content else result
    return result.structured_content or {}


async def test_production_moodboard_contact_sheet_gallery_lookbook(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set(HIGGSFIELD_MCP_MEDIA_ROOTS=str(tmp_path))
    own = tmp_path / "harbour.png"
    Image.new("RGB", (300, 200), (10, 60, 90)).save(own)
    async with Client(stdio_params(sandbox)) as client:
        await _call(
            client,
            "character_library",
            {"action": "create", "name": "Maya Chen", "description": "A woman of about thirty, dark bob"},
        )
        await _call(
            client,
            "moodboard",
            {
                "action": "create",
                "name": "Night Ferry",
                "brief": "A ferry crossing at night between two cities; a reunion",
                "look": "teal and amber neon, wet reflections",
                "tone": "hopeful melancholy",
            },
        )
        made = await _call(
            client,
            "moodboard",
            {
                "action": "generate",
                "name": "Night Ferry",
                "characters": ["Maya Chen"],
                "character_descriptions": ["an old ferry captain with a grey beard and a wool cap"],
                "environments": ["the ferry deck at night", "the harbour terminal"],
                "total": 12,
            },
        )
        creates = sandbox.argvs("generate", "create")
        assert len(creates) == 12, "the whole recipe is submitted at once"
        board = made["board"]
        assert [i["state"] for i in board["items"]] == ["ready"] * 12
        roles = [(i["role"], i["character"]) for i in board["items"]]
        assert roles[:5] == [("character", "Maya Chen")] * 3 + [("character", "an old ferry captain with a grey…")] * 2
        assert [r for r, _ in roles].count("environment") == 4
        assert [r for r, _ in roles].count("color_lighting") == 1 and [r for r, _ in roles].count("tone") == 2
        models = [argv[2] for argv in creates]
        assert models.count("soul_cinematic") == 7 and models.count("text2image_soul_v2") == 5

        folder = Path(made["folder"])
        sheet = Path(made["contact_sheet"])
        _check_sheet(sheet, 12)
        _check_gallery(Path(made["gallery"]), folder, 12)
        read = await client.read_resource("higgsfield://library/moodboards/night-ferry/contact-sheet.jpg")
        assert base64.b64decode(read.contents[0].blob) == sheet.read_bytes()

        shown = await client.call_tool("show_gallery", {"moodboard": "Night Ferry"})
        assert len(shown.structured_content["cards"]) == 12
        assert "12. Tone" in shown.content[0].text and [b for b in shown.content if b.type == "image"]

        look = await _call(
            client,
            "moodboard",
            {
                "action": "generate",
                "name": "Night Ferry",
                "recipe": "lookbook",
                "item": "a navy wool peacoat with horn buttons",
                "material": "dense textured wool",
                "characters": ["Maya Chen"],
            },
        )
        trio = look["added"]
        assert [i["role"] for i in trio] == ["texture", "lifestyle", "studio"] and [i["number"] for i in trio] == [
            13,
            14,
            15,
        ]
        prompts = [argv[argv.index("--prompt") + 1] for argv in sandbox.argvs("generate", "create")[-3:]]
        assert all("navy wool peacoat" in p and "dense textured wool" in p for p in prompts)
        assert (
            sum("raking side light" in p for p in prompts) == 1
            and sum("neutral grey background" in p for p in prompts) == 1
        )

        added = await _call(
            client,
            "moodboard",
            {"action": "add", "name": "Night Ferry", "images": [str(own)], "role": "environment", "character": None},
        )
        assert added["added"][0]["number"] == 16 and (folder / added["added"][0]["file"]).is_file()
        removed = await _call(client, "moodboard", {"action": "remove", "name": "Night Ferry", "numbers": [1, 16]})
        assert [i["number"] for i in removed["board"]["items"]][:2] == [2, 3] and len(removed["board"]["items"]) == 14
        assert not (folder / board["items"][0]["file"]).exists()
        _check_sheet(Path(removed["contact_sheet"]), 14)
        exported = await _call(client, "moodboard", {"action": "export", "name": "Night Ferry"})

    with zipfile.ZipFile(exported["archive"]) as archive:
        names = set(archive.namelist())
    assert {"night-ferry/moodboard.json", "night-ferry/contact-sheet.jpg", "night-ferry/index.html"} <= names
    assert len([n for n in names if n.endswith(".png")]) == 14
    history = (sandbox.mcp_home / "library" / "characters" / "maya-chen" / "character.json").read_text()
    assert history.count('"moodboard": "night-ferry"') == 5, "Maya's board images are in her history"


def _check_sheet(path: Path, cells: int) -> None:
    """A real JPEG with the grid the layout promises, every cell a different image with a label under it."""
    layout = SheetLayout.for_count(cells)
    with Image.open(path) as sheet:
        assert sheet.format == "JPEG"
        assert sheet.size == (layout.width, layout.height)
        assert (layout.columns, layout.rows) == ((4, 3) if cells == 12 else (4, 4))
        sheet = sheet.convert("RGB")
        digests = set()
        for index in range(cells):
            cell = sheet.crop(layout.image_box(index)).resize((32, 32))
            digests.add(hashlib.sha256(cell.tobytes()).hexdigest())
            label = sheet.crop(layout.label_box(index)).convert("L")
            assert ImageStat.Stat(label).extrema[0][0] < 90, f"cell {index + 1} has a label"
        assert len(digests) == cells, "every cell shows a different image"
        empty = sheet.crop(layout.label_box(cells - 1)).convert("L") if cells % layout.columns == 0 else None
        assert empty is None or ImageStat.Stat(empty).extrema[0][0] < 90


def _check_gallery(page: Path, folder: Path, count: int) -> None:
    html = page.read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) == count and all((folder / src).is_file() for src in sources)
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert html.count("<figcaption>") == count and "Colour &amp; lighting" in html
