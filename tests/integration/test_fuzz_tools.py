"""Property-based: generated arguments thrown at every tool in-process, against the sandbox CLI.

Whatever comes in, the answer is a tool result in our words: never the SDK's bare "Error executing
tool", never a traceback; the server keeps answering; and an input refused at the edge (unknown
name, invalid value, a NUL byte) never reaches the CLI. Bounded in examples and per-call time.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from higgsfield_mcp.config import Settings
from higgsfield_mcp.server import create_server

from ..conftest import Sandbox

EXAMPLES = int(os.environ.get("HIGGSFIELD_FUZZ_EXAMPLES", "50"))
CALL_SECONDS = 90
EDGE_REFUSALS = re.compile(r"has no argument|was called with invalid arguments|NUL character|broken character")

NASTY = st.sampled_from(
    [
        '{"style": "noir"}',
        "null",
        "[1, 2]",
        "--help",
        "-rf",
        "../../etc/passwd",
        "/etc/passwd",
        "a\x00b",
        "$(touch /tmp/pwned)",
        "x" * 300,
        "",
        "   ",
        "😀 émoji",
        "00000000-0000-0000-0000-000000000000",
        "https://evil.example.com/x.png",
    ]
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=30),
    NASTY,
    st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(), NASTY), max_size=2),
)


WORDS = st.sampled_from(["a red chair", "Ada", "noir street", "16:9", "1k", "z_image", "lookbook", "front"])


def _value_for(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Mostly plausible values for a property (so calls get past the edge), with junk now and then."""
    options = [schema, *schema.get("anyOf", [])]
    options = [defs.get(o["$ref"].rsplit("/", 1)[-1], o) if "$ref" in o else o for o in options]
    enums = [e for o in options for e in o.get("enum", [])]
    kinds = {o.get("type") for o in options}
    plausible: list[st.SearchStrategy[Any]] = []
    if enums:
        plausible.append(st.sampled_from(enums))
    elif "string" in kinds:
        plausible.append(st.one_of(WORDS, WORDS, NASTY, st.text(max_size=40)))
    if "integer" in kinds or "number" in kinds:
        plausible.append(st.integers(-2, 30))
    if "boolean" in kinds:
        plausible.append(st.booleans())
    if "array" in kinds:
        plausible.append(st.lists(st.one_of(WORDS, NASTY), max_size=2))
    if "object" in kinds:
        plausible.append(st.dictionaries(st.sampled_from(["seed", "style", "--help"]), JUNK, max_size=2))
    if not plausible:
        plausible.append(JUNK)
    good = st.one_of(*plausible)
    return st.sampled_from([False] * 11 + [True]).flatmap(lambda junk: JUNK if junk else good)


def _arguments(tool: Any) -> st.SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = tool.input_schema.get("properties", {})
    required = [name for name in props if name in set(tool.input_schema.get("required", []))]
    optional = [name for name in props if name not in required]
    extra = st.dictionaries(st.sampled_from(["aspectratio", "promt", "__class__", "Model"]), JUNK, max_size=1)

    def build(chosen: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        defs = tool.input_schema.get("$defs", {})
        return st.fixed_dictionaries({name: _value_for(props[name], defs) for name in [*required, *chosen]})

    picked = st.lists(st.sampled_from(optional), max_size=3, unique=True) if optional else st.just([])
    unknown = st.sampled_from([False] * 7 + [True]).flatmap(lambda typo: extra if typo else st.just({}))
    return st.builds(lambda a, b: {**a, **b}, picked.flatmap(build), unknown)


def _tool_calls(sandbox: Sandbox) -> list[Any]:
    """CLI calls a tool made: without the poller's own rounds (`generate list/get`), which run on their own clock."""
    return [c for c in sandbox.calls() if c["argv"][:2] not in (["generate", "list"], ["generate", "get"])]


def _text(result: Any) -> str:
    return "\n".join(getattr(b, "text", "") or "" for b in result.content)


@pytest.mark.slow
def test_every_tool_survives_generated_arguments(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths in generated input resolve inside the test's folder
    user = tmp_path / "user"
    user.mkdir()
    sandbox.set(HIGGSFIELD_MCP_WAIT_SECONDS="0", HIGGSFIELD_MCP_MEDIA_ROOTS=str(tmp_path / "media"))
    server = create_server(Settings.from_env(sandbox.process_env(), cwd=tmp_path, user_home=user))

    with start_blocking_portal() as portal, portal.wrap_async_context_manager(Client(server)) as client:
        tools = portal.call(client.list_tools).tools
        assert len(tools) >= 7

        async def call(name: str, args: dict[str, Any]) -> Any:
            with anyio.fail_after(CALL_SECONDS):
                return await client.call_tool(name, args)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(data=st.data())
        def probe(data: st.DataObject) -> None:
            tool = data.draw(st.sampled_from(tools), label="tool")
            args = data.draw(_arguments(tool), label="arguments")
            before = len(_tool_calls(sandbox))
            result = portal.call(call, tool.name, args)
            text = _text(result)
            if os.environ.get("FUZZ_TRACE"):
                with open(os.environ["FUZZ_TRACE"], "a") as trace:
                    trace.write(f"{tool.name} err={result.is_error} {text[:150]!r}\n")
            assert not text.startswith("Error executing tool"), (tool.name, args, text)
            assert "Traceback" not in text and 'File "/' not in text, (tool.name, args, text)
            if result.is_error and EDGE_REFUSALS.search(text):
                assert len(_tool_calls(sandbox)) == before, f"a refused call reached the CLI: {tool.name} {args}"
            alive = portal.call(call, "jobs", {"action": "history"})
            assert not alive.is_error, _text(alive)

        probe()
