"""Journal schema 2: an old journal opens, rounds skip unchanged rows, claims are exclusive, downloads retry."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from higgsfield_mcp.adapters import journal as journal_module
from higgsfield_mcp.adapters.cli.models import Job
from higgsfield_mcp.adapters.journal import SCHEMA_VERSION, Journal


def _job(job_id: str, status: str = "in_progress", urls: list[str] | None = None) -> Job:
    data = {"id": job_id, "status": status, "job_type": "z_image", "created_at": time.time(), "params": {}}
    if urls:
        data["result_url"], data["result_urls"] = urls[0], urls
    return Job.model_validate(data)


def _v1_journal(path: Path) -> None:
    """A journal exactly as schema 1 wrote it, with an unclear submission and a running job."""
    db = sqlite3.connect(path, isolation_level=None)
    journal_module._v1(db)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version (version) VALUES (1)")
    now = time.time()
    db.execute(
        "INSERT INTO submissions (id, model, state, error, owner, created_at, updated_at)"
        " VALUES ('s1', 'z_image', 'ambiguous', 'killed', 'elsewhere:1:x', ?, ?)",
        (now, now),
    )
    db.execute(
        "INSERT INTO jobs (id, submission_id, model, status, created_at, updated_at)"
        " VALUES ('j1', NULL, 'z_image', 'queued', ?, ?)",
        (now, now),
    )
    db.close()


def test_a_schema_1_journal_opens_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    _v1_journal(path)
    with Journal(path) as journal:
        [sub] = journal.pending_submissions()
        assert sub.id == "s1" and sub.was_unclear and sub.reported_at is None
        job = journal.get("j1")
        assert job is not None and job.download_error is None and job.status == "queued"
        journal.reconciled("s1", ["j2"])
        assert [s.id for s in journal.unreported_outcomes()] == ["s1"]
        journal.mark_reported(["s1"])
        assert journal.unreported_outcomes() == []
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_a_round_writes_only_what_changed(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        journal.record_jobs(None, [f"j{i}" for i in range(50)], model="z_image")
        changed = journal.update_many([_job(f"j{i}") for i in range(50)])
        assert len(changed) == 50
        before = journal._db.total_changes
        assert journal.update_many([_job(f"j{i}") for i in range(50)]) == []
        assert journal._db.total_changes == before, "an unchanged round writes no row"
        [done] = journal.update_many([_job("j7", "completed", ["https://cdn/x.png"])])
        assert done.id == "j7" and done.result_urls == ["https://cdn/x.png"]
        assert journal.update_many([_job("j7", "in_progress")]) == [], "a terminal status is kept"


def test_only_one_server_claims_a_download(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as first, Journal(path) as second:
        first.record_jobs(None, ["j1"], model="z_image")
        first.update_many([_job("j1", "completed", ["https://cdn/a.png"])])
        assert first.claim_download("j1", seconds=60)
        assert not second.claim_download("j1", seconds=60), "held by the first server"
        assert first.claim_download("j1", seconds=60), "the holder may renew"
        first.set_files("j1", [])
        assert not second.claim_download("j1", seconds=60), "nothing left to fetch once finished"
        second.record_jobs(None, ["j2"], model="z_image")
        assert second.claim_download("j2", seconds=-1)  # a claim that has already run out
        assert first.claim_download("j2", seconds=60), "an expired claim is taken over"


def test_failed_download_is_finished_with_a_note_and_retryable(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3") as journal:
        journal.record_jobs(None, ["j1", "j2"], model="z_image")
        journal.update_many([_job("j1", "completed", ["https://cdn/a.png"])])
        journal.download_failed("j1", "HTTP 503", "download failed: HTTP 503")
        record = journal.get("j1")
        assert record is not None and record.done and record.files == [] and record.download_error == "HTTP 503"
        assert journal.retry_downloads(["j2"]) == []
        assert journal.retry_downloads(["j1"]) == ["j1"]
        assert [r.id for r in journal.unfinished()] == ["j1", "j2"]
        journal.set_files("j1", ["/tmp/a.png"])
        saved = journal.get("j1")
        assert saved is not None and saved.done and saved.note is None and saved.download_error is None
