"""What a moodboard.json holds, and where moodboards live: `moodboards/<slug>/`.

A moodboard fixes a production's look before video credits are spent: its images, each
with the role it plays (character, environment, colour and lighting, tone, or a lookbook
shot) and the character it shows. Its folder also holds `contact-sheet.jpg` and a static
`index.html`, rebuilt whenever the images change.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .documents import DocumentSummary, FileName, LibraryDocument, now
from .errors import MoodboardExists, MoodboardNotFound
from .folders import DocumentFolders
from .models import ItemState

BoardRole = Literal["character", "environment", "color_lighting", "tone", "texture", "lifestyle", "studio", "other"]
ROLE_LABELS: dict[str, str] = {
    "character": "Character",
    "environment": "Environment",
    "color_lighting": "Colour & lighting",
    "tone": "Tone",
    "texture": "Texture close-up",
    "lifestyle": "Full-body lifestyle",
    "studio": "Clean studio",
    "other": "Image",
}
SHEET_FILE = "contact-sheet.jpg"
GALLERY_FILE = "index.html"


class BoardItem(BaseModel):
    """One image of the board."""

    model_config = ConfigDict(extra="allow")

    number: int = Field(ge=1, description="Stable within the board: what 'remove' and the sheet labels use.")
    role: BoardRole
    character: str | None = Field(default=None, description="The character shown (display name).")
    character_slug: str | None = Field(default=None, description="Set when it is a library character.")
    file: FileName | None = None
    state: ItemState = "ready"
    job_id: str | None = None
    prompt: str | None = None
    model: str | None = None
    recipe: str | None = Field(default=None, description="production or lookbook, when a recipe made it.")
    pipeline: str | None = None
    """How a recipe kept the character's likeness (Soul id, references, description)."""
    source: str | None = None
    fail_reason: str | None = None
    note: str = ""
    added_at: float = Field(default_factory=now)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role]


class SheetInfo(BaseModel):
    """The contact sheet as last made: enough to find every cell in it."""

    file: str = SHEET_FILE
    cells: int
    columns: int
    rows: int
    width: int
    height: int
    made_at: float = Field(default_factory=now)


class Moodboard(LibraryDocument):
    """The contents of `moodboards/<slug>/moodboard.json`; `name` is the production's name."""

    brief: str = Field(default="", description="What the production is: story, setting, audience.")
    look: str = Field(default="", description="Colour palette and lighting style.")
    tone: str = Field(default="", description="The emotional register.")
    items: list[BoardItem] = Field(default_factory=list)
    next_number: int = Field(default=1, ge=1)
    contact_sheet: SheetInfo | None = None
    gallery: str | None = None

    def add(self, item: BoardItem) -> BoardItem:
        """Append `item` under the next free number (numbers are never reused, so labels stay stable)."""
        number = max([self.next_number, *[i.number + 1 for i in self.items]])
        placed = item.model_copy(update={"number": number})
        self.items.append(placed)
        self.next_number = number + 1
        return placed

    def ready_items(self) -> list[BoardItem]:
        return [i for i in self.items if i.state == "ready" and i.file]

    def pending_job_ids(self) -> list[str]:
        return list(dict.fromkeys(i.job_id for i in self.items if i.state == "pending" and i.job_id))


class MoodboardSummary(DocumentSummary):
    brief: str = ""
    images: int = 0
    pending: int = 0
    roles: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def of(cls, board: Moodboard) -> MoodboardSummary:
        roles: dict[str, int] = {}
        for item in board.ready_items():
            roles[item.role] = roles.get(item.role, 0) + 1
        brief = " ".join(board.brief.split())
        return cls(
            slug=board.slug,
            name=board.name,
            brief=brief if len(brief) <= 140 else brief[:137] + "…",
            images=len(board.ready_items()),
            pending=sum(1 for i in board.items if i.state == "pending"),
            roles=roles,
            updated_at=board.updated_at,
        )


class MoodboardStore(DocumentFolders[Moodboard, MoodboardSummary]):
    kind = "moodboards"
    noun = "moodboard"
    document_name = "moodboard.json"
    document_type = Moodboard
    summary_type = MoodboardSummary
    not_found = MoodboardNotFound
    exists = MoodboardExists

    def summarize(self, document: Moodboard) -> MoodboardSummary:
        return MoodboardSummary.of(document)
