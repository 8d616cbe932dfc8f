"""What the hostile-input defences cost, printed as figures.

    .venv/bin/python benchmarks/bench_hostile.py [--runs 200]

1. `redact` over CLI stderr: a typical two-line error, and a 1 MiB verbose dump.
2. A refused tool call through the edge in-process (an unknown argument name): the whole
   round trip an agent sees when it misspells an argument; no CLI is run.
3. Refusing a zip bomb (a few tens of KB that declare a 60 MB image) from its header.

Machines here are shared and noisy: medians are printed next to the best run.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import anyio
from mcp import Client

from higgsfield_mcp.adapters.cli.redact import redact
from higgsfield_mcp.config import Settings
from higgsfield_mcp.domain.library.errors import ArchiveRefused
from higgsfield_mcp.domain.library.store import CharacterStore
from higgsfield_mcp.domain.library.transfer import import_character
from higgsfield_mcp.server import create_server


def _timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000


def _line(label: str, median_best: tuple[float, float]) -> None:
    median, best = median_best
    print(f"{label:<52} median {median:8.3f} ms   best {best:8.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs

    small = "Error: Higgsfield API error (HTTP 502)\nHint: Authorization: Bearer abcdefghijklmnopqrstuvwxyz\n"
    big = ("debug: GET /v1/jobs status=200 cookie: a=b; token=abcdefgh12345678\n" * 16000)[: 1024 * 1024]
    _line("redact, 2-line error", _timed(lambda: redact(small), runs))
    _line("redact, 1 MiB dump", _timed(lambda: redact(big), max(5, runs // 20)))

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(root / "home")}, cwd=root, user_home=root)

        async def refused_calls() -> tuple[float, float]:
            server = create_server(settings)
            logging.getLogger("mcp").setLevel(logging.WARNING)  # one INFO line per refusal would swamp the figures
            async with Client(server) as client:
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    result = await client.call_tool("generate", {"prompt": "x", "aspectratio": "16:9"})
                    times.append(time.perf_counter() - start)
                    assert result.is_error
                return statistics.median(times) * 1000, min(times) * 1000

        _line("refused tool call (unknown argument), in-process", anyio.run(refused_calls))

        bomb = root / "bomb.zip"
        with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("maya/character.json", '{"name": "Maya", "slug": "maya"}')
            zf.writestr("maya/front.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (60 * 1024 * 1024))
        store = CharacterStore(root / "library")

        def refuse() -> None:
            try:
                import_character(store, bomb)
            except ArchiveRefused:
                return
            raise AssertionError("the bomb was imported")

        print(f"zip bomb: {bomb.stat().st_size / 1024:.0f} KB on disk, declares 60 MB for one image")
        _line("refuse the zip bomb from its header", _timed(refuse, max(5, runs // 10)))


if __name__ == "__main__":
    main()
