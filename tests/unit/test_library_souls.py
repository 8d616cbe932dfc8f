"""Soul id training: which images go, the id saved before any wait, pending and failed trainings, plan errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from higgsfield_mcp.adapters.cli.errors import PlanRequired
from higgsfield_mcp.adapters.cli.models import SoulReference
from higgsfield_mcp.config import Settings
from higgsfield_mcp.domain.library.errors import NotEnoughImages, SoulTrainingFailed
from higgsfield_mcp.domain.library.models import Character, Reference, TestShot
from higgsfield_mcp.domain.library.souls import refresh_souls, train_soul
from higgsfield_mcp.domain.library.store import CharacterStore


class FakeSouls:
    """Just the two CLI calls training uses; statuses play out one per `get_soul`."""

    def __init__(self, statuses: Sequence[str], *, refuse: Exception | None = None, fail_reason: str | None = None):
        self.statuses = list(statuses)
        self.refuse = refuse
        self.fail_reason = fail_reason
        self.created: list[tuple[str, list[str], str]] = []
        self.store: CharacterStore | None = None
        self.saved_before_wait: bool | None = None

    async def create_soul(self, name: str, images: Sequence[str], *, variant: str = "soul_2") -> SoulReference:
        if self.refuse:
            raise self.refuse
        self.created.append((name, list(images), variant))
        return SoulReference(id="soul-1", name=name, variant=variant, status="queued")

    async def get_soul(self, soul_id: str) -> SoulReference:
        if self.store is not None and self.saved_before_wait is None:
            self.saved_before_wait = bool(self.store.load("maya").souls)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return SoulReference(id=soul_id, status=status, fail_reason=self.fail_reason if status == "failed" else None)


def settings(tmp_path: Path, **kw: Any) -> Settings:
    return Settings(home=tmp_path, media_roots=(tmp_path,), poll_seconds=0.05, **kw)


@pytest.fixture
def store(tmp_path: Path) -> CharacterStore:
    store = CharacterStore(tmp_path / "library")
    store.create(Character(name="Maya", slug="-"))
    folder = store.folder("maya")
    names = [f"img{n}.png" for n in range(6)]
    for name in names:
        (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n" + name.encode())

    def fill(c: Character) -> None:
        c.references = [Reference(angle="free", file=n) for n in names[:4]]
        c.test_shots = [TestShot(file=names[4]), TestShot(file=names[5], state="failed")]

    store.change("maya", fill)
    return store


async def test_trains_on_the_characters_images_and_records_the_id_before_waiting(
    store: CharacterStore, tmp_path: Path
) -> None:
    cli = FakeSouls(["in_progress", "completed"])
    cli.store = store
    character, soul = await train_soul(store, cli, settings(tmp_path), "maya", variant="soul_cinematic")
    [(name, images, variant)] = cli.created
    assert name == "Maya" and variant == "soul_cinematic"
    assert [Path(p).name for p in images] == ["img0.png", "img1.png", "img2.png", "img3.png", "img4.png"]
    assert all(Path(p).is_absolute() and Path(p).parent == store.folder("maya").resolve() for p in images)
    assert cli.saved_before_wait is True, "the paid-for id is on disk before the wait"
    assert soul.status == "completed" and character.souls["soul_cinematic"].id == "soul-1"
    assert store.load("maya").trained_souls() == {"soul_cinematic": "soul-1"}


async def test_too_few_images_is_refused_before_anything_is_spent(store: CharacterStore, tmp_path: Path) -> None:
    cli = FakeSouls(["completed"])
    with pytest.raises(NotEnoughImages, match="at least 5"):
        await train_soul(store, cli, settings(tmp_path), "maya", images=["img0.png", "img1.png"])
    assert cli.created == []


async def test_still_training_comes_back_pending_and_refresh_settles_it(store: CharacterStore, tmp_path: Path) -> None:
    cli = FakeSouls(["in_progress"])
    _, soul = await train_soul(store, cli, settings(tmp_path), "maya", wait_seconds=0.2)
    assert soul.status == "in_progress" and not store.load("maya").trained_souls()
    cli.statuses = ["completed"]
    refreshed = await refresh_souls(store, cli, "maya")
    assert refreshed.trained_souls() == {"soul_2": "soul-1"}


async def test_failed_training_is_recorded_and_explained(store: CharacterStore, tmp_path: Path) -> None:
    cli = FakeSouls(["failed"], fail_reason="Too many DatasetErrors encountered during preprocessing: 5/5")
    with pytest.raises(SoulTrainingFailed, match="DatasetErrors") as caught:
        await train_soul(store, cli, settings(tmp_path), "maya")
    assert "refunded" in caught.value.remedy
    assert store.load("maya").souls["soul_2"].status == "failed"


async def test_plan_errors_say_what_to_do_instead(store: CharacterStore, tmp_path: Path) -> None:
    cli = FakeSouls(["completed"], refuse=PlanRequired("Minimum Basic plan required", exit_code=3))
    with pytest.raises(PlanRequired) as caught:
        await train_soul(store, cli, settings(tmp_path), "maya")
    assert "Basic or higher" in caught.value.remedy and "reference images" in caught.value.remedy
    assert store.load("maya").souls == {}


async def test_training_progress_says_the_status_not_the_wait_budget(store: CharacterStore, tmp_path: Path) -> None:
    cli = FakeSouls(["queued", "in_progress", "completed"])
    seen: list[tuple[float, float | None, str]] = []

    async def progress(value: float, total: float | None, message: str) -> None:
        seen.append((value, total, message))

    await train_soul(store, cli, settings(tmp_path), "maya", progress=progress)
    assert seen and all(total == 2 for _, total, _ in seen), seen
    assert [v for v, _, _ in seen] == sorted({v for v, _, _ in seen}), "only forward, one step each"
    assert "queued" in seen[0][2] and any("in progress" in m for _, _, m in seen)
