"""Character library speed with 1,000 characters, printed as figures.

    .venv/bin/python benchmarks/bench_library.py [--characters 1000] [--runs 30]

Targets: list under 100 ms, show under 20 ms. Each character is realistic on disk: a
description, three references and two test shots (small real PNGs) and 40 history entries.

1. list, cold (no index: every character.json is read) and warm (the index answers; one
   stat per character), and right after one character.json was edited by hand.
2. show: reading one character (the store), and the library's `show` by display name
   (resolve + read + the refresh checks, which find nothing pending and call no CLI).
3. The same two through the MCP tool in-process (`character_library` list/show), for the
   whole cost an agent sees, text and previews included.

Machines here are shared and noisy: medians are printed next to the best run.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
from mcp import Client
from PIL import Image

from higgsfield_mcp.adapters.cli.client import HiggsfieldCLI
from higgsfield_mcp.config import Settings
from higgsfield_mcp.domain.generation.production import Production
from higgsfield_mcp.domain.library.index import INDEX_FILE
from higgsfield_mcp.domain.library.models import Character, HistoryEntry, Reference, TestShot
from higgsfield_mcp.domain.library.service import Library
from higgsfield_mcp.domain.library.store import CharacterStore
from higgsfield_mcp.server import create_server

LIST_TARGET_MS = 100.0
SHOW_TARGET_MS = 20.0


def tiny_png(n: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 64), (n * 37 % 256, n * 91 % 256, n * 13 % 256)).save(buffer, format="PNG")
    return buffer.getvalue()


def populate(store: CharacterStore, count: int) -> list[str]:
    images = [tiny_png(n) for n in range(5)]
    names: list[str] = []
    for n in range(count):
        name = f"Character {n:04d}"
        created = store.create(
            Character(
                name=name,
                slug="-",
                description=f"Person number {n}: late twenties, dark hair, navy blazer, hazel eyes, calm presence.",
                canonical_prompt=f"Character {n}, a person in their late twenties with dark hair and a navy blazer.",
                lighting_notes="Soft window light from the left; avoid hard top light.",
            )
        )
        folder = store.folder(created.slug)
        files = ["front.png", "three_quarter.png", "profile.png", "test-shot.png", "test-shot-2.png"]
        for file, data in zip(files, images, strict=True):
            (folder / file).write_bytes(data)

        def fill(c: Character, n: int = n, files: list[str] = files) -> None:
            c.references = [
                Reference(angle=a, file=f, job_id=f"job-{n}-{a}", prompt=c.canonical_prompt, model="text2image_soul_v2")
                for a, f in zip(("front", "three_quarter", "profile"), files, strict=False)
            ]
            c.test_shots = [TestShot(file=f, lighting_notes="neon rim light") for f in files[3:]]
            c.history = [
                HistoryEntry(job_id=f"h-{n}-{k}", model="nano_banana_2", prompt="a scene", state="completed")
                for k in range(40)
            ]

        store.change(created.slug, fill)
        names.append(name)
    return names


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def timed_async(fn: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label: str, samples: list[float], target: float | None = None) -> bool:
    median, best = statistics.median(samples), min(samples)
    verdict = ""
    ok = True
    if target is not None:
        ok = median < target
        verdict = f"  target < {target:.0f} ms: {'OK' if ok else 'MISSED'}"
    print(f"  {label:<50} median {median:8.2f} ms   best {best:8.2f} ms{verdict}")
    return ok


async def main(count: int, runs: int) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
        home = Path(tmp)
        settings = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(home), "HIGGSFIELD_BIN": "/nonexistent"}, cwd=home)
        store = CharacterStore(settings.library_dir)
        started = time.perf_counter()
        names = populate(store, count)
        size = sum(p.stat().st_size for p in store.root.glob("*/character.json")) / count
        print(
            f"library: {count} characters, {size / 1024:.1f} KB character.json each, built in "
            f"{time.perf_counter() - started:.1f} s\n"
        )
        results: list[bool] = []

        print("1. list")
        (store.root / INDEX_FILE).unlink(missing_ok=True)
        report("cold (no index: reads every file)", timed(store.list, 1))
        results.append(report("warm (index + one stat per character)", timed(store.list, runs), LIST_TARGET_MS))
        edited = store.document("character-0500")
        edited.write_text(edited.read_text().replace("calm presence", "restless energy"))
        os.utime(edited)
        report("after one hand edit (re-reads that one)", timed(store.list, 1))

        print("\n2. show")
        production = Production(settings, HiggsfieldCLI("/nonexistent"))
        library = Library(settings, production)
        picks = [names[(k * 7919) % count] for k in range(runs)]
        slugs = [store.resolve(name) for name in picks]
        it = iter(slugs * 2)
        results.append(report("store: read one character", timed(lambda: store.load(next(it)), runs), SHOW_TARGET_MS))
        names_it = iter(picks * 2)
        samples = await timed_async(lambda: library.show_character(next(names_it)), runs)
        results.append(report("library show by display name (+ refresh checks)", samples, SHOW_TARGET_MS))
        production.journal.close()

        print("\n3. through the MCP tool (in-process client; includes text, previews, links)")
        os.environ.update({"HIGGSFIELD_MCP_HOME": str(home), "HIGGSFIELD_BIN": "/nonexistent"})
        async with Client(create_server(settings)) as client:
            await client.call_tool("character_library", {"action": "show", "name": picks[0]})  # previews cached
            samples = await timed_async(lambda: client.call_tool("character_library", {"action": "list"}), 5)
            report("character_library list", samples)
            names_it = iter(picks * 2)
            samples = await timed_async(
                lambda: client.call_tool("character_library", {"action": "show", "name": next(names_it)}), runs
            )
            report("character_library show (first show makes previews)", samples)
        print("\nall targets met" if all(results) else "\nSOME TARGETS MISSED")
        return 0 if all(results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--characters", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    raise SystemExit(anyio.run(main, args.characters, args.runs))
