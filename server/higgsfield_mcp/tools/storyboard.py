"""The `storyboard` tool, its resources and its prompt: from a brief to an animatic.

One tool with an `action`, like `moodboard`: the agent writes the scenes, the domain
(`domain/library/storyboard_runs.py`) validates and fills them, makes the stills and clips
and cuts the animatic. No output schema (lean `tools/list`); the structured content still
carries the whole storyboard for programs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context, UserMessage
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import CallToolResult, ContentBlock, ImageContent
from pydantic import Field

from ..adapters.cli.errors import HiggsfieldError
from ..domain.generation.previews import cached_preview, make_preview
from ..domain.library.errors import LibraryError, LibraryRequestInvalid
from ..domain.library.service import Library
from ..domain.library.storyboard_runs import Stage, StoryboardRun, Storyboards
from ..domain.library.storyboards import (
    ANIMATIC_FILE,
    GALLERY_FILE,
    POSTER_FILE,
    SHEET_FILE,
    STATE_WORDS,
    SceneDraft,
    Storyboard,
)
from .common import Services, fail, hints, progress_to, raise_if_all_failed
from .library_views import LIBRARY_URI, link, text

STORYBOARDS_URI = f"{LIBRARY_URI}/storyboards"
FILE_MIME = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "mp4": "video/mp4"}
MAX_STRIPS = 3
Action = Literal[
    "create", "list", "show", "estimate", "stills", "redo_still", "approve", "note", "clips", "redo_clip", "animatic"
]


def register(server: MCPServer, services: Services) -> None:
    boards = Storyboards(Library(services.settings, services.production))
    _register_tool(server, boards)
    _register_resources(server, services, boards)
    _register_prompt(server)


def _register_tool(server: MCPServer, boards: Storyboards) -> None:
    @server.tool(
        title="Storyboard",
        annotations=hints(read_only=False, destructive=False),
    )
    async def storyboard(
        ctx: Context,
        action: Action,
        name: Annotated[str, Field(description="The storyboard (all actions but list).")] = "",
        scenes: Annotated[list[SceneDraft] | None, Field(description="create: the scenes you wrote, in order.")] = None,
        moodboard: Annotated[str, Field(description="create: default the same name's moodboard.")] = "",
        aspect_ratio: Annotated[str, Field(description="create: default 16:9.")] = "",
        numbers: Annotated[list[int] | None, Field(description="Scenes to act on (default all).")] = None,
        change: Annotated[str, Field(description="redo_*: what to change.")] = "",
        note: Annotated[str, Field(description="note/approve: what worked, what to change.")] = "",
        stage: Literal["stills", "clips", "all"] = "all",
        wait_seconds: Annotated[float | None, Field(ge=0)] = None,
    ) -> CallToolResult:
        """Brief to animatic: create (scenes you wrote; gaps filled from moodboard and library), stills
        (previs, all at once), redo_still (one scene, change), approve, note, clips (from approved
        stills), redo_clip, animatic (one MP4), estimate (only when the user asks), show, list."""
        try:
            run = await _act(boards, ctx, action, name, scenes, moodboard, aspect_ratio, numbers, change, note, stage,
                             wait_seconds)  # fmt: skip
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        if run is not None and action in ("stills", "redo_still", "clips", "redo_clip"):
            raise_if_all_failed(run.jobs, f"storyboard {action.replace('_', ' ')}")  # the scenes keep the failure
        if run is None:
            listed = [s.model_dump(mode="json") for s in boards.store.list()]
            lines = [f"- {s['name']}: {s['scenes']} scene(s), {s['seconds']} s" for s in listed]
            body = "\n".join([f"{len(listed)} storyboard(s):", *lines]) if listed else "No storyboards yet."
            return CallToolResult(content=[text(body)], structured_content={"action": action, "storyboards": listed})
        return await _result(boards, action, run)


async def _act(
    boards: Storyboards,
    ctx: Context,
    action: Action,
    name: str | None,
    scenes: list[SceneDraft] | None,
    moodboard: str | None,
    aspect_ratio: str | None,
    numbers: list[int] | None,
    change: str | None,
    note: str | None,
    stage: Stage,
    wait_seconds: float | None,
) -> StoryboardRun | None:
    if action == "list":
        return None
    if not name or not name.strip():
        raise LibraryRequestInvalid(
            f"Action {action!r} needs name (the storyboard's name)", remedy="Call again with name."
        )
    progress = progress_to(ctx)
    if action == "create":
        created = await boards.create(name, scenes or [], moodboard=moodboard, aspect_ratio=aspect_ratio)
        return StoryboardRun(board=created)
    if action == "show":
        return await boards.show(name)
    if action == "estimate":
        return await boards.estimate(name, stage)
    if action == "stills":
        return await boards.stills(name, numbers, wait_seconds=wait_seconds, progress=progress)
    if action == "approve":
        return await boards.approve(name, numbers, note or "")
    if action == "note":
        return await boards.set_note(name, numbers or [], note or "")
    if action == "clips":
        return await boards.clips(name, numbers, wait_seconds=wait_seconds, progress=progress)
    if action == "animatic":
        return await boards.make_animatic(name)
    if not numbers or len(numbers) != 1:
        raise LibraryRequestInvalid(
            f"Action {action!r} redoes one scene", remedy="Give numbers with exactly one scene."
        )
    if action == "redo_still":
        return await boards.redo_still(name, numbers[0], change or "", wait_seconds=wait_seconds, progress=progress)
    return await boards.redo_clip(name, numbers[0], change or "", wait_seconds=wait_seconds, progress=progress)


async def _result(boards: Storyboards, action: str, run: StoryboardRun) -> CallToolResult:
    board = run.board
    folder = boards.store.folder(board.slug)
    uri = f"{STORYBOARDS_URI}/{board.slug}"
    blocks: list[ContentBlock] = [text(_text(board, folder, run, action))]
    if action == "animatic" and (folder / POSTER_FILE).is_file():
        poster = await anyio.to_thread.run_sync(make_preview, folder / POSTER_FILE)
        if poster is not None:
            blocks.append(ImageContent(type="image", data=poster.base64, mime_type=poster.mime_type))
        blocks.append(link(f"{uri}/{ANIMATIC_FILE}", ANIMATIC_FILE, f"{board.name}: animatic"))
        blocks.append(link(f"{uri}/{POSTER_FILE}", POSTER_FILE, f"{board.name}: animatic poster frame"))
    elif action in ("stills", "redo_still", "show", "approve") and (folder / SHEET_FILE).is_file():
        sheet = await anyio.to_thread.run_sync(lambda: make_preview(folder / SHEET_FILE, max_side=1280))
        if sheet is not None:
            blocks.append(ImageContent(type="image", data=sheet.base64, mime_type=sheet.mime_type))
    elif action in ("clips", "redo_clip"):
        made = {j.job_id for j in run.jobs}
        clips = [s.clip.file for s in board.scenes if s.clip and s.clip.file and s.clip.job_id in made]
        for file in clips[:MAX_STRIPS]:  # a strip of start, middle and end frames per clip
            strip = await anyio.to_thread.run_sync(cached_preview, folder / file)
            if strip is not None:
                blocks.append(ImageContent(type="image", data=strip.base64, mime_type=strip.mime_type))
        blocks += [link(f"{uri}/{file}", file, f"{board.name}: {file}") for file in clips]
    blocks.append(link(f"{uri}/{GALLERY_FILE}", GALLERY_FILE, f"{board.name}: storyboard page"))
    structured = {"action": action, **run.model_dump(mode="json"), "folder": str(folder)}
    if board.animatic is not None and (folder / ANIMATIC_FILE).is_file():
        structured["animatic_file"] = str(folder / ANIMATIC_FILE)
    return CallToolResult(content=blocks, structured_content=structured)


def _text(board: Storyboard, folder: Path, run: StoryboardRun, action: str) -> str:
    lines = [f"Storyboard {board.name}: {len(board.scenes)} scene(s), {board.seconds} s (folder: {folder})"]
    for scene in board.scenes:
        who = f" [{', '.join(scene.characters)}]" if scene.characters else ""
        pending = [
            step for step, take in (("still", scene.still), ("clip", scene.clip)) if take and take.state == "pending"
        ]
        extra = f", {' and '.join(pending)} generating" if pending else ""
        note = f" — note: {scene.note}" if scene.note else ""
        lines.append(f"{scene.title}{who} — {STATE_WORDS[scene.state]}{extra}{note}")
    if action == "create":
        filled = sorted({f for s in board.scenes for f in s.filled})
        if filled:
            lines.append(f"Filled in where the scenes left them out: {', '.join(f.replace('_', ' ') for f in filled)}.")
    if run.estimate is not None:
        lines.append(f"Estimate: {run.estimate.total_credits:g} credits for {len(run.estimate.items)} job(s).")
        lines += [
            f"- scene {i.scene} {i.step} ({i.model}): {i.credits:g}" if i.credits is not None else
            f"- scene {i.scene} {i.step} ({i.model}): cannot be priced: {i.problem}"
            for i in run.estimate.items
        ]  # fmt: skip
    if board.animatic is not None and action == "animatic":
        a = board.animatic
        lines.append(f"Animatic: {folder / ANIMATIC_FILE} ({a.seconds:g} s, {a.width}x{a.height}, {a.fps} fps)")
    lines += run.notes
    lines += [f"Not made: {p}" for p in run.problems]
    lines.append(f"Storyboard page (open in a browser): {folder / GALLERY_FILE}")
    return "\n".join(lines)


def _register_resources(server: MCPServer, services: Services, boards: Storyboards) -> None:
    @server.resource(
        STORYBOARDS_URI,
        name="storyboards",
        title="Storyboards",
        description="Every storyboard: name, scene count, length, states.",
        mime_type="application/json",
    )
    def storyboards() -> str:
        return json.dumps([s.model_dump(mode="json") for s in boards.store.list()], indent=2)

    @server.resource(
        f"{STORYBOARDS_URI}/{{slug}}",
        name="storyboard",
        title="Storyboard",
        description="One storyboard.json (stills, clips, animatic and page are resources under it).",
        mime_type="application/json",
    )
    def storyboard_document(slug: str) -> str:
        try:
            return boards.store.document(slug).read_text(encoding="utf-8")
        except (LibraryError, FileNotFoundError):
            raise ResourceNotFoundError(f"No storyboard {slug!r}") from None

    @server.resource(
        f"{STORYBOARDS_URI}/{{slug}}/{GALLERY_FILE}",
        name="storyboard-page",
        title="Storyboard page",
        description="The static index.html of a storyboard (relative links; open the folder's copy to play it).",
        mime_type="text/html",
    )
    def storyboard_page(slug: str) -> str:
        try:
            return boards.store.file(slug, GALLERY_FILE).read_text(encoding="utf-8")
        except LibraryError:
            raise ResourceNotFoundError(f"Storyboard {slug!r} has no page yet") from None

    for ext, mime in FILE_MIME.items():
        _file_resource(server, boards, ext, mime)

    services.completers[("resource", f"{STORYBOARDS_URI}/{{slug}}", "slug")] = lambda prefix: [
        s.slug for s in boards.store.list() if s.slug.startswith(prefix)
    ]


def _file_resource(server: MCPServer, boards: Storyboards, ext: str, mime: str) -> None:
    @server.resource(
        f"{STORYBOARDS_URI}/{{slug}}/{{stem}}.{ext}",
        name=f"storyboard-file-{ext}",
        title=f"Storyboard file ({ext.upper()})",
        description="A still, clip, sheet, animatic or poster frame of a storyboard.",
        mime_type=mime,
    )
    def storyboard_file(slug: str, stem: str) -> bytes:
        try:
            return boards.store.file(slug, f"{stem}.{ext}").read_bytes()
        except LibraryError:
            raise ResourceNotFoundError(f"No file {stem}.{ext} in storyboard {slug!r}") from None


def _register_prompt(server: MCPServer) -> None:
    @server.prompt(
        name="storyboard_to_animatic",
        title="From brief to animatic",
        description="Moodboard, storyboard stills, approval, clips, then an animatic of the whole sequence.",
    )
    def storyboard_to_animatic(
        brief: Annotated[str, Field(description="The production: story, setting, who is in it.")],
        name: Annotated[str, Field(description="The production's name.")],
        characters: Annotated[str, Field(description="Library characters in it, comma separated, or empty.")] = "",
    ) -> list[UserMessage]:
        cast = f" The recurring characters are library characters: {characters}." if characters else ""
        return [
            UserMessage(
                f"Take {name} from brief to animatic. The brief: {brief}.{cast} If it has no moodboard yet, make one "
                f"first with `moodboard` so the look is fixed. Then write 6 to 10 key scenes in story order (beat, "
                f"characters, location, framing, camera move, duration) and call `storyboard` create with name "
                f"{name!r}. Make the stills (action stills), show me the storyboard sheet and ask me one question: "
                "which scenes to approve or what to change. Redo only the scenes I name, note on each still what "
                "worked and what to change, and once I approve, make the clips and then the animatic. Ask about cost "
                "only if I raise it (action estimate)."
            )
        ]
