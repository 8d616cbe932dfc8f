"""The one poller: every unfinished job, whoever is waiting for it, watched by one loop.

Each round pages `generate list` (newest first, `--cursor` for the next page) until every
pending job has been seen, so a few CLI processes cover hundreds of jobs; jobs older than
that are fetched with a few parallel `generate get`s, rotating so none starves. The
round's changes are written in one journal transaction, and rows that did not change are
not written at all.

Finished jobs go to a bounded pool of download workers, off the round: one slow or broken
download never holds back polling or any other job. Before fetching, a worker claims
the job in the journal, so servers sharing one home download each result once. A failed
download becomes a note on the job and stays retryable (`Journal.retry_downloads`).
Tool calls wait on a broadcast, never on the CLI.

It also reconciles submissions whose outcome is unknown (the CLI was killed, timed out or
answered garbage after a paid submit): it looks for the job in `generate list` by model,
prompt and time window, and never re-sends.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ...adapters.cli.client import SUBMIT_TIMEOUT, HiggsfieldCLI
from ...adapters.cli.errors import HiggsfieldError, NotAuthenticated, submit_outcome
from ...adapters.cli.models import Job
from ...adapters.journal import JobRecord, Journal, JournalError, SubmissionRecord

log = logging.getLogger(__name__)

LIST_SIZE_MAX = 100
LIST_PAGES_MAX = 10
"""Pages of `generate list` per round at most (1,000 jobs); anything older is fetched with `generate get`."""
GET_PER_TICK = 8
"""Jobs older than the pages read are fetched one by one, this many per round, rotating through them."""
GET_CONCURRENCY = 4
RECONCILE_GIVE_UP_SECONDS = 15 * 60
"""An ambiguous submit still not found after this long most likely never created a job."""
GAVE_UP = "no job appeared after an unclear submit; it was most likely not created"
"""The error of a submission given up on: likely, never certain, that nothing was made or charged."""
CLOCK_SKEW_SECONDS = 120.0
MAX_BACKOFF_SECONDS = 60.0
NOTIFY_SECONDS = 0.1
"""Saved downloads are announced to waiters in batches this far apart, so 200 waiters do not re-read 200 times."""
COMPLETE_CONCURRENCY = 6
"""Download workers: finished jobs whose outputs are fetched at once; enough for a batch, gentle on the CDN."""
CLAIM_SECONDS = 5 * 60.0
"""How long a download claim holds unless renewed; one left by a server that died runs out and is taken over."""
CLAIM_RENEW_SECONDS = 60.0
"""A worker renews its claim this often while it downloads, so a long download is never taken over."""

Finisher = Callable[[Job, JobRecord], Awaitable[list[str]]]
"""Called once per completed job; returns the local files it saved (downloads live outside this module)."""
AfterSave = Callable[[JobRecord, list[str]], Awaitable[None]]
"""Called once a job's files are saved and it counts as finished (previews); its failures are only logged."""


@dataclass
class PollState:
    """What waiters see after each tick."""

    ticks: int = 0
    last_error: HiggsfieldError | None = None
    finished: set[str] = field(default_factory=set)
    rounds_cli_calls: list[int] = field(default_factory=list)
    """CLI processes each recent round that polled anything started (the last 500), for benchmarks."""


class JobPoller:
    def __init__(
        self,
        cli: HiggsfieldCLI,
        journal: Journal,
        *,
        interval: float,
        finish: Finisher,
        after_save: AfterSave | None = None,
    ) -> None:
        self._cli = cli
        self._journal = journal
        self._interval = interval
        self._finish = finish
        self._after_save = after_save
        self._wake = anyio.Event()
        self._tick_done = anyio.Event()
        self.state = PollState()
        self.cli_calls = 0
        self._queued: set[str] = set()
        self._downloads: MemoryObjectSendStream[tuple[Job, JobRecord]] | None = None
        self._paging = True
        """False once the CLI refused `--cursor`; older jobs are then fetched with `generate get`."""
        self._rotation = 0
        self._saved = anyio.Event()
        """Set by download workers; waiters hear about saved files at most every NOTIFY_SECONDS."""

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

    def _notify(self) -> None:
        """Wake every waiter: a round ended or a download finished."""
        done, self._tick_done = self._tick_done, anyio.Event()
        done.set()

    async def run(self) -> None:
        """Poll forever with the download workers beside it; a failed tick backs off but never ends the loop."""
        send, receive = anyio.create_memory_object_stream[tuple[Job, JobRecord]](math.inf)
        async with anyio.create_task_group() as tg:
            for _ in range(COMPLETE_CONCURRENCY):
                tg.start_soon(self._worker, receive.clone())
            tg.start_soon(self._announce_saved)
            receive.close()
            self._downloads = send
            try:
                await self._loop()
            finally:
                self._downloads = None
                send.close()

    async def _announce_saved(self) -> None:
        while True:
            await self._saved.wait()
            self._saved = anyio.Event()
            self._notify()
            await anyio.sleep(NOTIFY_SECONDS)

    async def _loop(self) -> None:
        backoff = self._interval
        while True:
            calls = self.cli_calls
            started = time.monotonic()
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
                if self.cli_calls > calls:
                    self.state.rounds_cli_calls = [*self.state.rounds_cli_calls[-499:], self.cli_calls - calls]
                self._notify()
            self._wake = anyio.Event()
            pause = backoff - (time.monotonic() - started) if busy else 3600  # rounds start every interval
            with anyio.move_on_after(max(0.0, pause)):
                await self._wake.wait()

    async def tick(self) -> bool:
        """One round: reconcile, refresh every unfinished job, hand finished ones to the download workers.

        Returns whether anything is still in flight (so the loop keeps its short interval).
        Without running workers (a bare `tick()` in a test) outputs are saved inline.
        """
        submissions = [s for s in self._journal.pending_submissions() if _needs_reconciling(s)]
        unfinished = [r for r in self._journal.unfinished() if r.id not in self._queued]
        if not submissions and not unfinished:
            return bool(self._queued or self._journal.pending_submissions())
        seen = await self._list(unfinished, submissions)
        if submissions:
            self._reconcile(submissions, seen)
            unfinished = [r for r in self._journal.unfinished() if r.id not in self._queued]
        missing = [r.id for r in unfinished if r.id not in seen]
        seen.update(await self._get_rotating(missing))
        self._journal.update_many([seen[r.id] for r in unfinished if r.id in seen])
        finished: list[tuple[Job, JobRecord]] = []
        for record in unfinished:
            job = seen.get(record.id)
            if job is not None and job.terminal:
                updated = self._journal.get(record.id)
                if updated is not None and updated.finished_at is None:
                    finished.append((job, updated))
        for job, record in finished:
            if self._downloads is not None:
                self._queued.add(job.id)
                self._downloads.send_nowait((job, record))
            else:
                await self._complete(job, record)
        return bool(self._queued or self._journal.unfinished() or self._journal.pending_submissions())

    async def _list(self, unfinished: list[JobRecord], submissions: list[SubmissionRecord]) -> dict[str, Job]:
        """Page `generate list` until every pending job was seen or the pages reach back past the oldest."""
        wanted = {r.id for r in unfinished}
        times = [r.created_at for r in unfinished] + [s.created_at for s in submissions]
        oldest_wanted = min(times) - CLOCK_SKEW_SECONDS if times else math.inf
        size = max(20, min(LIST_SIZE_MAX, len(unfinished) + len(submissions) + 10))
        seen: dict[str, Job] = {}
        cursor: float | None = None
        for _page in range(LIST_PAGES_MAX):
            self.cli_calls += 1
            try:
                jobs = await self._cli.list_jobs(size=size, cursor=cursor)
            except HiggsfieldError as exc:
                if cursor is None:
                    raise
                if submit_outcome(exc) == "rejected":  # this CLI does not page; gets cover older jobs
                    log.info("generate list refused --cursor (%s); older jobs are fetched one by one", exc.message)
                    self._paging = False
                break
            seen.update((job.id, job) for job in jobs)
            stamps = [job.created_at for job in jobs if job.created_at is not None]
            if len(jobs) < size or not stamps or wanted <= seen.keys() or not self._paging:
                break
            if min(stamps) < oldest_wanted or (cursor is not None and min(stamps) >= cursor):
                break
            cursor = min(stamps)
            size = LIST_SIZE_MAX
        return seen

    async def _get_rotating(self, missing: list[str]) -> dict[str, Job]:
        """`generate get` for up to GET_PER_TICK of `missing`, a few at once, starting where the last round stopped."""
        if not missing:
            return {}
        start = self._rotation % len(missing)
        chosen = (missing[start:] + missing[:start])[:GET_PER_TICK]
        self._rotation = start + len(chosen)
        found: dict[str, Job] = {}
        errors: list[HiggsfieldError] = []
        limiter = anyio.CapacityLimiter(GET_CONCURRENCY)

        async def fetch(job_id: str) -> None:
            async with limiter:
                self.cli_calls += 1
                try:
                    found[job_id] = await self._cli.get_job(job_id)
                except HiggsfieldError as exc:
                    errors.append(exc)

        async with anyio.create_task_group() as tg:
            for job_id in chosen:
                tg.start_soon(fetch, job_id)
        if errors and not found:
            raise errors[0]
        return found

    async def _worker(self, jobs: MemoryObjectReceiveStream[tuple[Job, JobRecord]]) -> None:
        async with jobs:
            async for job, record in jobs:
                try:
                    await self._complete(job, record)
                except Exception:  # a bug in one download must not stop the others
                    log.exception("saving the outputs of %s crashed", job.id)
                finally:
                    self._queued.discard(job.id)
                    self._saved.set()

    async def _complete(self, job: Job, record: JobRecord) -> None:
        if job.status != "completed":
            self._journal.set_files(job.id, [])
            return
        if not self._journal.claim_download(job.id, seconds=CLAIM_SECONDS):
            log.debug("another server is saving the outputs of %s", job.id)
            return
        try:
            files = await self._finish_holding_claim(job, record)
        except HiggsfieldError as exc:  # the result is still at its URL; say so, keep it retryable
            log.warning("could not save outputs of %s: %s", job.id, exc)
            self._journal.download_failed(job.id, exc.message, _retry_note(exc.message, exc.remedy))
            return
        except Exception as exc:
            log.exception("saving the outputs of %s failed", job.id)
            self._journal.download_failed(job.id, repr(exc), _retry_note(f"unexpected error {exc!r}", None))
            return
        except BaseException:  # cancelled: this server is stopping; another one sharing the home takes over now,
            try:  # not when the claim runs out minutes later
                self._journal.release_claim(job.id)
            except JournalError as exc:  # the cancellation must go on; the claim then simply runs out
                log.warning("could not hand over the download of %s: %s", job.id, exc.message)
            raise
        self._journal.set_files(job.id, files)
        # previews are made ahead only while few downloads wait: at scale they are made when a result is shown
        if self._after_save is not None and len(self._queued) <= COMPLETE_CONCURRENCY:
            self._saved.set()  # waiters need not wait for the previews
            try:
                await self._after_save(record, files)
            except Exception:
                log.exception("making the previews of %s failed", job.id)

    async def _finish_holding_claim(self, job: Job, record: JobRecord) -> list[str]:
        """Run the finisher while renewing this server's claim on the job every CLAIM_RENEW_SECONDS."""
        outcome: list[list[str] | BaseException] = []

        async def renew() -> None:
            while True:
                await anyio.sleep(CLAIM_RENEW_SECONDS)
                self._journal.claim_download(job.id, seconds=CLAIM_SECONDS)

        async with anyio.create_task_group() as tg:
            tg.start_soon(renew)
            try:
                outcome.append(await self._finish(job, record))
            except Exception as exc:  # re-raised below, outside the task group (no exception group)
                outcome.append(exc)
            tg.cancel_scope.cancel()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _reconcile(self, submissions: list[SubmissionRecord], seen: dict[str, Job]) -> None:
        known = self._journal.known_job_ids(list(seen))
        for sub in submissions:
            latest = sub.updated_at + CLOCK_SKEW_SECONDS if sub.state == "ambiguous" else math.inf
            matches = [
                job.id
                for job in seen.values()
                if job.id not in known
                and job.model == sub.model
                and job.params.get("prompt") == sub.prompt
                and (job.created_at is None or sub.created_at - CLOCK_SKEW_SECONDS <= job.created_at <= latest)
            ]
            if matches:
                log.info("reconciled an unknown submit outcome: %d job(s) found", len(matches))
                self._journal.reconciled(sub.id, matches)
                known.update(matches)
            elif time.time() - sub.created_at > RECONCILE_GIVE_UP_SECONDS:
                self._journal.rejected(sub.id, GAVE_UP)


def _retry_note(message: str, remedy: str | None) -> str:
    again = "It is tried again when you ask `jobs` for this job (status, wait or resume)."
    return f"download failed: {message}. {remedy or ''} {again}".replace("  ", " ").strip()


def _needs_reconciling(submission: SubmissionRecord) -> bool:
    """Ambiguous ones, and pending ones older than any submit call can take (their caller died).

    A pending submission younger than that is a call still in flight, perhaps in this very
    process: its job may already show in `generate list`, but it is the caller's to record.
    """
    if submission.state == "ambiguous":
        return True
    return time.time() - submission.created_at > SUBMIT_TIMEOUT + CLOCK_SKEW_SECONDS
