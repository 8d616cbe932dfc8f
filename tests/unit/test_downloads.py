"""Downloads against a real loopback HTTPS server: policy, redirects, size cap, atomic replace."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import anyio
import pytest

from higgsfield_mcp.adapters.downloads import (
    DownloadFailed,
    DownloadGone,
    DownloadRefused,
    DownloadTooLarge,
    check_url,
    download,
    media_path_for,
)
from tests.support import https_server as loopback
from tests.support.https_server import LoopbackHTTPS

https_server = loopback.https_server
trustme_ca = loopback.trustme_ca


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_downloads_a_file(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "hello.txt"
    got = await download(https_server.url("hello.txt"), dest, allowed_hosts=[https_server.host])
    assert got == dest
    assert dest.read_bytes() == b"hello over tls\n"
    assert _leftovers(dest.parent) == ["hello.txt"]


async def test_http_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DownloadRefused, match="only https"):
        await download("http://cdn.higgsfield.ai/a.png", tmp_path / "a.png", allowed_hosts=["cdn.higgsfield.ai"])
    assert not (tmp_path / "a.png").exists()


async def test_host_not_allowed(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    with pytest.raises(DownloadRefused) as caught:
        await download(https_server.url("hello.txt"), tmp_path / "a.txt", allowed_hosts=["cdn.higgsfield.ai"])
    assert "HIGGSFIELD_MCP_DOWNLOAD_HOSTS" in caught.value.remedy
    assert https_server.host in caught.value.remedy


def test_host_policy_is_exact() -> None:
    allowed = ["cdn.higgsfield.ai", "127.0.0.1:8443"]
    check_url("https://CDN.Higgsfield.AI/x.png", allowed)
    check_url("https://cdn.higgsfield.ai:443/x.png", allowed)
    check_url("https://127.0.0.1:8443/x.png", allowed)
    for bad in (
        "https://evil.cdn.higgsfield.ai/x.png",
        "https://cdn.higgsfield.ai.evil.com/x.png",
        "https://cdn.higgsfield.ai:8443/x.png",
        "https://127.0.0.1/x.png",
        "https://127.0.0.1:9999/x.png",
        "https://user@cdn.higgsfield.ai/x.png",
        "ftp://cdn.higgsfield.ai/x.png",
        "https://cdn.higgsfield.ai:notaport/x.png",
    ):
        with pytest.raises(DownloadRefused):
            check_url(bad, allowed)


async def test_redirect_within_policy_is_followed(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    dest = tmp_path / "hello.txt"
    await download(https_server.url("redirect-chain/3"), dest, allowed_hosts=[https_server.host])
    assert dest.read_bytes() == b"hello over tls\n"


async def test_redirect_to_disallowed_host_is_refused(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    url = https_server.url(f"redirect?to=https://localhost:{https_server.port}/hello.txt")
    with pytest.raises(DownloadRefused, match="localhost"):
        await download(url, tmp_path / "a.txt", allowed_hosts=[https_server.host])
    assert _leftovers(tmp_path) == []


async def test_redirect_to_http_is_refused(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    url = https_server.url(f"redirect?to=http://{https_server.host}/hello.txt")
    with pytest.raises(DownloadRefused, match="only https"):
        await download(url, tmp_path / "a.txt", allowed_hosts=[https_server.host])


async def test_too_many_redirects(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    with pytest.raises(DownloadRefused, match="redirects"):
        await download(https_server.url("redirect-chain/6"), tmp_path / "a.txt", allowed_hosts=[https_server.host])


async def test_size_cap_while_streaming(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    dest = tmp_path / "big.bin"
    with pytest.raises(DownloadTooLarge):
        await download(
            https_server.url("huge?bytes=5000000"), dest, allowed_hosts=[https_server.host], max_bytes=1_000_000
        )
    assert _leftovers(tmp_path) == []  # no dest, no temp file


async def test_size_cap_from_content_length(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    with pytest.raises(DownloadTooLarge):
        await download(
            https_server.url("declared?bytes=50000000"),
            tmp_path / "big.bin",
            allowed_hosts=[https_server.host],
            max_bytes=1_000_000,
        )
    assert _leftovers(tmp_path) == []


async def test_under_the_cap_streams_fine(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    dest = tmp_path / "ok.bin"
    await download(https_server.url("huge?bytes=3000000"), dest, allowed_hosts=[https_server.host])
    assert dest.stat().st_size == 3_000_000


async def test_404_is_a_clear_error(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    with pytest.raises(DownloadGone) as caught:
        await download(https_server.url("missing.png"), tmp_path / "m.png", allowed_hosts=[https_server.host])
    assert caught.value.status == 404
    assert "404" in caught.value.message
    assert not caught.value.retryable
    assert _leftovers(tmp_path) == []


async def test_untrusted_certificate_fails(
    https_server: LoopbackHTTPS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")
    with pytest.raises(DownloadFailed):
        await download(https_server.url("hello.txt"), tmp_path / "h.txt", allowed_hosts=[https_server.host])


async def test_failed_download_keeps_previous_file(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    dest = tmp_path / "result.bin"
    dest.write_bytes(b"previous")
    with pytest.raises(DownloadFailed):
        await download(https_server.url("truncated?bytes=400000"), dest, allowed_hosts=[https_server.host])
    assert dest.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == ["result.bin"]


async def test_stalled_download_times_out_cleanly(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    dest = tmp_path / "slow.bin"
    with pytest.raises(DownloadFailed, match="timed out"):
        await download(https_server.url("slow?seconds=3"), dest, allowed_hosts=[https_server.host], timeout=0.3)
    assert _leftovers(tmp_path) == []


async def test_cancelled_download_leaves_nothing(https_server: LoopbackHTTPS, tmp_path: Path) -> None:
    dest = tmp_path / "slow.bin"
    with anyio.move_on_after(0.3):
        await download(https_server.url("slow?seconds=3"), dest, allowed_hosts=[https_server.host])
    assert _leftovers(tmp_path) == []


def test_media_path_layout(tmp_path: Path) -> None:
    day = date(2026, 8, 14)
    url = "https://d8j0ntlcm91z4.cloudfront.net/user_1/hf_20260814_abc.PNG?sig=1"
    first = media_path_for(tmp_path, model="nano_banana", job_id="job-1", index=0, url=url, day=day)
    second = media_path_for(tmp_path, model="nano_banana", job_id="job-1", index=1, url=url, day=day)
    assert first == tmp_path / "2026-08-14" / "nano_banana" / "job-1.png"
    assert second == tmp_path / "2026-08-14" / "nano_banana" / "job-1-2.png"
    bare = media_path_for(tmp_path, model="kling", job_id="j", index=0, url="https://x/y/result", kind="video", day=day)
    assert bare.name == "j.mp4"


def test_media_path_cannot_escape(tmp_path: Path) -> None:
    path = media_path_for(tmp_path, model="../../etc", job_id="../passwd", index=0, url="https://x/a.png")
    assert path.resolve().is_relative_to(tmp_path.resolve())
    assert ".." not in path.relative_to(tmp_path).parts


async def test_unknown_host_is_said_in_plain_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx2

    async def no_such_host(*args: object, **kwargs: object) -> None:
        raise httpx2.ConnectError("[Errno -2] Name or service not known")

    monkeypatch.setattr(httpx2.AsyncClient, "send", no_such_host)
    with pytest.raises(DownloadFailed) as caught:
        await download("https://cdn.higgsfield.ai/a.png", tmp_path / "a.png", allowed_hosts=["cdn.higgsfield.ai"])
    message = caught.value.message
    assert "Errno" not in message and "Name or service" not in message
    assert "cdn.higgsfield.ai could not be found" in message and "internet connection" in message


async def test_refused_connection_is_said_in_plain_words(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"https://127.0.0.1:{port}/a.png"
    with pytest.raises(DownloadFailed) as caught:
        await download(url, tmp_path / "a.png", allowed_hosts=[f"127.0.0.1:{port}"])
    assert "Errno" not in caught.value.message and "did not accept the connection" in caught.value.message


async def test_untrusted_certificate_is_said_in_plain_words(
    https_server: LoopbackHTTPS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")
    with pytest.raises(DownloadFailed) as caught:
        await download(https_server.url("hello.txt"), tmp_path / "a.txt", allowed_hosts=[https_server.host])
    assert "certificate" in caught.value.message and "SSL:" not in caught.value.message
