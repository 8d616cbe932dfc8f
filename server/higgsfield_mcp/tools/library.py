"""MCP tools for the character library and moodboards, their resources and prompts.

`character_library` and `moodboard` are one tool each with an `action`, because an agent
picks a tool by what it is about and then the step; every action's arguments are
validated and explained by the domain (`domain/library/service.py`). The gallery view (an
MCP App) lives in `gallery_app.py` and is wired by `server.create_server`.

No `from __future__ import annotations` here: the delete confirmation resolver is a closure
over this server's library, and the SDK evaluates string annotations in module globals,
where a closure cannot be found. Evaluated annotations reference it directly.
"""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    Elicit,
    ElicitationResult,
    Resolve,
    UserMessage,
)
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import CallToolResult, ContentBlock
from pydantic import BaseModel, Field

from ..adapters.cli.errors import HiggsfieldError
from ..domain.generation.production import JobView
from ..domain.library.errors import ConfirmationRequired, LibraryError, LibraryRequestInvalid
from ..domain.library.models import Angle, Character, CharacterSummary, SoulState
from ..domain.library.moodboards import GALLERY_FILE, BoardItem, BoardRole, Moodboard, MoodboardSummary
from ..domain.library.service import CharacterFields, Library
from ..views import tool_result
from .common import Services, fail, hints, progress_to
from .library_views import (
    CHARACTERS_URI,
    IMAGE_MIME,
    MOODBOARDS_URI,
    board_links,
    board_list_text,
    board_text,
    character_files,
    character_list_text,
    character_text,
    character_uri,
    image_blocks,
    link,
    reference_run_text,
    sheet_preview,
    soul_text,
    text,
)

CharacterAction = Literal[
    "create",
    "list",
    "show",
    "update",
    "delete",
    "add_reference",
    "make_references",
    "add_test_shot",
    "train_soul",
    "export",
    "import",
]
BoardAction = Literal["create", "list", "show", "add", "generate", "remove", "export"]


class CharacterRequest(BaseModel):
    """One character_library call's arguments, typed (the tool takes them flat, as agents call best)."""

    action: CharacterAction
    name: str | None = None
    description: str | None = None
    canonical_prompt: str | None = None
    lighting_notes: str | None = None
    notes: str | None = None
    angle: Angle = "free"
    angles: list[Literal["front", "three_quarter", "profile"]] | None = None
    pipeline: Literal["soul_2", "soul_cast"] = "soul_2"
    image_path: str | None = None
    upload_id: str | None = None
    job_id: str | None = None
    variant: Literal["soul_2", "soul_cinematic"] = "soul_2"
    images: list[str] | None = None
    archive: str | None = None
    destination: str | None = None
    overwrite: bool = False
    new_name: str | None = None
    confirm: bool = False
    query: str | None = None
    limit: int = 50
    wait_seconds: float | None = None
    previews: bool = False

    def text(self, field: str) -> str | None:
        """A string argument, with blanks treated as not given."""
        value = getattr(self, field)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def require(self, field: str, what: str) -> str:
        value = self.text(field)
        if value is None:
            raise LibraryRequestInvalid(
                f"Action {self.action!r} needs {field} ({what})", remedy=f"Call again with {field}."
            )
        return value

    @property
    def fields(self) -> CharacterFields:
        return CharacterFields(
            description=self.text("description"),
            canonical_prompt=self.text("canonical_prompt"),
            lighting_notes=self.text("lighting_notes"),
            notes=self.text("notes"),
        )


class CharacterLibraryResult(BaseModel):
    """What a character_library action did; only the fields that action fills are set."""

    action: str
    character: Character | None = None
    characters: list[CharacterSummary] = Field(default_factory=list)
    total: int | None = Field(default=None, description="list: how many characters matched (more than shown?).")
    jobs: list[JobView] = Field(default_factory=list, description="Generations this action made or used.")
    soul: SoulState | None = None
    archive: str | None = Field(default=None, description="export: the zip written.")
    folder: str | None = Field(default=None, description="The character's folder.")
    deleted: bool = False
    problems: list[str] = Field(default_factory=list, description="Parts that did not work, with why.")
    notes: list[str] = Field(default_factory=list)


class MoodboardResult(BaseModel):
    """What a moodboard action did; only the fields that action fills are set."""

    action: str
    board: Moodboard | None = None
    boards: list[MoodboardSummary] = Field(default_factory=list)
    added: list[BoardItem] = Field(default_factory=list)
    jobs: list[JobView] = Field(default_factory=list)
    folder: str | None = None
    contact_sheet: str | None = Field(default=None, description="Absolute path of contact-sheet.jpg.")
    gallery: str | None = Field(default=None, description="Absolute path of index.html.")
    archive: str | None = None
    problems: list[str] = Field(default_factory=list)


class DeleteAnswer(BaseModel):
    """The question a delete asks the user (a flat form, as elicitation requires)."""

    delete: bool = Field(description="Delete this character and all its images for good?")


def can_elicit(ctx: Context) -> bool:
    """Whether the client can show a form: the same test the SDK applies before eliciting."""
    caps = ctx.client_capabilities
    form = caps.elicitation if caps is not None else None
    return form is not None and (form.form is not None or form.url is None)


def register(server: MCPServer, services: Services) -> None:
    library = Library(services.settings, services.production)
    _register_characters(server, services, library)
    _register_moodboards(server, services, library)
    _register_resources(server, services, library)
    _register_prompts(server, services, library)


def _register_characters(server: MCPServer, services: Services, library: Library) -> None:
    def confirm_delete(
        action: str, name: str | None, confirm: bool, ctx: Context
    ) -> DeleteAnswer | Elicit[DeleteAnswer]:
        """Ask the user before a delete, when the client can ask; everything else passes straight through."""
        if action != "delete" or confirm or not name or not can_elicit(ctx):
            return DeleteAnswer(delete=action != "delete" or confirm)
        try:
            character = library.find_character(name)
        except LibraryError:
            return DeleteAnswer(delete=True)  # nothing to lose: the tool reports that it does not exist
        images = len(character.local_images())
        return Elicit(
            f"Delete the character {character.name} and its {images} image(s) from the library? "
            "This cannot be undone (export it first to keep a copy).",
            DeleteAnswer,
        )

    @server.tool(
        title="Character library",
        annotations=hints(read_only=False),
        structured_output=False,
    )
    async def character_library(
        ctx: Context,
        answer: Annotated[ElicitationResult[DeleteAnswer], Resolve(confirm_delete)],
        action: Annotated[CharacterAction, Field(description="What to do.")],
        name: Annotated[str | None, Field(description="The character (all but list/import).")] = None,
        description: Annotated[str | None, Field(description="create/update: look, age, features.")] = None,
        canonical_prompt: Annotated[
            str | None, Field(description="create/update: words every image starts with.")
        ] = None,
        lighting_notes: Annotated[str | None, Field(description="create/update/add_test_shot.")] = None,
        notes: Annotated[str | None, Field(description="create/update/add_test_shot.")] = None,
        angle: Annotated[Angle, Field(description="add_reference.")] = "free",
        angles: Annotated[
            list[Literal["front", "three_quarter", "profile"]] | None,
            Field(description="make_references: only these (default all three)."),
        ] = None,
        pipeline: Annotated[Literal["soul_2", "soul_cast"], Field(description="make_references.")] = "soul_2",
        image_path: Annotated[str | None, Field(description="add_reference/add_test_shot: a local image.")] = None,
        upload_id: Annotated[str | None, Field(description="add_reference.")] = None,
        job_id: Annotated[str | None, Field(description="add_reference/add_test_shot: a finished image job.")] = None,
        variant: Annotated[
            Literal["soul_2", "soul_cinematic"], Field(description="train_soul: soul_cinematic for Soul Cinema.")
        ] = "soul_2",
        images: Annotated[list[str] | None, Field(description="train_soul: 5-20 files (default: all).")] = None,
        archive: Annotated[str | None, Field(description="import: the zip.")] = None,
        destination: Annotated[str | None, Field(description="export: folder for the zip.")] = None,
        overwrite: Annotated[bool, Field(description="import: replace one of the same name.")] = False,
        new_name: Annotated[str | None, Field(description="import under this name.")] = None,
        confirm: Annotated[bool, Field(description="delete: true only once the user agreed.")] = False,
        query: Annotated[str | None, Field(description="list: name or description contains.")] = None,
        limit: Annotated[int, Field(ge=1, le=1000, description="list: at most this many.")] = 50,
        wait_seconds: Annotated[float | None, Field(ge=0, description="Longest wait.")] = None,
        previews: Annotated[bool, Field(description="show: include the images (only to look at them).")] = False,
    ) -> Annotated[CallToolResult, CharacterLibraryResult]:
        """Recurring characters kept consistent: a folder each with canonical prompt, lighting notes,
        three-angle references, test shots and Soul ids; then `generate` with character=<name>.
        make_references makes all three angles at once; train_soul needs 5-20 images and a paid plan;
        delete asks the user first. Per action: higgsfield://references/character-library."""
        request = CharacterRequest(
            action=action,
            name=name,
            description=description,
            canonical_prompt=canonical_prompt,
            lighting_notes=lighting_notes,
            notes=notes,
            angle=angle,
            angles=angles,
            pipeline=pipeline,
            image_path=image_path,
            upload_id=upload_id,
            job_id=job_id,
            variant=variant,
            images=images,
            archive=archive,
            destination=destination,
            overwrite=overwrite,
            new_name=new_name,
            confirm=confirm,
            query=query,
            limit=limit,
            wait_seconds=wait_seconds,
            previews=previews,
        )
        try:
            return await _character_action(library, ctx, request, answer)
        except HiggsfieldError as exc:
            raise fail(exc) from exc


async def _character_action(
    library: Library, ctx: Context, request: CharacterRequest, answer: ElicitationResult[DeleteAnswer]
) -> CallToolResult:
    action, wait_seconds = request.action, request.wait_seconds
    result = CharacterLibraryResult(action=action)
    if action == "list":
        found = library.list_characters(request.text("query"))
        result.characters, result.total = found[: request.limit], len(found)
        listing = character_list_text(result.characters, total=len(found), query=request.text("query"))
        return tool_result(result, [text(listing)])
    if action == "import":
        archive = request.require("archive", "the zip to import")
        character = await library.import_character(archive, overwrite=request.overwrite, name=request.text("new_name"))
        return await _character_result(library, result, character, f"Imported {character.name}.")
    name = request.require("name", "the character's name")
    known = _images_of(library, name)  # what the agent has seen: only images new to it are sent

    if action == "create":
        character = library.create_character(name, request.fields)
        return await _character_result(library, result, character, f"Created {character.name}.")
    if action == "update":
        character = library.update_character(name, request.fields)
        return await _character_result(library, result, character, f"Updated {character.name}.", known=known)
    if action == "show":
        shown = await library.show_character(name)
        result.notes = shown.notes
        seen = None if request.previews else known  # previews only when asked: the agent has seen them
        return await _character_result(library, result, shown.character, "", notes=shown.notes, known=seen)
    if action == "delete":
        agreed = isinstance(answer, AcceptedElicitation) and answer.data.delete
        if not agreed:
            if can_elicit(ctx):
                return tool_result(result, [text("Nothing was deleted: the user did not confirm.")])
            raise ConfirmationRequired(
                f"Deleting {name} removes its folder and every image in it, and this client cannot ask the user",
                remedy="Ask the user to confirm, then call delete again with confirm: true. Nothing was deleted.",
            )
        deleted = library.delete_character(name)
        result.deleted, result.folder = True, str(library.characters.folder(deleted.slug))
        return tool_result(result, [text(f"Deleted {deleted.name} and its images from the library.")])
    if action == "add_reference":
        character = await library.add_reference(
            name,
            angle=request.angle,
            path=request.text("image_path"),
            upload_id=request.text("upload_id"),
            job_id=request.text("job_id"),
            wait_seconds=wait_seconds,
        )
        return await _character_result(library, result, character, "Reference added.", known=known)
    if action == "make_references":
        run = await library.make_references(
            name, pipeline=request.pipeline, angles=request.angles, wait_seconds=wait_seconds, progress=progress_to(ctx)
        )
        folder = library.characters.folder(run.character.slug)
        result.character, result.folder, result.jobs, result.problems = (
            run.character,
            str(folder),
            run.jobs,
            run.problems,
        )
        uri = character_uri(run.character.slug)
        files = [(folder / r.file, f"{uri}/{r.file}", r.angle) for r in run.made if r.file]
        urls = _result_urls(library, [r.job_id for r in run.made])
        body = reference_run_text(run, folder, urls)
        return tool_result(result, [text(body), *await image_blocks(files, previews=3)])
    if action == "add_test_shot":
        character, shot = await library.add_test_shot(
            name,
            job_id=request.text("job_id"),
            path=request.text("image_path"),
            lighting_notes=request.text("lighting_notes") or "",
            notes=request.text("notes") or "",
            wait_seconds=wait_seconds,
        )
        what = "Test shot kept" if shot.file else "Test shot recorded; its image is still generating"
        return await _character_result(library, result, character, f"{what}.", known=known)
    if action == "train_soul":
        character, soul = await library.train_soul(
            name, variant=request.variant, images=request.images, wait_seconds=wait_seconds, progress=progress_to(ctx)
        )
        result.soul, result.character = soul, character
        result.folder = str(library.characters.folder(character.slug))
        return tool_result(result, [text(soul_text(character, soul))])
    path = await library.export_character(name, request.text("destination"))  # action == "export"
    character = library.find_character(name)
    result.archive, result.character = str(path), character
    note = f"Exported {character.name} to {path} (character.json, its images and a character sheet)."
    return tool_result(result, [text(note), link(path.as_uri(), path.name, f"{character.name} archive")])


def _result_urls(library: Library, job_ids: Iterable[str | None]) -> dict[str, str]:
    """job id → its first result URL, from the journal: the URL the skill's rules say to deliver."""
    urls: dict[str, str] = {}
    for job_id in job_ids:
        record = library.production.journal.get(job_id) if job_id else None
        if record is not None and record.result_urls:
            urls[record.id] = record.result_urls[0]
    return urls


def _images_of(library: Library, name: str) -> set[Path]:
    """The character's images before an action (none if it cannot be read: the action says why)."""
    try:
        character = library.find_character(name)
    except LibraryError:
        return set()
    return {path for path, _, _ in character_files(character, library.characters.folder(character.slug))}


async def _character_result(
    library: Library,
    result: CharacterLibraryResult,
    character: Character,
    head: str,
    notes: list[str] | None = None,
    *,
    known: set[Path] | None = None,
) -> CallToolResult:
    """The character in words, a link per file, and previews only of images not in `known` (None: every image).

    Previews are about 130 KB each: resending the same three on every call fills the agent's context.
    """
    folder = library.characters.folder(character.slug)
    result.character, result.folder = character, str(folder)
    urls = _result_urls(library, [r.job_id for r in character.current_references()])
    body = character_text(character, folder, notes or [], urls)
    blocks: list[ContentBlock] = [text(f"{head}\n{body}" if head else body)]
    files = character_files(character, folder)
    fresh = [path for path, _, _ in files if known is None or path not in known]
    blocks += await image_blocks(files, previews=3, only=fresh)
    blocks.append(link(character_uri(character.slug), "character.json", f"{character.name}: character.json"))
    return tool_result(result, blocks)


def _register_moodboards(server: MCPServer, services: Services, library: Library) -> None:
    @server.tool(
        title="Moodboards",
        annotations=hints(read_only=False),
        structured_output=False,
    )
    async def moodboard(
        ctx: Context,
        action: Annotated[BoardAction, Field(description="What to do.")],
        name: Annotated[str | None, Field(description="The production (all but list).")] = None,
        brief: Annotated[str | None, Field(description="create/generate: story, setting, audience.")] = None,
        look: Annotated[str | None, Field(description="create/generate: colour palette and lighting style.")] = None,
        tone: Annotated[str | None, Field(description="create/generate: the emotional register.")] = None,
        images: Annotated[list[str] | None, Field(description="add: paths or finished image job ids.")] = None,
        role: Annotated[BoardRole, Field(description="add.")] = "other",
        character: Annotated[str | None, Field(description="add: the library character shown.")] = None,
        characters: Annotated[list[str] | None, Field(description="add/generate: library characters.")] = None,
        character_descriptions: Annotated[
            list[str] | None, Field(description="generate: other major characters, described.")
        ] = None,
        environments: Annotated[list[str] | None, Field(description="generate: key locations.")] = None,
        recipe: Annotated[Literal["production", "lookbook"], Field(description="generate.")] = "production",
        total: Annotated[int | None, Field(ge=10, le=15, description="generate production: images.")] = None,
        environment_model: Annotated[
            Literal["soul_cinematic", "soul_location"], Field(description="generate: soul_location for empty places.")
        ] = "soul_cinematic",
        item: Annotated[str | None, Field(description="lookbook: the fashion item.")] = None,
        material: Annotated[str | None, Field(description="lookbook: material and texture.")] = None,
        mood: Annotated[str | None, Field(description="lookbook.")] = None,
        setting: Annotated[str | None, Field(description="lookbook: where the lifestyle shot is.")] = None,
        numbers: Annotated[list[int] | None, Field(description="remove: numbers from show.")] = None,
        destination: Annotated[str | None, Field(description="export: folder for the zip.")] = None,
        wait_seconds: Annotated[float | None, Field(ge=0, description="Longest wait.")] = None,
    ) -> Annotated[CallToolResult, MoodboardResult]:
        """Fix a production's look before spending on video: labelled images, a contact sheet and an
        offline gallery page. generate submits a whole recipe at once (production: 10-15 images;
        lookbook: three shots of one item). Per action: higgsfield://references/moodboards."""
        result = MoodboardResult(action=action)
        try:
            if action == "list":
                result.boards = library.list_boards()
                return tool_result(result, [text(board_list_text(result.boards))])
            if not name or not name.strip():
                raise LibraryRequestInvalid(
                    f"Action {action!r} needs name (the production's name)", remedy="Call again with name."
                )
            run = None
            if action == "create":
                board = library.create_board(name, brief=brief or "", look=look or "", tone=tone or "")
            elif action == "show":
                board = await library.show_board(name)
            elif action == "add":
                run = await library.add_to_board(
                    name,
                    images=images or [],
                    characters=characters or [],
                    role=role,
                    character=character,
                    wait_seconds=wait_seconds,
                )
                board = run.board
            elif action == "generate":
                run = await library.generate_board(
                    name,
                    recipe=recipe,
                    characters=characters or [],
                    character_descriptions=character_descriptions or [],
                    environments=environments or [],
                    total=total,
                    environment_model=environment_model,
                    item=item,
                    material=material,
                    mood=mood,
                    setting=setting,
                    brief=brief or "",
                    look=look or "",
                    tone=tone or "",
                    wait_seconds=wait_seconds,
                    progress=progress_to(ctx),
                )
                board = run.board
            elif action == "remove":
                run = await library.remove_from_board(name, numbers or [])
                board = run.board
            else:
                archive = await library.export_board(name, destination)
                board = library.find_board(name)
                result.archive = str(archive)
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        folder = library.boards.folder(board.slug)
        result.board, result.folder = board, str(folder)
        if run is not None:
            result.added, result.jobs, result.problems = run.added, run.jobs, run.problems
        if (folder / "contact-sheet.jpg").is_file():
            result.contact_sheet, result.gallery = str(folder / "contact-sheet.jpg"), str(folder / GALLERY_FILE)
        body = board_text(board, folder, run, _result_urls(library, [i.job_id for i in board.items]))
        if result.archive:
            body = f"Exported to {result.archive}\n{body}"
        blocks: list[ContentBlock] = [text(body)]
        if action in ("show", "generate", "add", "remove"):
            blocks += await sheet_preview(folder / "contact-sheet.jpg")
        blocks += board_links(board, folder)
        return tool_result(result, blocks)


def _register_resources(server: MCPServer, services: Services, library: Library) -> None:
    @server.resource(
        CHARACTERS_URI,
        name="characters",
        title="Character library",
        description="Every library character: name, description, reference angles, test shots, Soul status.",
        mime_type="application/json",
    )
    def characters() -> str:
        return json.dumps([s.model_dump(mode="json") for s in library.list_characters()], indent=2)

    @server.resource(
        f"{CHARACTERS_URI}/{{slug}}",
        name="character",
        title="Library character",
        description="One character's character.json (its images are resources under the same URI).",
        mime_type="application/json",
    )
    def character(slug: str) -> str:
        try:
            return library.characters.document(slug).read_text(encoding="utf-8")
        except (LibraryError, FileNotFoundError):
            raise ResourceNotFoundError(f"No library character {slug!r}") from None

    @server.resource(
        MOODBOARDS_URI,
        name="moodboards",
        title="Moodboards",
        description="Every moodboard: production name, brief, image counts.",
        mime_type="application/json",
    )
    def moodboards() -> str:
        return json.dumps([s.model_dump(mode="json") for s in library.list_boards()], indent=2)

    @server.resource(
        f"{MOODBOARDS_URI}/{{slug}}",
        name="moodboard",
        title="Moodboard",
        description="One moodboard's moodboard.json (images, contact sheet and gallery are resources under it).",
        mime_type="application/json",
    )
    def moodboard_document(slug: str) -> str:
        try:
            return library.boards.document(slug).read_text(encoding="utf-8")
        except (LibraryError, FileNotFoundError):
            raise ResourceNotFoundError(f"No moodboard {slug!r}") from None

    @server.resource(
        f"{MOODBOARDS_URI}/{{slug}}/{GALLERY_FILE}",
        name="moodboard-gallery",
        title="Moodboard gallery page",
        description="The static index.html of a moodboard (relative image links; open the folder's copy to browse).",
        mime_type="text/html",
    )
    def moodboard_gallery(slug: str) -> str:
        try:
            return library.boards.file(slug, GALLERY_FILE).read_text(encoding="utf-8")
        except LibraryError:
            raise ResourceNotFoundError(f"Moodboard {slug!r} has no gallery yet") from None

    for ext, mime in IMAGE_MIME.items():
        _image_resources(server, library, ext, mime)

    def slugs(kind: Literal["characters", "boards"]) -> list[str]:
        summaries = library.list_characters() if kind == "characters" else library.list_boards()
        return [s.slug for s in summaries]

    services.completers[("resource", f"{CHARACTERS_URI}/{{slug}}", "slug")] = lambda prefix: [
        s for s in slugs("characters") if s.startswith(prefix)
    ]
    services.completers[("resource", f"{MOODBOARDS_URI}/{{slug}}", "slug")] = lambda prefix: [
        s for s in slugs("boards") if s.startswith(prefix)
    ]


def _image_resources(server: MCPServer, library: Library, ext: str, mime: str) -> None:
    """Images of characters and moodboards as blob resources, one template per image type (its MIME type)."""

    @server.resource(
        f"{CHARACTERS_URI}/{{slug}}/{{stem}}.{ext}",
        name=f"character-image-{ext}",
        title=f"Character image ({ext.upper()})",
        description="A reference or test shot of a library character.",
        mime_type=mime,
    )
    def character_image(slug: str, stem: str) -> bytes:
        try:
            return library.characters.file(slug, f"{stem}.{ext}").read_bytes()
        except LibraryError:
            raise ResourceNotFoundError(f"No image {stem}.{ext} for character {slug!r}") from None

    @server.resource(
        f"{MOODBOARDS_URI}/{{slug}}/{{stem}}.{ext}",
        name=f"moodboard-image-{ext}",
        title=f"Moodboard image ({ext.upper()})",
        description="An image of a moodboard, or its contact sheet (contact-sheet.jpg).",
        mime_type=mime,
    )
    def board_image(slug: str, stem: str) -> bytes:
        try:
            return library.boards.file(slug, f"{stem}.{ext}").read_bytes()
        except LibraryError:
            raise ResourceNotFoundError(f"No image {stem}.{ext} on moodboard {slug!r}") from None


def _register_prompts(server: MCPServer, services: Services, library: Library) -> None:
    @server.prompt(
        name="character_reference_sheet",
        title="Character reference sheet",
        description="Set up a recurring character: canonical prompt, three-angle references, a sheet to review.",
    )
    def character_reference_sheet(
        name: Annotated[str, Field(description="The character's name.")],
        description: Annotated[str, Field(description="Who they are: age, look, hair, face, wardrobe.")],
        pipeline: Annotated[str, Field(description="soul_2 (default, photoreal) or soul_cast.")] = "soul_2",
    ) -> list[UserMessage]:
        return [
            UserMessage(
                f"Set up {name} as a recurring character for my production. Description: {description}. "
                f"Use `character_library`: create the character with that description as the canonical prompt "
                f"(add lighting notes if I gave any), then make_references with pipeline {pipeline} so the full "
                "front, 45-degree three-quarter and pure profile views come from the same words. Then call "
                f"`show_gallery` with character {name!r} and tell me in two lines whether the three read as one "
                "person and what to change if not."
            )
        ]

    @server.prompt(
        name="lookbook",
        title="Lookbook for one fashion item",
        description="Three coherent shots of one item: texture close-up, full-body lifestyle, clean studio.",
    )
    def lookbook(
        item: Annotated[str, Field(description="The fashion item, e.g. 'a navy wool blazer'.")],
        material: Annotated[str, Field(description="Its material and texture, e.g. 'textured wool'.")] = "",
        wearer: Annotated[str, Field(description="A library character to wear it, or empty.")] = "",
    ) -> list[UserMessage]:
        worn = f" worn by the library character {wearer}" if wearer else ""
        texture = f" The material: {material}." if material else ""
        return [
            UserMessage(
                f"Shoot a three-image lookbook of {item}{worn}.{texture} Call `moodboard` generate with recipe "
                "lookbook and a board named after the item (the call creates it): the fabric up close, the item "
                "worn on location, and a plain studio frame on grey, every prompt giving subject, light, framing, "
                "material and mood. Show me the contact sheet and say whether the three hang together as one shoot "
                "or look like strangers."
            )
        ]

    @server.prompt(
        name="previsualise_scene",
        title="Previsualise a scene",
        description="Three Soul Cinema variations of one scene, then a note of what to adjust before video.",
    )
    def previsualise_scene(
        scene: Annotated[str, Field(description="The scene: who does what, where, when.")],
        mood: Annotated[str, Field(description="The emotional mood.")] = "",
        character: Annotated[str, Field(description="A library character in the scene, or empty.")] = "",
    ) -> list[UserMessage]:
        cast = f" with character={character!r}" if character else ""
        feeling = f" Mood: {mood}." if mood else ""
        return [
            UserMessage(
                f"Before any video credits go on it, previsualise this scene: {scene}.{feeling} Write a single "
                "Soul Cinema prompt covering who does what, the place and its light (name the sources), the "
                "feeling, and where the camera sits. Run `generate` with model Soul Cinema, aspect_ratio 16:9 "
                f"(21:9 if the scene asks for widescreen or anamorphic) and count 3{cast}. Then note in a few "
                "lines which frame comes closest, what is still off, and the prompt change that would fix it; "
                "the clip is briefed from that note."
            )
        ]

    def names(prefix: str) -> list[str]:
        return [s.name for s in library.list_characters() if s.name.casefold().startswith(prefix.casefold())]

    services.completers[("prompt", "lookbook", "wearer")] = names
    services.completers[("prompt", "previsualise_scene", "character")] = names
