"""The sandbox's state folder: one JSON file per record, atomic writes, fcntl locks, calls log.

Layout under ``HIGGSFIELD_SANDBOX_HOME``::

    calls.jsonl                 one line per invocation (appended before any work)
    account.json                auth, workspace selection, credit ledger (locked read-modify-write)
    faults.json                 ``#N`` fault counters (locked read-modify-write)
    jobs/<id>.json              one file per generation job
    uploads/<id>.json           one file per upload
    souls/<id>.json             one file per Soul id
    marketing/<kind>/<id>.json  avatars, products, webproducts
    locks/                      lock files (global + per record)
    cdn/<path>                  files served at HIGGSFIELD_SANDBOX_CDN/<path>

Nothing here does a shared read-modify-write without holding an fcntl lock; single records
are written once by their creator and later replaced atomically (temp file + os.replace).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from typing import Any

try:  # POSIX only; elsewhere the sandbox runs without cross-process locks.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

JsonDict = dict[str, Any]


def new_id() -> str:
    """A random (version 4) UUID string, without importing ``uuid`` (start-up time)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _atomic_write(target: str, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to a unique temp file beside ``target``, then ``os.replace`` it into place."""
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class State:
    def __init__(self, home: str) -> None:
        self.home = os.path.abspath(home)
        os.makedirs(self.home, exist_ok=True)

    # ------------------------------------------------------------------ paths
    def path(self, *parts: str) -> str:
        return os.path.join(self.home, *parts)

    @property
    def cdn_root(self) -> str:
        return self.path("cdn")

    def cdn_path(self, rel: str) -> str:
        return os.path.join(self.cdn_root, *rel.split("/"))

    def cdn_exists(self, rel: str) -> bool:
        return os.path.exists(self.cdn_path(rel))

    # ------------------------------------------------------------------ locking
    @contextlib.contextmanager
    def lock(self, name: str = "global") -> Iterator[None]:
        lock_dir = self.path("locks")
        os.makedirs(lock_dir, exist_ok=True)
        fd = os.open(os.path.join(lock_dir, f"{name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # ------------------------------------------------------------------ json files
    @staticmethod
    def write_json(target: str, data: Any) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        _atomic_write(target, text.encode("utf-8"))

    @staticmethod
    def read_json(target: str) -> Any:
        try:
            with open(target, encoding="utf-8") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None

    def write_bytes(self, rel: str, data: bytes) -> str:
        """Write a CDN file atomically and return its path."""
        target = self.cdn_path(rel)
        _atomic_write(target, data)
        return target

    # ------------------------------------------------------------------ records
    def _record_path(self, kind: str, ident: str) -> str:
        safe = ident.replace("/", "_").replace("\\", "_").replace("..", "_")
        return os.path.join(self.home, *kind.split("/"), f"{safe}.json")

    def save(self, kind: str, record: JsonDict) -> None:
        self.write_json(self._record_path(kind, str(record["id"])), record)

    def load(self, kind: str, ident: str) -> JsonDict | None:
        if not ident or ident.startswith("."):
            return None
        data = self.read_json(self._record_path(kind, ident))
        return data if isinstance(data, dict) else None

    def load_all(self, kind: str) -> list[JsonDict]:
        folder = os.path.join(self.home, *kind.split("/"))
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return []
        records: list[JsonDict] = []
        for name in names:
            if not name.endswith(".json") or name.startswith("."):
                continue
            data = self.read_json(os.path.join(folder, name))
            if isinstance(data, dict):
                records.append(data)
        return records

    # ------------------------------------------------------------------ shared documents
    @contextlib.contextmanager
    def update(self, name: str) -> Iterator[JsonDict]:
        """Locked read-modify-write of a shared JSON document (``account``, ``faults``)."""
        with self.lock(name):
            target = self.path(f"{name}.json")
            data = self.read_json(target)
            doc: JsonDict = data if isinstance(data, dict) else {}
            yield doc
            self.write_json(target, doc)

    def read_doc(self, name: str) -> JsonDict:
        data = self.read_json(self.path(f"{name}.json"))
        return data if isinstance(data, dict) else {}

    # ------------------------------------------------------------------ calls log
    def log_call(self, argv: list[str], stdin_text: str | None) -> None:
        line = json.dumps(
            {"ts": time.time(), "argv": argv, "stdin": stdin_text, "pid": os.getpid()},
            ensure_ascii=False,
        )
        data = (line + "\n").encode("utf-8")
        fd = os.open(self.path("calls.jsonl"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def phase(created_at: float, seconds: float, now: float | None = None) -> str:
    """``queued`` briefly, then ``in_progress``, then ``done`` once ``seconds`` have elapsed."""
    elapsed = (time.time() if now is None else now) - created_at
    if elapsed >= seconds:
        return "done"
    if elapsed < seconds * 0.2:
        return "queued"
    return "in_progress"
