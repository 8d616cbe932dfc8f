"""Generation throughput and overhead against the sandbox CLI, printed as figures.

    .venv/bin/python benchmarks/bench_generation.py [--latency 2.0] [--jobs 12]

1. N generations at once with sandbox job latency L, through the MCP server (in-process
   Client), compared with the one-at-a-time `generate create --wait` loop a naive wrapper
   runs (measured, not assumed). Target: under 1.5 L + 1 s for N = 12.
2. CLI invocations per job while waiting (the single poller makes one `generate list` per
   tick for all pending jobs, rather than one process per job per tick).
3. The server's own time per tool call beyond the CLI processes it runs.
4. Scale (`--scale 200 12`): N jobs created at the same moment with latency L, already in
   the journal, then the server's poller alone: time until every file is saved against
   the ideal L + one poll interval (target: within 1.3x), and CLI processes per round
   (target: at most 3).
5. A slow download (a CDN dripping one job's file a byte at a time) and an unrelated job
   created just after it: how much later the unrelated job is saved than without the
   slow one (target: under one poll interval).

Machines here are shared and noisy: read the ratios within one run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from higgsfield_mcp.adapters.cli import client as cli_module
from higgsfield_mcp.adapters.cli.client import HiggsfieldCLI
from higgsfield_mcp.adapters.cli.process import Completed, run_process
from higgsfield_mcp.adapters.journal import Journal
from higgsfield_mcp.config import Settings
from higgsfield_mcp.demo import sandbox_binary
from higgsfield_mcp.domain.generation.production import Production
from higgsfield_mcp.server import create_server
from higgsfield_sandbox.cdn import LoopbackCDN


def calls(home: Path) -> list[list[str]]:
    log = home / "calls.jsonl"
    return [json.loads(line)["argv"] for line in log.read_text().splitlines()] if log.exists() else []


class CLITimer:
    """Adds up the wall time of every CLI process the server runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    async def __call__(self, argv: Any, **kw: Any) -> Completed:
        done = await run_process(argv, **kw)
        self.seconds += done.seconds
        self.count += 1
        return done


async def concurrent_generations(n: int) -> tuple[float, int]:
    async with Client(create_server(Settings.from_env())) as client:

        async def one(i: int) -> None:
            result = await client.call_tool("generate", {"prompt": f"benchmark still {i}", "model": "z_image"})
            data = result.structured_content or {}
            assert not result.is_error and data["jobs"][0]["state"] == "completed", result.content

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(one, i)
        return time.perf_counter() - started, n


def sequential_wait_loop(n: int, env: dict[str, str]) -> float:
    started = time.perf_counter()
    for i in range(n):
        subprocess.run(  # noqa: S603 - argv list, our own sandbox binary
            [
                sandbox_binary(),
                "generate",
                "create",
                "z_image",
                "--prompt",
                f"loop {i}",
                "--wait",
                "--json",
                "--wait-interval",
                "0.2s",
            ],
            env=env,
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
    return time.perf_counter() - started


async def overhead(rounds: int) -> list[tuple[str, float, float, int]]:
    timer = CLITimer()
    original = cli_module.run_process
    cli_module.run_process = timer  # type: ignore[assignment]
    rows = []
    try:
        async with Client(create_server(Settings.from_env())) as client:
            await client.call_tool("account", {})  # warm: identity check, imports
            for tool, args in [
                ("account", {}),
                ("pick_model", {"request": "cinematic still of a harbour at dawn"}),
                ("jobs", {"action": "history"}),
            ]:
                timer.seconds, timer.count = 0.0, 0
                started = time.perf_counter()
                for _ in range(rounds):
                    await client.call_tool(tool, args)
                total = time.perf_counter() - started
                rows.append((tool, total / rounds, timer.seconds / rounds, timer.count // rounds))
    finally:
        cli_module.run_process = original  # type: ignore[assignment]
    return rows


def seed_jobs(n: int, latency: float, prompt: str, *, journal_path: Path) -> tuple[list[str], float]:
    """N finished-looking sandbox jobs created at one moment with latency L, journaled as a server would."""
    from higgsfield_sandbox import catalogue, jobs, render
    from higgsfield_sandbox.config import load_settings
    from higgsfield_sandbox.state import State, new_id

    settings = load_settings()
    state = State(settings.home)
    model = catalogue.get("z_image")
    png, _ = render.image_pair(
        aspect_ratio="1:1", heading="", subtitle="bench", body=prompt, footer="", seed_text=prompt
    )
    ids = [new_id() for _ in range(n)]
    records = []
    for i, ident in enumerate(ids):
        state.write_bytes(f"bench/{ident}.png", png)
        url = settings.cdn_url(f"bench/{ident}.png")
        record = jobs.new_record(
            ident=ident,
            model=model,
            params={"prompt": f"{prompt} {i}"},
            created_at=0.0,
            seconds=latency,
            stuck=False,
            cost=1,
            batch_index=0,
            batch_size=1,
            outputs=1,
            job_set_id=new_id(),
        )
        record.update(rendered=True, result_url=url, result_urls=[url], min_result_url=None)
        records.append(record)
    created = time.time()
    for i, record in enumerate(records):
        record["created_at"] = created + i * 1e-4  # distinct, as separate submits are
        state.save("jobs", record)
    with Journal(journal_path) as journal:
        journal.record_jobs(None, ids, model="z_image", kind="image", prompt=prompt)
    return ids, created


async def poll_until_saved(ids: list[str], *, timeout: float) -> tuple[float, list[int], dict[str, float]]:
    """Run one server's poller until every job is saved; (when the last was, CLI processes per round, saved at)."""
    settings = Settings.from_env()
    production = Production(settings, HiggsfieldCLI(settings.bin))
    saved: dict[str, float] = {}
    async with production.running():
        production.poller.track()
        with anyio.fail_after(timeout):  # one cheap query per check: the benchmark must not load the server
            while production.journal.count_unfinished():  # noqa: ASYNC110 - the journal has no event to await
                await anyio.sleep(0.2)
        for job_id in ids:
            record = production.journal.get(job_id)
            assert record is not None and record.finished_at is not None and record.files, record
            saved[job_id] = record.finished_at
        rounds = list(production.poller.state.rounds_cli_calls)
    return max(saved.values()), rounds, saved


def scale(n: int, latency: float, interval: float, tmp: str) -> tuple[float, float, int, float]:
    """(seconds from creation to the last saved file, ratio to L + interval, most CLI processes in a round, mean)."""
    home = Path(tmp) / f"scale-{n}"
    os.environ["HIGGSFIELD_MCP_HOME"] = str(home / "mcp")
    ids, created = seed_jobs(n, latency, f"scale {n}", journal_path=home / "mcp" / "journal.sqlite3")
    last, rounds, _ = anyio.run(lambda: poll_until_saved(ids, timeout=latency * 10 + 120))
    busy = [r for r in rounds if r]
    took = last - created
    return took, took / (latency + interval), max(busy or [0]), sum(busy) / max(1, len(busy))


def slow_download_cost(latency: float, cdn: LoopbackCDN, tmp: str) -> tuple[float, float]:
    """(latency of a lone job, latency of the same job created while another one's file drips)."""
    results = []
    for slow in (False, True):
        home = Path(tmp) / f"drip-{slow}"
        os.environ["HIGGSFIELD_MCP_HOME"] = str(home / "mcp")
        journal = home / "mcp" / "journal.sqlite3"
        cdn.faults.clear()
        ids: list[str] = []
        if slow:
            [drip], _ = seed_jobs(1, 0.0, "dripping", journal_path=journal)
            cdn.faults.add("drip", drip, seconds=2.0)
            ids.append(drip)
        [quick], created = seed_jobs(1, latency, "unrelated", journal_path=journal)

        async def run(quick: str = quick) -> float:
            settings = Settings.from_env()
            production = Production(settings, HiggsfieldCLI(settings.bin))
            async with production.running():
                production.poller.track()
                with anyio.fail_after(latency * 10 + 60):
                    while True:
                        record = production.journal.get(quick)
                        if record is not None and record.finished_at is not None:
                            return record.finished_at
                        await anyio.sleep(0.05)

        results.append(anyio.run(run) - created)
    cdn.faults.clear()
    return results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=2.0, help="sandbox job latency L in seconds")
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=10, help="calls per tool for the overhead figures")
    parser.add_argument("--scale", type=int, nargs="*", default=[200, 12], help="job counts for the scale figures")
    parser.add_argument("--scale-latency", type=float, default=20.0, help="job latency L for the scale figures")
    parser.add_argument("--only-scale", action="store_true", help="skip sections 1-3")
    args = parser.parse_args()
    n, latency = args.jobs, args.latency
    if args.only_scale:
        print_scale(args.scale, args.scale_latency)
        return

    with tempfile.TemporaryDirectory(prefix="hf-bench-") as tmp, LoopbackCDN(Path(tmp) / "sandbox" / "cdn") as cdn:
        env = {
            "HIGGSFIELD_BIN": sandbox_binary(),
            "HIGGSFIELD_SANDBOX_HOME": f"{tmp}/sandbox",
            "HIGGSFIELD_SANDBOX_JOB_SECONDS": str(latency),
            "HIGGSFIELD_MCP_HOME": f"{tmp}/mcp",
            "HIGGSFIELD_MCP_POLL_SECONDS": "0.5",
            **cdn.env(),
        }
        os.environ.update(env)
        sandbox_home = Path(env["HIGGSFIELD_SANDBOX_HOME"])

        before = len(calls(sandbox_home))
        wall, _ = anyio.run(concurrent_generations, n)
        argvs = calls(sandbox_home)[before:]
        creates = sum(1 for a in argvs if a[:2] == ["generate", "create"])
        polls = sum(1 for a in argvs if a[:2] in (["generate", "list"], ["generate", "get"]))

        loop_env = {**os.environ, "HIGGSFIELD_SANDBOX_HOME": f"{tmp}/loop"}
        loop = sequential_wait_loop(n, loop_env)

        rows = anyio.run(overhead, args.rounds)

    target = 1.5 * latency + 1
    print(f"# generation benchmark (sandbox latency L = {latency:g} s, {n} jobs, {os.cpu_count()} cores)")
    print(
        f"concurrent via MCP server : {wall:6.2f} s  ({wall / latency:4.2f} L; target < 1.5 L + 1 s = {target:.1f} s: "
        f"{'met' if wall < target else 'MISSED'})"
    )
    print(f"one-at-a-time --wait loop : {loop:6.2f} s  ({loop / latency:4.2f} L; {n} L = {n * latency:.1f} s)")
    print(f"speed-up                  : {loop / wall:6.2f}x")
    print(
        f"CLI processes while waiting: {polls} for {n} jobs = {polls / n:.2f} per job "
        f"(plus {creates} submits; a per-job poll every 0.5 s would be about {n * latency / 0.5:.0f})"
    )
    print("server overhead per call (tool wall time minus the CLI processes it ran):")
    for tool, per_call, cli_time, cli_calls in rows:
        print(
            f"  {tool:<10} {per_call * 1000:7.1f} ms per call, CLI {cli_time * 1000:7.1f} ms "
            f"in {cli_calls} process(es), server {max(0.0, per_call - cli_time) * 1000:6.1f} ms"
        )
    print_scale(args.scale, args.scale_latency)


CDN_PROCESS = (
    "import json, pathlib, sys\n"
    "from higgsfield_sandbox.cdn import LoopbackCDN\n"
    "cdn = LoopbackCDN(pathlib.Path(sys.argv[1]))\n"
    "print(json.dumps(cdn.env()), flush=True)\n"
    "sys.stdin.read()\n"
)
"""The CDN in a process of its own for the scale figures: a real CDN does not share the server's CPU and GIL."""


def print_scale(counts: list[int], latency: float, interval: float = 0.5) -> None:
    print(f"# scale (L = {latency:g} s, poll interval {interval:g} s, ideal L + interval = {latency + interval:g} s)")
    with tempfile.TemporaryDirectory(prefix="hf-bench-scale-") as tmp:
        cdn_root = Path(tmp) / "sandbox" / "cdn"
        cdn_root.mkdir(parents=True)
        remote = subprocess.Popen(  # noqa: S603 - argv list, our own interpreter
            [sys.executable, "-c", CDN_PROCESS, str(cdn_root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert remote.stdout is not None
            os.environ.update(
                {
                    "HIGGSFIELD_BIN": sandbox_binary(),
                    "HIGGSFIELD_SANDBOX_HOME": f"{tmp}/sandbox",
                    "HIGGSFIELD_MCP_POLL_SECONDS": str(interval),
                    **json.loads(remote.stdout.readline()),
                }
            )
            for count in counts:
                took, ratio, most, mean = scale(count, latency, interval, tmp)
                verdict = "met" if ratio <= 1.3 and most <= 3 else "MISSED"
                print(
                    f"{count:4d} jobs at once: all saved after {took:6.2f} s = {ratio:4.2f}x (L + interval); "
                    f"CLI processes per round: at most {most}, mean {mean:.1f} (targets 1.3x, 3: {verdict})"
                )
        finally:
            remote.communicate("")
    with tempfile.TemporaryDirectory(prefix="hf-bench-drip-") as tmp, LoopbackCDN(Path(tmp) / "sandbox" / "cdn") as cdn:
        os.environ.update({"HIGGSFIELD_SANDBOX_HOME": f"{tmp}/sandbox", **cdn.env()})
        alone, beside = slow_download_cost(latency, cdn, tmp)
    added = beside - alone
    print(
        f"slow download next to an unrelated job: that job saved after {beside:.2f} s vs {alone:.2f} s alone, "
        f"+{added:.2f} s (target under one poll interval, {interval:g} s: {'met' if added < interval else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
