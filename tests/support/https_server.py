"""A real HTTPS server on loopback, for testing downloads without the network.

A threaded `http.server` wrapped in TLS with a certificate from a throwaway `trustme`
CA. The `https_server` fixture points SSL_CERT_FILE at that CA, which is what
`ssl.create_default_context()` (and so the code under test) reads.

Besides the files under its root it serves:
- `/redirect?to=<url>`       302 to `<url>`
- `/redirect-chain/<n>`      302 to `/redirect-chain/<n-1>`, and `/redirect-chain/0` serves `hello.txt`
- `/huge?bytes=<n>`          `n` bytes with no Content-Length (stops the streaming cap, not the header check)
- `/declared?bytes=<n>`      Content-Length `n`, then a short body
- `/slow?seconds=<s>`        headers, a few bytes, then silence for `s` seconds
- `/truncated?bytes=<n>`     Content-Length `n`, half the body, then the connection drops
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme

HOST = "127.0.0.1"


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        route = parts.path
        if route == "/redirect":
            self._redirect(query["to"])
        elif route.startswith("/redirect-chain/"):
            left = int(route.rsplit("/", 1)[1])
            self._redirect(f"/redirect-chain/{left - 1}" if left > 0 else "/hello.txt")
        elif route == "/huge":
            self._stream_unsized(int(query.get("bytes", "0")))
        elif route == "/declared":
            self._head(200, int(query["bytes"]))
            self._write(b"x" * 10)
            self.close_connection = True
        elif route == "/slow":
            self._head(200, 1000)
            self._write(b"x" * 10)
            time.sleep(float(query.get("seconds", "5")))
            self.close_connection = True
        elif route == "/truncated":
            total = int(query["bytes"])
            self._head(200, total)
            self._write(b"y" * (total // 2))
            self.close_connection = True
        else:
            super().do_GET()

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _head(self, status: int, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Connection", "close")
        self.end_headers()

    def _stream_unsized(self, total: int) -> None:
        self._head(200, None)
        chunk = b"z" * 65536
        sent = 0
        while sent < total:
            piece = chunk[: min(len(chunk), total - sent)]
            if not self._write(piece):
                break
            sent += len(piece)
        self.close_connection = True

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            return False
        return True


class LoopbackHTTPS:
    """An HTTPS server on 127.0.0.1 serving `root`; `url(path)` builds URLs to it."""

    def __init__(self, root: Path, ca: trustme.CA) -> None:
        self.root = root
        cert = ca.issue_cert(HOST, "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self._server = ThreadingHTTPServer((HOST, 0), partial(_Handler, directory=str(root)))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def host(self) -> str:
        """The `host:port` entry that allows downloads from this server."""
        return f"{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return f"https://{self.host}/{path.lstrip('/')}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def serve_https(root: Path, ca: trustme.CA) -> Iterator[LoopbackHTTPS]:
    server = LoopbackHTTPS(root, ca)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def trustme_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(
    tmp_path_factory: pytest.TempPathFactory, trustme_ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LoopbackHTTPS]:
    """A loopback HTTPS server whose CA the process trusts (through SSL_CERT_FILE) for this test."""
    root = tmp_path_factory.mktemp("served")
    (root / "hello.txt").write_bytes(b"hello over tls\n")
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    trustme_ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with serve_https(root, trustme_ca) as server:
        yield server
