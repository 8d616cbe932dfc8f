"""Generations on behalf of the library: many requests submitted at once, and the files of a given job.

Reference sets and moodboards are judged as a set, so their images are submitted
together (one `Production.generate` per image, side by side): the user waits for the
slowest one instead of the sum of all, and every job is journaled the moment it exists.
A request that is refused does not sink the others; only when all are refused is it an error.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from ...adapters.cli.errors import HiggsfieldError
from ..generation.production import JobView, Outcome, Production, Progress
from ..generation.submit import GenerateRequest
from .errors import LibraryRequestInvalid

BatchResult = Outcome | HiggsfieldError
"""Per request: its outcome, or why it was refused (nothing was spent on it)."""


async def generate_all(
    production: Production,
    requests: Sequence[GenerateRequest],
    *,
    wait_seconds: float | None = None,
    progress: Progress | None = None,
    noun: str = "image",
) -> list[BatchResult]:
    """Submit every request at once and wait (bounded) for all; results in request order.

    `noun` names what is made in the progress line ("clip" for a storyboard's clips).
    """
    total = len(requests)
    results: list[BatchResult | None] = [None] * total
    finished = 0
    if progress is not None:
        await progress(0, total, f"Submitting {total} {noun}{'' if total == 1 else 's'} at once…")

    async def run(index: int, request: GenerateRequest) -> None:
        nonlocal finished
        try:
            results[index] = await production.generate(request, wait_seconds=wait_seconds)
        except HiggsfieldError as exc:
            results[index] = exc
        finished += 1
        if progress is not None:
            await progress(finished, total, f"{finished} of {total} done")

    async with anyio.create_task_group() as group:
        for index, request in enumerate(requests):
            group.start_soon(run, index, request)
    done = [r for r in results if r is not None]  # every slot is set once the group has exited
    refusals = [r for r in done if isinstance(r, HiggsfieldError)]
    if refusals and len(refusals) == len(done):
        raise refusals[0]  # nothing went through: the first refusal says what to fix
    return done


def first_job(result: BatchResult) -> JobView | None:
    """The job a one-image request made (None when the request was refused or made none)."""
    if isinstance(result, HiggsfieldError) or not result.jobs:
        return None
    return result.jobs[0]


async def job_result(production: Production, job_id: str, *, wait_seconds: float | None = None) -> JobView:
    """A job's view with its downloaded files, waiting (bounded) if it is still running.

    A job this server never saw (made on the website, or by another tool) is looked up
    first, so a wrong id is a clear error rather than something the poller retries forever.
    """
    if production.journal.get(job_id) is None:
        job = await production.cli.get_job(job_id)
        catalogue = await production.catalogue()
        info = catalogue.find(job.model) if job.model else None
        prompt = job.params.get("prompt")
        production.journal.record_jobs(
            None,
            [job.id],
            model=job.model,
            kind=info.kind if info else "image",
            prompt=prompt if isinstance(prompt, str) else None,
            params=job.params,
            status=job.status,
        )
    outcome = await production.wait([job_id], wait_seconds=wait_seconds)
    if not outcome.jobs:
        raise LibraryRequestInvalid(
            f"Job {job_id} could not be found",
            remedy="Check the job id (the `jobs` tool lists recent ones).",
        )
    return outcome.jobs[0]


def unusable(job: JobView) -> str:
    """Why a finished job gave the library no image, in words to show the user."""
    if job.state == "completed":
        where = f"; it is at {job.urls[0]}" if job.urls else ""
        return f"finished but could not be saved ({job.note or 'no file'}){where}"
    return f"ended as {job.state.replace('_', ' ')} ({job.fail_reason or 'no reason given'})"


def image_file(job: JobView) -> str:
    """The job's first downloaded image, or an error saying why there is none."""
    if job.state == "pending":
        raise LibraryRequestInvalid(
            f"Job {job.job_id} is still generating",
            remedy="Wait for it with `jobs` (action 'wait'), then call this again.",
        )
    if job.state != "completed":
        raise LibraryRequestInvalid(
            f"Job {job.job_id} ended as {job.state.replace('_', ' ')} and has no image",
            remedy="Use a job that completed.",
        )
    if job.kind not in (None, "image", "other") or not job.files:
        what = f"a {job.kind}" if job.kind not in (None, "image", "other") else "no saved file"
        raise LibraryRequestInvalid(
            f"Job {job.job_id} has {what}; the library keeps images",
            remedy="Use an image job, or pass the image file itself.",
        )
    return job.files[0]
