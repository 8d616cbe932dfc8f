"""A 6-scene storyboard from brief to animatic against the sandbox, printed as figures.

    .venv/bin/python benchmarks/bench_storyboard.py [--latency 2.0]

Runs create → stills (6 at once) → approve → clips (6 at once) → approve → animatic through
the MCP server (in-process Client), with sandbox job latency L. Prints the wall time of each
step and of the whole run against the sum of the 12 jobs' latencies (what making them one by
one would cost at least), and the animatic assembly time on its own. Two characters are
created with their three references first (not counted in the storyboard's time).

Machines here are shared and noisy: read the ratios within one run, not absolute times.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from higgsfield_mcp.config import Settings
from higgsfield_mcp.demo import sandbox_binary
from higgsfield_mcp.server import create_server
from higgsfield_sandbox.cdn import LoopbackCDN

SCENES: list[dict[str, Any]] = [
    {"beat": "Maya boards the night ferry alone", "characters": ["Maya"], "duration": 4},
    {"beat": "Tomas watches her from the wheelhouse", "characters": ["Tomas"], "duration": 5},
    {"beat": "They meet on the deck", "characters": ["Maya", "Tomas"], "framing": "two-shot", "duration": 6},
    {"beat": "Maya reads the letter", "characters": ["Maya"], "framing": "close-up", "duration": 4},
    {"beat": "The far city's lights appear", "location": "open water", "duration": 5},
    {"beat": "They step off together", "characters": ["Tomas", "Maya"], "duration": 4},
]


async def call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content[0].text if result.content else result
    return result.structured_content or {}


async def run() -> list[tuple[str, float]]:
    steps: list[tuple[str, float]] = []
    async with Client(create_server(Settings.from_env())) as client:
        for name in ("Maya", "Tomas"):
            await call(client, "character_library", {"action": "create", "name": name, "description": f"{name}, 30s"})
            await call(client, "character_library", {"action": "make_references", "name": name})
        board = {"action": "create", "name": "Ferry", "look": "amber and teal", "tone": "tender"}
        await call(client, "moodboard", board)
        plan = [
            ("create", {"action": "create", "name": "Ferry", "scenes": SCENES}),
            ("stills (6 at once)", {"action": "stills", "name": "Ferry"}),
            ("approve stills", {"action": "approve", "name": "Ferry"}),
            ("clips (6 at once)", {"action": "clips", "name": "Ferry"}),
            ("approve clips", {"action": "approve", "name": "Ferry"}),
            ("animatic assembly", {"action": "animatic", "name": "Ferry"}),
        ]
        for label, args in plan:
            started = time.perf_counter()
            data = await call(client, "storyboard", args)
            steps.append((label, time.perf_counter() - started))
        animatic = data["board"]["animatic"]
        size = f"{animatic['width']}x{animatic['height']}"
        print(f"animatic: {animatic['seconds']} s, {animatic['frames']} frames, {size} at {animatic['fps']} fps")
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=2.0, help="sandbox job latency L in seconds")
    args = parser.parse_args()
    latency = args.latency
    with tempfile.TemporaryDirectory(prefix="hf-bench-") as tmp, LoopbackCDN(Path(tmp) / "sandbox" / "cdn") as cdn:
        os.environ.update(
            {
                "HIGGSFIELD_BIN": sandbox_binary(),
                "HIGGSFIELD_SANDBOX_HOME": f"{tmp}/sandbox",
                "HIGGSFIELD_SANDBOX_JOB_SECONDS": str(latency),
                "HIGGSFIELD_MCP_HOME": f"{tmp}/mcp",
                "HIGGSFIELD_MCP_POLL_SECONDS": "0.5",
                **cdn.env(),
            }
        )
        steps = anyio.run(run)
    jobs = 12
    total = sum(seconds for _, seconds in steps)
    assembly = dict(steps)["animatic assembly"]
    print(f"# storyboard benchmark (6 scenes, {jobs} jobs, sandbox latency L = {latency:g} s, {os.cpu_count()} cores)")
    for label, seconds in steps:
        print(f"  {label:<20} {seconds:6.2f} s")
    print(f"brief to animatic, wall  : {total:6.2f} s")
    print(f"sum of the jobs' latency : {jobs * latency:6.2f} s  (12 jobs one after another: at least this)")
    print(f"wall / sum of latencies  : {total / (jobs * latency):6.2f}")
    print(f"generation steps only    : {total - assembly:6.2f} s  (2 rounds of 6 jobs at once: about 2 L + overhead)")
    print(f"animatic assembly        : {assembly:6.2f} s  (decode 6 clips, re-encode one MP4, page and sheet)")


if __name__ == "__main__":
    main()
