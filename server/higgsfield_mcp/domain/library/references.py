"""A character's images: the three-angle reference set, references brought in, and test shots.

The three angles come from one canonical description and are submitted together, so they
read as one person and the user waits for one generation, not three. A job still running
when the wait ends is stored as pending and `refresh_pending` (run by `show`) brings its
image in later, so nothing paid for is lost to a timeout.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ...adapters.media_policy import resolve_media_input
from ...config import Settings
from ..generation.production import JobView, Production, Progress
from ..generation.prompt_shape import prompt_words
from ..generation.submit import SOUL_VARIANT_OF_MODEL, CharacterInputs, GenerateRequest
from .casting import history_entries
from .errors import LibraryRequestInvalid
from .generations import first_job, generate_all, image_file, job_result, unusable
from .lighting import prompt_lighting
from .models import Angle, Character, Reference, TestShot
from .shot_lists import AngleShot, Pipeline, fill, shot_lists
from .store import CharacterStore


class ReferenceRun(BaseModel):
    """What `make_references` did: the references stored, the jobs, and anything that did not work."""

    character: Character
    made: list[Reference] = Field(default_factory=list)
    jobs: list[JobView] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="Angles that failed or were refused, and why.")


def reference_requests(
    character: Character, pipeline: Pipeline, angles: Sequence[Angle] | None = None
) -> list[tuple[AngleShot, GenerateRequest]]:
    """One request per angle, all from the character's canonical description (pure: nothing is sent)."""
    identity = character.identity_text.rstrip(". ")
    if not identity:
        raise LibraryRequestInvalid(
            f"{character.name} has no description or canonical prompt to generate references from",
            remedy="Set one first with action 'update' (e.g. canonical_prompt: who they are, age, hair, face, "
            "wardrobe), then make the references.",
        )
    standard = shot_lists().reference_angles
    spec = standard.models[pipeline]
    wanted = [a for a in standard.angles if angles is None or a.angle in angles]
    if not wanted:
        raise LibraryRequestInvalid(
            "No reference angle to make",
            remedy="Give angles from: front, three_quarter, profile (or none for all three).",
        )
    lighting = prompt_lighting(character.lighting_notes, standard.default_lighting)
    souls = character.trained_souls()
    made: list[tuple[AngleShot, GenerateRequest]] = []
    for shot in wanted:
        text = fill(shot.prompt, {"description": identity, "lighting": lighting})
        request = GenerateRequest(
            prompt=text,  # generate puts it in the model's prompt shape (Soul Cast's JSON object)
            model=spec.model,
            params=dict(spec.params),
            character=character.slug,
            cast=CharacterInputs(soul_ids=souls, name=character.name)
            if souls and spec.model in SOUL_VARIANT_OF_MODEL
            else None,
        )
        made.append((shot, request))
    return made


async def make_references(
    store: CharacterStore,
    production: Production,
    slug: str,
    *,
    pipeline: Pipeline = "soul_2",
    angles: Sequence[Angle] | None = None,
    wait_seconds: float | None = None,
    progress: Progress | None = None,
) -> ReferenceRun:
    character = store.load(slug)
    planned = reference_requests(character, pipeline, angles)
    results = await generate_all(production, [r for _, r in planned], wait_seconds=wait_seconds, progress=progress)
    model = shot_lists().reference_angles.models[pipeline].model
    made: list[Reference] = []
    jobs: list[JobView] = []
    problems: list[str] = []
    for (shot, _), result in zip(planned, results, strict=True):
        job = first_job(result)
        if job is None:
            problems.append(f"{shot.label}: {getattr(result, 'message', 'no job was created')}")
            continue
        jobs.append(job)
        text = prompt_words(job.prompt)
        if job.state == "completed" and job.files:
            file = store.add_image(slug, Path(job.files[0]), shot.angle)
            made.append(Reference(angle=shot.angle, file=file, job_id=job.job_id, prompt=text, model=model))
        elif job.state == "pending":
            made.append(Reference(angle=shot.angle, job_id=job.job_id, prompt=text, model=model, state="pending"))
        else:
            problems.append(f"{shot.label}: {unusable(job)}")

    def record(stored: Character) -> None:
        stored.references.extend(made)
        for entry in history_entries(jobs):
            stored.add_history(entry)

    character, _ = store.change(slug, record)
    return ReferenceRun(character=character, made=made, jobs=jobs, problems=problems)


async def add_reference(
    store: CharacterStore,
    production: Production,
    settings: Settings,
    slug: str,
    *,
    angle: Angle = "free",
    path: str | None = None,
    upload_id: str | None = None,
    job_id: str | None = None,
    wait_seconds: float | None = None,
) -> tuple[Character, Reference]:
    """Bring in an existing image: a local file (inside the allowed folders), an upload id, or a job's result."""
    _exactly_one(path=path, upload_id=upload_id, job_id=job_id)
    store.load(slug)  # a missing or broken character fails before any file is copied
    stem = "ref" if angle == "free" else angle
    if path is not None:
        source = _local_image(path, settings)
        reference = Reference(angle=angle, file=store.add_image(slug, source, stem), source=str(source))
    elif upload_id is not None:
        reference = Reference(angle=angle, upload_id=upload_id.strip(), source="upload")
    else:
        assert job_id is not None
        job = await job_result(production, job_id.strip(), wait_seconds=wait_seconds)
        file = store.add_image(slug, Path(image_file(job)), stem)
        reference = Reference(
            angle=angle, file=file, job_id=job.job_id, prompt=job.prompt, model=job.model, source="job"
        )
    character, _ = store.change(slug, lambda c: c.references.append(reference))
    return character, reference


async def add_test_shot(
    store: CharacterStore,
    production: Production,
    settings: Settings,
    slug: str,
    *,
    job_id: str | None = None,
    path: str | None = None,
    lighting_notes: str = "",
    notes: str = "",
    wait_seconds: float | None = None,
) -> tuple[Character, TestShot]:
    """Keep a generation (or an image file) as a test of the character in a scene, with what the lighting did."""
    _exactly_one(job_id=job_id, path=path)
    store.load(slug)
    job: JobView | None = None
    if path is not None:
        shot = TestShot(file=store.add_image(slug, _local_image(path, settings), "test-shot"))
    else:
        assert job_id is not None
        job = await job_result(production, job_id.strip(), wait_seconds=wait_seconds)
        if job.state == "pending":
            shot = TestShot(job_id=job.job_id, prompt=job.prompt, model=job.model, state="pending")
        else:
            file = store.add_image(slug, Path(image_file(job)), "test-shot")
            shot = TestShot(file=file, job_id=job.job_id, prompt=job.prompt, model=job.model)
    shot.lighting_notes, shot.notes = lighting_notes.strip(), notes.strip()

    def record(stored: Character) -> None:
        stored.test_shots.append(shot)
        if job is not None:
            for entry in history_entries([job]):
                stored.add_history(entry)

    character, _ = store.change(slug, record)
    return character, shot


async def refresh_pending(store: CharacterStore, production: Production, slug: str) -> Character:
    """Bring in the images of references and test shots whose jobs were still running, and settle history."""
    character = store.load(slug)
    pending = character.pending_job_ids()
    if not pending:
        return character
    views = {v.job_id: v for v in (await production.status(pending)).jobs}
    copied: dict[str, str] = {}
    for item in _items(character):
        view = views.get(item.job_id or "")
        ready = view is not None and view.state == "completed" and view.files
        if view is not None and ready and item.state == "pending" and view.job_id not in copied:
            stem = "test-shot" if isinstance(item, TestShot) else ("ref" if item.angle == "free" else item.angle)
            copied[view.job_id] = store.add_image(slug, Path(view.files[0]), stem)
    used: set[str] = set()

    def settle(stored: Character) -> None:
        for item in _items(stored):
            view = views.get(item.job_id or "")
            if item.state != "pending" or view is None or view.state == "pending":
                continue
            if view.job_id in copied:
                item.file, item.state = copied[view.job_id], "ready"
                used.add(view.job_id)
            elif view.state != "completed":
                item.state, item.fail_reason = "failed", view.fail_reason or view.state
        for entry in history_entries([v for v in views.values() if v.state != "pending"]):
            if any(h.job_id == entry.job_id for h in stored.history):
                stored.add_history(entry)

    character, _ = store.change(slug, settle)
    for job, file in copied.items():  # another caller settled it first: drop our duplicate copy
        if job not in used:
            store.remove_file(slug, file)
    return character


def _items(character: Character) -> list[Reference | TestShot]:
    return [*character.references, *character.test_shots]


def _local_image(path: str, settings: Settings) -> Path:
    checked = resolve_media_input(path, settings.media_roots, allow_ids=False)
    if checked.path is None or checked.media_type != "image":
        raise LibraryRequestInvalid(f"{path} is not an image", remedy="Give a PNG, JPEG or WebP file.")
    return checked.path


def _exactly_one(**sources: str | None) -> None:
    given = [name for name, value in sources.items() if value is not None and value.strip()]
    if len(given) != 1:
        names = ", ".join(sources)
        raise LibraryRequestInvalid(
            f"Give exactly one of {names} (got {', '.join(given) or 'none'})",
            remedy=f"Call again with one of: {names}.",
        )
