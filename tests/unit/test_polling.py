"""The poller's reconciliation rules, deterministically, with a fake CLI and a real journal."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from higgsfield_mcp.adapters.cli.models import Job
from higgsfield_mcp.adapters.journal import Journal
from higgsfield_mcp.domain.generation.polling import JobPoller


class FakeCLI:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.calls: list[str] = []

    async def list_jobs(self, *, kind: str | None = None, size: int = 20, cursor: float | None = None) -> list[Job]:
        self.calls.append("list")
        newest = sorted(self.jobs, key=lambda j: -(j.created_at or 0))
        if cursor is not None:
            newest = [j for j in newest if (j.created_at or 0) < cursor]
        return newest[:size]

    async def get_job(self, job_id: str) -> Job:
        self.calls.append("get")
        return next(j for j in self.jobs if j.id == job_id)


async def _no_files(job: Job, record: Any) -> list[str]:
    return []


def _poller(journal: Journal, cli: FakeCLI) -> JobPoller:
    return JobPoller(cli, journal, interval=0.01, finish=_no_files)  # type: ignore[arg-type]


def _job(job_id: str, prompt: str, status: str = "in_progress") -> Job:
    return Job.model_validate(
        {"id": job_id, "status": status, "job_type": "z_image", "created_at": time.time(), "params": {"prompt": prompt}}
    )


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")


async def test_in_flight_submission_is_left_to_its_caller(journal: Journal) -> None:
    sub = journal.begin_submission(model="z_image", prompt="a kite")
    cli = FakeCLI([_job("j1", "a kite")])  # its job already shows in the list, before the submit returned
    await _poller(journal, cli).tick()
    record = journal.get_submission(sub)
    assert record is not None and record.state == "pending" and record.job_ids == []
    journal.submitted(sub, ["j1"])
    assert journal.get_submission(sub).state == "submitted"  # type: ignore[union-attr]


async def test_ambiguous_submission_is_reconciled_by_prompt_and_model(journal: Journal) -> None:
    sub = journal.begin_submission(model="z_image", prompt="a kite")
    journal.ambiguous(sub, "garbled answer")
    cli = FakeCLI([_job("other", "something else"), _job("j1", "a kite")])
    await _poller(journal, cli).tick()
    record = journal.get_submission(sub)
    assert record is not None and record.state == "reconciled" and record.job_ids == ["j1"]
    assert journal.get("j1") is not None and journal.get("other") is None


async def test_orphaned_pending_submission_is_reconciled(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = journal.begin_submission(model="z_image", prompt="a kite")
    later = time.time() + 3600  # its caller would have given up long ago
    monkeypatch.setattr("higgsfield_mcp.domain.generation.polling.time.time", lambda: later)
    await _poller(journal, FakeCLI([_job("j1", "a kite")])).tick()
    assert journal.get_submission(sub).state == "reconciled"  # type: ignore[union-attr]


async def test_one_list_call_per_tick_for_many_jobs(journal: Journal) -> None:
    jobs = [_job(f"j{i}", f"p{i}") for i in range(12)]
    for i, job in enumerate(jobs):
        sub = journal.begin_submission(model="z_image", prompt=f"p{i}")
        journal.submitted(sub, [job.id])
    cli = FakeCLI(jobs)
    await _poller(journal, cli).tick()
    assert cli.calls == ["list"], "one generate list covers every pending job"


async def test_two_hundred_pending_jobs_are_all_refreshed_every_round(journal: Journal) -> None:
    """Case 7: `generate list` is paged with --cursor, so no job beyond the newest 100 starves."""
    base = time.time()
    jobs = [
        Job.model_validate(
            {"id": f"j{i}", "status": "queued", "job_type": "z_image", "created_at": base + i * 0.001, "params": {}}
        )
        for i in range(200)
    ]
    journal.record_jobs(None, [j.id for j in jobs], model="z_image")
    cli = FakeCLI(jobs)
    poller = _poller(journal, cli)
    for round_ in range(5):
        for job in jobs:  # every job moves on between rounds
            job.status = "in_progress" if round_ % 2 == 0 else "queued"
        cli.calls.clear()
        await poller.tick()
        assert len(cli.calls) <= 3, f"round {round_}: {cli.calls}"
        stale = [r.id for r in journal.unfinished() if r.status != jobs[0].status]
        assert stale == [], f"round {round_}: {len(stale)} job(s) not refreshed"


async def test_an_unchanged_round_writes_nothing(journal: Journal) -> None:
    jobs = [_job(f"j{i}", f"p{i}") for i in range(30)]
    journal.record_jobs(None, [j.id for j in jobs], model="z_image")
    poller = _poller(journal, FakeCLI(jobs))
    await poller.tick()
    before = journal._db.total_changes
    await poller.tick()
    assert journal._db.total_changes == before, "nothing changed, so no row was written"


async def test_jobs_beyond_the_pages_are_fetched_in_rotation(journal: Journal) -> None:
    """A CLI that cannot page: the older jobs are fetched a few per round, a different few each time."""

    class NoPaging(FakeCLI):
        async def list_jobs(self, *, kind: str | None = None, size: int = 20, cursor: float | None = None) -> list[Job]:
            if cursor is not None:
                from higgsfield_mcp.adapters.cli.errors import classify

                raise classify("Error: unknown flag: --cursor", exit_code=1)
            return await super().list_jobs(size=size)

    base = time.time()
    jobs = [
        Job.model_validate(
            {"id": f"j{i}", "status": "queued", "job_type": "z_image", "created_at": base + i, "params": {}}
        )
        for i in range(116)
    ]
    journal.record_jobs(None, [j.id for j in jobs], model="z_image")
    cli = NoPaging(jobs)
    poller = _poller(journal, cli)
    for job in jobs:
        job.status = "in_progress"
    for _ in range(3):
        await poller.tick()
    assert all(r.status == "in_progress" for r in journal.unfinished()), "the 16 oldest were fetched in 2 rounds"


async def test_a_long_download_keeps_its_claim(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another server sharing the home cannot take over a download that is still running."""
    import anyio

    from higgsfield_mcp.domain.generation import polling

    monkeypatch.setattr(polling, "CLAIM_SECONDS", 2.0)
    monkeypatch.setattr(polling, "CLAIM_RENEW_SECONDS", 0.2)
    done = _job("j1", "a kite", status="completed")
    journal.record_jobs(None, ["j1"], model="z_image")
    other = Journal(journal.path)
    refused: list[bool] = []

    async def slow_finish(job: Job, record: Any) -> list[str]:
        for _ in range(15):  # 3 s, longer than one claim lasts
            await anyio.sleep(0.2)
            refused.append(not other.claim_download(job.id, seconds=1.0))
        return []

    poller = JobPoller(FakeCLI([done]), journal, interval=0.01, finish=slow_finish)  # type: ignore[arg-type]
    await poller.tick()
    other.close()
    assert refused and all(refused), "the claim was renewed for the whole download"
    assert journal.get("j1").done  # type: ignore[union-attr]


async def test_a_server_that_stops_mid_download_hands_the_job_over_at_once(tmp_path: Path) -> None:
    """Stopping cancels the download and releases the claim before the journal closes (seen under load in CI)."""
    import anyio

    from higgsfield_mcp.config import Settings
    from higgsfield_mcp.domain.generation.production import Production

    started = anyio.Event()

    async def slow_finish(job: Job, record: Any) -> list[str]:
        started.set()
        await anyio.sleep(3600)
        return []

    done = _job("j1", "a kite", status="completed")
    production = Production(Settings(home=tmp_path, media_roots=(tmp_path,), poll_seconds=0.01), FakeCLI([done]))  # type: ignore[arg-type]
    production.poller = JobPoller(FakeCLI([done]), production.journal, interval=0.01, finish=slow_finish)  # type: ignore[arg-type]
    production.journal.record_jobs(None, ["j1"], model="z_image")
    async with production.running():
        with anyio.fail_after(30):
            await started.wait()
    other = Journal(production.journal.path)
    try:
        assert other.claim_download("j1", seconds=60), "the stopped server's claim was released"
    finally:
        other.close()


async def test_finding_an_unclear_submission_uses_only_what_is_left_of_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submit that took 30 s of a 40 s wait leaves 10 s to look for its job, not another 40 (a 60 s host)."""
    from higgsfield_mcp.config import Settings
    from higgsfield_mcp.domain.generation.catalogue import ModelInfo
    from higgsfield_mcp.domain.generation.production import Outcome, Production
    from higgsfield_mcp.domain.generation.submit import Submitted

    production = Production(Settings(home=tmp_path, media_roots=(tmp_path,)), FakeCLI([]))  # type: ignore[arg-type]
    looked: list[float] = []

    async def wait_reconciled(ids: Any, *, timeout: float) -> list[str]:
        looked.append(timeout)
        return []

    async def wait(job_ids: Any, **kw: Any) -> Outcome:
        return Outcome(jobs=[])

    monkeypatch.setattr(production.poller, "wait_reconciled", wait_reconciled)
    monkeypatch.setattr(production, "wait", wait)
    sent = Submitted(
        model=ModelInfo(id="z_image", display_name="Z Image", kind="image"), job_ids=[], unclear=["s1"], params={}
    )
    try:
        await production.follow(sent, started=time.monotonic() - 30, wait_seconds=40)
    finally:
        production.journal.close()
    [timeout] = looked
    assert 9 <= timeout <= 10.5, timeout


def test_an_unclear_submit_given_up_on_is_never_called_free(tmp_path: Path) -> None:
    """Not finding a job in 15 minutes makes it likely, not certain, that nothing was made: the note says so."""
    from higgsfield_mcp.config import Settings
    from higgsfield_mcp.domain.generation.polling import GAVE_UP
    from higgsfield_mcp.domain.generation.production import Production

    production = Production(Settings(home=tmp_path, media_roots=(tmp_path,)), FakeCLI([]))  # type: ignore[arg-type]
    journal = production.journal
    try:
        lost = journal.begin_submission(model="z_image", prompt="a lost kite")
        journal.ambiguous(lost, "no response received")
        journal.rejected(lost, GAVE_UP)
        refused = journal.begin_submission(model="z_image", prompt="a refused kite")
        journal.handed_over(refused)
        journal.rejected(refused, "Invalid values: aspect_ratio=7:1")
        [given_up, certain] = production._report_unclear()
    finally:
        journal.close()
    assert "nothing was charged" not in given_up and "most likely" in given_up and "history" in given_up
    assert "nothing was charged" in certain
