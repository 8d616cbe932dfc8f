"""Downloads against the sandbox CDN's faults: retries, deadlines, wrong bodies, write errors."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from higgsfield_mcp.adapters import downloads
from higgsfield_mcp.adapters.downloads import (
    DownloadFailed,
    DownloadGone,
    DownloadNotSaved,
    DownloadWrongType,
    deadline_for,
    download,
)
from higgsfield_sandbox.cdn import LoopbackCDN

PNG = b"\x89PNG\r\n\x1a\n" + bytes(2000)


@pytest.fixture
def cdn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackCDN]:
    root = tmp_path / "served"
    root.mkdir()
    (root / "a.png").write_bytes(PNG)
    (root / "fake.png").write_bytes(b"GIF89a not a png at all")
    with LoopbackCDN(root) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        monkeypatch.setattr(downloads, "RETRY_BACKOFF_SECONDS", (0.05, 0.05))
        yield server


async def _get(cdn: LoopbackCDN, name: str, dest: Path, **kw: float) -> Path:
    return await download(f"{cdn.base_url}/{name}", dest, allowed_hosts=[cdn.host], **kw)  # type: ignore[arg-type]


async def test_a_503_is_retried(cdn: LoopbackCDN, tmp_path: Path) -> None:
    cdn.faults.add("status", "a.png", status=503, times=2)
    got = await _get(cdn, "a.png", tmp_path / "out" / "a.png")
    assert got.read_bytes() == PNG and cdn.hits["/a.png"] == 3


async def test_retries_are_bounded(cdn: LoopbackCDN, tmp_path: Path) -> None:
    cdn.faults.add("status", "a.png", status=503)
    with pytest.raises(DownloadFailed, match="HTTP 503"):
        await _get(cdn, "a.png", tmp_path / "a.png")
    assert cdn.hits["/a.png"] == downloads.ATTEMPTS
    assert not (tmp_path / "a.png").exists()


async def test_a_404_is_not_retried(cdn: LoopbackCDN, tmp_path: Path) -> None:
    with pytest.raises(DownloadGone):
        await _get(cdn, "missing.png", tmp_path / "m.png")
    assert cdn.hits["/missing.png"] == 1


async def test_an_html_error_page_is_not_saved_as_a_png(cdn: LoopbackCDN, tmp_path: Path) -> None:
    cdn.faults.add("html", "a.png", times=1)
    with pytest.raises(DownloadWrongType, match="HTML"):
        await _get(cdn, "a.png", tmp_path / "a.png")
    assert [p.name for p in tmp_path.iterdir()] == ["served"]


async def test_a_body_of_another_type_is_refused(cdn: LoopbackCDN, tmp_path: Path) -> None:
    with pytest.raises(DownloadWrongType, match=r"not a \.png"):
        await _get(cdn, "fake.png", tmp_path / "fake.png")


async def test_a_dripping_host_runs_into_the_overall_deadline(cdn: LoopbackCDN, tmp_path: Path) -> None:
    cdn.faults.add("drip", "a.png", seconds=0.5)
    with pytest.raises(DownloadFailed, match="did not finish within") as caught:
        await _get(cdn, "a.png", tmp_path / "a.png", deadline_base=1.0)
    assert caught.value.deadline and cdn.hits["/a.png"] == 1, "a blown deadline is not retried at once"
    assert [p.name for p in tmp_path.iterdir()] == ["served"]


def test_deadline_grows_with_the_declared_size() -> None:
    assert deadline_for(None) == downloads.DEADLINE_BASE_SECONDS
    assert deadline_for(100 * 1024 * 1024) > deadline_for(1024 * 1024) > downloads.DEADLINE_BASE_SECONDS
    assert deadline_for(10**12) == downloads.MAX_DEADLINE_SECONDS


async def test_a_folder_that_cannot_be_made_is_a_clear_error(cdn: LoopbackCDN, tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the folder should be")
    with pytest.raises(DownloadNotSaved) as caught:
        await _get(cdn, "a.png", tmp_path / "blocked" / "a.png")
    assert "HIGGSFIELD_MCP_HOME" in caught.value.remedy and "jobs" in caught.value.remedy


async def test_a_full_disk_names_the_folder_and_the_fix(
    cdn: LoopbackCDN, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(handle: object, tail: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(downloads, "_finish", full)
    with pytest.raises(DownloadNotSaved, match="full") as caught:
        await _get(cdn, "a.png", tmp_path / "out" / "a.png")
    assert str(tmp_path / "out") in caught.value.remedy and "Free some space" in caught.value.remedy
    assert list((tmp_path / "out").iterdir()) == [], "no partial file left"
    assert cdn.hits["/a.png"] == 1, "a local write error is not retried"
