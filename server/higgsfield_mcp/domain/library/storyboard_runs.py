"""Running a storyboard: stills, approvals, clips, the whole-storyboard estimate and the animatic.

Every generation step submits all its scenes at once (`generate_all`), journals each job as
it exists and waits as usual; a job still running when the wait ends stays on the scene as
pending and is brought in by the next `show` (nothing is ever sent twice). A redo keeps the
replaced still or clip in the scene's `earlier` list, so no paid result is lost. After every
change the storyboard sheet (the stills as a contact sheet) and `index.html` are rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import anyio
from PIL import Image
from pydantic import BaseModel, Field

from ...adapters.atomic_files import write_bytes_atomic, write_text_atomic
from ...adapters.cli.errors import HiggsfieldError
from ..generation.previews import PREVIEW_FORMATS, probe_video
from ..generation.production import JobView, Progress
from ..generation.submit import CharacterInputs, GenerateRequest
from ..generation.validation import coerce_value
from . import animatic
from .casting import history_entries, inputs_for
from .contact_sheet import Cell, render_contact_sheet
from .errors import LibraryError, LibraryRequestInvalid
from .generations import first_job, generate_all, unusable
from .models import Character
from .moodboards import Moodboard
from .service import Library
from .storyboards import (
    ANIMATIC_FILE,
    GALLERY_FILE,
    POSTER_FILE,
    SHEET_FILE,
    STATE_WORDS,
    AnimaticFailed,
    AnimaticInfo,
    Scene,
    SceneDraft,
    Storyboard,
    StoryboardStore,
    Take,
    clip_request,
    fill_scenes,
    merged_cast,
    still_request,
)

Stage = Literal["stills", "clips", "all"]


class SceneCost(BaseModel):
    scene: int
    step: Literal["still", "clip"]
    model: str
    credits: float | None = None
    problem: str | None = None


class StoryboardEstimate(BaseModel):
    total_credits: float
    items: list[SceneCost] = Field(default_factory=list)


class StoryboardRun(BaseModel):
    """What an action did to a storyboard."""

    board: Storyboard
    jobs: list[JobView] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    estimate: StoryboardEstimate | None = None


class Storyboards:
    """Storyboards by name, on top of the library's characters and moodboards and the server's production."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.production = library.production
        self.store = StoryboardStore(library.settings.library_dir)

    # -- documents ---------------------------------------------------------------------------------

    async def create(
        self,
        name: str,
        scenes: Sequence[SceneDraft],
        *,
        moodboard: str | None = None,
        brief: str = "",
        aspect_ratio: str | None = None,
    ) -> Storyboard:
        """A storyboard from the agent's scenes: validated, characters resolved, gaps filled from the moodboard."""
        board = self._moodboard(moodboard, name)
        ratio = (aspect_ratio or "").strip() or "16:9"
        filled = fill_scenes(scenes, characters=self._characters(scenes), board=board, aspect_ratio=ratio)
        await self._check_clip_lengths(filled)
        document = Storyboard(
            name=name.strip(),
            slug="-",
            moodboard=board.slug if board else None,
            brief=brief.strip() or (board.brief if board else ""),
            look=board.look if board else "",
            tone=board.tone if board else "",
            aspect_ratio=ratio,
        )
        for number, scene in enumerate(filled, start=1):
            document.scenes.append(scene.model_copy(update={"number": number}))
        document.next_number = len(filled) + 1
        created = self.store.create(document)
        await anyio.to_thread.run_sync(self._write_views, created.slug)
        return self.store.load(created.slug)

    def find(self, name: str) -> Storyboard:
        return self.store.load(self.store.resolve(name))

    async def show(self, name: str) -> StoryboardRun:
        """The storyboard after bringing in stills and clips that finished since; views made if missing."""
        slug = self.store.resolve(name)
        notes: list[str] = []
        try:
            await self._refresh(slug)
        except HiggsfieldError as exc:
            if isinstance(exc, LibraryError):
                raise
            notes.append(f"Could not check on jobs still running: {exc.message.rstrip('.')}. {exc.remedy}")
        folder = self.store.folder(slug)
        if not (folder / GALLERY_FILE).is_file():
            await anyio.to_thread.run_sync(self._write_views, slug)
        return StoryboardRun(board=self.store.load(slug), notes=notes)

    async def set_note(self, name: str, numbers: Sequence[int], note: str) -> StoryboardRun:
        """Write the previs note (what worked, what to change) on these scenes."""
        if not numbers or not note.strip():
            raise LibraryRequestInvalid(
                "A note needs the scene numbers and the note",
                remedy="Give numbers and note (what worked, what to change).",
            )
        slug = self.store.resolve(name)

        def put(board: Storyboard) -> None:
            for scene in board.pick(numbers):
                scene.note = note.strip()

        self.store.change(slug, put)
        await anyio.to_thread.run_sync(self._write_views, slug)
        return StoryboardRun(board=self.store.load(slug))

    # -- stills --------------------------------------------------------------------------------------

    async def stills(
        self,
        name: str,
        numbers: Sequence[int] | None = None,
        *,
        wait_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> StoryboardRun:
        """One previs still per scene that has none, all submitted at once, the characters applied."""
        slug = self.store.resolve(name)
        board = self.store.load(slug)
        chosen = board.pick(numbers)
        made = [s.number for s in chosen if s.still is not None and s.still.state != "failed"]
        if numbers and made:
            raise LibraryRequestInvalid(
                f"Scene {made[0]} already has a still",
                remedy="Use action 'redo_still' with the change you want; the current still is kept in its history.",
            )
        todo = [s for s in chosen if s.still is None or s.still.state == "failed"]
        if not todo:
            raise LibraryRequestInvalid(
                "Every scene already has a still", remedy="Approve them, or redo one with 'redo_still' and a change."
            )
        requests = [still_request(board, s, self._cast(s)) for s in todo]
        return await self._generate(slug, todo, requests, "still", wait_seconds=wait_seconds, progress=progress)

    async def redo_still(
        self,
        name: str,
        number: int,
        change: str,
        *,
        wait_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> StoryboardRun:
        """A new still for one scene with `change` added to its prompt; the others are untouched."""
        if not change.strip():
            raise LibraryRequestInvalid(
                "A redo needs the change to make", remedy="Say what to change, e.g. 'closer, she faces the window'."
            )
        slug = self.store.resolve(name)

        def reset(board: Storyboard) -> Scene:
            scene = board.scene(number)
            scene.direction = " ".join(x for x in (scene.direction, change.strip().rstrip(".") + ".") if x)
            scene.earlier += [t for t in (scene.still, scene.clip) if t is not None]
            scene.still, scene.clip, scene.state = None, None, "drafted"
            return scene.model_copy()

        board, scene = self.store.change(slug, reset)
        request = still_request(board, scene, self._cast(scene))
        return await self._generate(slug, [scene], [request], "still", wait_seconds=wait_seconds, progress=progress)

    async def approve(self, name: str, numbers: Sequence[int] | None = None, note: str = "") -> StoryboardRun:
        """Approve the scenes' current step: a made still, or a made clip. All scenes when no numbers are given."""
        slug = self.store.resolve(name)
        notes: list[str] = []

        def put(board: Storyboard) -> None:
            for scene in board.pick(numbers):
                if scene.state == "still_made":
                    scene.state = "still_approved"
                elif scene.state == "clip_made":
                    scene.state = "clip_approved"
                elif scene.state == "drafted":
                    notes.append(f"Scene {scene.number} has no finished still to approve yet.")
                if note.strip():
                    scene.note = note.strip()

        self.store.change(slug, put)
        await anyio.to_thread.run_sync(self._write_views, slug)
        return StoryboardRun(board=self.store.load(slug), notes=notes)

    # -- clips ---------------------------------------------------------------------------------------

    async def clips(
        self,
        name: str,
        numbers: Sequence[int] | None = None,
        *,
        wait_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> StoryboardRun:
        """A clip for each scene whose still is approved and that has no clip: all at once, still as first frame."""
        slug = self.store.resolve(name)
        board = self.store.load(slug)
        chosen = board.pick(numbers)
        todo = [s for s in chosen if s.state == "still_approved" and (s.clip is None or s.clip.state == "failed")]
        skipped = [s.number for s in chosen if s not in todo]
        if not todo:
            raise LibraryRequestInvalid(
                "No chosen scene has an approved still without a clip",
                remedy="Approve the stills first (action 'approve'); to replace a clip use 'redo_clip'.",
            )
        requests = [clip_request(board, s, self._cast(s)) for s in todo]
        run = await self._generate(slug, todo, requests, "clip", wait_seconds=wait_seconds, progress=progress)
        if skipped:
            words = ", ".join(str(n) for n in skipped)
            run.notes.append(f"Scene(s) {words} skipped: their still is not approved, or they already have a clip.")
        return run

    async def redo_clip(
        self,
        name: str,
        number: int,
        change: str = "",
        *,
        wait_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> StoryboardRun:
        """A new clip for one scene from the same still, with `change` added to its motion prompt."""
        slug = self.store.resolve(name)

        def reset(board: Storyboard) -> Scene:
            scene = board.scene(number)
            if scene.clip is None:
                raise LibraryRequestInvalid(
                    f"Scene {number} has no clip to redo",
                    remedy="Make it with action 'clips' once its still is approved.",
                )
            if change.strip():
                scene.motion = " ".join(x for x in (scene.motion, change.strip().rstrip(".") + ".") if x)
            scene.earlier.append(scene.clip)
            scene.clip, scene.state = None, "still_approved"
            return scene.model_copy()

        board, scene = self.store.change(slug, reset)
        request = clip_request(board, scene, self._cast(scene))
        return await self._generate(slug, [scene], [request], "clip", wait_seconds=wait_seconds, progress=progress)

    # -- estimate ------------------------------------------------------------------------------------------

    async def estimate(self, name: str, stage: Stage = "all") -> StoryboardRun:
        """Credits of every job still to make (stills without one, clips without one), in one call; free."""
        board = self.find(name)
        planned: list[tuple[Scene, Literal["still", "clip"], GenerateRequest]] = []
        for scene in board.scenes:
            cast = self._cast(scene)
            if stage in ("stills", "all") and (scene.still is None or scene.still.state == "failed"):
                planned.append((scene, "still", still_request(board, scene, cast)))
            if stage in ("clips", "all") and (scene.clip is None or scene.clip.state == "failed"):
                request = (
                    clip_request(board, scene, cast)
                    if scene.still is not None and scene.still.state == "ready"
                    else _clip_without_still(board, scene, cast)
                )
                planned.append((scene, "clip", request))
        items: list[SceneCost] = [SceneCost(scene=s.number, step=step, model=r.model) for s, step, r in planned]

        async def price(index: int, request: GenerateRequest) -> None:
            try:
                items[index].credits = (await self.production.estimate(request)).credits
            except HiggsfieldError as exc:
                items[index].problem = f"{exc.message.rstrip('.')}. {exc.remedy}"

        async with anyio.create_task_group() as group:
            for index, (_, _, request) in enumerate(planned):
                group.start_soon(price, index, request)
        total = round(sum(i.credits or 0 for i in items), 2)
        return StoryboardRun(board=board, estimate=StoryboardEstimate(total_credits=total, items=items))

    # -- the animatic ---------------------------------------------------------------------------------

    async def make_animatic(self, name: str) -> StoryboardRun:
        """Approved clips in order, stills held where there is no approved clip, as one MP4 with a poster frame."""
        import av  # for its error type; the encoding itself is in `animatic`

        slug = self.store.resolve(name)
        await self._refresh(slug)
        board = self.store.load(slug)
        folder = self.store.folder(slug)
        if not any(s.still and s.still.file for s in board.scenes):
            raise LibraryRequestInvalid(
                f"{board.name} has no stills yet, so there is nothing to cut",
                remedy="Make the stills first (action 'stills'); scenes without a clip then hold their still.",
            )
        segments: list[animatic.Segment] = []
        for scene in board.scenes:
            clip = scene.clip.file if scene.clip and scene.clip.file and scene.state == "clip_approved" else None
            still = scene.still.file if scene.still and scene.still.file else None
            detail = " · ".join(x for x in (scene.framing, scene.camera_move, f"{scene.duration} s") if x)
            segments.append(
                animatic.Segment(
                    title=scene.title,
                    detail=detail,
                    seconds=scene.duration,
                    clip=folder / clip if clip else None,
                    still=folder / still if still else None,
                )
            )
        try:
            cut = await anyio.to_thread.run_sync(
                lambda: animatic.assemble(
                    segments, folder / ANIMATIC_FILE, folder / POSTER_FILE, aspect_ratio=board.aspect_ratio
                )
            )
        except (OSError, ValueError, av.FFmpegError) as exc:
            raise AnimaticFailed(f"The animatic of {board.name} could not be written: {exc}") from exc
        info = AnimaticInfo(
            width=cut.width, height=cut.height, fps=cut.fps, frames=cut.frames, seconds=cut.seconds, scenes=cut.scenes
        )

        def put(stored: Storyboard) -> None:
            stored.animatic = info

        self.store.change(slug, put)
        await anyio.to_thread.run_sync(self._write_views, slug)
        return StoryboardRun(board=self.store.load(slug), notes=list(cut.scenes))

    # -- internals -----------------------------------------------------------------------------------

    async def _check_clip_lengths(self, scenes: Sequence[Scene]) -> None:
        """A scene its clip model cannot make at that length is refused now, before its still is paid for.

        The live schema is read once per clip model (cached); when the CLI cannot be asked, the
        clips step checks the same thing later, so the storyboard is still made.
        """
        production = self.production
        for number, scene in enumerate(scenes, start=1):
            if not scene.clip_model or scene.clip_model == "auto":
                continue
            try:
                model = await production.catalogues.model(production.cli, scene.clip_model)
            except HiggsfieldError:
                continue
            spec = model.params.get("duration")
            if spec is None:
                continue
            try:
                coerce_value("duration", spec, scene.duration)
            except HiggsfieldError as exc:
                raise LibraryRequestInvalid(
                    f"Scene {number} lasts {scene.duration} s, which {model.display_name} cannot make: {exc.message}",
                    remedy="Give the scene a length its clip model takes (or another clip_model), then create "
                    "the storyboard again; nothing was made or spent.",
                ) from None

    async def _generate(
        self,
        slug: str,
        scenes: Sequence[Scene],
        requests: Sequence[GenerateRequest],
        step: Literal["still", "clip"],
        *,
        wait_seconds: float | None,
        progress: Progress | None,
    ) -> StoryboardRun:
        noun = "still" if step == "still" else "clip"
        results = await generate_all(self.production, requests, wait_seconds=wait_seconds, progress=progress, noun=noun)
        takes: dict[int, Take] = {}
        jobs: list[JobView] = []
        made: list[tuple[Scene, JobView]] = []
        problems: list[str] = []
        for scene, result in zip(scenes, results, strict=True):
            job = first_job(result)
            if job is None:
                problems.append(f"Scene {scene.number}: {getattr(result, 'message', 'no job was created')}")
                continue
            jobs.append(job)
            made.append((scene, job))
            takes[scene.number] = self._take(slug, scene, job, step)
            if takes[scene.number].state == "failed":
                problems.append(f"Scene {scene.number}: the {step} {unusable(job)}")
        self._settle(slug, takes, step)
        self._record_history(made)
        await anyio.to_thread.run_sync(self._write_views, slug)
        return StoryboardRun(board=self.store.load(slug), jobs=jobs, problems=problems)

    def _take(self, slug: str, scene: Scene, job: JobView, step: Literal["still", "clip"]) -> Take:
        take = Take(job_id=job.job_id, model=job.model, prompt=job.prompt, url=job.urls[0] if job.urls else None)
        if job.state == "completed" and job.files:
            self._copy_in(slug, scene, take, Path(job.files[0]), step)
        elif job.state != "pending":
            take.state, take.fail_reason = "failed", job.fail_reason or job.state
        return take

    def _copy_in(self, slug: str, scene: Scene, take: Take, source: Path, step: Literal["still", "clip"]) -> None:
        stem = f"scene-{scene.number:02d}-{step}"
        if step == "still":
            take.file = self.store.add_image(slug, source, stem)
            with Image.open(self.store.folder(slug) / take.file, formats=PREVIEW_FORMATS) as image:
                take.width, take.height = image.size
        else:
            take.file = self.store.add_clip(slug, source, stem)
            take.width, take.height, take.seconds = probe_video(self.store.folder(slug) / take.file)
        take.state = "ready"

    def _settle(self, slug: str, takes: dict[int, Take], step: Literal["still", "clip"]) -> None:
        def put(board: Storyboard) -> None:
            for scene in board.scenes:
                take = takes.get(scene.number)
                if take is None:
                    continue
                setattr(scene, step, take)
                if take.state == "ready":
                    scene.state = "still_made" if step == "still" else "clip_made"

        self.store.change(slug, put)

    async def _refresh(self, slug: str) -> None:
        """Bring in stills and clips whose jobs were still running."""
        board = self.store.load(slug)
        pending = [
            (scene, step, take.job_id)
            for scene in board.scenes
            for step, take in (("still", scene.still), ("clip", scene.clip))
            if take is not None and take.state == "pending" and take.job_id
        ]
        if not pending:
            return
        views = {v.job_id: v for v in (await self.production.status([j for _, _, j in pending])).jobs}
        for step_name in ("still", "clip"):
            step: Literal["still", "clip"] = "still" if step_name == "still" else "clip"
            takes: dict[int, Take] = {}
            for scene, kind, job_id in pending:
                view = views.get(job_id)
                if kind != step or view is None or view.state == "pending":
                    continue
                takes[scene.number] = self._take(slug, scene, view, step)
            if takes:
                self._settle(slug, takes, step)
        await anyio.to_thread.run_sync(self._write_views, slug)

    def _cast(self, scene: Scene) -> CharacterInputs | None:
        """The scene's characters as the library holds them now (Soul ids, references, descriptions)."""
        inputs = []
        for slug in scene.character_slugs:
            try:
                character = self.library.characters.load(slug)
            except LibraryError as exc:
                raise LibraryRequestInvalid(
                    f"Scene {scene.number} names {slug}, which is no longer in the library",
                    remedy="Create the character again, or redo the storyboard without them.",
                ) from exc
            inputs.append(inputs_for(character, self.library.characters))
        return merged_cast(inputs)

    def _characters(self, scenes: Sequence[SceneDraft]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for draft in scenes:
            for name in draft.characters:
                if name.strip() and name.strip() not in found:
                    character = self.library.find_character(name.strip())  # CharacterNotFound names the remedy
                    found[name.strip()] = (character.slug, character.name)
        return found

    def _moodboard(self, name: str | None, storyboard: str) -> Moodboard | None:
        if name and name.strip():
            return self.library.find_board(name)
        try:
            return self.library.find_board(storyboard)  # a moodboard of the same production, if there is one
        except LibraryError:
            return None

    def _record_history(self, made: Sequence[tuple[Scene, JobView]]) -> None:
        """Each scene's job goes into the history of every character in it."""
        per_character: dict[str, list[JobView]] = {}
        for scene, job in made:
            for character in scene.character_slugs:
                per_character.setdefault(character, []).append(job)

        for character, views in per_character.items():

            def put(stored: Character, views: list[JobView] = views) -> None:
                for entry in history_entries(views):
                    stored.add_history(entry)

            try:
                self.library.characters.change(character, put)
            except LibraryError:
                continue  # the storyboard's jobs are done; a character's history is a nicety

    def _write_views(self, slug: str) -> None:
        """storyboard-sheet.jpg (the stills in order) and index.html, from the storyboard as stored."""
        board = self.store.load(slug)
        folder = self.store.folder(slug)
        cells = [
            Cell(folder / s.still.file if s.still and s.still.file else None, s.title, STATE_WORDS[s.state])
            for s in board.scenes
        ]
        write_bytes_atomic(folder / SHEET_FILE, render_contact_sheet(cells, title=board.name))
        scenes = [
            animatic.PageScene(
                title=s.title,
                detail=_detail(s),
                state=STATE_WORDS[s.state],
                still=s.still.file if s.still else None,
                clip=s.clip.file if s.clip else None,
                note=s.note,
            )
            for s in board.scenes
        ]
        has_animatic = board.animatic is not None and (folder / ANIMATIC_FILE).is_file()
        page = animatic.render_page(
            board.name,
            scenes,
            intro=board.brief,
            animatic=ANIMATIC_FILE if has_animatic else None,
            poster=POSTER_FILE if has_animatic and (folder / POSTER_FILE).is_file() else None,
            sheet=SHEET_FILE,
        )
        write_text_atomic(folder / GALLERY_FILE, page)

        def put(stored: Storyboard) -> None:
            stored.gallery = GALLERY_FILE

        if board.gallery != GALLERY_FILE:
            self.store.change(slug, put)


def _clip_without_still(board: Storyboard, scene: Scene, cast: CharacterInputs | None) -> GenerateRequest:
    """For an estimate before the still exists: the clip's request without its first frame."""
    stand_in = scene.model_copy(update={"still": Take(job_id="00000000-0000-0000-0000-000000000000", state="ready")})
    return clip_request(board, stand_in, cast).model_copy(update={"start_image": None})


def _detail(scene: Scene) -> str:
    who = ", ".join(scene.characters)
    parts = [who, scene.location, scene.framing, scene.camera_move, f"{scene.duration} s"]
    return " · ".join(p for p in parts if p)
