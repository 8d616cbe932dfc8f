"""Generation throughput and overhead against the sandbox CLI, printed as figures.

    .venv/bin/python benchmarks/bench_generation.py [--latency 2.0] [--jobs 12]

1. N generations at once with sandbox job latency L, through the MCP server (in-process
   Client), compared with the one-at-a-time `generate create --wait` loop a naive wrapper
   runs (measured, not assumed). Target: under 1.5 L + 1 s for N = 12.
2. CLI invocations per job while waiting (the single poller makes one `generate list` per
   tick for all pending jobs, rather than one process per job per tick).
3. The server's own time per tool call beyond the CLI processes it runs.

Machines here are shared and noisy: read the ratios within one run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from higgsfield_mcp.adapters.cli import client as cli_module
from higgsfield_mcp.adapters.cli.process import Completed, run_process
from higgsfield_mcp.config import Settings
from higgsfield_mcp.demo import sandbox_binary
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=2.0, help="sandbox job latency L in seconds")
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=10, help="calls per tool for the overhead figures")
    args = parser.parse_args()
    n, latency = args.jobs, args.latency

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


if __name__ == "__main__":
    main()
