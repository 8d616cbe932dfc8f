"""The production service: what the `generate` and `jobs` tools do, without MCP.

It owns the long-lived pieces of one server (CLI, journal, poller, catalogue) and turns
journal records into `JobView`s, the one shape every tool reports jobs in. The server
layer only adds MCP content (previews, resource links) on top.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal, TypeVar

import anyio
import anyio.abc
from pydantic import BaseModel, Field

from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import HiggsfieldError
from ...adapters.cli.models import Job
from ...adapters.journal import JobRecord, Journal
from ...config import Settings
from .catalogue import Catalogue, LiveCatalogue
from .polling import GAVE_UP, RECONCILE_GIVE_UP_SECONDS, JobPoller
from .prompt_shape import prompt_words
from .results import OutputSaver
from .router import Pick, RouteRequest, pick_model
from .submit import UNCLEAR_REMEDY, Estimate, GenerateRequest, Submitted, estimate, submit

Progress = Callable[[float, float | None, str], Awaitable[None]]
"""(progress, total, message): what a tool forwards as MCP progress notifications."""

JobState = Literal["pending", "completed", "failed", "nsfw", "ip_detected", "canceled"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class StillRunning(Exception):
    """The work outlived the call's wait; it goes on while the server runs (`Production.outlive_the_call`)."""


class JobView(BaseModel):
    """One job as tools report it."""

    job_id: str
    state: JobState = Field(description="pending until Higgsfield finishes; then the final status.")
    status: str = Field(description="Higgsfield's own status word (queued, in_progress, waiting, completed, …).")
    model: str | None = None
    display_name: str | None = None
    kind: str | None = None
    prompt: str | None = None
    urls: list[str] = Field(default_factory=list, description="Result URLs on Higgsfield's CDN.")
    files: list[str] = Field(default_factory=list, description="Absolute paths of the downloaded results.")
    fail_reason: str | None = None
    note: str | None = None
    character: str | None = None
    moodboard: str | None = None
    source: str | None = Field(None, description="What a post-production job was made from (job, upload or file).")
    created_at: float | None = None

    @classmethod
    def of(cls, record: JobRecord, catalogue: Catalogue | None = None) -> JobView:
        info = catalogue.find(record.model) if catalogue and record.model else None
        if record.status == "cancelled":
            final: JobState = "canceled"
        elif record.done and record.status in ("completed", "failed", "nsfw", "ip_detected", "canceled"):
            final = record.status  # type: ignore[assignment]
        else:
            final = "pending"
        return cls(
            job_id=record.id,
            state=final,
            status=record.status,
            model=record.model,
            display_name=info.display_name if info else None,
            kind=record.kind,
            prompt=prompt_words(record.prompt),
            urls=list(record.result_urls),
            files=list(record.files),
            fail_reason=record.fail_reason,
            note=record.note,
            character=record.character,
            moodboard=record.moodboard,
            source=record.source,
            created_at=record.created_at,
        )


class Outcome(BaseModel):
    """A generate or wait result: the jobs, and whether some are still running."""

    model: str | None = None
    display_name: str | None = None
    why: str | None = None
    jobs: list[JobView]
    pending: int = 0
    unclear_submissions: int = 0
    waited_seconds: float = 0.0
    poll_problem: str | None = None
    unclear_notes: list[str] = Field(default_factory=list)
    """What became of submissions whose outcome was unclear, said once."""
    advice: list[str] = Field(default_factory=list)
    """What was chosen for the user (a frame shape) or is missing (a character's likeness), one line each."""


class Production:
    def __init__(self, settings: Settings, cli: HiggsfieldCLI) -> None:
        self.settings = settings
        self.cli = cli
        settings.home.mkdir(parents=True, exist_ok=True)
        self.journal = Journal(settings.journal_path)
        self.catalogues = LiveCatalogue(settings.home / "cache")
        saver = OutputSaver(settings)
        self.poller = JobPoller(
            cli, self.journal, interval=settings.poll_seconds, finish=saver, after_save=saver.previews
        )
        self._background: anyio.abc.TaskGroup | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Production]:
        """Run the poller for the server's lifetime; in-flight jobs from a previous run resume at once."""
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self.poller.run)
                self._background = tg
                try:
                    yield self
                finally:
                    self._background = None
                    tg.cancel_scope.cancel()
        finally:
            # only once the poller has stopped: a download it cancels releases its claim in the
            # journal, so another server sharing the home fetches that result now, not in 5 minutes
            self.journal.close()

    async def outlive_the_call(self, work: Callable[[], Awaitable[T]], *, wait_seconds: float) -> T:
        """`work`'s result if it ends within `wait_seconds`; else `StillRunning`, and it goes on with the server.

        For CLI commands that wait for their jobs themselves (`product-photoshoot create`, a
        brand kit read): a 60 s host must get an answer in time, and killing the command would
        make a paid submission unclear, so it goes on after the call and journals its own
        results. Cancelling the call (a host giving up) leaves it running too. A failure that
        comes after the call has returned is logged. Without a running server (a bare domain
        test) the work is simply awaited.
        """
        if self._background is None:
            return await work()
        done = anyio.Event()
        results: list[T] = []
        failures: list[Exception] = []
        waiting = True

        async def run() -> None:
            try:
                results.append(await work())
            except Exception as exc:  # beside the poller, in the server's task group: never let it end the server
                failures.append(exc)
                if not waiting:  # nobody is left to raise it to
                    log.warning("work that outlived its call failed: %s", exc)
            finally:
                done.set()

        self._background.start_soon(run)
        try:
            with anyio.move_on_after(max(0.0, wait_seconds)):
                await done.wait()
        finally:
            waiting = False
        if failures:
            raise failures[0]
        if not results:
            raise StillRunning
        return results[0]

    async def catalogue(self) -> Catalogue:
        return await self.catalogues.get(self.cli)

    # -- pick_model ----------------------------------------------------------------------------------

    async def pick(self, request: RouteRequest) -> Pick:
        return pick_model(request, await self.catalogue())

    # -- generate ------------------------------------------------------------------------------------

    async def estimate(self, request: GenerateRequest) -> Estimate:
        return await estimate(self.cli, request, self.catalogues, self.settings, self.journal)

    async def generate(
        self, request: GenerateRequest, *, wait_seconds: float | None = None, progress: Progress | None = None
    ) -> Outcome:
        started = time.monotonic()
        bound = self.settings.bounded_wait(wait_seconds)
        sent = await submit(self.cli, self.journal, request, self.catalogues, self.settings, wait_seconds=bound)
        return await self.follow(sent, started=started, wait_seconds=wait_seconds, progress=progress)

    async def follow(
        self, sent: Submitted, *, started: float, wait_seconds: float | None = None, progress: Progress | None = None
    ) -> Outcome:
        """After a submit (`generate`, or a post-production workflow): find unclear jobs, wait, report."""
        bound = self.settings.bounded_wait(wait_seconds)
        job_ids = list(sent.job_ids)

        def left() -> float:  # a 60 s host counts the submit's time too
            return max(0.0, bound - (time.monotonic() - started))

        if sent.unclear and not sent.timed_out:  # the submit may have gone through: find its jobs, never resend
            job_ids += await self.poller.wait_reconciled(sent.unclear, timeout=left())
        elif sent.unclear:  # the wait is used up: the poller keeps looking, `jobs resume` reports what it finds
            self.poller.track()
        remaining = 0.0 if sent.timed_out else left()
        outcome = await self.wait(job_ids, wait_seconds=remaining, progress=progress)
        outcome.model, outcome.display_name = sent.model.id, sent.model.display_name
        outcome.why = sent.pick.why if sent.pick else None
        outcome.advice = list(sent.notes)
        outcome.unclear_submissions = sum(1 for s in sent.unclear if self._still_open(s))
        outcome.unclear_notes += self._report_unclear(sent.unclear)
        if outcome.unclear_submissions and sent.unclear_reason:
            outcome.unclear_notes.append(
                f"The submit did not give a clear answer: {sent.unclear_reason}. {UNCLEAR_REMEDY}"
            )
        return outcome

    def _report_unclear(self, submission_ids: Sequence[str] | None = None) -> list[str]:
        """Say once how each settled unclear submission ended (these, or all not yet told), and mark it told."""
        wanted = set(submission_ids) if submission_ids is not None else None
        settled = [s for s in self.journal.unreported_outcomes() if wanted is None or s.id in wanted]
        notes: list[str] = []
        for sub in settled:
            what = f"{sub.model} {sub.prompt[:40]!r}" if sub.prompt else sub.model
            if sub.job_ids:
                notes.append(
                    f"Found the job(s) of the unclear submission ({what}); it was never sent twice and is shown here."
                )
            elif sub.error == GAVE_UP:  # not finding it is likely, not certain: never call it free
                notes.append(
                    f"No job appeared on Higgsfield for the unclear submission ({what}) within "
                    f"{RECONCILE_GIVE_UP_SECONDS // 60:.0f} minutes, so it was most likely never created. Check "
                    "`jobs` action 'history' (or the Higgsfield library) before sending it again."
                )
            else:
                notes.append(
                    f"The submission ({what}) was refused before Higgsfield made anything ({sub.error}), "
                    "so nothing was charged; it is safe to send it again once that is fixed."
                )
        self.journal.mark_reported([s.id for s in settled])
        return notes

    async def record_finished(
        self, submission_id: str, jobs: Sequence[Job], *, kind: str, prompt: str | None, params: dict[str, Any]
    ) -> Outcome:
        """Journal jobs a command waited for itself (`product-photoshoot create`) and save their outputs.

        They are settled, updated and saved here rather than by the poller, which would
        otherwise fetch them all again; they then show in `jobs` like any other. A job that
        is somehow not finished yet is simply left to the poller.
        """
        ids = [job.id for job in jobs]
        self.journal.submitted(submission_id, ids, kind=kind, prompt=prompt, params=params)
        saver = OutputSaver(self.settings)
        for job in jobs:
            record = self.journal.update_from(job)
            if not job.terminal:
                continue
            files: list[str] = []
            if job.status == "completed":
                try:
                    files = await saver(job, record)
                except HiggsfieldError as exc:  # the result is still at its URL; say so, keep it retryable
                    self.journal.download_failed(job.id, exc.message, f"download failed: {exc.message}. {exc.remedy}")
                    continue
            self.journal.set_files(job.id, files)
            await saver.previews(record, files)
        return await self.wait(ids, wait_seconds=0)

    def _still_open(self, submission_id: str) -> bool:
        record = self.journal.get_submission(submission_id)
        return record is not None and record.open

    # -- jobs ------------------------------------------------------------------------------------------

    async def wait(
        self, job_ids: list[str], *, wait_seconds: float | None = None, progress: Progress | None = None
    ) -> Outcome:
        """Wait (bounded) for these jobs; what is still running comes back as pending, not as an error.

        A job whose download failed earlier is fetched again.
        """
        self.journal.retry_downloads(job_ids)
        bound = self.settings.bounded_wait(wait_seconds)
        started = time.monotonic()
        catalogue = await self.catalogue()

        reported = -1.0

        async def report(records: list[JobRecord], elapsed: float) -> None:
            nonlocal reported
            if progress is None:
                return
            value, message = job_progress(records)
            if value > reported:  # MCP progress must increase: one notification per step forward
                reported = value
                await progress(value, len(records), message)

        records = await self.poller.wait(job_ids, timeout=bound, on_progress=report)
        views = [JobView.of(r, catalogue) for r in records]
        problem = self.poller.state.last_error
        return Outcome(
            jobs=views,
            pending=sum(1 for v in views if v.state == "pending"),
            waited_seconds=round(time.monotonic() - started, 2),
            poll_problem=f"{problem.message}. {problem.remedy}" if problem else None,
        )

    async def status(self, job_ids: list[str]) -> Outcome:
        """Current state from the journal, refreshed by one poll round first."""
        return await self.wait(job_ids, wait_seconds=0)

    async def resume(self, *, wait_seconds: float | None = None, progress: Progress | None = None) -> Outcome:
        """Everything that was in flight (this run or a previous one), reconciled and waited for.

        Unclear submissions are waited for (bounded) until they are matched to their jobs;
        jobs found for them since the last report are included, and failed downloads retried.
        """
        started = time.monotonic()
        bound = self.settings.bounded_wait(wait_seconds)
        self.journal.retry_downloads()
        unclear = [s.id for s in self.journal.pending_submissions()]
        if unclear:
            await self.poller.wait_reconciled(unclear, timeout=bound)
        settled = self.journal.unreported_outcomes()
        ids = [r.id for r in self.journal.unfinished()]
        ids += [i for s in settled for i in s.job_ids if i not in ids]
        self.poller.track()
        remaining = max(0.0, bound - (time.monotonic() - started))
        outcome = await self.wait(ids, wait_seconds=remaining, progress=progress)
        outcome.unclear_submissions = len(self.journal.pending_submissions()) if unclear else 0
        outcome.unclear_notes += self._report_unclear([s.id for s in settled])
        return outcome

    async def history(
        self,
        *,
        model: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        character: str | None = None,
        limit: int = 20,
    ) -> list[JobView]:
        catalogue = await self.catalogue()
        found = catalogue.find(model) if model else None
        model_id = found.id if found else model
        records = self.journal.history(
            model=model_id, status=status, since=since, until=until, character=character, limit=limit
        )
        return [JobView.of(r, catalogue) for r in records]


QUEUED_STATUSES = frozenset({"queued", "pending", "submitted", "waiting"})
"""Higgsfield status words for a job that has not started yet (contract §4: queued, then in_progress)."""


def job_progress(records: Sequence[JobRecord]) -> tuple[float, str]:
    """How far the jobs are, counted in jobs: each finished one is 1, each started one 0.5.

    The message names the jobs done of the jobs submitted and the status words of the
    others ("1 of 3 done; 2 in progress"), never the wait budget: a host shows it as is.
    """
    done = sum(1 for r in records if r.done)
    running = [r for r in records if not r.done]
    started = sum(1 for r in running if r.status not in QUEUED_STATUSES)
    words: dict[str, int] = {}
    for record in running:
        word = "saving" if record.terminal else record.status.replace("_", " ")  # finished; files being fetched
        words[word] = words.get(word, 0) + 1
    others = ", ".join(f"{count} {word}" for word, count in words.items())
    message = f"{done} of {len(records)} done" + (f"; {others}" if others else "")
    return done + 0.5 * started, message
