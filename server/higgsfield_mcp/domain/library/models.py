"""What a character.json holds: the character as a production asset.

Everything the course notes ask a character library to keep so a character can be
regenerated months later: the canonical prompt that made it, the three-angle references
with the prompt, model and job behind each, which lighting worked, test shots in scenes,
Soul ids per variant with their training status, and the generations it appeared in.

Unknown keys are kept (`extra="allow"`): a person may add their own notes to the file and
the library's next write will not drop them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .documents import DocumentSummary, FileName, LibraryDocument, now

Angle = Literal["front", "three_quarter", "profile", "free"]
ANGLES: tuple[Angle, ...] = ("front", "three_quarter", "profile")
"""The three-angle reference standard, in the order references are used."""

SoulVariant = Literal["soul_2", "soul_cinematic"]
ItemState = Literal["ready", "pending", "failed"]
"""ready: the file is in the folder; pending: its job is still running; failed: it ended without a result."""

HISTORY_LIMIT = 300
"""Generations kept in the file; older ones stay in the job journal (`jobs` history per character)."""


class Reference(BaseModel):
    """One reference image: an angle of the three-angle set, or a free reference."""

    model_config = ConfigDict(extra="allow")

    angle: Angle
    file: FileName | None = Field(default=None, description="The image in the character's folder.")
    upload_id: str | None = Field(default=None, description="An image kept on Higgsfield only (an upload id).")
    job_id: str | None = None
    prompt: str | None = None
    model: str | None = None
    state: ItemState = "ready"
    fail_reason: str | None = None
    source: str | None = Field(default=None, description="Where it came from: a file path, an upload, a job.")
    added_at: float = Field(default_factory=now)


class TestShot(BaseModel):
    """A generation kept as a test of the character in a scene, with what the lighting did."""

    __test__ = False  # not a pytest test class, despite the name
    model_config = ConfigDict(extra="allow")

    file: FileName | None = None
    job_id: str | None = None
    prompt: str | None = None
    model: str | None = None
    lighting_notes: str = ""
    notes: str = ""
    state: ItemState = "ready"
    fail_reason: str | None = None
    added_at: float = Field(default_factory=now)


class SoulState(BaseModel):
    """A Soul id for one variant, with Higgsfield's training status as last seen."""

    model_config = ConfigDict(extra="allow")

    variant: SoulVariant
    id: str
    status: str = Field(description="queued, in_progress, completed or failed, as Higgsfield says.")
    fail_reason: str | None = None
    images: list[str] = Field(default_factory=list, description="The images it was trained on.")
    created_at: float = Field(default_factory=now)
    updated_at: float = Field(default_factory=now)

    @property
    def ready(self) -> bool:
        return self.status == "completed"

    @property
    def settled(self) -> bool:
        return self.status in ("completed", "failed")


class HistoryEntry(BaseModel):
    """One generation the character appeared in (via `generate(character=…)` or a library action)."""

    model_config = ConfigDict(extra="allow")

    job_id: str
    model: str | None = None
    prompt: str | None = None
    state: str = "pending"
    files: list[str] = Field(default_factory=list, description="Absolute paths of the downloaded results.")
    urls: list[str] = Field(default_factory=list)
    moodboard: str | None = None
    at: float = Field(default_factory=now)


class Character(LibraryDocument):
    """The contents of `characters/<slug>/character.json`."""

    description: str = Field(default="", description="Who they are: look, age, features, wardrobe.")
    canonical_prompt: str = Field(default="", description="The exact description every image of them starts from.")
    lighting_notes: str = Field(default="", description="Lighting setups that work (or do not) for them.")
    notes: str = ""
    souls: dict[SoulVariant, SoulState] = Field(default_factory=dict)
    avatar_ids: list[str] = Field(default_factory=list, description="Marketing Studio avatar ids made from them.")
    references: list[Reference] = Field(default_factory=list)
    test_shots: list[TestShot] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)

    @property
    def identity_text(self) -> str:
        """The words every generation of them starts from: the canonical prompt, else the description."""
        return (self.canonical_prompt or self.description).strip()

    def current_references(self) -> list[Reference]:
        """The newest ready reference per angle (front, three-quarter, profile), then the free ones."""
        latest: dict[str, Reference] = {}
        for ref in self.references:
            if ref.state == "ready" and ref.angle != "free":
                latest[ref.angle] = ref
        ordered = [latest[a] for a in ANGLES if a in latest]
        return ordered + [r for r in self.references if r.angle == "free" and r.state == "ready"]

    def local_images(self) -> list[str]:
        """Every image file in the folder the character record points at: references, then test shots."""
        files = [r.file for r in self.references if r.file and r.state == "ready"]
        files += [t.file for t in self.test_shots if t.file and t.state == "ready"]
        return list(dict.fromkeys(files))

    def trained_souls(self) -> dict[str, str]:
        return {variant: soul.id for variant, soul in self.souls.items() if soul.ready}

    def pending_job_ids(self) -> list[str]:
        jobs = [r.job_id for r in self.references if r.state == "pending" and r.job_id]
        jobs += [t.job_id for t in self.test_shots if t.state == "pending" and t.job_id]
        jobs += [h.job_id for h in self.history if h.state == "pending"]
        return list(dict.fromkeys(jobs))

    def add_history(self, entry: HistoryEntry) -> None:
        """Record a generation once (a job seen again updates its entry), keeping the newest HISTORY_LIMIT."""
        for i, existing in enumerate(self.history):
            if existing.job_id == entry.job_id:
                self.history[i] = entry
                return
        self.history.append(entry)
        del self.history[:-HISTORY_LIMIT]


class CharacterSummary(DocumentSummary):
    """One line of the character list: cheap to build, enough to choose."""

    description: str = ""
    angles: list[Angle] = Field(default_factory=list, description="Reference angles it has, ready ones.")
    references: int = 0
    test_shots: int = 0
    souls: dict[str, str] = Field(default_factory=dict, description="Soul variant → training status.")

    @classmethod
    def of(cls, character: Character) -> CharacterSummary:
        ready = [r for r in character.references if r.state == "ready"]
        description = character.description.strip().replace("\n", " ")
        return cls(
            slug=character.slug,
            name=character.name,
            description=description if len(description) <= 140 else description[:137] + "…",
            angles=[a for a in ANGLES if any(r.angle == a for r in ready)],
            references=len(ready),
            test_shots=sum(1 for t in character.test_shots if t.state == "ready"),
            souls={variant: soul.status for variant, soul in character.souls.items()},
            updated_at=character.updated_at,
        )
