"""Files that are never seen half-written, and a lock that works across processes.

The character library and moodboards are plain files a person can open and edit, and
several MCP clients (each running its own server process) may write them at once. Two
rules keep them whole:

- every write goes to a temp file in the same folder, is flushed and fsynced, then
  `os.replace`d over the target, so a reader (or a crash, or SIGKILL) sees the old file
  or the new one, never a mix;
- a read-modify-write happens under an exclusive lock on a lock file (`flock`), which
  serialises threads and processes alike and is released by the kernel if the holder dies.

Temp files are dot-files (`.<name>.<random>.tmp`) so listings and exports skip them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from .cli.errors import HiggsfieldError

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl

LOCK_TIMEOUT_SECONDS = 30.0
"""Holders keep a lock for milliseconds; waiting this long means something is stuck."""

FILE_MODE = 0o644
"""Library files are the user's documents: readable like any file they saved themselves."""


class FileLockTimeout(HiggsfieldError):
    code = "file_lock_timeout"
    summary = "A library file stayed locked by another process for too long."
    default_remedy = (
        "Another higgsfield-mcp process is holding the library lock. Wait a moment and try again; "
        "if it persists, stop the other MCP clients using the same HIGGSFIELD_MCP_HOME."
    )


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step: readers see the old file or the new one, never part of either."""
    with _temp_beside(path) as (handle, temp):
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    _commit(temp, path)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def copy_atomic(source: Path, dest: Path, *, chunk: int = 1 << 20) -> None:
    """Copy `source` to `dest` through a temp file, so `dest` is never a truncated image."""
    with source.open("rb") as reader, _temp_beside(dest) as (handle, temp):
        while block := reader.read(chunk):
            handle.write(block)
        handle.flush()
        os.fsync(handle.fileno())
    _commit(temp, dest)


def claim_name(folder: Path, stem: str, suffix: str) -> Path:
    """A new, unused file `<stem><suffix>` (then `<stem>-2<suffix>`, …) in `folder`, created empty.

    Creating it with O_EXCL is what makes two concurrent callers never pick the same name;
    the caller then fills it with `copy_atomic` or `write_bytes_atomic`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        candidate = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise HiggsfieldError(
        f"No free file name for {stem}{suffix} in {folder}",
        remedy="Remove unused files from that folder, then try again.",
    )


@contextmanager
def exclusive_lock(lock_file: Path, *, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (created if missing) for the `with` block.

    Each call opens the file itself, so the lock also serialises threads of one process
    (flock belongs to the open file description). The kernel drops it if the process dies.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.001
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise FileLockTimeout(f"{lock_file} stayed locked for more than {timeout:g} s")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def _temp_beside(path: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """A temp file in `path`'s folder (same filesystem, so the rename is atomic), removed on failure."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                with suppress(OSError):  # mode is a nicety; some filesystems refuse it
                    os.fchmod(handle.fileno(), FILE_MODE)
            yield handle, temp
    except BaseException:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise


def _commit(temp: Path, dest: Path) -> None:
    try:
        os.replace(temp, dest)
    except BaseException:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_folder(dest.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut after replace must not bring the old name back)."""
    if sys.platform == "win32":  # pragma: no cover - folders cannot be opened for fsync there
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
