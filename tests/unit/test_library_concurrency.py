"""Many writers, one character: every write lands, the file is always whole, a kill loses nothing written.

Threads and separate processes both go through the per-character lock and the atomic
replace; a writer killed with SIGKILL in the middle of a write leaves the previous or the
next complete character.json, never a torn one, and never a lock that blocks others.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from higgsfield_mcp.domain.library.models import Character, Reference
from higgsfield_mcp.domain.library.store import CharacterStore

WRITERS = 20


@pytest.fixture
def store(tmp_path: Path) -> CharacterStore:
    store = CharacterStore(tmp_path / "library")
    store.create(Character(name="Maya", slug="-", description="one character, many writers"))
    return store


def _add(store: CharacterStore, tag: str) -> None:
    store.change("maya", lambda c: c.references.append(Reference(angle="free", file=f"{tag}.png", source=tag)))


def test_twenty_threads_writing_one_character_all_land(store: CharacterStore) -> None:
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            _add(store, f"thread-{n}")
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    data = json.loads(store.document("maya").read_text())
    assert sorted(r["source"] for r in data["references"]) == sorted(f"thread-{n}" for n in range(WRITERS))


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from higgsfield_mcp.domain.library.models import Reference
    from higgsfield_mcp.domain.library.store import CharacterStore

    store = CharacterStore(Path(sys.argv[1]))
    who, count, go = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    while time.time() < go:
        time.sleep(0.001)
    for n in range(count):
        tag = f"{who}-{n}"
        store.change("maya", lambda c: c.references.append(Reference(angle="free", file=tag + ".png", source=tag)))
    """
)


def test_twenty_writes_from_four_processes_all_land(store: CharacterStore) -> None:
    go = time.time() + 1.2  # every process imports first, then all write at once
    library = str(store.root.parent)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, library, f"proc{p}", "5", str(go)]) for p in range(4)]
    assert [proc.wait(60) for proc in procs] == [0, 0, 0, 0]
    data = json.loads(store.document("maya").read_text())
    expected = sorted(f"proc{p}-{n}" for p in range(4) for n in range(5))
    assert sorted(r["source"] for r in data["references"]) == expected


LOOPER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from higgsfield_mcp.domain.library.store import CharacterStore

    store = CharacterStore(Path(sys.argv[1]))
    padding = "x" * 3_000_000  # big writes, so a kill often lands in the middle of one
    n = 0
    while True:
        n += 1
        store.change("maya", lambda c: setattr(c, "notes", f"write {n} " + padding))
        print(n, flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_in_the_middle_of_writes_leaves_a_whole_file(store: CharacterStore) -> None:
    library = str(store.root.parent)
    path = store.document("maya")
    for kill, delay in enumerate((0.05, 0.13, 0.21, 0.34, 0.47), start=1):
        proc = subprocess.Popen([sys.executable, "-c", LOOPER, library], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        proc.stdout.readline()  # it has written at least once: the kill lands in a later write
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        data = json.loads(path.read_text())  # whole: it parses, and it is one of the writes, entire
        assert data["name"] == "Maya" and re.fullmatch(r"write \d+ x{3000000}", data["notes"])
        started = time.monotonic()
        note = f"after kill {kill}"
        store.change("maya", lambda c, note=note: setattr(c, "lighting_notes", note))
        assert time.monotonic() - started < 5, "a killed writer's lock is released by the kernel"
    assert store.load("maya").lighting_notes == "after kill 5"
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert all(name.startswith(".character.json.") for name in leftovers), "only hidden temp files, never the document"
