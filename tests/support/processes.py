"""Which processes are still alive: for tests that prove nothing is left behind (Linux /proc)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


def alive(pid: int) -> bool:
    """Running, and not a zombie (a zombie still answers kill(0) but is gone for our purposes)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # pragma: no cover - no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def pids_with_env(marker: str, *, command_contains: bytes | None = None) -> list[int]:
    """Live processes (other than this one) whose environment holds `marker`, e.g. `HOME_VAR=/tmp/x`."""
    found = []
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if command_contains is not None and command_contains not in (entry / "cmdline").read_bytes():
                continue
            if needle in (entry / "environ").read_bytes() and alive(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_until_gone(pids: Callable[[], Iterable[int]], seconds: float = 30.0) -> bool:
    """True once `pids()` names no live process, polling for up to `seconds`.

    Generous on purpose: it returns as soon as they are gone, and on two cores kept busy by
    other work a killed process can take seconds to be scheduled, exit and be reaped.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids()):
            return True
        time.sleep(0.05)
    return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    argv: Sequence[str], env: Mapping[str, str], host: str, port: int, *, seconds: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until it accepts connections on `host:port`; stop it afterwards."""
    proc = subprocess.Popen(
        list(argv), env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
