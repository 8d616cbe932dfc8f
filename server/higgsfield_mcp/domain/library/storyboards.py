"""What a storyboard.json holds, where storyboards live, and how a scene becomes a still or a clip request.

A storyboard carries one production from brief to animatic: an ordered list of scenes, each
with its beat, the library characters in it, location, framing, camera move and duration,
and its state (drafted → still made → still approved → clip made → clip approved). The
scene's Soul Cinema still is the pre-visualisation of that scene; its `note` keeps what
worked and what to change. Folder: `storyboards/<slug>/` with `storyboard.json`, the stills
and clips beside it, `storyboard-sheet.jpg`, `animatic.mp4` and a static `index.html`.

Everything here is pure (nothing is sent): validating the agent's scenes, filling their
gaps from the moodboard and the library, and planning each scene's generation request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..generation.submit import CharacterInputs, GenerateRequest
from .documents import DocumentSummary, FileName, LibraryDocument, now
from .errors import LibraryError, LibraryRequestInvalid
from .folders import DocumentFolders
from .moodboards import Moodboard

SceneState = Literal["drafted", "still_made", "still_approved", "clip_made", "clip_approved"]
TakeState = Literal["pending", "ready", "failed"]
STATE_WORDS: dict[str, str] = {
    "drafted": "drafted",
    "still_made": "still made",
    "still_approved": "still approved",
    "clip_made": "clip made",
    "clip_approved": "clip approved",
}
STILL_MODEL = "soul_cinematic"
CLIP_MODEL = "seedance_2_0"
DEFAULT_ASPECT = "16:9"
SHEET_FILE = "storyboard-sheet.jpg"
GALLERY_FILE = "index.html"
ANIMATIC_FILE = "animatic.mp4"
POSTER_FILE = "animatic-poster.jpg"
FIRST_FRAMING = "wide establishing shot"
FRAMING = "medium shot"
CAMERA_MOVE = "slow push-in"
CLIP_SUFFIXES = {".mp4": ".mp4", ".mov": ".mov", ".webm": ".webm"}


class StoryboardNotFound(LibraryError):
    code = "storyboard_not_found"
    summary = "No storyboard of that name exists."
    default_remedy = "Check the name with `storyboard` action 'list', or create the storyboard first."


class StoryboardExists(LibraryError):
    code = "storyboard_exists"
    summary = "A storyboard with that name already exists."
    default_remedy = "Work on the existing storyboard (action 'show'), or choose another name."


class AnimaticFailed(LibraryError):
    code = "animatic_failed"
    summary = "The animatic could not be encoded or written."
    default_remedy = (
        "Check that the storyboard's folder has free space and is writable, and that its stills and clips "
        "open; then call animatic again. The stills and clips themselves are untouched."
    )


class SceneDraft(BaseModel):
    # A scene as the agent writes it; anything left out is filled from the moodboard and the library.
    # (A comment, not a docstring: the docstring would be repeated in the tool's input schema.)
    model_config = ConfigDict(extra="forbid")

    beat: str = Field(description="What happens.")
    characters: list[str] = Field(default_factory=list, description="Library characters, lead first.")
    location: str = ""
    framing: str = ""
    camera_move: str = ""
    duration: int = Field(default=5, ge=1, le=15)
    aspect_ratio: str = ""
    still_model: str = Field(default="", description="Default Soul Cinema.")
    clip_model: str = Field(default="", description="Default Seedance 2.0.")
    note: str = ""


class Take(BaseModel):
    """One generation of a scene (a still or a clip): its job, file and how it ended."""

    model_config = ConfigDict(extra="allow")

    job_id: str | None = None
    state: TakeState = "pending"
    file: FileName | None = None
    model: str | None = None
    prompt: str | None = None
    url: str | None = None
    fail_reason: str | None = None
    width: int | None = None
    height: int | None = None
    seconds: float | None = Field(default=None, description="Clips: the length of the file received.")
    made_at: float = Field(default_factory=now)


class Scene(BaseModel):
    model_config = ConfigDict(extra="allow")

    number: int = Field(ge=1, description="Stable within the storyboard; the order is the list's order.")
    beat: str
    characters: list[str] = Field(default_factory=list, description="Display names of library characters.")
    character_slugs: list[str] = Field(default_factory=list)
    location: str = ""
    framing: str = ""
    camera_move: str = ""
    duration: int = Field(default=5, ge=1, le=15)
    aspect_ratio: str = DEFAULT_ASPECT
    lighting: str = Field(default="", description="Lighting and palette, from the production's moodboard.")
    tone: str = ""
    still_model: str = STILL_MODEL
    clip_model: str = CLIP_MODEL
    direction: str = Field(default="", description="Changes asked for on redo, added to the still's prompt.")
    motion: str = Field(default="", description="Changes asked for on a clip redo, added to the motion prompt.")
    state: SceneState = "drafted"
    still: Take | None = None
    clip: Take | None = None
    earlier: list[Take] = Field(default_factory=list, description="Stills and clips replaced by a redo.")
    filled: list[str] = Field(default_factory=list, description="Fields filled in rather than written.")
    note: str = Field(default="", description="Previs note: what worked, what to change.")

    @property
    def title(self) -> str:
        beat = " ".join(self.beat.split())
        return f"{self.number}. {beat if len(beat) <= 60 else beat[:59] + '…'}"


class AnimaticInfo(BaseModel):
    file: str = ANIMATIC_FILE
    poster: str = POSTER_FILE
    width: int
    height: int
    fps: int
    frames: int
    seconds: float
    scenes: list[str] = Field(default_factory=list, description="Per scene: clip, still held, or left out.")
    made_at: float = Field(default_factory=now)


class Storyboard(LibraryDocument):
    """The contents of `storyboards/<slug>/storyboard.json`."""

    moodboard: str | None = Field(default=None, description="Slug of the production's moodboard.")
    brief: str = ""
    look: str = Field(default="", description="Lighting and palette, from the moodboard.")
    tone: str = ""
    aspect_ratio: str = DEFAULT_ASPECT
    scenes: list[Scene] = Field(default_factory=list)
    next_number: int = Field(default=1, ge=1)
    animatic: AnimaticInfo | None = None
    gallery: str | None = None

    def scene(self, number: int) -> Scene:
        for scene in self.scenes:
            if scene.number == number:
                return scene
        numbers = ", ".join(str(s.number) for s in self.scenes) or "none"
        raise LibraryRequestInvalid(
            f"{self.name} has no scene {number} (its scenes: {numbers})", remedy="Use a number that 'show' lists."
        )

    def pick(self, numbers: Sequence[int] | None) -> list[Scene]:
        """The scenes with these numbers, in storyboard order; all scenes when none are given."""
        if not numbers:
            return list(self.scenes)
        wanted = {self.scene(n).number for n in numbers}
        return [s for s in self.scenes if s.number in wanted]

    @property
    def seconds(self) -> int:
        return sum(s.duration for s in self.scenes)


class StoryboardSummary(DocumentSummary):
    scenes: int = 0
    seconds: int = 0
    states: dict[str, int] = Field(default_factory=dict)
    animatic: bool = False

    @classmethod
    def of(cls, board: Storyboard) -> StoryboardSummary:
        states: dict[str, int] = {}
        for scene in board.scenes:
            states[scene.state] = states.get(scene.state, 0) + 1
        return cls(
            slug=board.slug,
            name=board.name,
            scenes=len(board.scenes),
            seconds=board.seconds,
            states=states,
            animatic=board.animatic is not None,
            updated_at=board.updated_at,
        )


class StoryboardStore(DocumentFolders[Storyboard, StoryboardSummary]):
    kind = "storyboards"
    noun = "storyboard"
    document_name = "storyboard.json"
    document_type = Storyboard
    summary_type = StoryboardSummary
    not_found = StoryboardNotFound
    exists = StoryboardExists

    def summarize(self, document: Storyboard) -> StoryboardSummary:
        return StoryboardSummary.of(document)

    def add_clip(self, slug: str, source: Path, stem: str) -> str:
        """Copy a video into the folder as `<stem>.mp4` (or `<stem>-2.mp4`, …); images go through `add_image`."""
        suffix = CLIP_SUFFIXES.get(source.suffix.lower())
        if suffix is None:
            raise LibraryRequestInvalid(f"{source.name} is not an MP4 clip", remedy="Use a video job's result.")
        return self.copy_in(slug, source, stem, suffix)


# -- from the agent's scenes to stored scenes ---------------------------------------------------------------


def fill_scenes(
    drafts: Sequence[SceneDraft],
    *,
    characters: dict[str, tuple[str, str]],
    board: Moodboard | None,
    aspect_ratio: str,
    previous: Scene | None = None,
) -> list[Scene]:
    """Validated scenes with their gaps filled; `characters` maps each name given to (slug, display name).

    Filled in, and listed in each scene's `filled`: the location (the previous scene's, else
    the production's world), framing (establishing shot first, then medium), camera move,
    the moodboard's lighting/palette and tone, and the aspect ratio.
    """
    if not drafts:
        raise LibraryRequestInvalid(
            "A storyboard needs at least one scene",
            remedy="Give scenes, each with a beat (and if you like characters, location, framing, camera move).",
        )
    world = _world(board)
    scenes: list[Scene] = []
    for index, draft in enumerate(drafts):
        if not draft.beat.strip():
            raise LibraryRequestInvalid(
                f"Scene {index + 1} has no beat", remedy="Say in a sentence what happens in every scene."
            )
        filled: list[str] = []
        location = draft.location.strip()
        if not location:
            earlier = scenes[-1] if scenes else previous
            location = earlier.location if earlier and earlier.location else world
            filled.append("location")
        framing = draft.framing.strip()
        if not framing:
            framing = FIRST_FRAMING if not scenes and previous is None else FRAMING
            filled.append("framing")
        camera = draft.camera_move.strip()
        if not camera:
            camera = CAMERA_MOVE
            filled.append("camera_move")
        if board is not None and board.look.strip():
            filled.append("lighting")
        if board is not None and board.tone.strip():
            filled.append("tone")
        cast = [characters[name] for name in dict.fromkeys(n.strip() for n in draft.characters if n.strip())]
        scenes.append(
            Scene(
                number=1,
                beat=" ".join(draft.beat.split()),
                characters=[name for _, name in cast],
                character_slugs=[slug for slug, _ in cast],
                location=location,
                framing=framing,
                camera_move=camera,
                duration=draft.duration,
                aspect_ratio=(draft.aspect_ratio or "").strip() or aspect_ratio,
                lighting=board.look.strip() if board else "",
                tone=board.tone.strip() if board else "",
                still_model=(draft.still_model or "").strip() or STILL_MODEL,
                clip_model=(draft.clip_model or "").strip() or CLIP_MODEL,
                note=draft.note.strip(),
                filled=filled,
            )
        )
    return scenes


def _world(board: Moodboard | None) -> str:
    if board is None:
        return "the production's main setting"
    brief = board.brief.strip().rstrip(".")
    return f"the world of {board.name}: {brief}" if brief else f"the world of {board.name}"


# -- scene → request ------------------------------------------------------------------------------------


def merged_cast(inputs: Sequence[CharacterInputs]) -> CharacterInputs | None:
    """One request's character inputs for a scene with several characters.

    A Soul id is one person's likeness, so only the lead's applies; reference images go lead
    first (the model keeps as many as it takes); every character's description is in the prompt.
    """
    if not inputs:
        return None
    lead = inputs[0]
    descriptions = [i.description.strip().rstrip(".") for i in inputs if i.description and i.description.strip()]
    return CharacterInputs(
        soul_ids=dict(lead.soul_ids),
        reference_images=[ref for i in inputs for ref in i.reference_images],
        description=". ".join(descriptions) or None,
    )


def still_request(board: Storyboard, scene: Scene, cast: CharacterInputs | None) -> GenerateRequest:
    """The pre-visualisation still: subjects in action, the place with its light, the mood and the framing."""
    who = f"{_names(scene.characters)}: " if scene.characters else ""
    parts = [f"{_capital(scene.framing.rstrip('.'))}. {who}{scene.beat.rstrip('.')}"]
    parts.append(f"Setting: {scene.location.rstrip('.')}")
    if scene.lighting:
        parts.append(f"Lighting and palette: {scene.lighting.rstrip('.')}")
    if scene.tone:
        parts.append(f"Mood: {scene.tone.rstrip('.')}")
    if scene.direction:
        parts.append(_capital(scene.direction.rstrip(".")))
    return GenerateRequest(
        prompt=". ".join(parts) + ".",
        model=scene.still_model,
        aspect_ratio=scene.aspect_ratio,
        character=scene.character_slugs[0] if scene.character_slugs else None,
        moodboard=board.moodboard,
        cast=cast,
    )


def clip_request(board: Storyboard, scene: Scene, cast: CharacterInputs | None) -> GenerateRequest:
    """The clip: the approved still as first frame, the camera move and the beat as the motion prompt."""
    still = scene.still
    if still is None or still.job_id is None or still.state != "ready":
        raise LibraryRequestInvalid(
            f"Scene {scene.number} has no finished still to animate",
            remedy="Make its still first (action 'stills'), approve it, then make the clip.",
        )
    parts = [_capital(scene.camera_move.rstrip(".")), scene.beat.rstrip(".")]
    if scene.motion:
        parts.append(_capital(scene.motion.rstrip(".")))
    return GenerateRequest(
        prompt=". ".join(parts) + ".",
        model=scene.clip_model,
        aspect_ratio=still_aspect(still) or scene.aspect_ratio,
        duration=scene.duration,
        start_image=still.job_id,
        character=scene.character_slugs[0] if scene.character_slugs else None,
        moodboard=board.moodboard,
        cast=cast,
    )


COMMON_RATIOS = ("16:9", "9:16", "4:3", "3:4", "1:1", "21:9", "3:2", "2:3")


def still_aspect(still: Take) -> str | None:
    """The named aspect ratio nearest the still's pixels (what its clip keeps); None when its size is unknown."""
    if not still.width or not still.height:
        return None
    actual = still.width / still.height

    def distance(ratio: str) -> float:
        a, b = ratio.split(":")
        return abs(float(a) / float(b) - actual)

    return min(COMMON_RATIOS, key=distance)


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _capital(text: str) -> str:
    """A phrase that opens a sentence of the prompt ("close-up" → "Close-up")."""
    return text[:1].upper() + text[1:]
