"""A library character put to work in a generation, and the generation written back to it.

`inputs_for` turns what the library holds into `CharacterInputs` (trained Soul ids, the
current reference files as absolute paths inside the library, the canonical description);
`domain.generation.with_character` decides which of them the chosen model can use.
`history_entries` turns finished or pending jobs into history lines for character.json.
"""

from __future__ import annotations

from ..generation.production import JobView
from ..generation.submit import CharacterInputs
from .documents import now
from .models import Character, HistoryEntry
from .store import CharacterStore


def inputs_for(character: Character, store: CharacterStore) -> CharacterInputs:
    """What a generation of this character can draw on. Upload-only references pass as their ids."""
    references: list[str] = []
    for ref in character.current_references():
        if ref.file:
            path = store.folder(character.slug) / ref.file
            if path.is_file():
                references.append(str(path))
        elif ref.upload_id:
            references.append(ref.upload_id)
    return CharacterInputs(
        soul_ids=character.trained_souls(),
        reference_images=references,
        description=character.identity_text or None,
        name=character.name,
    )


def history_entries(jobs: list[JobView], *, moodboard: str | None = None) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            job_id=job.job_id,
            model=job.model,
            prompt=job.prompt,
            state=job.state,
            files=list(job.files),
            urls=list(job.urls),
            moodboard=moodboard or job.moodboard,
            at=job.created_at or now(),
        )
        for job in jobs
    ]
