"""Shared fixtures: a private sandbox CLI per test, and helpers to read what it was asked to run."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from higgsfield_mcp.config import Settings

BIN_DIR = Path(sys.executable).parent


def sandbox_binary() -> str:
    found = shutil.which("higgsfield-sandbox", path=str(BIN_DIR)) or shutil.which("higgsfield-sandbox")
    if not found:
        raise RuntimeError("higgsfield-sandbox is not installed: run `pip install -e .[dev]`")
    return found


class Sandbox:
    """One isolated sandbox CLI: its state folder, the env to reach it, and its calls log."""

    def __init__(self, root: Path) -> None:
        self.home = root / "sandbox"
        self.mcp_home = root / "mcp-home"
        self.binary = sandbox_binary()
        self.env: dict[str, str] = {
            "HIGGSFIELD_BIN": self.binary,
            "HIGGSFIELD_SANDBOX_HOME": str(self.home),
            "HIGGSFIELD_SANDBOX_JOB_SECONDS": "0.3",
            "HIGGSFIELD_MCP_HOME": str(self.mcp_home),
            "HIGGSFIELD_MCP_WAIT_SECONDS": "20",
        }

    def set(self, **values: str) -> None:
        self.env.update(values)

    def fault(self, spec: str) -> None:
        self.env["HIGGSFIELD_SANDBOX_FAULT"] = spec

    def process_env(self) -> dict[str, str]:
        """The full environment for a CLI or server process: ours on top of the test runner's."""
        return {**os.environ, **self.env}

    def settings(self) -> Settings:
        return Settings.from_env(self.process_env())

    def calls(self) -> list[dict[str, Any]]:
        log = self.home / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    def argvs(self, *prefix: str) -> list[list[str]]:
        """argv (without the program) of every call starting with `prefix`."""
        out = []
        for call in self.calls():
            args = [a for a in call["argv"][1:]]
            if args[: len(prefix)] == list(prefix):
                out.append(args)
        return out


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    box = Sandbox(tmp_path)
    for key in [k for k in os.environ if k.startswith(("HIGGSFIELD_", "HIGGSFIELD_MCP_"))]:
        monkeypatch.delenv(key)
    return box


@pytest.fixture
def make_cli(sandbox: Sandbox) -> Callable[[], Any]:
    from higgsfield_mcp.adapters.cli.client import HiggsfieldCLI

    def make() -> HiggsfieldCLI:
        return HiggsfieldCLI(sandbox.binary, env=sandbox.process_env())

    return make
