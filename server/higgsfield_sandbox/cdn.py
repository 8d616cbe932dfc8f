"""A loopback HTTPS server for the sandbox's result files.

The MCP server downloads results only over https from allowed hosts. To keep that rule
intact offline (demo, benchmarks), the sandbox's files are served on 127.0.0.1 with a
throwaway certificate authority made at start-up; callers point `SSL_CERT_FILE` at its
CA file and allow `host:port` for downloads. Nothing here listens beyond loopback.

Tests and benchmarks can make it misbehave the way a real CDN sometimes does
(`cdn.faults.add(...)`): drip a file a byte at a time, answer an HTTP error a given
number of times, or send an HTML error page with status 200. `hits` counts the GETs
each path received, so a test can tell a file was fetched once.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


FaultKind = Literal["drip", "status", "html", "pad"]

HTML_ERROR_PAGE = b"<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>\n"


@dataclass
class CDNFault:
    """One way to misbehave for paths containing `match`: `times` uses (None: always)."""

    kind: FaultKind
    match: str
    seconds: float = 0.0
    """drip: pause before each byte."""
    status: int = 503
    times: int | None = None
    pad: int = 0
    """pad: zero bytes sent after the file (it keeps its type, and grows past any small write limit)."""


class CDNFaults:
    """The faults a `LoopbackCDN` applies, changeable while it runs; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[CDNFault] = []

    def add(
        self,
        kind: FaultKind,
        match: str = "",
        *,
        seconds: float = 0.0,
        status: int = 503,
        times: int | None = None,
        pad: int = 0,
    ) -> None:
        with self._lock:
            self._rules.append(CDNFault(kind, match, seconds=seconds, status=status, times=times, pad=pad))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, path: str) -> CDNFault | None:
        """The first rule matching `path` with uses left, consuming one."""
        with self._lock:
            for rule in self._rules:
                if rule.match in path and (rule.times is None or rule.times > 0):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule
        return None


class _QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner: LoopbackCDN = self.server.cdn  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        owner.count(path)
        fault = owner.faults.take(path)
        if fault is None:
            super().do_GET()
            return
        if fault.kind == "status":
            self._answer(fault.status, b"error\n", "text/plain")
        elif fault.kind == "html":
            self._answer(200, HTML_ERROR_PAGE, "text/html")
        elif fault.kind == "pad":
            self._padded(path, fault.pad)
        else:
            self._drip(path, fault.seconds)

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _start_file(self, path: str, extra: int = 0) -> bytes | None:
        """Headers for the file at `path` (plus `extra` bytes), and its body; a 404 and None when it is missing."""
        file = Path(self.translate_path(path))
        if not file.is_file():
            self._answer(404, b"not found\n", "text/plain")
            return None
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) + extra))
        self.end_headers()
        return body

    def _padded(self, path: str, pad: int) -> None:
        body = self._start_file(path, pad)
        if body is None:
            return
        try:
            self.wfile.write(body)
            block = b"\0" * 65536
            for start in range(0, pad, len(block)):
                self.wfile.write(block[: min(len(block), pad - start)])
        except OSError:
            self.close_connection = True

    def _drip(self, path: str, seconds: float) -> None:
        body = self._start_file(path)
        if body is None:
            return
        try:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(seconds)
        except OSError:  # the client gave up: that is the point of dripping
            self.close_connection = True


class LoopbackCDN:
    """Serve `root` at https://127.0.0.1:<port>/ until closed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._dir = tempfile.TemporaryDirectory(prefix="higgsfield-sandbox-cdn-")
        self.ca_file, cert_file, key_file = _make_certificates(Path(self._dir.name))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        self.faults = CDNFaults()
        self.hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, 0), partial(_QuietHandler, directory=str(root)))
        self._server.cdn = self  # type: ignore[attr-defined]
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def count(self, path: str) -> None:
        with self._hits_lock:
            self.hits[path] += 1

    @property
    def host(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"https://{self.host}"

    def env(self) -> dict[str, str]:
        """What a server and the sandbox need to publish and trust these files."""
        return {
            "HIGGSFIELD_SANDBOX_CDN": self.base_url,
            "HIGGSFIELD_MCP_DOWNLOAD_HOSTS": self.host,
            "SSL_CERT_FILE": str(self.ca_file),
        }

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._dir.cleanup()

    def __enter__(self) -> LoopbackCDN:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


def _make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A one-day CA and a leaf for 127.0.0.1/localhost signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "higgsfield-sandbox throwaway CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_file, cert_file, key_file
