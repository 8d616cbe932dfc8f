"""The job journal: round trips, restarts, sticky terminal statuses, filters, two writers at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from higgsfield_mcp.adapters.cli.models import Job
from higgsfield_mcp.adapters.journal import (
    INTERRUPTED_ERROR,
    SCHEMA_VERSION,
    Journal,
    JournalError,
    JournalTooNew,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "journal.sqlite3"


@pytest.fixture
def journal(path: Path) -> Iterator[Journal]:
    with Journal(path) as j:
        yield j


def _submit(journal: Journal, model: str = "nano_banana", character: str | None = None) -> tuple[str, list[str]]:
    sid = journal.begin_submission(model=model, prompt="a red fox", params={"aspect_ratio": "1:1"}, character=character)
    ids = [f"{sid[:8]}-job-{n}" for n in range(2)]
    journal.submitted(sid, ids)
    return sid, ids


def test_submission_round_trip(journal: Journal) -> None:
    sid = journal.begin_submission(
        model="kling3_0",
        prompt='-starts with a dash, has "quotes" and $(x)\nand a newline',
        params={"duration": 5, "aspect_ratio": "16:9"},
        media=[("start_image", "/abs/a.png"), ("image", "2667d05c-0000-4000-8000-000000000000")],
        kind="video",
        character="mara",
        moodboard="noir",
    )
    pending = journal.get_submission(sid)
    assert pending is not None
    assert pending.state == "pending" and pending.open
    assert pending.media == [("start_image", "/abs/a.png"), ("image", "2667d05c-0000-4000-8000-000000000000")]

    jobs = journal.submitted(sid, ["job-a", "job-b"])
    assert [j.id for j in jobs] == ["job-a", "job-b"]
    done = journal.get_submission(sid)
    assert done is not None and done.state == "submitted" and not done.open
    assert done.job_ids == ["job-a", "job-b"]

    job = journal.get("job-a")
    assert job is not None
    assert job.submission_id == sid
    assert job.model == "kling3_0" and job.kind == "video" and job.status == "queued"
    assert job.prompt == pending.prompt
    assert job.params == {"duration": 5, "aspect_ratio": "16:9"}
    assert job.character == "mara" and job.moodboard == "noir"
    assert job.finished_at is None and not job.terminal and not job.done
    assert journal.pending_submissions() == []


def test_media_as_a_mapping(journal: Journal) -> None:
    sid = journal.begin_submission(model="m", media={"image": ["/a.png", Path("/b.png")], "audio": "/c.mp3"})
    record = journal.get_submission(sid)
    assert record is not None
    assert record.media == [("image", "/a.png"), ("image", "/b.png"), ("audio", "/c.mp3")]


def test_submitted_overrides_for_jobs(journal: Journal) -> None:
    sid = journal.begin_submission(model="m", prompt="draft", params={"a": 1})
    [job] = journal.submitted(sid, ["j"], kind="image", prompt="final", params={"a": 2})
    assert (job.kind, job.prompt, job.params) == ("image", "final", {"a": 2})
    assert journal.submitted(journal.begin_submission(model="m"), ["k"], kind="hologram")[0].kind == "other"


def test_job_updates_and_files(journal: Journal, tmp_path: Path) -> None:
    _, (job_id, _) = _submit(journal)
    journal.update_from(Job(id=job_id, status="in_progress"))
    record = journal.update_from(
        Job.model_validate({"id": job_id, "status": "completed", "result_url": "https://cdn.higgsfield.ai/a.png"})
    )
    assert record.status == "completed" and record.terminal
    assert record.result_urls == ["https://cdn.higgsfield.ai/a.png"]
    assert record.finished_at is None  # outputs not saved yet: still ours to finish
    assert job_id in {j.id for j in journal.unfinished()}
    journal.set_files(job_id, [tmp_path / "a.png"])
    again = journal.get(job_id)
    assert again is not None and again.files == [str(tmp_path / "a.png")]
    assert again.done and again.finished_at is not None and again.finished_at >= record.created_at
    assert job_id not in {j.id for j in journal.unfinished()}
    with pytest.raises(KeyError):
        journal.set_files("nope", [])


def test_files_on_a_running_job_do_not_finish_it(journal: Journal) -> None:
    _, (job_id, _) = _submit(journal)
    journal.set_files(job_id, ["/partial.png"])
    record = journal.get(job_id)
    assert record is not None and not record.done


def test_notes(journal: Journal) -> None:
    _, (job_id, _) = _submit(journal)
    journal.note(job_id, "download failed: host not allowed")
    record = journal.get(job_id)
    assert record is not None and record.note == "download failed: host not allowed"
    with pytest.raises(KeyError):
        journal.note("nope", "x")


def test_terminal_status_sticks(journal: Journal) -> None:
    _, (job_id, _) = _submit(journal)
    journal.update_from(Job.model_validate({"id": job_id, "status": "failed", "fail_reason": "nsfw input"}))
    journal.set_files(job_id, [])
    finished = journal.get(job_id)
    assert finished is not None and finished.done
    for late in ("in_progress", "queued", "completed"):
        record = journal.update_from(Job(id=job_id, status=late))
        assert record.status == "failed"
        assert record.fail_reason == "nsfw input"
        assert record.finished_at == finished.finished_at


def test_unknown_job_is_added_by_update(journal: Journal) -> None:
    record = journal.update_from(
        Job.model_validate(
            {
                "id": "web-job",
                "status": "completed",
                "job_type": "seedance1_5",
                "result_url": "https://cdn.higgsfield.ai/x.mp4",
                "params": {"prompt": "made on the website"},
            }
        )
    )
    assert record.submission_id is None
    assert record.kind == "video" and record.model == "seedance1_5" and record.prompt == "made on the website"


def test_unfinished_lists_jobs_not_done(journal: Journal) -> None:
    _, (a, b) = _submit(journal)
    _, (c, _d) = _submit(journal)
    journal.update_from(Job(id=a, status="completed"))
    journal.set_files(a, ["/a.png"])
    journal.update_from(Job(id=b, status="waiting"))  # a status we may never have seen: still running
    journal.update_from(Job(id=c, status="completed"))  # terminal, outputs not saved (e.g. crash before download)
    unfinished = journal.unfinished()
    assert [j.id for j in unfinished] == [b, c, _d]
    assert [j.terminal for j in unfinished] == [False, True, False]


def test_state_transitions(journal: Journal) -> None:
    timed_out = journal.begin_submission(model="m")
    assert journal.ambiguous(timed_out, "CLI timed out")
    assert not journal.ambiguous(timed_out, "again")  # only from pending
    assert [s.id for s in journal.pending_submissions()] == [timed_out]
    journal.reconciled(timed_out, ["found-1"])
    found = journal.get_submission(timed_out)
    assert found is not None and found.state == "reconciled" and found.error is None
    assert journal.get("found-1") is not None

    refused = journal.begin_submission(model="m")
    assert journal.rejected(refused, "Invalid values: aspect_ratio=7:1")
    record = journal.get_submission(refused)
    assert record is not None and record.state == "rejected" and record.error and "7:1" in record.error
    assert journal.pending_submissions() == []

    # a late answer for a submission another process already reconciled keeps `reconciled`
    journal.submitted(timed_out, ["found-1", "found-2"])
    late = journal.get_submission(timed_out)
    assert late is not None and late.state == "reconciled" and late.job_ids == ["found-1", "found-2"]

    with pytest.raises(KeyError):
        journal.submitted("missing", ["x"])
    with pytest.raises(KeyError):
        journal.rejected("missing", "x")


def test_restart_keeps_everything(path: Path) -> None:
    with Journal(path) as first:
        sid, ids = _submit(first, character="mara")
        first.update_from(Job.model_validate({"id": ids[0], "status": "completed", "result_url": "https://c/a.png"}))
        first.set_files(ids[0], ["/media/a.png"])
        first.update_from(Job(id=ids[1], status="in_progress"))
        open_sid = first.begin_submission(model="m")
        first.ambiguous(open_sid, "garbled output")
    with Journal(path) as second:
        job = second.get(ids[0])
        assert job is not None and job.status == "completed" and job.files == ["/media/a.png"]
        assert job.character == "mara"
        assert [j.id for j in second.unfinished()] == [ids[1]]
        submission = second.get_submission(sid)
        assert submission is not None and submission.job_ids == ids
        assert [s.id for s in second.pending_submissions()] == [open_sid]


def test_pending_becomes_ambiguous_after_restart(path: Path) -> None:
    first = Journal(path)
    sid = first.begin_submission(model="m", prompt="the server dies during this call")
    first.close()
    with Journal(path) as second:
        [record] = second.pending_submissions()
        assert record.id == sid and record.state == "ambiguous" and record.error == INTERRUPTED_ERROR


DIES_MID_CALL = """
import os, sys
from pathlib import Path
from higgsfield_mcp.adapters.journal import Journal
journal = Journal(Path(sys.argv[1]))
print(journal.begin_submission(model="m", prompt="killed"), flush=True)
os._exit(9)
"""


def test_pending_of_a_dead_process_becomes_ambiguous(path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", DIES_MID_CALL, str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert child.returncode == 9, child.stderr
    sid = child.stdout.strip()
    with Journal(path) as journal:
        record = journal.get_submission(sid)
        assert record is not None and record.state == "ambiguous"


def test_pending_of_a_live_journal_is_left_alone(path: Path) -> None:
    with Journal(path) as first:
        sid = first.begin_submission(model="m")
        with Journal(path) as second:  # a second server starting while the first is mid-call
            record = second.get_submission(sid)
            assert record is not None and record.state == "pending"
        first.submitted(sid, ["j"])
        done = first.get_submission(sid)
        assert done is not None and done.state == "submitted"


def test_history_filters(journal: Journal) -> None:
    for model, character in (("nano_banana", "mara"), ("kling3_0", "mara"), ("nano_banana", None)):
        sid = journal.begin_submission(model=model, character=character)
        journal.submitted(sid, [f"{model}-{character}"])
    journal.update_from(Job(id="kling3_0-mara", status="completed"))
    assert [j.id for j in journal.history()] == ["nano_banana-None", "kling3_0-mara", "nano_banana-mara"]
    assert {j.id for j in journal.history(model="nano_banana")} == {"nano_banana-None", "nano_banana-mara"}
    assert [j.id for j in journal.history(status="completed")] == ["kling3_0-mara"]
    assert {j.id for j in journal.history(character="mara")} == {"kling3_0-mara", "nano_banana-mara"}
    assert [j.id for j in journal.history(model="nano_banana", character="mara")] == ["nano_banana-mara"]
    assert len(journal.history(limit=2)) == 2
    now = datetime.now(UTC)
    assert len(journal.history(since=now - timedelta(minutes=1))) == 3
    assert journal.history(since=now + timedelta(minutes=1)) == []
    assert journal.history(until=now - timedelta(minutes=1)) == []
    assert len(journal.history(until=time.time() + 60)) == 3


def test_history_uses_indices(journal: Journal, path: Path) -> None:
    db = sqlite3.connect(path)
    try:
        for column in ("model", "status", "character"):
            plan = db.execute(
                f"EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE {column} = ? ORDER BY created_at DESC LIMIT 50", ("x",)
            ).fetchall()
            assert any("USING INDEX" in str(row[-1]) for row in plan), (column, plan)
    finally:
        db.close()


def test_schema_version_and_newer_file(path: Path) -> None:
    Journal(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(JournalTooNew) as caught:
        Journal(path)
    assert "Upgrade" in caught.value.remedy


def test_garbage_file_is_a_clear_error(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(JournalError) as caught:
        Journal(path)
    assert str(path) in caught.value.message and "HIGGSFIELD_MCP_HOME" in caught.value.remedy


def test_two_connections_write_concurrently(path: Path) -> None:
    """Two journals on one file (as two server processes would have), 8 threads, 50 submissions each."""
    journals = [Journal(path, busy_timeout=30), Journal(path, busy_timeout=30)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        journal = journals[n % 2]
        try:
            barrier.wait()
            for i in range(50):
                sid = journal.begin_submission(model=f"model-{n}", prompt=f"{n}-{i}")
                job_id = f"job-{n}-{i}"
                journal.submitted(sid, [job_id])
                journal.update_from(Job(id=job_id, status="completed" if i % 2 else "in_progress"))
                if i % 2:
                    journal.set_files(job_id, [f"/media/{job_id}.png"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for journal in journals:
        journal.close()

    assert errors == []
    with Journal(path) as fresh:
        assert fresh.pending_submissions() == []
        assert len(fresh.history(limit=10_000)) == 400
        assert len(fresh.history(status="completed", limit=10_000)) == 200
        assert len(fresh.unfinished()) == 200
        for n in range(8):
            assert len(fresh.history(model=f"model-{n}", limit=10_000)) == 50


def test_source_is_kept_and_inherited_and_v1_files_migrate(path: Path) -> None:
    from higgsfield_mcp.adapters import journal as journal_module

    db = sqlite3.connect(path.parent.mkdir(parents=True) or path)
    journal_module._v1(db)  # a journal written before post-production existed
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version (version) VALUES (1)")
    db.execute(
        "INSERT INTO jobs (id, model, kind, status, created_at, updated_at) VALUES ('old', 'z_image', 'image', "
        "'completed', 1, 1)"
    )
    db.commit()
    db.close()
    with Journal(path) as journal:
        old = journal.get("old")
        assert old is not None and old.source is None
        sid = journal.begin_submission(model="reframe", kind="video", params={"aspect_ratio": "9:16"}, source="clip-1")
        [job] = journal.submitted(sid, ["edit-1"])
        assert job.source == "clip-1" and job.kind == "video"
        assert journal.get_submission(sid).source == "clip-1"  # type: ignore[union-attr]
    with Journal(path) as journal:
        assert journal.get("edit-1").source == "clip-1"  # type: ignore[union-attr]
        assert sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)
