"""Post-production through the MCP server against the sandbox CLI, printed as figures.

    .venv/bin/python benchmarks/bench_postproduction.py [--latency 2.0]

1. One clip, then three edits of it at once (reframe to 9:16, dub into Spanish, voice
   change): wall time against the sandbox job latency L. The edits run side by side, so
   the target is under 1.5 L + 1 s for the three together.
2. CLI processes per edit: the submit, the shared polling, and the voice lookup.
3. The `edit` tool's share of `tools/list`, in bytes.

Machines here are shared and noisy: read the ratios within one run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import anyio
from bench_generation import calls
from mcp import Client

from higgsfield_mcp.config import Settings
from higgsfield_mcp.demo import sandbox_binary
from higgsfield_mcp.server import create_server
from higgsfield_sandbox.cdn import LoopbackCDN

EDITS = [
    {"action": "reframe", "aspect_ratio": "9:16"},
    {"action": "dub", "language": "Spanish"},
    {"action": "voice_change", "voice": "warm female narrator"},
]


async def run(sandbox_home: Path) -> tuple[float, int, int]:
    async with Client(create_server(Settings.from_env())) as client:
        first = await client.call_tool("generate", {"prompt": "a cyclist at dawn", "model": "seedance1_5"})
        clip = (first.structured_content or {})["jobs"][0]["job_id"]
        before = len(calls(sandbox_home))

        async def one(args: dict[str, str]) -> None:
            result = await client.call_tool("edit", {**args, "source": clip})
            data = result.structured_content or {}
            assert not result.is_error and data["jobs"][0]["state"] == "completed", result.content

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for args in EDITS:
                tg.start_soon(one, args)
        wall = time.perf_counter() - started
        processes = len(calls(sandbox_home)) - before
        tools = (await client.list_tools()).tools
        [edit] = [t for t in tools if t.name == "edit"]
        size = len(json.dumps(edit.model_dump(mode="json", exclude_none=True, by_alias=True)))
    return wall, processes, size


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
        wall, processes, size = anyio.run(run, Path(tmp) / "sandbox")
    target = 1.5 * latency + 1
    print(f"# post-production benchmark (sandbox latency L = {latency:g} s, {os.cpu_count()} cores)")
    print(
        f"3 edits of one clip at once : {wall:6.2f} s ({wall / latency:4.2f} L; target < 1.5 L + 1 s = {target:.1f} s: "
        f"{'met' if wall < target else 'MISSED'})"
    )
    print(f"CLI processes for the 3     : {processes} ({processes / len(EDITS):.1f} per edit)")
    print(f"edit tool in tools/list     : {size} bytes")


if __name__ == "__main__":
    main()
