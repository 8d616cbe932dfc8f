"""Library results as MCP content: short text first, then previews and resource links.

Like `views.py` for generations: the text is what an agent reads and passes on, so it is
plain sentences with file paths and URLs but no raw ids or JSON; images get a small
preview (at most a few per result) and every file a resource link a client can open.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import anyio
from mcp.types import ContentBlock, ImageContent, ResourceLink, TextContent

from ..domain.generation.previews import cached_preview, make_preview
from ..domain.library.boards import BoardRun
from ..domain.library.models import Character, CharacterSummary, SoulState
from ..domain.library.moodboards import GALLERY_FILE, SHEET_FILE, BoardItem, Moodboard, MoodboardSummary
from ..domain.library.references import ReferenceRun

LIBRARY_URI = "higgsfield://library"
CHARACTERS_URI = f"{LIBRARY_URI}/characters"
MOODBOARDS_URI = f"{LIBRARY_URI}/moodboards"
IMAGE_MIME = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
MAX_PREVIEWS = 4
ANGLE_WORDS = {"front": "front", "three_quarter": "three-quarter", "profile": "profile", "free": "free reference"}


def character_uri(slug: str) -> str:
    return f"{CHARACTERS_URI}/{slug}"


def board_uri(slug: str) -> str:
    return f"{MOODBOARDS_URI}/{slug}"


def text(body: str) -> TextContent:
    return TextContent(type="text", text=body)


def link(uri: str, name: str, title: str, mime_type: str | None = None) -> ResourceLink:
    mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return ResourceLink(type="resource_link", uri=uri, name=name, title=title, mime_type=mime)


async def image_blocks(
    files: Sequence[tuple[Path, str, str]], *, previews: int = MAX_PREVIEWS, only: Collection[Path] | None = None
) -> list[ContentBlock]:
    """(path, resource URI, title) per image → a preview for the first few (of `only`, if given), a link for each."""
    blocks: list[ContentBlock] = []
    shown = 0
    for path, uri, title in files:
        if shown < previews and (only is None or path in only):  # a missing or unreadable file gets no preview
            shown += 1
            preview = await anyio.to_thread.run_sync(cached_preview, path)
            if preview is not None:
                blocks.append(ImageContent(type="image", data=preview.base64, mime_type=preview.mime_type))
        blocks.append(link(uri, path.name, title))
    return blocks


async def sheet_preview(path: Path) -> list[ContentBlock]:
    """A contact sheet, downscaled to a preview every client accepts (never the full file); none if missing."""
    preview = await anyio.to_thread.run_sync(lambda: make_preview(path, max_side=1280, max_bytes=500_000))
    return [] if preview is None else [ImageContent(type="image", data=preview.base64, mime_type=preview.mime_type)]


# -- characters ----------------------------------------------------------------------------------------


def character_files(character: Character, folder: Path) -> list[tuple[Path, str, str]]:
    files = [
        (folder / r.file, f"{character_uri(character.slug)}/{r.file}", f"{character.name}: {ANGLE_WORDS[r.angle]}")
        for r in character.current_references()
        if r.file
    ]
    files += [
        (folder / t.file, f"{character_uri(character.slug)}/{t.file}", f"{character.name}: test shot")
        for t in character.test_shots
        if t.file and t.state == "ready"
    ]
    return files


def character_text(
    character: Character, folder: Path, notes: Sequence[str] = (), urls: Mapping[str, str] | None = None
) -> str:
    """The character in plain lines; `urls` (job id → result URL) adds each reference's URL."""
    urls = urls or {}
    lines = [f"{character.name} — library character (folder: {folder})"]
    if character.description:
        lines.append(character.description)
    if character.canonical_prompt and character.canonical_prompt != character.description:
        lines.append(f"Canonical prompt: {character.canonical_prompt}")
    if character.lighting_notes:
        lines.append(f"Lighting that works: {character.lighting_notes}")
    current = character.current_references()
    if current:
        lines.append("References:")
        lines += [
            f"- {ANGLE_WORDS[r.angle]}: {_where(r.file or 'kept on Higgsfield', r.job_id, urls)}" for r in current
        ]
    missing = [ANGLE_WORDS[a] for a in ("front", "three_quarter", "profile") if a not in {r.angle for r in current}]
    pending = [r for r in character.references if r.state == "pending"]
    if pending:
        lines.append(f"Still generating: {len(pending)} reference(s); `show` again to bring them in.")
    shots = [t for t in character.test_shots if t.state == "ready"]
    if shots:
        lines.append(f"Test shots: {len(shots)}")
        lines += [f"- {t.file}: {t.lighting_notes or t.notes or 'no notes'}" for t in shots[-5:]]
    for soul in character.souls.values():
        lines.append(f"Soul id ({soul.variant}): {_soul_status(soul)}")
    if character.history:
        last = character.history[-1]
        where = last.urls[0] if last.urls else last.state
        lines.append(f"Generations: {len(character.history)} (latest: {where})")
    lines += list(notes)
    lines.append(_next_step(character, missing))
    return "\n".join(lines)


def _next_step(character: Character, missing: list[str]) -> str:
    if not character.identity_text:
        return "Next: give them a description or canonical prompt (action 'update'), then make references."
    if missing:
        return f"Next: make the missing reference angles ({', '.join(missing)}) with action 'make_references'."
    trained = character.trained_souls()
    if not trained and len(character.local_images()) >= 5:
        return "Next: train a Soul id (action 'train_soul'), or generate with character= (references are used)."
    if not trained:
        return "Next: generate them in a scene with `generate` (character=…); keep good ones with 'add_test_shot'."
    return "Next: generate them in any scene with `generate` (character=…); their Soul id is applied."


def _soul_status(soul: SoulState) -> str:
    if soul.status == "completed":
        return "trained, used automatically on " + ("Soul 2.0" if soul.variant == "soul_2" else "Soul Cinema")
    if soul.status == "failed":
        return f"training failed ({soul.fail_reason or 'no reason given'})"
    return f"training ({soul.status.replace('_', ' ')}); `show` checks again"


def character_list_text(
    summaries: Sequence[CharacterSummary], *, total: int | None = None, query: str | None = None
) -> str:
    total = len(summaries) if total is None else total
    if not summaries:
        if query:
            return f"No character's name or description contains {query!r}."
        return "The character library is empty. Create one with action 'create'."
    more = f" (showing {len(summaries)}; narrow with query=)" if total > len(summaries) else ""
    lines = [f"{total} character(s){more}:"]
    for s in summaries:
        if s.problem:
            lines.append(f"- {s.name}: cannot be read — {s.problem}")
            continue
        angles = "/".join(ANGLE_WORDS[a] for a in s.angles) or "no references"
        souls = ", ".join(f"{v} {st}" for v, st in s.souls.items())
        extra = f"; Soul: {souls}" if souls else ""
        lines.append(f"- {s.name}: {s.description or 'no description'} [{angles}; {s.test_shots} test shot(s){extra}]")
    return "\n".join(lines)


def _where(file: str | Path, job_id: str | None, urls: Mapping[str, str]) -> str:
    url = urls.get(job_id) if job_id else None
    return f"{file} — {url}" if url else str(file)


def reference_run_text(run: ReferenceRun, folder: Path, urls: Mapping[str, str] | None = None) -> str:
    name = run.character.name
    ready = [r for r in run.made if r.state == "ready"]
    lines = [f"Reference set for {name}: {len(ready)} ready in {folder}"]
    lines += [f"- {ANGLE_WORDS[r.angle]}: {_where(folder / r.file, r.job_id, urls or {})}" for r in ready if r.file]
    pending = [r for r in run.made if r.state == "pending"]
    if pending:
        lines.append(
            f"Still generating: {', '.join(ANGLE_WORDS[r.angle] for r in pending)}. "
            "They keep running; `show` brings them in when done."
        )
    lines += [f"Not made: {p}" for p in run.problems]
    return "\n".join(lines)


def soul_text(character: Character, soul: SoulState) -> str:
    used = ", ".join(soul.images[:6]) + ("…" if len(soul.images) > 6 else "")
    head = f"Soul id ({soul.variant}) for {character.name}: {_soul_status(soul)}."
    return f"{head}\nTrained on {len(soul.images)} image(s): {used}"


# -- moodboards -----------------------------------------------------------------------------------------


def board_files(board: Moodboard, folder: Path) -> list[tuple[Path, str, str]]:
    return [
        (folder / i.file, f"{board_uri(board.slug)}/{i.file}", f"{i.number}. {i.label}")
        for i in board.ready_items()
        if i.file
    ]


def board_links(board: Moodboard, folder: Path) -> list[ContentBlock]:
    blocks: list[ContentBlock] = []
    if (folder / SHEET_FILE).is_file():
        blocks.append(link(f"{board_uri(board.slug)}/{SHEET_FILE}", SHEET_FILE, f"{board.name}: contact sheet"))
    if (folder / GALLERY_FILE).is_file():
        blocks.append(link(f"{board_uri(board.slug)}/{GALLERY_FILE}", GALLERY_FILE, f"{board.name}: gallery"))
    blocks += [link(uri, path.name, title) for path, uri, title in board_files(board, folder)]
    return blocks


def board_text(
    board: Moodboard, folder: Path, run: BoardRun | None = None, urls: Mapping[str, str] | None = None
) -> str:
    """The board in plain lines; `urls` (job id → result URL) adds each generated image's URL."""
    ready = board.ready_items()
    lines = [f"Moodboard {board.name}: {len(ready)} image(s) (folder: {folder})"]
    if board.brief:
        lines.append(f"Brief: {board.brief}")
    if run is not None and run.created:
        lines.append("Created this moodboard (there was none by that name).")
    if run is not None and run.added:
        lines.append(f"Added {len(run.added)} image(s), numbers {run.added[0].number} to {run.added[-1].number}.")
    if run is not None and run.removed:
        lines.append("Removed: " + ", ".join(f"{i.number}. {_item_words(i)}" for i in run.removed) + ".")
    for item in board.items:
        if item.state == "failed":
            continue
        where = _where(item.file, item.job_id, urls or {}) if item.file else "still generating"
        lines.append(f"{item.number}. {_item_words(item)} — {where}")
    if (folder / SHEET_FILE).is_file():
        lines.append(f"Contact sheet: {folder / SHEET_FILE}")
        lines.append(f"Gallery (open in a browser): {folder / GALLERY_FILE}")
    if run is not None:
        lines += [f"Not made: {p}" for p in run.problems]
    pending = sum(1 for i in board.items if i.state == "pending")
    if pending:
        lines.append(f"{pending} image(s) still generating; `show` brings them in when done.")
    return "\n".join(lines)


def _item_words(item: BoardItem) -> str:
    who = f" ({item.character})" if item.character else ""
    note = f", {item.note}" if item.note else ""
    note += f", {item.pipeline}" if item.pipeline else ""
    return f"{item.label}{who}{note}"


def board_list_text(summaries: Sequence[MoodboardSummary]) -> str:
    if not summaries:
        return "No moodboards yet. Create one with action 'create' (a production name and a brief)."
    lines = [f"{len(summaries)} moodboard(s):"]
    for s in summaries:
        if s.problem:
            lines.append(f"- {s.name}: cannot be read — {s.problem}")
            continue
        pending = f", {s.pending} generating" if s.pending else ""
        lines.append(f"- {s.name}: {s.images} image(s){pending} — {s.brief or 'no brief'}")
    return "\n".join(lines)
