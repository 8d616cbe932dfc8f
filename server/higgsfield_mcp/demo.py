"""`higgsfield-mcp demo`: a real MCP session against the server and the offline sandbox.

It starts `higgsfield-mcp --sandbox` over stdio exactly as an MCP client would (the sandbox
CLI and its loopback HTTPS file server, in a folder of its own), then does what an agent
does for "a lookbook portrait, then a short clip of it", keeps that woman as a library
character with her three reference angles, and makes a small lookbook moodboard with its
contact sheet. It prints what the agent sees and where every file is. Nothing is spent;
nothing leaves the machine; the files are kept.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

REQUEST = "a woman of about thirty with short dark hair in a navy blazer, calm face, studio light, for a lookbook"
CLIP = "she turns slowly toward the camera, soft push-in, studio light"


def sandbox_binary() -> str:
    """The sandbox CLI installed beside this Python (the demo, benchmarks and tests all run this one)."""
    here = Path(sys.executable).parent
    found = shutil.which("higgsfield-sandbox", path=str(here)) or shutil.which("higgsfield-sandbox")
    if not found:
        raise FileNotFoundError("higgsfield-sandbox is not installed next to this Python; reinstall higgsfield-mcp.")
    return found


async def run_demo(home: Path | None = None, *, job_seconds: float = 2.0, out: Any = None) -> dict[str, Any]:
    """Run the scripted session; returns the structured results (for tests), prints the story."""
    from .sandbox_mode import sandbox_root

    write = (out or sys.stdout).write
    folder = home or Path(tempfile.mkdtemp(prefix="higgsfield-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    sandbox_binary()  # fail early, in words, when the sandbox is not installed
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HIGGSFIELD_MCP_HOME": str(folder),
        "HIGGSFIELD_SANDBOX_JOB_SECONDS": f"{job_seconds:g}",
    }
    kept = sandbox_root(env) / "mcp"
    params = StdioServerParameters(command=sys.executable, args=["-m", "higgsfield_mcp.app", "--sandbox"], env=env)
    results: dict[str, Any] = {}
    write(f"higgsfield-mcp demo: a real MCP session against the offline sandbox, in {folder}\n\n")
    async with Client(params) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        write(f"Tools offered: {', '.join(tools)}\n\n")

        account = await client.call_tool("account", {})
        results["account"] = account.structured_content
        _show(write, "account", {}, account)

        pick = await client.call_tool("pick_model", {"request": REQUEST})
        results["pick"] = pick.structured_content
        pick_data = pick.structured_content or {}
        write(f"> pick_model: {REQUEST!r}\n")
        write(f"  {pick_data.get('display_name')}: {pick_data.get('why')}\n")
        for alt in pick_data.get("alternatives", []):
            write(f"  or {alt.get('display_name')}: {alt.get('when')}\n")
        if pick_data.get("checklist"):
            write(f"  prompt checklist: {'; '.join(pick_data['checklist'])}\n")
        write("\n")

        still = await client.call_tool("generate", {"prompt": REQUEST, "model": "auto", "aspect_ratio": "3:4"})
        results["still"] = still.structured_content
        _show(write, "generate", {"prompt": REQUEST, "model": "auto", "aspect_ratio": "3:4"}, still)

        jobs = (still.structured_content or {}).get("jobs") or []
        if jobs and jobs[0].get("state") == "completed":
            args = {"prompt": CLIP, "model": "auto", "start_image": jobs[0]["job_id"], "duration": 5}
            clip = await client.call_tool("generate", args)
            results["clip"] = clip.structured_content
            _show(write, "generate", {**args, "start_image": "<the still's job>"}, clip)

        results.update(await _library_story(client, write))

        history = await client.call_tool("jobs", {"action": "history"})
        results["history"] = history.structured_content
        count = len((history.structured_content or {}).get("jobs", []))
        write(f"> jobs history: {count} job(s) in the journal at {kept}\n")
    write(_where_files_are(kept, results))
    return results


CHARACTER = "Maya Demo"
BOARD = "Navy Blazer Lookbook"


async def _library_story(client: Client, write: Any) -> dict[str, Any]:
    """The still's woman kept as a library character with three angles, then a three-shot lookbook moodboard."""
    results: dict[str, Any] = {}
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("character", "character_library", {"action": "create", "name": CHARACTER, "description": REQUEST}),
        ("references", "character_library", {"action": "make_references", "name": CHARACTER}),
        ("board", "moodboard", {"action": "create", "name": BOARD, "brief": "a lookbook for one navy wool blazer"}),
        (
            "lookbook",
            "moodboard",
            {
                "action": "generate",
                "name": BOARD,
                "recipe": "lookbook",
                "item": "a navy wool blazer",
                "material": "textured wool",
                "characters": [CHARACTER],
            },
        ),
    ]
    for key, tool, args in steps:
        result = await client.call_tool(tool, args)
        results[key] = result.structured_content
        _show(write, tool, args, result)
        if result.is_error:
            break
    return results


def _where_files_are(kept: Path, results: dict[str, Any]) -> str:
    lines = ["", "Where the files are (they are kept: delete the folder when you no longer want them):"]
    lines.append(f"- the still and the clip: {kept / 'media'} (open them with any image or video player)")
    folder = (results.get("references") or {}).get("folder")
    if folder:
        lines.append(f"- the character {CHARACTER}, character.json and three reference angles: {folder}")
    board = results.get("lookbook") or {}
    if board.get("contact_sheet"):
        lines.append(f"- the lookbook's contact sheet (one JPEG): {board['contact_sheet']}")
        lines.append(f"- its gallery, to open in a browser: {Path(board['gallery']).as_uri()}")
    lines.append("Try it in your own MCP client: `higgsfield-mcp --sandbox` (README: client configs).")
    return "\n".join(lines) + "\n"


def _show(write: Any, tool: str, args: dict[str, Any], result: Any) -> None:
    shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
    write(f"> {tool}({shown})" + ("  [error]" if result.is_error else "") + "\n")
    for block in result.content:
        if block.type == "text":
            text = block.text if tool != "account" else (result.structured_content or {}).get("summary", block.text)
            write("  " + text.replace("\n", "\n  ") + "\n")
        elif block.type == "image":
            data = base64.b64decode(block.data)
            write(f"  [preview image: {_size(data)}, {len(data) // 1024} KB {block.mime_type}]\n")
        elif block.type == "resource_link":
            write(f"  [resource: {block.uri}]\n")
    write("\n")


def _size(data: bytes) -> str:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return f"{image.width}×{image.height}"


def main(home: str | None = None) -> int:
    import anyio

    started = time.monotonic()
    try:
        anyio.run(run_demo, Path(home).absolute() if home else None)
    except FileNotFoundError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    print(f"Done in {time.monotonic() - started:.1f} s.")
    return 0
