"""`tools/list` pinned: what every host puts in the model's context on every turn.

Regenerate the snapshot after adding or changing a tool (then review the diff):

    .venv/bin/python -m tests.integration.test_tools_list --update

Rules for every tool, checked below so they hold after any merge:
- The whole `tools/list` stays under 18 KB, counted as the issue counts it (18,000 bytes of
  compact JSON, BUDGET_BYTES); `benchmarks/bench_tools_list.py` prints each tool's share.
- No output schema: the text block is what the model reads, and structured content is still
  returned (built with `views.tool_result`). Output schemas were 56% of the list and no host
  here reads them; register tools with `structured_output=False`.
- A description says when to use the tool and what it needs, in one or two short sentences
  (at most DESCRIPTION_BYTES); every detail goes to SKILL.md or references/ (name the
  `higgsfield://references/...` page instead).
- A parameter description is a few words (at most PARAMETER_BYTES): which actions use it and
  what it is. The name and type say the rest.
- Every tool has annotations, with only the hints that differ from the spec's defaults plus
  `destructiveHint` on every tool that is not read-only (`tools.common.hints`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from higgsfield_mcp.server import create_server

from ..conftest import Sandbox

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "tools_list.json"
BUDGET_BYTES = 18_000
DESCRIPTION_BYTES = 420
PARAMETER_BYTES = 90


async def listed(settings: Any = None) -> list[dict[str, Any]]:
    async with Client(create_server(settings)) as client:
        tools = (await client.list_tools()).tools
    return sorted((t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools), key=lambda t: t["name"])


def compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


async def test_tools_list_matches_the_snapshot(sandbox: Sandbox) -> None:
    tools = await listed(sandbox.settings())
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert tools == expected, (
        "tools/list changed; if that is intended run `.venv/bin/python -m tests.integration.test_tools_list --update`"
    )


async def test_tools_list_follows_the_rules(sandbox: Sandbox) -> None:
    tools = await listed(sandbox.settings())
    total = len(compact({"tools": tools}))
    assert total < BUDGET_BYTES, f"tools/list is {total} bytes; the budget is {BUDGET_BYTES}"
    for tool in tools:
        name = tool["name"]
        assert "outputSchema" not in tool, f"{name}: no output schema (see the rules above)"
        hints = tool.get("annotations") or {}
        assert hints, f"{name} has no annotations"
        assert hints.get("readOnlyHint") or "destructiveHint" in hints, f"{name}: say whether it can destroy"
        defaults = {"readOnlyHint": False, "idempotentHint": False, "openWorldHint": True}
        assert not [k for k, v in hints.items() if defaults.get(k) is v], f"{name}: a hint that only repeats a default"
        assert 40 < len(tool["description"].encode()) <= DESCRIPTION_BYTES, f"{name}: description length"
        for param, schema in tool["inputSchema"].get("properties", {}).items():
            words = schema.get("description", "")
            assert len(words.encode()) <= PARAMETER_BYTES, f"{name}.{param}: parameter description too long"


def _update() -> None:
    import os
    import tempfile

    from higgsfield_mcp.config import Settings
    from higgsfield_mcp.demo import sandbox_binary

    with tempfile.TemporaryDirectory(prefix="tools-snapshot-") as home:
        env = {**os.environ, "HIGGSFIELD_BIN": sandbox_binary(), "HIGGSFIELD_MCP_HOME": home}
        tools = anyio.run(listed, Settings.from_env(env))
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(json.dumps(tools, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}: {len(tools)} tools, {len(compact({'tools': tools}))} bytes on the wire")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python -m tests.integration.test_tools_list --update")
    _update()


async def test_compact_schemas_still_accept_explicit_nulls(sandbox: Sandbox) -> None:
    """Optional arguments are advertised without their null branch; a client that sends null is still served."""
    tools = {t["name"]: t for t in await listed(sandbox.settings())}
    kind = tools["pick_model"]["inputSchema"]["properties"]["kind"]
    assert "anyOf" not in kind and "title" not in kind and kind["type"] == "string"
    async with Client(create_server(sandbox.settings())) as client:
        result = await client.call_tool("pick_model", {"request": "a lookbook portrait", "kind": None, "model": None})
    assert not result.is_error, result.content
