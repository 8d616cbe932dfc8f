"""The library as the tools use it: characters and moodboards by name, one method per action.

Names are resolved here (a slug, the display name, or a name that slugs the same), paths
from tool arguments are checked against the allowed folders here, and anything that has to
ask Higgsfield goes through the server's `Production` (jobs) or CLI (Soul ids). The parts
it composes are plain functions over the two stores, testable without a server.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from pathlib import Path

import anyio
from pydantic import BaseModel, Field

from ...adapters.cli.errors import HiggsfieldError
from ...config import Settings
from ..generation.production import Outcome, Production, Progress
from ..generation.submit import CharacterInputs
from . import boards as board_ops
from . import references, souls, transfer
from .casting import history_entries, inputs_for
from .documents import slugify
from .errors import LibraryError, LibraryRequestInvalid, MoodboardNotFound
from .models import Angle, Character, CharacterSummary, SoulState, SoulVariant, TestShot
from .moodboards import BoardRole, Moodboard, MoodboardStore, MoodboardSummary
from .recipes import Cast, EnvironmentModel, plan_lookbook, plan_production
from .references import ReferenceRun
from .shot_lists import Pipeline
from .store import CharacterStore

log = logging.getLogger(__name__)


class CharacterFields(BaseModel):
    """The hand-written parts of a character; None leaves a field as it is."""

    description: str | None = Field(default=None, description="Who they are: look, age, features, wardrobe.")
    canonical_prompt: str | None = Field(
        default=None, description="The exact words every image of them starts from (defaults to the description)."
    )
    lighting_notes: str | None = Field(default=None, description="Lighting that works for them, and what does not.")
    notes: str | None = None


class Shown(BaseModel):
    """A character as `show` returns it, with anything that could not be refreshed."""

    character: Character
    notes: list[str] = Field(default_factory=list)


class Library:
    def __init__(self, settings: Settings, production: Production) -> None:
        self.settings = settings
        self.production = production
        self.characters = CharacterStore(settings.library_dir)
        self.boards = MoodboardStore(settings.library_dir)

    @property
    def exports_dir(self) -> Path:
        return self.settings.library_dir / "exports"

    # -- characters --------------------------------------------------------------------------------

    def create_character(self, name: str, fields: CharacterFields) -> Character:
        values = {k: v.strip() for k, v in fields.model_dump().items() if v is not None}
        return self.characters.create(Character(name=name.strip(), slug="-", **values))

    def update_character(self, name: str, fields: CharacterFields) -> Character:
        changes = {k: v.strip() for k, v in fields.model_dump().items() if v is not None}
        if not changes:
            raise LibraryRequestInvalid(
                "Nothing to update was given",
                remedy="Give description, canonical_prompt, lighting_notes or notes.",
            )

        def apply(character: Character) -> None:
            for key, value in changes.items():
                setattr(character, key, value)

        character, _ = self.characters.change(self.characters.resolve(name), apply)
        return character

    def list_characters(self, query: str | None = None) -> list[CharacterSummary]:
        """Every character by name, or those whose name or description contains `query` (any case)."""
        found = self.characters.list()
        if query:
            needle = query.casefold()
            found = [s for s in found if needle in s.name.casefold() or needle in s.description.casefold()]
        return found

    async def show_character(self, name: str) -> Shown:
        """The character, after bringing in finished reference jobs and asking about Souls still training.

        Those checks need Higgsfield; when it cannot be reached the character is still shown,
        with a note saying what could not be checked.
        """
        slug = self.characters.resolve(name)
        notes: list[str] = []
        try:
            await references.refresh_pending(self.characters, self.production, slug)
        except HiggsfieldError as exc:
            notes.append(_offline(exc, "Could not check on images still generating"))
        try:
            await souls.refresh_souls(self.characters, self.production.cli, slug)
        except HiggsfieldError as exc:
            notes.append(_offline(exc, "Could not check the Soul training status"))
        return Shown(character=self.characters.load(slug), notes=notes)

    def find_character(self, name: str) -> Character:
        return self.characters.load(self.characters.resolve(name))

    def delete_character(self, name: str) -> Character:
        character = self.find_character(name)
        self.characters.delete(character.slug)
        return character

    async def make_references(
        self,
        name: str,
        *,
        pipeline: Pipeline = "soul_2",
        angles: Sequence[Angle] | None = None,
        wait_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> ReferenceRun:
        slug = self.characters.resolve(name)
        return await references.make_references(
            self.characters,
            self.production,
            slug,
            pipeline=pipeline,
            angles=angles,
            wait_seconds=wait_seconds,
            progress=progress,
        )

    async def add_reference(
        self,
        name: str,
        *,
        angle: Angle = "free",
        path: str | None = None,
        upload_id: str | None = None,
        job_id: str | None = None,
        wait_seconds: float | None = None,
    ) -> Character:
        character, _ = await references.add_reference(
            self.characters,
            self.production,
            self.settings,
            self.characters.resolve(name),
            angle=angle,
            path=path,
            upload_id=upload_id,
            job_id=job_id,
            wait_seconds=wait_seconds,
        )
        return character

    async def add_test_shot(
        self,
        name: str,
        *,
        job_id: str | None = None,
        path: str | None = None,
        lighting_notes: str = "",
        notes: str = "",
        wait_seconds: float | None = None,
    ) -> tuple[Character, TestShot]:
        return await references.add_test_shot(
            self.characters,
            self.production,
            self.settings,
            self.characters.resolve(name),
            job_id=job_id,
            path=path,
            lighting_notes=lighting_notes,
            notes=notes,
            wait_seconds=wait_seconds,
        )

    async def train_soul(
        self,
        name: str,
        *,
        variant: SoulVariant = "soul_2",
        images: Sequence[str] | None = None,
        wait_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> tuple[Character, SoulState]:
        return await souls.train_soul(
            self.characters,
            self.production.cli,
            self.settings,
            self.characters.resolve(name),
            variant=variant,
            images=images,
            wait_seconds=wait_seconds,
            progress=progress,
        )

    async def export_character(self, name: str, destination: str | None = None) -> Path:
        slug = self.characters.resolve(name)
        folder = self._writable_folder(destination)
        return await anyio.to_thread.run_sync(transfer.export_character, self.characters, slug, folder)

    async def import_character(self, archive: str, *, overwrite: bool = False, name: str | None = None) -> Character:
        path = transfer.inside(Path(archive), self._roots())
        return await anyio.to_thread.run_sync(
            lambda: transfer.import_character(self.characters, path, overwrite=overwrite, name=name)
        )

    # -- generate(character=…, moodboard=…) --------------------------------------------------------------

    def cast(self, name: str) -> tuple[str, CharacterInputs]:
        """The character's slug and what a generation of it can use."""
        character = self.find_character(name)
        return character.slug, inputs_for(character, self.characters)

    async def record_generation(self, outcome: Outcome, *, character: str | None, moodboard: str | None) -> list[str]:
        """Write a generation into its character's history and onto its moodboard.

        Never raises for the library's sake: the generation is done and paid for, so a
        library problem is returned as a note to show beside the result, not instead of it.
        """
        problems: list[str] = []
        name: str | None = None
        if character:
            entries = history_entries(outcome.jobs, moodboard=moodboard)

            def put(stored: Character) -> str:
                for entry in entries:
                    stored.add_history(entry)
                return stored.name

            try:
                _, name = self.characters.change(character, put)
            except (LibraryError, OSError) as exc:
                problems.append(f"Not recorded in {character}'s history: {_reason(exc)}")
        if moodboard:
            try:
                await board_ops.add_generated(
                    self.boards, moodboard, outcome.jobs, character=name, character_slug=character
                )
            except (LibraryError, OSError) as exc:
                problems.append(f"Not added to the moodboard: {_reason(exc)}")
        return problems

    # -- moodboards ----------------------------------------------------------------------------------

    def create_board(self, name: str, *, brief: str = "", look: str = "", tone: str = "") -> Moodboard:
        board = Moodboard(name=name.strip(), slug="-", brief=brief.strip(), look=look.strip(), tone=tone.strip())
        return self.boards.create(board)

    def list_boards(self) -> list[MoodboardSummary]:
        return self.boards.list()

    def find_board(self, name: str) -> Moodboard:
        return self.boards.load(self.boards.resolve(name))

    async def show_board(self, name: str) -> Moodboard:
        """The board after bringing in finished jobs; its contact sheet and gallery are made if missing."""
        slug = self.boards.resolve(name)
        try:
            board = await board_ops.refresh_pending(self.boards, self.characters, self.production, slug)
        except HiggsfieldError as exc:
            log.warning("%s", _offline(exc, f"Could not check on images of {name} still generating"))
            board = self.boards.load(slug)
        folder = self.boards.folder(slug)
        if board.items and not ((folder / "contact-sheet.jpg").is_file() and (folder / "index.html").is_file()):
            board = await board_ops.rebuild_views(self.boards, slug)
        return board

    async def add_to_board(
        self,
        name: str,
        *,
        images: Sequence[str] = (),
        characters: Sequence[str] = (),
        role: BoardRole = "other",
        character: str | None = None,
        note: str = "",
        wait_seconds: float | None = None,
    ) -> board_ops.BoardRun:
        if not images and not characters:
            raise LibraryRequestInvalid(
                "Nothing to add was given",
                remedy="Give images (file paths or job ids) and/or library characters.",
            )
        slug = self.boards.resolve(name)
        run = board_ops.BoardRun(board=self.boards.load(slug))
        if characters:
            run = await board_ops.add_characters(self.boards, self.characters, slug, characters)
        if images:
            shown = self.find_character(character) if character else None
            added = await board_ops.add_images(
                self.boards,
                self.production,
                self.settings,
                slug,
                images,
                role=role,
                character=shown.name if shown else None,
                character_slug=shown.slug if shown else None,
                note=note,
                wait_seconds=wait_seconds,
            )
            run = board_ops.BoardRun(board=added.board, added=[*run.added, *added.added])
        return run

    async def generate_board(
        self,
        name: str,
        *,
        recipe: str = "production",
        characters: Sequence[str] = (),
        character_descriptions: Sequence[str] = (),
        environments: Sequence[str] = (),
        total: int | None = None,
        environment_model: EnvironmentModel = "soul_cinematic",
        item: str | None = None,
        material: str | None = None,
        mood: str | None = None,
        setting: str | None = None,
        brief: str = "",
        look: str = "",
        tone: str = "",
        wait_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> board_ops.BoardRun:
        board, created = self._board_to_fill(name, brief=brief, look=look, tone=tone)
        cast = [self._cast_member(c) for c in characters]
        cast += [Cast(name=_short_name(d), text=d.strip()) for d in character_descriptions if d.strip()]
        if recipe == "lookbook":
            if len(cast) > 1:
                raise LibraryRequestInvalid(
                    "A lookbook has one wearer", remedy="Give at most one character (or none for a model)."
                )
            planned = plan_lookbook(
                board, item or "", material=material, mood=mood, setting=setting, wearer=cast[0] if cast else None
            )
        else:
            planned = plan_production(
                board, cast, environments=environments, total=total, environment_model=environment_model
            )
        if created:  # planned first, so a request the recipe refuses leaves no empty board behind
            board = self.create_board(name, brief=brief, look=look, tone=tone)
        run = await board_ops.generate_planned(
            self.boards,
            self.characters,
            self.production,
            board.slug,
            planned,
            wait_seconds=wait_seconds,
            progress=progress,
        )
        run.created = created
        return run

    def _board_to_fill(self, name: str, *, brief: str, look: str, tone: str) -> tuple[Moodboard, bool]:
        """The board to generate into, or (True) the one this call will create: there is none by that name.

        A name close to an existing board's is taken for a typo and refused with the suggestion
        rather than starting a second board.
        """
        try:
            return self.boards.load(self.boards.resolve(name)), False
        except MoodboardNotFound as exc:
            close = difflib.get_close_matches(name.strip(), [s.name for s in self.boards.list()], n=1, cutoff=0.8)
            if close or not name.strip():
                raise exc from None
        text = name.strip()
        return Moodboard(name=text, slug=slugify(text), brief=brief.strip(), look=look.strip(), tone=tone.strip()), True

    async def remove_from_board(self, name: str, numbers: Sequence[int]) -> board_ops.BoardRun:
        if not numbers:
            raise LibraryRequestInvalid("No image numbers were given", remedy="Give the numbers 'show' lists.")
        return await board_ops.remove_items(self.boards, self.boards.resolve(name), numbers)

    async def export_board(self, name: str, destination: str | None = None) -> Path:
        slug = self.boards.resolve(name)
        folder = self._writable_folder(destination)
        board = await board_ops.refresh_pending(self.boards, self.characters, self.production, slug)
        if board.items:
            await board_ops.rebuild_views(self.boards, slug)
        return await anyio.to_thread.run_sync(board_ops.export_board, self.boards, slug, folder)

    # -- helpers ---------------------------------------------------------------------------------------

    def _cast_member(self, name: str) -> Cast:
        character = self.find_character(name)
        inputs = inputs_for(character, self.characters).model_copy(update={"description": None})
        return Cast(
            name=character.name, text=character.identity_text or character.name, slug=character.slug, inputs=inputs
        )

    def _roots(self) -> list[Path]:
        return [self.settings.library_dir, *self.settings.media_roots]

    def _writable_folder(self, destination: str | None) -> Path:
        """Where an export may go: an allowed root, or the home outside its hidden folders (~/.ssh, ~/.config)."""
        if not destination:
            return self.exports_dir
        folder = transfer.inside(Path(destination), self.settings.export_roots)
        if any(folder.is_relative_to(root.expanduser().resolve()) for root in self._roots()):
            return folder
        home = self.settings.user_home.expanduser().resolve()
        if any(part.startswith(".") for part in folder.relative_to(home).parts):
            raise LibraryRequestInvalid(
                f"{destination} is inside a hidden folder of your home, where settings and keys live",
                remedy="Export to a visible folder (e.g. ~/Documents or ~/Higgsfield), or leave destination "
                "out to use the library's exports folder. Nothing was written.",
            )
        return folder


def _offline(exc: HiggsfieldError, what: str) -> str:
    """A note for a check that needed Higgsfield; the library's own errors are real errors and re-raised."""
    if isinstance(exc, LibraryError):
        raise exc
    return f"{what}: {exc.message.rstrip('.')}. {exc.remedy}"


def _reason(exc: Exception) -> str:
    return f"{exc.message} {exc.remedy}" if isinstance(exc, LibraryError) else str(exc)


def _short_name(description: str, limit: int = 36) -> str:
    """A label for a described (not library) character: its first clause, cut at a word near `limit`."""
    clause = " ".join(description.strip().split(",")[0].split()) or "character"
    if len(clause) <= limit:
        return clause
    return clause[:limit].rsplit(" ", 1)[0] + "…"
