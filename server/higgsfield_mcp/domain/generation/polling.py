"""The one poller: every unfinished job, whoever is waiting for it, watched by one loop.

Each tick is a single `generate list` (one CLI process for all pending jobs, not one per
job), plus `generate get` only for the few jobs too old to appear in that list. When a
job completes, its outputs are downloaded here, so a result lands on disk even if no tool
call is waiting any more (client cancelled, bounded wait ran out, server restarted). Tool
calls wait on a broadcast, never on the CLI.

It also reconciles submissions whose outcome is unknown (the CLI was killed or answered
garbage after a paid submit): it looks for the job in `generate list`, and never re-sends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import anyio

from ...adapters.cli.client import SUBMIT_TIMEOUT, HiggsfieldCLI
from ...adapters.cli.errors import HiggsfieldError, NotAuthenticated
from ...adapters.cli.models import Job
from ...adapters.journal import JobRecord, Journal, SubmissionRecord

log = logging.getLogger(__name__)

LIST_SIZE_MAX = 100
GET_PER_TICK = 8
"""Jobs older than the list window are fetched one by one; bounded so a long history cannot stall a tick."""
RECONCILE_GIVE_UP_SECONDS = 15 * 60
"""An ambiguous submit still not found after this long most likely never created a job."""
CLOCK_SKEW_SECONDS = 120.0
MAX_BACKOFF_SECONDS = 60.0
COMPLETE_CONCURRENCY = 6
"""Finished jobs whose outputs are downloaded at once; enough for a batch, gentle on the CDN."""

Finisher = Callable[[Job, JobRecord], Awaitable[list[str]]]
"""Called once per completed job; returns the local files it saved (downloads live outside this module)."""


@dataclass
class PollState:
    """What waiters see after each tick."""

    ticks: int = 0
    last_error: HiggsfieldError | None = None
    finished: set[str] = field(default_factory=set)


class JobPoller:
    def __init__(self, cli: HiggsfieldCLI, journal: Journal, *, interval: float, finish: Finisher) -> None:
        self._cli = cli
        self._journal = journal
        self._interval = interval
        self._finish = finish
        self._wake = anyio.Event()
        self._tick_done = anyio.Event()
        self.state = PollState()
        self.cli_calls = 0

    # -- waiting (tool calls) ----------------------------------------------------------------------

    def track(self) -> None:
        """New jobs or submissions are in the journal: poll now rather than at the next interval."""
        self._wake.set()

    async def wait(
        self,
        job_ids: Iterable[str],
        *,
        timeout: float,
        on_progress: Callable[[list[JobRecord], float], Awaitable[None]] | None = None,
    ) -> list[JobRecord]:
        """Block until every job is finished (terminal, outputs saved) or `timeout` passes.

        Returns the journal records either way; a caller that gets unfinished ones reports
        them as pending. Cancellation just stops waiting: the jobs stay tracked.
        """
        ids = list(dict.fromkeys(job_ids))
        started = time.monotonic()
        self.track()
        with anyio.move_on_after(timeout):
            while True:
                records = self._records(ids)
                if on_progress is not None:
                    await on_progress(records, time.monotonic() - started)
                if all(r.finished_at is not None for r in records):
                    break
                done = self._tick_done
                await done.wait()
        return self._records(ids)

    async def wait_reconciled(self, submission_ids: Iterable[str], *, timeout: float) -> list[str]:
        """Job ids found for submissions whose outcome was unclear, waiting (bounded) for the poller to look."""
        ids = list(submission_ids)
        self.track()
        with anyio.move_on_after(timeout):
            while any(self._open(i) for i in ids):
                done = self._tick_done
                await done.wait()
        found: list[str] = []
        for sub_id in ids:
            record = self._journal.get_submission(sub_id)
            if record is not None and not record.open:
                found += record.job_ids
        return found

    def _open(self, submission_id: str) -> bool:
        record = self._journal.get_submission(submission_id)
        return record is not None and record.open

    def _records(self, ids: list[str]) -> list[JobRecord]:
        return [r for r in (self._journal.get(i) for i in ids) if r is not None]

    # -- the loop (server lifespan) -----------------------------------------------------------------

    async def run(self) -> None:
        """Poll forever; a failed tick backs off but never ends the loop."""
        backoff = self._interval
        while True:
            try:
                busy = await self.tick()
                self.state.last_error = None
                backoff = self._interval
            except HiggsfieldError as exc:
                self.state.last_error = exc
                busy = True
                backoff = min(MAX_BACKOFF_SECONDS, max(backoff * 2, self._interval))
                level = logging.WARNING if not isinstance(exc, NotAuthenticated) else logging.INFO
                log.log(level, "polling failed (%s); retrying in %.0f s", exc.code, backoff)
            except Exception:  # a bug must not stop every future result from arriving
                log.exception("poller tick crashed")
                busy = True
                backoff = min(MAX_BACKOFF_SECONDS, max(backoff * 2, self._interval))
            finally:
                self.state.ticks += 1
                done, self._tick_done = self._tick_done, anyio.Event()
                done.set()
            self._wake = anyio.Event()
            with anyio.move_on_after(backoff if busy else 3600):
                await self._wake.wait()

    async def tick(self) -> bool:
        """One round: reconcile, refresh every unfinished job, save finished outputs.

        Returns whether anything is still in flight (so the loop keeps its short interval).
        """
        submissions = [s for s in self._journal.pending_submissions() if _needs_reconciling(s)]
        unfinished = self._journal.unfinished()
        if not submissions and not unfinished:
            return False
        seen = await self._list(len(unfinished) + len(submissions))
        if submissions:
            self._reconcile(submissions, seen)
            unfinished = self._journal.unfinished()
        missing = [r.id for r in unfinished if r.id not in seen]
        for job_id in missing[:GET_PER_TICK]:
            self.cli_calls += 1
            seen[job_id] = await self._cli.get_job(job_id)
        finished: list[tuple[Job, JobRecord]] = []
        for record in unfinished:
            job = seen.get(record.id)
            if job is None:
                continue
            updated = self._journal.update_from(job)
            if job.terminal and updated.finished_at is None:
                finished.append((job, updated))
        limiter = anyio.CapacityLimiter(COMPLETE_CONCURRENCY)

        async def complete(job: Job, record: JobRecord) -> None:
            async with limiter:
                await self._complete(job, record)

        async with anyio.create_task_group() as tg:  # downloads of a batch run side by side
            for job, record in finished:
                tg.start_soon(complete, job, record)
        return bool(self._journal.unfinished() or self._journal.pending_submissions())

    async def _list(self, wanted: int) -> dict[str, Job]:
        self.cli_calls += 1
        size = max(20, min(LIST_SIZE_MAX, wanted + 10))
        return {job.id: job for job in await self._cli.list_jobs(size=size)}

    async def _complete(self, job: Job, record: JobRecord) -> None:
        files: list[str] = []
        if job.status == "completed":
            try:
                files = await self._finish(job, record)
            except HiggsfieldError as exc:  # the result is still at its URL; say so, keep going
                log.warning("could not save outputs of %s: %s", job.id, exc)
                self._journal.note(job.id, f"download failed: {exc.message}")
        self._journal.set_files(job.id, files)

    def _reconcile(self, submissions: list[SubmissionRecord], seen: dict[str, Job]) -> None:
        known = {r.id for r in self._journal.history(limit=LIST_SIZE_MAX * 2)}
        for sub in submissions:
            matches = [
                job.id
                for job in seen.values()
                if job.id not in known
                and job.model == sub.model
                and job.params.get("prompt") == sub.prompt
                and (job.created_at is None or job.created_at >= sub.created_at - CLOCK_SKEW_SECONDS)
            ]
            if matches:
                log.info("reconciled an unknown submit outcome: %d job(s) found", len(matches))
                self._journal.reconciled(sub.id, matches)
                known.update(matches)
            elif time.time() - sub.created_at > RECONCILE_GIVE_UP_SECONDS:
                self._journal.rejected(
                    sub.id, "no job appeared after an unclear submit; it was most likely not created"
                )


def _needs_reconciling(submission: SubmissionRecord) -> bool:
    """Ambiguous ones, and pending ones older than any submit call can take (their caller died).

    A pending submission younger than that is a call still in flight, perhaps in this very
    process: its job may already show in `generate list`, but it is the caller's to record.
    """
    if submission.state == "ambiguous":
        return True
    return time.time() - submission.created_at > SUBMIT_TIMEOUT + CLOCK_SKEW_SECONDS
