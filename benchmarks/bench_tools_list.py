"""What `tools/list` costs an agent's context, in bytes, per tool and in all.

    .venv/bin/python benchmarks/bench_tools_list.py [--json]

Every MCP host puts the whole tool list into the model's context on every turn, so its
size is paid again and again. This prints each tool's JSON size (description, input
schema, output schema) beside the same figure measured on the build before issue 11
(main at 599a626), and the total against the 18 KB budget. The sizes are of the compact
JSON a server sends (no indentation), as the client receives it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from higgsfield_mcp.config import Settings
from higgsfield_mcp.demo import sandbox_binary
from higgsfield_mcp.server import create_server

BUDGET_BYTES = 18_000  # the "under 18 KB", in decimal kilobytes
BEFORE: dict[str, int] = {  # main at 599a626, before issue 11, measured with this script (output schemas: 56%)
    "character_library": 13907,
    "marketing_ad": 13120,
    "moodboard": 11027,
    "generate": 6651,
    "jobs": 4051,
    "pick_model": 3207,
    "account": 2624,
    "show_gallery": 2133,
}
BEFORE_TOTAL = 56739


def tool_sizes(tools: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    sizes: dict[str, dict[str, int]] = {}
    for tool in tools:
        sizes[tool["name"]] = {
            "total": len(compact(tool)),
            "description": len((tool.get("description") or "").encode()),
            "input_schema": len(compact(tool.get("inputSchema") or {})),
            "output_schema": len(compact(tool["outputSchema"])) if tool.get("outputSchema") else 0,
        }
    return sizes


def compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


async def listed_tools() -> list[dict[str, Any]]:
    """tools/list of a fresh server (sandbox CLI, throwaway home), as the wire carries it."""
    with tempfile.TemporaryDirectory(prefix="bench-tools-") as home:
        env = {"HIGGSFIELD_BIN": sandbox_binary(), "HIGGSFIELD_MCP_HOME": str(Path(home) / "mcp")}
        server = create_server(Settings.from_env(env))
        async with Client(server) as client:
            listed = await client.list_tools()
    return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed.tools]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    tools = anyio.run(listed_tools)
    sizes = tool_sizes(tools)
    total = len(compact({"tools": tools}))
    if args.json:
        print(json.dumps({"total": total, "tools": sizes}, indent=2))
        return
    print(f"{'tool':<20}{'bytes':>8}{'before':>9}{'descr.':>8}{'input':>8}{'output':>8}")
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1]["total"]):
        before = BEFORE.get(name)
        shown = f"{before:>9}" if before is not None else f"{'new':>9}"
        print(
            f"{name:<20}{size['total']:>8}{shown}{size['description']:>8}{size['input_schema']:>8}"
            f"{size['output_schema']:>8}"
        )
    verdict = "within" if total <= BUDGET_BYTES else "OVER"
    print(
        f"\ntools/list: {total} bytes ({total / 1000:.1f} KB) for {len(tools)} tools; before issue 11: "
        f"{BEFORE_TOTAL} bytes ({BEFORE_TOTAL / 1000:.1f} KB); budget {BUDGET_BYTES} bytes: {verdict}"
    )


if __name__ == "__main__":
    main()
