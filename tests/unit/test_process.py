"""The process runner: bounded time, whole process group killed, argv verbatim, no shell."""

from __future__ import annotations

import json
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import pytest

from higgsfield_mcp.adapters.cli.errors import CLITimeout
from higgsfield_mcp.adapters.cli.process import run_process

from ..support.processes import wait_until_gone

HANG = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1], "w").write(f"{os.getpid()} {child.pid}")
time.sleep(600)
"""


async def _pids(marker: Path) -> list[int]:
    while not marker.exists() or not marker.read_text():
        await anyio.sleep(0.02)
    return [int(p) for p in marker.read_text().split()]


async def test_timeout_kills_the_whole_group(tmp_path: Path) -> None:
    marker = tmp_path / "pids"
    started = time.monotonic()
    with pytest.raises(CLITimeout) as info:
        await run_process([sys.executable, "-c", HANG, str(marker)], timeout=1.5)
    assert time.monotonic() - started < 1.5 + 3, "killed within the timeout plus the TERM grace"
    pids = [int(p) for p in marker.read_text().split()]
    assert wait_until_gone(lambda: pids), f"processes left behind: {pids}"
    assert "did not finish within 1.5 s" in info.value.message


async def test_cancellation_kills_the_whole_group(tmp_path: Path) -> None:
    marker = tmp_path / "pids"
    pids: list[int] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(partial(run_process, [sys.executable, "-c", HANG, str(marker)], timeout=60.0))
        pids = await _pids(marker)
        tg.cancel_scope.cancel()
    assert wait_until_gone(lambda: pids), f"processes left behind: {pids}"


async def test_cancellation_during_a_slow_spawn_still_kills_the_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a busy machine the child can run before the spawn returns its handle; a cancel then must not leak it."""
    from higgsfield_mcp.adapters.cli import process as module

    marker = tmp_path / "pids"
    real_open = anyio.open_process
    spawned = anyio.Event()

    async def slow_open(*args: Any, **kw: Any) -> Any:
        proc = await real_open(*args, **kw)
        spawned.set()
        await anyio.sleep(1.0)  # the handle is not returned yet
        return proc

    monkeypatch.setattr(module.anyio, "open_process", slow_open)
    async with anyio.create_task_group() as tg:
        tg.start_soon(partial(run_process, [sys.executable, "-c", HANG, str(marker)], timeout=60.0))
        await spawned.wait()
        pids = await _pids(marker)
        tg.cancel_scope.cancel()
    assert wait_until_gone(lambda: pids), f"processes left behind: {pids}"


@pytest.mark.parametrize(
    "value",
    ["-rf", "--prompt", 'say "hi" it\'s', "line one\nline two", "$(touch /tmp/pwned) `id` ; rm -rf ~", "ünïcødé ✓"],
)
async def test_argv_reaches_the_program_verbatim(value: str) -> None:
    done = await run_process(
        [sys.executable, "-c", "import json, sys; print(json.dumps(sys.argv[1:]))", "--prompt", value], timeout=20
    )
    assert json.loads(done.stdout) == ["--prompt", value]


async def test_stdin_exit_code_and_stderr() -> None:
    code = "import sys; d=sys.stdin.read(); sys.stderr.write('Error: x\\n'); print(d[::-1]); sys.exit(3)"
    done = await run_process([sys.executable, "-c", code], timeout=20, stdin="abc")
    assert (done.exit_code, done.stdout.strip(), done.stderr.strip()) == (3, "cba", "Error: x")


async def test_program_that_ignores_stdin_does_not_hang() -> None:
    done = await run_process([sys.executable, "-c", "print('ok')"], timeout=20, stdin="x" * 1_000_000)
    assert done.stdout.strip() == "ok"


async def test_missing_binary_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await run_process([str(tmp_path / "nope")], timeout=5)
