"""Fetching job results onto the user's disk, from trusted hosts only.

Result URLs come from CLI output, which we do not control; a URL pointing at an internal
address or an attacker's host must not turn the server into a fetcher for it. So only
`https://` on an allow-listed host (and port) is fetched, redirects are followed by hand
with every hop checked against the same list, and the size is capped both from the
declared length and while streaming. The body goes to a temporary file beside the
destination and is renamed into place only when complete, so `dest` is either absent,
the previous file, or the whole new one, never a fragment.

A download has an overall deadline scaled to its declared size (a host that drips a byte
every few seconds cannot hold it forever), GETs are retried with backoff on connection
errors and 5xx answers (they are idempotent), the body must look like the file type its
name says (an HTML error page is not a `.png`), and a full disk or any other write
error is a `DownloadNotSaved` naming the folder, never a crash.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import ssl
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Unpack
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import httpx2

from .cli.errors import ErrorContext, HiggsfieldError

MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for a connection or for the next piece of the body (not for the whole file)."""

DEADLINE_BASE_SECONDS = 60.0
"""Every download gets this long, plus the time its declared size takes at `MIN_BYTES_PER_SECOND`."""
MIN_BYTES_PER_SECOND = 256 * 1024
MAX_DEADLINE_SECONDS = 3600.0
ATTEMPTS = 3
RETRY_BACKOFF_SECONDS = (0.5, 1.5)

HOSTS_VARIABLE = "HIGGSFIELD_MCP_DOWNLOAD_HOSTS"
_FLUSH_BYTES = 1024 * 1024
_HEAD_BYTES = 64


class DownloadRefused(HiggsfieldError):
    """The URL breaks the download policy; nothing was fetched (or what was fetched was thrown away)."""

    code = "download_refused"
    summary = "A result URL is not https or not on an allowed host."
    default_remedy = f"Only https results from Higgsfield's CDN are downloaded; add trusted hosts to {HOSTS_VARIABLE}."

    def __init__(self, message: str, *, url: str, **kw: Unpack[ErrorContext]) -> None:
        self.url = url
        super().__init__(message, **kw)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "url": self.url}


class DownloadTooLarge(DownloadRefused):
    code = "download_too_large"
    summary = "A result is larger than the download cap."
    default_remedy = "The file is larger than the download cap; open the result URL in a browser instead."


class DownloadFailed(HiggsfieldError):
    """The host could not be reached or did not deliver the file."""

    code = "download_failed"
    summary = "A result could not be downloaded."
    default_remedy = "The download did not complete; try again in a moment (the result URL stays valid for a while)."
    retryable = True

    def __init__(
        self, message: str, *, url: str, status: int | None = None, deadline: bool = False, **kw: Unpack[ErrorContext]
    ) -> None:
        self.url = url
        self.status = status
        self.deadline = deadline
        """True when the whole download ran out of time (not worth an immediate retry)."""
        super().__init__(message, **kw)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "url": self.url, "status": self.status}


class DownloadNotSaved(DownloadFailed):
    """The file arrived but could not be written (disk full, quota, permissions): nothing is wrong with the job."""

    code = "download_not_saved"
    summary = "A result could not be written to disk."
    default_remedy = (
        "The result could not be written to disk. Free some space or fix the folder's permissions, then ask "
        "`jobs` for its status to download it again."
    )


class DownloadWrongType(DownloadFailed):
    """The host answered 200 with something else than the file, typically an HTML error page."""

    code = "download_wrong_type"
    summary = "A result URL served something other than the expected file."
    default_remedy = (
        "The host sent an error page instead of the file. Ask `jobs` for the job's status in a moment to "
        "download it again."
    )


class DownloadGone(DownloadFailed):
    """The host answered that the file is not there (4xx): retrying the same URL will not help."""

    code = "download_gone"
    summary = "A result URL no longer exists."
    default_remedy = (
        "The result URL is missing or expired. Look the job up again with `jobs` to get a fresh URL; "
        "the job itself is not affected."
    )
    retryable = False


# --- policy -------------------------------------------------------------------------------------


def check_url(url: str, allowed_hosts: Sequence[str]) -> None:
    """Raise `DownloadRefused` unless `url` is https on an allowed host and port.

    An entry without a port allows only the default port 443; `host:port` allows exactly
    that port. Matching is exact and case-insensitive: `cdn.example.com` does not allow
    `evil.cdn.example.com`.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DownloadRefused(f"{url!r} is not a valid URL ({exc})", url=url) from None
    if parts.scheme.lower() != "https":
        raise DownloadRefused(
            f"refusing to download {url}: only https:// URLs are fetched",
            url=url,
            remedy="Results are only downloaded over https; open this URL yourself if you trust it.",
        )
    if parts.username is not None or parts.password is not None:
        raise DownloadRefused(f"refusing to download {url}: it carries credentials", url=url)
    host = (parts.hostname or "").lower()
    if not host:
        raise DownloadRefused(f"{url!r} has no host", url=url)
    wanted = (host, port or 443)
    if wanted not in {_host_port(entry) for entry in allowed_hosts}:
        shown = host if port in (None, 443) else f"{host}:{port}"
        raise DownloadRefused(
            f"refusing to download from {shown}: it is not an allowed download host",
            url=url,
            remedy=f"Add {shown} to {HOSTS_VARIABLE} (comma-separated) if you trust it, then restart the server.",
        )


def _host_port(entry: str) -> tuple[str, int]:
    entry = entry.strip().lower()
    if entry.startswith("["):  # [v6]:port
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else 443
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, 443


# --- fetching -----------------------------------------------------------------------------------


async def download(
    url: str,
    dest: Path,
    *,
    allowed_hosts: Sequence[str],
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    deadline_base: float = DEADLINE_BASE_SECONDS,
) -> Path:
    """Fetch `url` into `dest` (replacing it atomically) and return `dest`.

    Raises `DownloadRefused` for a policy breach (scheme, host, redirect target, size) and
    `DownloadFailed` for network and HTTP errors (after `ATTEMPTS` tries for transient ones),
    a blown deadline, a body of the wrong type, or a write error. Cancellation leaves no
    partial file. `timeout` bounds each wait for the connection or the next piece of data;
    `deadline_base` (plus the time the declared size needs) bounds the whole download.
    """
    check_url(url, allowed_hosts)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _not_saved(exc, url, dest) from None
    for attempt in range(ATTEMPTS):
        try:
            return await _download_once(
                url, dest, allowed_hosts=allowed_hosts, max_bytes=max_bytes, timeout=timeout, base=deadline_base
            )
        except DownloadFailed as exc:
            if not _transient(exc) or attempt == ATTEMPTS - 1:
                raise
            await anyio.sleep(RETRY_BACKOFF_SECONDS[min(attempt, len(RETRY_BACKOFF_SECONDS) - 1)])
    raise AssertionError("unreachable")  # pragma: no cover


def _transient(exc: DownloadFailed) -> bool:
    """Worth another GET: connection trouble and 5xx / 408 / 429, not a refusal, a wrong body or a local error."""
    if isinstance(exc, DownloadGone | DownloadNotSaved | DownloadWrongType) or exc.deadline:
        return False
    return exc.status is None or exc.status >= 500 or exc.status in (408, 429)


def deadline_for(declared: int | None, base: float = DEADLINE_BASE_SECONDS) -> float:
    """Seconds a whole download may take: a base, plus what its declared size needs at a slow but honest rate."""
    extra = (declared or 0) / MIN_BYTES_PER_SECOND
    return min(MAX_DEADLINE_SECONDS, base + extra)


async def _download_once(
    url: str, dest: Path, *, allowed_hosts: Sequence[str], max_bytes: int, timeout: float, base: float
) -> Path:
    started = time.monotonic()
    with anyio.CancelScope(deadline=started + base) as scope:
        return await _fetch(
            url,
            dest,
            allowed_hosts=allowed_hosts,
            max_bytes=max_bytes,
            timeout=timeout,
            scope=scope,
            base=base,
            started=started,
        )
    allowed = scope.deadline - started
    raise DownloadFailed(
        f"downloading {url} did not finish within {allowed:.0f} s (the host sent it too slowly)",
        url=url,
        deadline=True,
        remedy="The host sent the file too slowly. Ask `jobs` for the job's status later to download it again.",
    )


async def _fetch(
    url: str,
    dest: Path,
    *,
    allowed_hosts: Sequence[str],
    max_bytes: int,
    timeout: float,
    scope: anyio.CancelScope,
    base: float,
    started: float,
) -> Path:
    # built per call so SSL_CERT_FILE / SSL_CERT_DIR are read as they are now
    context = ssl.create_default_context()
    async with httpx2.AsyncClient(
        verify=context,
        follow_redirects=False,
        timeout=httpx2.Timeout(timeout),
        headers={"Accept-Encoding": "identity"},
    ) as client:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                async with client.stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        target = str(httpx2.URL(current).join(location))
                        check_url(target, allowed_hosts)
                        current = target
                        continue
                    declared = _check_response(response, url, max_bytes)
                    scope.deadline = started + deadline_for(declared, base)
                    return await _save(response, dest, url=url, max_bytes=max_bytes)
            except httpx2.TimeoutException as exc:
                raise DownloadFailed(
                    f"downloading {url} timed out ({type(exc).__name__}) after {timeout:g} s without progress",
                    url=url,
                ) from None
            except httpx2.HTTPError as exc:
                raise DownloadFailed(f"downloading {url} failed: {plain_reason(exc, current)}", url=url) from None
    raise DownloadRefused(
        f"refusing to download {url}: more than {MAX_REDIRECTS} redirects",
        url=url,
        remedy="The host keeps redirecting; open the URL in a browser to see where it leads.",
    )


def plain_reason(exc: BaseException, url: str) -> str:
    """Why a connection failed, in words a user can act on (never a raw `[Errno -2]` or SSL text)."""
    host = httpx2.URL(url).host or url
    detail = f"{exc} {exc.__cause__ or ''} {exc.__context__ or ''}".lower()
    if "name or service not known" in detail or "nodename nor servname" in detail or "getaddrinfo" in detail:
        return f"{host} could not be found; check the internet connection (or a proxy / DNS setting)"
    if "temporary failure in name resolution" in detail:
        return f"{host} could not be looked up right now; check the internet connection"
    if "certificate" in detail or "ssl" in detail:
        return f"{host}'s certificate is not trusted here (a proxy or an out-of-date certificate store?)"
    if "connection refused" in detail or "errno 111" in detail or "all connection attempts failed" in detail:
        return f"{host} did not accept the connection (nothing listens there, or a firewall blocks it)"
    if isinstance(exc, httpx2.RemoteProtocolError | httpx2.ReadError):
        return f"the connection to {host} dropped before the file was complete"
    if isinstance(exc, httpx2.ConnectError):
        return f"{host} could not be reached; check the internet connection"
    return f"{type(exc).__name__} while talking to {host}"


def _check_response(response: httpx2.Response, url: str, max_bytes: int) -> int | None:
    """Raise for an error status or an oversized declared length; return the declared length."""
    status = response.status_code
    if not 200 <= status < 300:
        if 400 <= status < 500 and status not in (408, 429):
            raise DownloadGone(f"downloading {url} failed: HTTP {status}", url=url, status=status)
        raise DownloadFailed(f"downloading {url} failed: HTTP {status}", url=url, status=status)
    declared = response.headers.get("content-length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise DownloadTooLarge(
            f"refusing to download {url}: it is {_size(int(declared))}, over the {_size(max_bytes)} cap", url=url
        )
    if "text/html" in response.headers.get("content-type", "").lower():
        raise DownloadWrongType(f"downloading {url} failed: the host sent an HTML page instead of the file", url=url)
    return int(declared) if declared and declared.strip().isdigit() else None


async def _save(response: httpx2.Response, dest: Path, *, url: str, max_bytes: int) -> Path:
    try:
        fd, temp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise _not_saved(exc, url, dest) from None
    temp = Path(temp_name)
    done = False
    try:
        with os.fdopen(fd, "wb") as handle:
            received = 0
            head = b""
            buffer = bytearray()
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > max_bytes:
                    raise DownloadTooLarge(
                        f"refusing to download {url}: it is larger than the {_size(max_bytes)} cap", url=url
                    )
                if len(head) < _HEAD_BYTES:
                    head += chunk[: _HEAD_BYTES - len(head)]
                buffer += chunk
                if len(buffer) >= _FLUSH_BYTES:
                    await anyio.to_thread.run_sync(handle.write, bytes(buffer))
                    buffer.clear()
            check_type(head, dest, url)
            await anyio.to_thread.run_sync(_finish, handle, bytes(buffer))
        os.replace(temp, dest)
        done = True
        return dest
    except OSError as exc:
        raise _not_saved(exc, url, dest) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(temp)


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _not_saved(exc: OSError, url: str, dest: Path) -> DownloadNotSaved:
    folder = dest.parent
    if exc.errno in _DISK_FULL:
        return DownloadNotSaved(
            f"could not save {url}: the disk holding {folder} is full ({exc.strerror or exc})",
            url=url,
            remedy=(
                f"The disk holding {folder} is full or over quota. Free some space (or point HIGGSFIELD_MCP_HOME at "
                "a bigger disk and restart), then ask `jobs` for the job's status to download it again."
            ),
        )
    return DownloadNotSaved(
        f"could not save {url} into {folder}: {exc.strerror or exc}",
        url=url,
        remedy=(
            f"Make {folder} writable (or point HIGGSFIELD_MCP_HOME elsewhere and restart), then ask `jobs` for "
            "the job's status to download it again."
        ),
    )


_SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "jpg": ((0, b"\xff\xd8\xff"),),
    "jpeg": ((0, b"\xff\xd8\xff"),),
    "gif": ((0, b"GIF8"),),
    "webp": ((0, b"RIFF"), (8, b"WEBP")),
    "wav": ((0, b"RIFF"), (8, b"WAVE")),
    "mp4": ((4, b"ftyp"),),
    "m4v": ((4, b"ftyp"),),
    "mov": ((4, b"ftyp"),),
    "m4a": ((4, b"ftyp"),),
    "webm": ((0, b"\x1a\x45\xdf\xa3"),),
    "glb": ((0, b"glTF"),),
}


def check_type(head: bytes, dest: Path, url: str) -> None:
    """Raise `DownloadWrongType` unless the body's first bytes fit the file type `dest` is named for.

    Types without a known signature are only refused when the body is an HTML page.
    """
    suffix = dest.suffix.lower().lstrip(".")
    if suffix in ("html", "htm"):
        return
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")):
        raise DownloadWrongType(f"downloading {url} failed: the host sent an HTML page instead of a .{suffix}", url=url)
    signature = _SIGNATURES.get(suffix)
    if signature and not all(head[at : at + len(magic)] == magic for at, magic in signature):
        raise DownloadWrongType(
            f"downloading {url} failed: the body is not a .{suffix} file (it starts {head[:8]!r})", url=url
        )


def _finish(handle: BinaryIO, tail: bytes) -> None:
    handle.write(tail)
    handle.flush()
    os.fsync(handle.fileno())


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


# --- where results go ---------------------------------------------------------------------------

DEFAULT_EXTENSIONS = {"image": "png", "video": "mp4", "audio": "mp3", "3d": "glb", "other": "bin"}
_SAFE_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def media_path_for(
    media_dir: Path,
    *,
    model: str,
    job_id: str,
    index: int = 0,
    url: str,
    kind: str = "other",
    day: date | None = None,
) -> Path:
    """Where output `index` (0-based) of a job is saved: `<media_dir>/<YYYY-MM-DD>/<model>/<job_id>[-<n>].<ext>`.

    The second and later outputs get `-2`, `-3`, ... Model and job id come from CLI output
    and are reduced to safe file-name characters, so they can never climb out of `media_dir`.
    The extension is the URL's own when it looks like one, else the usual one for `kind`.
    """
    extension = PurePosixPath(urlsplit(url).path).suffix.lower().lstrip(".")
    if not _SAFE_EXTENSION.fullmatch(extension):
        extension = DEFAULT_EXTENSIONS.get(kind, "bin")
    suffix = f"-{index + 1}" if index > 0 else ""
    folder = (day or date.today()).isoformat()
    return media_dir / folder / _safe_name(model, "model") / f"{_safe_name(job_id, 'job')}{suffix}.{extension}"


def _safe_name(text: str, fallback: str) -> str:
    name = _UNSAFE_NAME.sub("_", text).strip("._") or fallback
    return name[:120]
