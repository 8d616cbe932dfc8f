"""Characters and moodboards as a director would check them, over stdio against the sandbox
(calls log and files checked): a character named 美咲 made, referenced, used and lettered on its
sheet; lighting notes that reach the prompt only as positive phrases; a two-character moodboard,
created by its first generate, whose every prompt names only its own subject."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image

from higgsfield_mcp.domain.library import lettering
from higgsfield_mcp.domain.library.contact_sheet import SheetLayout
from higgsfield_mcp.domain.library.transfer import SHEET_NAME

from ..conftest import Sandbox
from .test_stdio import stdio_params

pytestmark = pytest.mark.usefixtures("cdn")

SHEETS_COPY = os.environ.get("HIGGSFIELD_TEST_SHEETS")
"""Set to a folder to keep a PNG copy of every sheet these tests make, to look at by eye."""


def _flag(argv: list[str], *flags: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in flags]


async def _call(client: Client, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    result = await client.call_tool(tool, args)
    text = "\n".join(b.text for b in result.content if b.type == "text")
    assert not result.is_error, text
    return result.structured_content or {}, text


def _keep(image: bytes, name: str) -> None:
    if SHEETS_COPY:
        Path(SHEETS_COPY).mkdir(parents=True, exist_ok=True)
        with Image.open(io.BytesIO(image)) as sheet:
            sheet.save(Path(SHEETS_COPY) / name)


def _title_has_ink(sheet: bytes, titled: bool = True) -> None:
    """The title strip is lettered (dark pixels where the name is), not left blank."""
    with Image.open(io.BytesIO(sheet)) as image:
        layout = SheetLayout.for_count(1, titled=titled)
        strip = image.convert("L").crop((layout.margin, layout.margin, image.width // 2, layout.margin + 48))
        assert strip.getextrema()[0] < 80, "the title was drawn"


async def test_a_character_named_in_kanji_is_made_referenced_used_and_lettered(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    for char in "美咲—":  # the sheet's font really has these (not the missing-glyph box)
        assert lettering._has(lettering.face_for(char, 26), char)
    async with Client(stdio_params(sandbox)) as client:
        made, _ = await _call(
            client,
            "character_library",
            {
                "action": "create",
                "name": "美咲",
                "description": "a young woman, short black hair with a blunt fringe, yellow raincoat",
                "lighting_notes": "soft window light from the left; avoid flat frontal flash",
            },
        )
        assert made["character"]["name"] == "美咲" and made["character"]["slug"] == "meixiao"
        refs, _ = await _call(client, "character_library", {"action": "make_references", "name": "美咲"})
        folder = Path(refs["folder"])
        assert folder.name == "meixiao" and len(refs["character"]["references"]) == 3
        scene, _ = await _call(
            client,
            "generate",
            {"prompt": "waiting at a tram stop in the rain, dusk", "model": "nano_banana_2", "character": "美咲"},
        )
        assert scene["jobs"][0]["state"] == "completed" and not scene["advice"]
        clip, _ = await _call(  # a character in video: Seedance 2.0 takes the references too
            client,
            "generate",
            {"prompt": "she lowers her umbrella and looks up", "model": "seedance_2_0", "character": "美咲"},
        )
        assert clip["jobs"][0]["state"] == "completed" and not clip["advice"]
        exported, _ = await _call(client, "character_library", {"action": "export", "name": "美咲"})
    creates = sandbox.argvs("generate", "create")
    reference_prompts = [_flag(argv, "--prompt")[0] for argv in creates[:3]]
    for prompt in reference_prompts:  # notes turned positive: the "avoid" clause never reaches the model
        assert "soft window light from the left" in prompt
        assert "flash" not in prompt.lower() and "avoid" not in prompt.lower()
        assert "key light from about 45 degrees to the side" in prompt
    for argv in creates[3:5]:
        sent = _flag(argv, "--image", "--image-references")
        assert len(sent) == 3 and all(Path(p).parent == folder for p in sent), "its references, from its folder"
    assert creates[4][2] == "seedance_2_0" and "yellow raincoat" in _flag(creates[4], "--prompt")[0]
    with zipfile.ZipFile(exported["archive"]) as archive:
        sheet = archive.read(f"meixiao/{SHEET_NAME}")
    _keep(sheet, "meixiao-character-sheet.png")
    _title_has_ink(sheet)
    stored = (folder / "character.json").read_text(encoding="utf-8")
    assert '"name": "美咲"' in stored and "avoid flat frontal flash" in stored, "the notes are kept as written"


async def test_two_character_moodboard_is_created_by_generate_and_prompts_stay_on_their_subject(
    sandbox: Sandbox,
) -> None:
    brief = "Detective Mara Voss hunts a smuggler called Teo Lind through a night market."
    async with Client(stdio_params(sandbox)) as client:
        await _call(
            client,
            "character_library",
            {"action": "create", "name": "Mara Voss", "description": "a detective in her forties, grey trench coat"},
        )
        await _call(client, "character_library", {"action": "make_references", "name": "Mara Voss"})
        before = len(sandbox.argvs("generate", "create"))
        board, text = await _call(
            client,
            "moodboard",
            {
                "action": "generate",
                "name": "Ночной рынок",
                "brief": brief,
                "look": "sodium orange against teal shadows",
                "tone": "tense, lonely",
                "characters": ["Mara Voss"],
                "character_descriptions": ["Teo Lind, a wiry smuggler in his twenties, bleached hair, silver jacket"],
                "environments": ["a covered night market of food stalls", "a rain-soaked loading dock"],
                "total": 10,
            },
        )
    assert "Created this moodboard" in text
    assert board["board"]["name"] == "Ночной рынок" and board["board"]["slug"] == "nochnoy-rynok"
    calls = sandbox.argvs("generate", "create")[before:]
    assert len(calls) == 10, "one call made the board and all ten images"
    sent = {_flag(argv, "--prompt")[0]: argv for argv in calls}  # submitted together: the log is in any order
    items = sorted(board["board"]["items"], key=lambda i: i["number"])
    by_role: dict[str, list[tuple[dict[str, Any], str, list[str]]]] = {}
    for item in items:
        by_role.setdefault(item["role"], []).append((item, item["prompt"], sent[item["prompt"]]))
    mara = [(i, p, a) for i, p, a in by_role["character"] if i["character"] == "Mara Voss"]
    teo = [(i, p, a) for i, p, a in by_role["character"] if i["character"] != "Mara Voss"]
    assert mara and teo
    for _, prompt, argv in mara:
        assert "grey trench coat" in prompt and "Teo" not in prompt and "smuggler" not in prompt
        assert argv[2] == "nano_banana_flash" and len(_flag(argv, "--image", "--image-references")) == 3
    for _, prompt, argv in teo:
        assert "Teo Lind" in prompt and "Mara" not in prompt and "detective" not in prompt.lower()
        assert argv[2] == "text2image_soul_v2" and not _flag(argv, "--image", "--image-references")
    assert {i["pipeline"] for i, _, _ in mara} == {"kept by 3 reference images"}
    assert {i["pipeline"] for i, _, _ in teo} == {"from the description"}
    places = ["a covered night market of food stalls", "a rain-soaked loading dock"]
    shown: list[str] = []
    for _, prompt, _ in by_role["environment"]:
        assert "Mara" not in prompt and "Teo" not in prompt
        [place] = [p for p in places if p in prompt]
        if "different hour" in prompt or "from inside" in prompt:
            assert place in shown, "a variation of a place is a place already on the board"
        shown.append(place)
    for _, prompt, _ in [*by_role["tone"], *by_role["color_lighting"]]:
        assert "Mara" not in prompt and "Teo" not in prompt and "smuggler" not in prompt
        assert "sodium orange against teal shadows" in prompt
    assert all("tense, lonely" in prompt for _, prompt, _ in by_role["tone"]), "tone slots carry the feeling"
    folder = Path(board["folder"])
    sheet = (folder / "contact-sheet.jpg").read_bytes()
    _keep(sheet, "nochnoy-rynok-contact-sheet.png")
    _title_has_ink(sheet)


async def test_generate_on_a_board_with_a_near_miss_name_suggests_instead_of_creating(sandbox: Sandbox) -> None:
    async with Client(stdio_params(sandbox)) as client:
        await _call(client, "moodboard", {"action": "create", "name": "Night Market", "brief": "a thriller"})
        result = await client.call_tool(
            "moodboard",
            {"action": "generate", "name": "Night Markt", "character_descriptions": ["a detective"], "total": 10},
        )
    assert result.is_error and "Night Market" in result.content[0].text
    assert not sandbox.argvs("generate", "create")
    assert not (sandbox.mcp_home / "library" / "moodboards" / "night-markt").exists()
