"""Shared fixtures: a private sandbox CLI per test, and helpers to read what it was asked to run."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from higgsfield_mcp.config import Settings
from higgsfield_mcp.demo import sandbox_binary


class Sandbox:
    """One isolated sandbox CLI: its state folder, the env to reach it, and its calls log."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
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
        self.set()

    def set(self, **values: str) -> None:
        """Change the sandbox's env, for subprocesses (`env`) and in-process servers (os.environ) alike."""
        self.env.update(values)
        for key, value in self.env.items():
            self._monkeypatch.setenv(key, value)

    def fault(self, spec: str) -> None:
        self.set(HIGGSFIELD_SANDBOX_FAULT=spec)

    def process_env(self) -> dict[str, str]:
        """The full environment for a CLI or server process: ours on top of the test runner's."""
        return {**os.environ, **self.env}

    def settings(self) -> Settings:
        return Settings.from_env(self.process_env())

    def calls(self) -> list[dict[str, Any]]:
        log = self.home / "calls.jsonl"
        if not log.exists():
            return []
        text = log.read_text()
        if not text.endswith("\n"):  # a CLI still writing its line: read what is whole
            text = text[: text.rfind("\n") + 1]
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def argvs(self, *prefix: str) -> list[list[str]]:
        """argv (the log holds it without the program name) of every call starting with `prefix`."""
        return [list(c["argv"]) for c in self.calls() if list(c["argv"][: len(prefix)]) == list(prefix)]


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    for key in [k for k in os.environ if k.startswith("HIGGSFIELD_")]:
        monkeypatch.delenv(key)
    return Sandbox(tmp_path, monkeypatch)


@pytest.fixture
def make_cli(sandbox: Sandbox) -> Callable[[], Any]:
    from higgsfield_mcp.adapters.cli.client import HiggsfieldCLI

    def make() -> HiggsfieldCLI:
        return HiggsfieldCLI(sandbox.binary, env=sandbox.process_env())

    return make


pytest_plugins = ["tests.support.https_server"]


@pytest.fixture
def cdn(sandbox: Sandbox, trustme_ca: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The sandbox's result files served over loopback HTTPS, trusted and allowed for downloads."""
    from .support.https_server import serve_https

    root = sandbox.home / "cdn"
    root.mkdir(parents=True, exist_ok=True)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    trustme_ca.cert_pem.write_to_path(str(bundle))
    with serve_https(root, trustme_ca) as server:
        sandbox.set(
            HIGGSFIELD_SANDBOX_CDN=f"https://{server.host}",
            HIGGSFIELD_MCP_DOWNLOAD_HOSTS=server.host,
            SSL_CERT_FILE=str(bundle),
            HIGGSFIELD_MCP_POLL_SECONDS="0.2",
        )
        yield server
