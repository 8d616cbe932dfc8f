"""The job journal: every paid submission and job, on disk before and after each CLI call.

A submission is written before the CLI is asked to create anything, so a crash, a
timeout or garbled output leaves a row that says "something may have been charged";
those rows are reconciled through `generate list`, never re-sent blindly. Jobs are
written the moment their ids are known and updated as they are polled, so a restarted
server resumes waiting where the last one stopped.

Two server processes (two MCP clients on one machine) may share the file: SQLite in WAL
mode with a busy timeout, every write a short `BEGIN IMMEDIATE` transaction (a deferred
transaction that upgrades to a write lock fails at once with "database is locked"
instead of waiting). The API is synchronous because each operation is sub-millisecond;
async callers may wrap it in `anyio.to_thread.run_sync`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict

from .cli.errors import HiggsfieldError
from .cli.models import TERMINAL_STATUSES, Job

log = logging.getLogger(__name__)

SubmissionState = Literal["pending", "submitted", "ambiguous", "reconciled", "rejected"]
JobKind = Literal["image", "video", "audio", "3d", "other"]

OPEN_SUBMISSION_STATES: tuple[SubmissionState, ...] = ("pending", "ambiguous")
"""States whose outcome is not known yet: something may have been created and charged."""

INTERRUPTED_ERROR = "the server stopped while the submit call was running; whether a job was created is unknown"

DEFAULT_BUSY_TIMEOUT = 15.0

_JOB_KINDS: frozenset[str] = frozenset(get_args(JobKind))

MediaArg = Sequence[tuple[str, str]] | Mapping[str, str | Path | Sequence[str | Path]] | None

_LIVE_OWNERS: set[str] = set()
"""Owner tags of journals open in this process, so a new instance can tell a live call from an orphan."""


class JournalError(HiggsfieldError):
    code = "journal_error"
    summary = "The job journal (a SQLite file in the server's home) could not be opened or written."
    default_remedy = (
        "The job journal could not be used. Check that HIGGSFIELD_MCP_HOME points to a writable local folder "
        "(not a network share), then restart the server; `higgsfield-mcp doctor` shows where it is."
    )


class JournalTooNew(JournalError):
    code = "journal_too_new"
    summary = "The job journal was written by a newer version of higgsfield-mcp."
    default_remedy = (
        "The job journal was written by a newer higgsfield-mcp. Upgrade this one (`pip install -U higgsfield-mcp`) "
        "or point HIGGSFIELD_MCP_HOME at another folder."
    )


# --- records ------------------------------------------------------------------------------------


class SubmissionRecord(BaseModel):
    """One request to create jobs, from before the CLI call until its outcome is known."""

    model_config = ConfigDict(frozen=True)

    id: str
    model: str
    kind: JobKind
    prompt: str | None
    params: dict[str, Any]
    media: list[tuple[str, str]]
    """(role, path or id) pairs in flag order, as handed to the CLI."""
    state: SubmissionState
    job_ids: list[str]
    error: str | None
    character: str | None
    moodboard: str | None
    source: str | None = None
    """What a post-production submission worked on (a job id, an upload id or a file path)."""
    created_at: float
    """Epoch seconds, like `Job.created_at`, so the two compare directly."""
    updated_at: float
    was_unclear: bool = False
    """Its outcome was unknown at some point (killed, timed out, no answer), so an agent must hear how it ended."""
    reported_at: float | None = None

    @property
    def open(self) -> bool:
        """True while it is unknown whether this submission created (and was charged for) jobs."""
        return self.state in OPEN_SUBMISSION_STATES


class JobRecord(BaseModel):
    """One Higgsfield job as this server knows it: what was asked, where it stands, where its files are."""

    model_config = ConfigDict(frozen=True)

    id: str
    submission_id: str | None
    model: str | None
    kind: JobKind
    status: str
    prompt: str | None
    params: dict[str, Any]
    result_urls: list[str]
    files: list[str]
    fail_reason: str | None
    note: str | None
    """Our own remark, e.g. why its outputs could not be saved."""
    character: str | None
    moodboard: str | None
    source: str | None = None
    """The job id, upload id or path a post-production job (reframe, dub, cut-out…) was made from."""
    created_at: float
    """Epoch seconds when the journal first heard of the job."""
    updated_at: float
    finished_at: float | None
    """When we were done with the job: terminal on Higgsfield and its outputs handled (`set_files`)."""
    download_error: str | None = None
    """Why saving its outputs failed last time; `retry_downloads` makes the poller try again."""

    @property
    def terminal(self) -> bool:
        """Higgsfield will not change this job any more (its outputs may still be unsaved)."""
        return self.status in TERMINAL_STATUSES

    @property
    def done(self) -> bool:
        return self.finished_at is not None


# --- schema -------------------------------------------------------------------------------------

Migration = Callable[[sqlite3.Connection], None]


def _v1(db: sqlite3.Connection) -> None:
    for statement in (
        """CREATE TABLE submissions (
            id TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'other',
            prompt TEXT,
            params TEXT NOT NULL DEFAULT '{}',
            media TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL,
            job_ids TEXT NOT NULL DEFAULT '[]',
            error TEXT,
            character TEXT,
            moodboard TEXT,
            owner TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        "CREATE INDEX submissions_state ON submissions (state)",
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            submission_id TEXT REFERENCES submissions (id),
            model TEXT,
            kind TEXT NOT NULL DEFAULT 'other',
            status TEXT NOT NULL,
            prompt TEXT,
            params TEXT NOT NULL DEFAULT '{}',
            result_urls TEXT NOT NULL DEFAULT '[]',
            files TEXT NOT NULL DEFAULT '[]',
            fail_reason TEXT,
            note TEXT,
            character TEXT,
            moodboard TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            finished_at REAL
        )""",
        "CREATE INDEX jobs_created ON jobs (created_at)",
        "CREATE INDEX jobs_model ON jobs (model, created_at)",
        "CREATE INDEX jobs_status ON jobs (status, created_at)",
        "CREATE INDEX jobs_character ON jobs (character, created_at)",
        "CREATE INDEX jobs_submission ON jobs (submission_id)",
        "CREATE INDEX jobs_unfinished ON jobs (finished_at) WHERE finished_at IS NULL",
    ):
        db.execute(statement)


def _v2(db: sqlite3.Connection) -> None:
    """Unclear outcomes reported once, download claims shared by servers, failed downloads kept retryable."""
    for statement in (
        # set when a submission was ever ambiguous; reported_at once an agent was told how it ended
        "ALTER TABLE submissions ADD COLUMN was_unclear INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE submissions ADD COLUMN reported_at REAL",
        "UPDATE submissions SET was_unclear = 1 WHERE state = 'ambiguous'",
        # a server about to fetch a job's outputs claims it until claimed_until, so another one sharing the home waits
        "ALTER TABLE jobs ADD COLUMN claimed_by TEXT",
        "ALTER TABLE jobs ADD COLUMN claimed_until REAL",
        # why the last download failed; the job is finished but `jobs wait/status/resume` fetch it again
        "ALTER TABLE jobs ADD COLUMN download_error TEXT",
    ):
        db.execute(statement)


def _v3(db: sqlite3.Connection) -> None:
    """Post-production: the job, upload or file a submission (and its jobs) was made from."""
    db.execute("ALTER TABLE submissions ADD COLUMN source TEXT")
    db.execute("ALTER TABLE jobs ADD COLUMN source TEXT")


MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3)
"""Migration n (1-based) brings the schema from version n-1 to n. Append, never edit."""

SCHEMA_VERSION = len(MIGRATIONS)


# --- the journal --------------------------------------------------------------------------------


class Journal:
    """The journal file, open for reading and writing. Thread-safe; one instance per process is enough."""

    def __init__(self, path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the job journal at {path}: {exc}") from exc
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            # FULL: a paid job's id must survive a power cut, not only a crash; one fsync per write is cheap here.
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
            _LIVE_OWNERS.add(self._owner)
            self._recover_interrupted()
        except BaseException as exc:
            self._db.close()
            _LIVE_OWNERS.discard(self._owner)
            if isinstance(exc, sqlite3.Error):
                raise JournalError(f"cannot use the job journal at {path}: {exc}") from exc
            raise

    def close(self) -> None:
        with self._lock:
            _LIVE_OWNERS.discard(self._owner)
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- submissions ------------------------------------------------------------------------

    def begin_submission(
        self,
        *,
        model: str,
        prompt: str | None = None,
        params: Mapping[str, Any] | None = None,
        media: MediaArg = None,
        kind: str = "other",
        character: str | None = None,
        moodboard: str | None = None,
        source: str | None = None,
    ) -> str:
        """Record a submission about to be sent; call this before the CLI, keep the id it returns.

        `media` is (role, path or id) pairs, or a mapping of role to one value or a list;
        `source` is what a post-production edit works on, inherited by its jobs.
        """
        submission_id = str(uuid.uuid4())
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO submissions (id, model, kind, prompt, params, media, state, character, moodboard, owner,"
                " created_at, updated_at, source) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
                (
                    submission_id,
                    model,
                    _kind(kind),
                    prompt,
                    _dump(params or {}),
                    _dump(_media_pairs(media)),
                    character,
                    moodboard,
                    self._owner,
                    now,
                    now,
                    source,
                ),
            )
        return submission_id

    def submitted(
        self,
        submission_id: str,
        job_ids: Sequence[str],
        *,
        kind: str | None = None,
        prompt: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> list[JobRecord]:
        """The CLI answered with job ids: mark the submission done and record its jobs in one transaction.

        Accepted from `pending` and from `ambiguous` (another server process may have taken
        this row for an orphan while the call was still running). The jobs inherit the
        submission's model, prompt, params, character and moodboard; `kind`, `prompt` and
        `params` override them when given.
        """
        return self._settle(
            submission_id,
            "submitted",
            job_ids,
            sources=("pending", "ambiguous"),
            kind=kind,
            prompt=prompt,
            params=params,
        )

    def reconciled(self, submission_id: str, job_ids: Sequence[str]) -> list[JobRecord]:
        """The jobs of an interrupted submission were found (via `generate list`); record them."""
        return self._settle(submission_id, "reconciled", job_ids, sources=("pending", "ambiguous"))

    def ambiguous(self, submission_id: str, error: str) -> bool:
        """The CLI call's outcome is unknown (timeout, garbled output, killed): reconcile before any retry.

        Returns False when the submission had already left `pending` (its outcome is known).
        """
        return self._set_state(submission_id, "ambiguous", error, sources=("pending",), unclear=True)

    def handed_over(self, submission_id: str) -> None:
        """The call returned while this submission was still running: report its outcome once, as unclear ones are.

        Its state is untouched (still `pending`, owned by this process, so no poller reconciles
        it); `jobs resume` waits for it and then shows what it made.
        """
        with self._write() as db:
            db.execute("UPDATE submissions SET was_unclear = 1 WHERE id = ? AND state = 'pending'", (submission_id,))

    def rejected(self, submission_id: str, error: str) -> bool:
        """The submission settled without a job: refused before anything was made, or given up on (`GAVE_UP`)."""
        return self._set_state(submission_id, "rejected", error, sources=("pending", "ambiguous"))

    def get_submission(self, submission_id: str) -> SubmissionRecord | None:
        row = self._read_one("SELECT * FROM submissions WHERE id = ?", (submission_id,))
        return _submission(row) if row else None

    def pending_submissions(self) -> list[SubmissionRecord]:
        """Submissions whose outcome is unknown, oldest first: each may have created paid jobs."""
        rows = self._read_all(
            "SELECT * FROM submissions WHERE state IN ('pending', 'ambiguous') ORDER BY created_at, rowid"
        )
        return [_submission(row) for row in rows]

    # --- jobs ---------------------------------------------------------------------------------

    def record_jobs(
        self,
        submission_id: str | None,
        job_ids: Sequence[str],
        *,
        model: str | None = None,
        kind: str = "other",
        prompt: str | None = None,
        params: Mapping[str, Any] | None = None,
        character: str | None = None,
        moodboard: str | None = None,
        status: str = "queued",
    ) -> list[JobRecord]:
        """Record jobs by id. An id already in the journal is left as it is (recording twice is harmless)."""
        with self._write() as db:
            self._insert_jobs(
                db,
                submission_id,
                job_ids,
                model=model,
                kind=kind,
                prompt=prompt,
                params=params or {},
                character=character,
                moodboard=moodboard,
                status=status,
            )
            rows = _select_ids(db, job_ids)
        return [_job(row) for row in rows]

    def update_from(self, job: Job) -> JobRecord:
        """Apply what the CLI says about a job (status, result URLs, fail reason).

        A job that already reached a terminal status keeps it: a late or stale poll never
        turns a finished job back into a running one. A job the journal has not seen yet
        (found while reconciling) is added. `finished_at` is left to `set_files`, so a job
        that turned terminal just before a crash still has its outputs saved after a restart.
        """
        self.update_many([job])
        record = self.get(job.id)
        if record is None:  # pragma: no cover - just written
            raise KeyError(f"no job {job.id!r} in the journal")
        return record

    def set_files(self, job_id: str, paths: Sequence[Path | str]) -> None:
        """Remember where a job's outputs were saved (absolute paths, in output order; empty if none).

        For a terminal job this also marks it finished: nothing is left to do for it.
        """
        now = time.time()
        terminal = ", ".join("?" for _ in TERMINAL_STATUSES)
        with self._write() as db:
            cursor = db.execute(
                "UPDATE jobs SET files = ?, updated_at = ?, claimed_by = NULL, claimed_until = NULL,"
                " note = CASE WHEN download_error IS NULL THEN note END, download_error = NULL,"
                f" finished_at = CASE WHEN status IN ({terminal}) THEN COALESCE(finished_at, ?) END WHERE id = ?",
                (_dump([str(p) for p in paths]), now, *sorted(TERMINAL_STATUSES), now, job_id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no job {job_id!r} in the journal")

    def note(self, job_id: str, text: str) -> None:
        """Attach a remark for the user (e.g. why the outputs are not on disk); replaces the previous one."""
        with self._write() as db:
            cursor = db.execute("UPDATE jobs SET note = ?, updated_at = ? WHERE id = ?", (text, time.time(), job_id))
            if cursor.rowcount == 0:
                raise KeyError(f"no job {job_id!r} in the journal")

    def update_many(self, jobs: Sequence[Job]) -> list[JobRecord]:
        """`update_from` for a whole poll round in one transaction; rows the round did not change are not written.

        Returns the records that changed (new, or a different status, URLs or fail reason).
        """
        if not jobs:
            return []
        now = time.time()
        changed: list[str] = []
        with self._write() as db:
            known = {row["id"]: row for row in _select_ids(db, [job.id for job in jobs])}
            for job in jobs:
                row = known.get(job.id)
                if row is None:
                    prompt = job.params.get("prompt")
                    db.execute(
                        "INSERT OR IGNORE INTO jobs (id, model, kind, status, prompt, params, result_urls, fail_reason,"
                        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            job.id,
                            job.model,
                            _kind_from_urls(job.outputs),
                            job.status,
                            prompt if isinstance(prompt, str) else None,
                            _dump(job.params),
                            _dump(job.outputs),
                            job.fail_reason,
                            job.created_at or now,
                            now,
                        ),
                    )
                    changed.append(job.id)
                    continue
                status = row["status"] if row["status"] in TERMINAL_STATUSES else job.status
                old_urls = json.loads(row["result_urls"])
                urls = list(dict.fromkeys([*old_urls, *job.outputs]))
                reason = job.fail_reason or row["fail_reason"]
                model = row["model"] or job.model
                if (status, urls, reason, model) == (row["status"], old_urls, row["fail_reason"], row["model"]):
                    continue
                db.execute(
                    "UPDATE jobs SET status = ?, result_urls = ?, fail_reason = ?, model = ?, updated_at = ?"
                    " WHERE id = ?",
                    (status, _dump(urls), reason, model, now, job.id),
                )
                changed.append(job.id)
            rows = _select_ids(db, changed)
        return [_job(r) for r in rows]

    def claim_download(self, job_id: str, *, seconds: float) -> bool:
        """Take the right to fetch this job's outputs for `seconds`; False while another server holds it.

        The journal is what servers sharing a home agree on, so a result is fetched once even
        when two or three of them see it complete in the same round. A claim that runs out
        (its server died mid-download) can be taken by anyone.
        """
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "UPDATE jobs SET claimed_by = ?, claimed_until = ? WHERE id = ? AND finished_at IS NULL"
                " AND (claimed_by IS NULL OR claimed_by = ? OR claimed_until < ?)",
                (self._owner, now + seconds, job_id, self._owner, now),
            )
            return cursor.rowcount > 0

    def release_claim(self, job_id: str) -> None:
        """Give up this server's claim without saving (it is stopping): another server may fetch the job at once."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                (job_id, self._owner),
            )

    def download_failed(self, job_id: str, error: str, note: str) -> None:
        """Saving the outputs failed: the job is finished for waiters, with the reason, and stays retryable."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "UPDATE jobs SET download_error = ?, note = ?, files = '[]', claimed_by = NULL, claimed_until = NULL,"
                " finished_at = COALESCE(finished_at, ?), updated_at = ? WHERE id = ?",
                (error, note, now, now, job_id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no job {job_id!r} in the journal")

    def retry_downloads(self, job_ids: Sequence[str] | None = None) -> list[str]:
        """Reopen jobs whose download failed (these ids, or all) so the poller fetches them again; returns their ids."""
        where = "download_error IS NOT NULL"
        args: tuple[Any, ...] = ()
        if job_ids is not None:
            if not job_ids:
                return []
            where += f" AND id IN ({', '.join('?' for _ in job_ids)})"
            args = tuple(job_ids)
        with self._write() as db:
            ids = [row["id"] for row in db.execute(f"SELECT id FROM jobs WHERE {where}", args).fetchall()]
            db.executemany(
                "UPDATE jobs SET finished_at = NULL, updated_at = ? WHERE id = ?", [(time.time(), i) for i in ids]
            )
        return ids

    def unreported_outcomes(self) -> list[SubmissionRecord]:
        """Submissions that were unclear and have since been settled, not yet told to any agent; oldest first."""
        rows = self._read_all(
            "SELECT * FROM submissions WHERE was_unclear = 1 AND reported_at IS NULL"
            " AND state NOT IN ('pending', 'ambiguous') ORDER BY created_at, rowid"
        )
        return [_submission(row) for row in rows]

    def mark_reported(self, submission_ids: Sequence[str]) -> None:
        now = time.time()
        with self._write() as db:
            db.executemany(
                "UPDATE submissions SET reported_at = ? WHERE id = ? AND reported_at IS NULL",
                [(now, i) for i in submission_ids],
            )

    def known_job_ids(self, job_ids: Sequence[str]) -> set[str]:
        """Which of these job ids the journal already holds."""
        if not job_ids:
            return set()
        with self._lock, self._sqlite_errors():
            return {row["id"] for row in _select_ids(self._db, job_ids)}

    def get(self, job_id: str) -> JobRecord | None:
        row = self._read_one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    def unfinished(self) -> list[JobRecord]:
        """Jobs not finished yet, oldest first: still running, or terminal with outputs not yet saved.

        This is what a restarted server resumes: polling the running ones, saving the rest.
        """
        rows = self._read_all("SELECT * FROM jobs WHERE finished_at IS NULL ORDER BY created_at, rowid")
        return [_job(row) for row in rows]

    def count_unfinished(self) -> int:
        """How many jobs `unfinished` would return, without reading them."""
        row = self._read_one("SELECT COUNT(*) AS n FROM jobs WHERE finished_at IS NULL")
        return int(row["n"]) if row else 0

    def history(
        self,
        *,
        model: str | None = None,
        status: str | None = None,
        since: datetime | float | None = None,
        until: datetime | float | None = None,
        character: str | None = None,
        limit: int = 50,
    ) -> list[JobRecord]:
        """Jobs newest first, filtered; `since` is inclusive and `until` exclusive."""
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("model", model), ("status", status), ("character", character)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("created_at >= ?")
            args.append(_epoch(since))
        if until is not None:
            where.append("created_at < ?")
            args.append(_epoch(until))
        sql = "SELECT * FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
        args.append(max(0, limit))
        return [_job(row) for row in self._read_all(sql, tuple(args))]

    # --- internals ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; the lock serialises threads sharing this connection."""
        with self._lock, self._sqlite_errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read_one(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self._lock, self._sqlite_errors():
            row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
            return row

    def _read_all(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock, self._sqlite_errors():
            return list(self._db.execute(sql, args).fetchall())

    @contextlib.contextmanager
    def _sqlite_errors(self) -> Iterator[None]:
        """SQLite failures (disk full, locked for longer than the busy timeout) as a JournalError with a fix."""
        try:
            yield
        except sqlite3.Error as exc:
            raise JournalError(f"the job journal at {self.path} failed: {exc}") from exc

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            current = int(row["version"]) if row else 0
            if current > SCHEMA_VERSION:
                raise JournalTooNew(
                    f"the job journal at {self.path} has schema version {current}; this higgsfield-mcp knows "
                    f"up to {SCHEMA_VERSION}"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                log.info("migrating the job journal at %s to schema version %d", self.path, version)
                MIGRATIONS[version - 1](db)
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            elif current != SCHEMA_VERSION:
                db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def _recover_interrupted(self) -> None:
        """Mark `pending` rows whose server is gone as ambiguous: that server died mid-call.

        A row owned by another live process on this machine (a second server sharing the
        journal) is left alone; its call may still be running. Rows from another machine
        cannot be checked and stay `pending`, which `pending_submissions` reports all the same.
        """
        host = socket.gethostname()
        with self._write() as db:
            rows = db.execute("SELECT id, owner FROM submissions WHERE state = 'pending'").fetchall()
            orphans = [row["id"] for row in rows if _orphaned(row["owner"], host)]
            now = time.time()
            for submission_id in orphans:
                db.execute(
                    "UPDATE submissions SET state = 'ambiguous', was_unclear = 1, error = ?, updated_at = ?"
                    " WHERE id = ?",
                    (INTERRUPTED_ERROR, now, submission_id),
                )
        if orphans:
            log.warning("%d submission(s) were interrupted by a restart and need reconciling", len(orphans))

    def _settle(
        self,
        submission_id: str,
        state: SubmissionState,
        job_ids: Sequence[str],
        *,
        sources: tuple[SubmissionState, ...],
        kind: str | None = None,
        prompt: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> list[JobRecord]:
        now = time.time()
        ids = list(dict.fromkeys(job_ids))
        with self._write() as db:
            row = db.execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()
            if row is None:
                raise KeyError(f"no submission {submission_id!r} in the journal")
            if row["state"] in sources:
                db.execute(
                    "UPDATE submissions SET state = ?, job_ids = ?, error = NULL, updated_at = ? WHERE id = ?",
                    (state, _dump(ids), now, submission_id),
                )
            else:
                # settled already (e.g. reconciled by another process): keep its state, add any new ids
                known = json.loads(row["job_ids"])
                db.execute(
                    "UPDATE submissions SET job_ids = ?, updated_at = ? WHERE id = ?",
                    (_dump(list(dict.fromkeys([*known, *ids]))), now, submission_id),
                )
            self._insert_jobs(
                db,
                submission_id,
                ids,
                model=row["model"],
                kind=kind or row["kind"],
                prompt=prompt if prompt is not None else row["prompt"],
                params=params if params is not None else json.loads(row["params"]),
                character=row["character"],
                moodboard=row["moodboard"],
                status="queued",
                source=row["source"],
            )
            rows = _select_ids(db, ids)
        return [_job(r) for r in rows]

    def _set_state(
        self,
        submission_id: str,
        state: SubmissionState,
        error: str,
        *,
        sources: tuple[SubmissionState, ...],
        unclear: bool = False,
    ) -> bool:
        marks = ", ".join("?" for _ in sources)
        with self._write() as db:
            cursor = db.execute(
                "UPDATE submissions SET state = ?, error = ?, updated_at = ?, was_unclear = MAX(was_unclear, ?)"
                f" WHERE id = ? AND state IN ({marks})",
                (state, error, time.time(), int(unclear), submission_id, *sources),
            )
            exists = db.execute("SELECT 1 FROM submissions WHERE id = ?", (submission_id,)).fetchone()
            if exists is None:
                raise KeyError(f"no submission {submission_id!r} in the journal")
            return cursor.rowcount > 0

    @staticmethod
    def _insert_jobs(
        db: sqlite3.Connection,
        submission_id: str | None,
        job_ids: Sequence[str],
        *,
        model: str | None,
        kind: str,
        prompt: str | None,
        params: Mapping[str, Any],
        character: str | None,
        moodboard: str | None,
        status: str,
        source: str | None = None,
    ) -> None:
        now = time.time()
        db.executemany(
            "INSERT OR IGNORE INTO jobs (id, submission_id, model, kind, status, prompt, params, character, moodboard,"
            " created_at, updated_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    job_id,
                    submission_id,
                    model,
                    _kind(kind),
                    status,
                    prompt,
                    _dump(params),
                    character,
                    moodboard,
                    now,
                    now,
                    source,
                )
                for job_id in job_ids
            ],
        )


# --- helpers ------------------------------------------------------------------------------------


def _orphaned(owner: str | None, host: str) -> bool:
    if not owner:
        return True
    owner_host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if owner_host != host:
        return False
    if owner in _LIVE_OWNERS:
        return False
    try:
        pid = int(pid_text)
    except ValueError:
        return True
    return pid == os.getpid() or not _process_alive(pid)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, just not ours to signal
    except OSError:
        return False
    return True


def _select_ids(db: sqlite3.Connection, job_ids: Sequence[str]) -> list[sqlite3.Row]:
    if not job_ids:
        return []
    by_id = {
        row["id"]: row
        for row in db.execute(
            f"SELECT * FROM jobs WHERE id IN ({', '.join('?' for _ in job_ids)})", tuple(job_ids)
        ).fetchall()
    }
    return [by_id[i] for i in dict.fromkeys(job_ids) if i in by_id]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _kind(kind: str) -> JobKind:
    return kind if kind in _JOB_KINDS else "other"  # type: ignore[return-value]


_EXTENSION_KINDS: dict[str, JobKind] = {
    **dict.fromkeys(("png", "jpg", "jpeg", "webp", "gif", "avif", "heic"), "image"),
    **dict.fromkeys(("mp4", "mov", "webm", "m4v"), "video"),
    **dict.fromkeys(("mp3", "wav", "m4a", "ogg", "flac", "aac"), "audio"),
    **dict.fromkeys(("glb", "gltf", "obj", "fbx", "usdz", "stl", "ply"), "3d"),
}


def _kind_from_urls(urls: Sequence[str]) -> JobKind:
    for url in urls:
        suffix = url.split("?", 1)[0].rsplit("/", 1)[-1].rpartition(".")[2].lower()
        if suffix in _EXTENSION_KINDS:
            return _EXTENSION_KINDS[suffix]
    return "other"


def _media_pairs(media: MediaArg) -> list[tuple[str, str]]:
    if media is None:
        return []
    if isinstance(media, Mapping):
        pairs: list[tuple[str, str]] = []
        for role, values in media.items():
            for value in [values] if isinstance(values, str | Path) else values:
                pairs.append((str(role), str(value)))
        return pairs
    return [(str(role), str(value)) for role, value in media]


def _epoch(value: datetime | float) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return float(value)


def _submission(row: sqlite3.Row) -> SubmissionRecord:
    return SubmissionRecord(
        id=row["id"],
        model=row["model"],
        kind=_kind(row["kind"]),
        prompt=row["prompt"],
        params=json.loads(row["params"]),
        media=[(str(role), str(value)) for role, value in json.loads(row["media"])],
        state=row["state"],
        job_ids=json.loads(row["job_ids"]),
        error=row["error"],
        character=row["character"],
        moodboard=row["moodboard"],
        source=row["source"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        was_unclear=bool(row["was_unclear"]),
        reported_at=row["reported_at"],
    )


def _job(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        id=row["id"],
        submission_id=row["submission_id"],
        model=row["model"],
        kind=_kind(row["kind"]),
        status=row["status"],
        prompt=row["prompt"],
        params=json.loads(row["params"]),
        result_urls=json.loads(row["result_urls"]),
        files=json.loads(row["files"]),
        fail_reason=row["fail_reason"],
        note=row["note"],
        character=row["character"],
        moodboard=row["moodboard"],
        source=row["source"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        download_error=row["download_error"],
    )
