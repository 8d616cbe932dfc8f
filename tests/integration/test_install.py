"""Install routes and names: the unambiguous alias, and doctor saying whose `higgsfield-mcp` PATH finds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..conftest import Sandbox
from .test_stdio import server_command


def _doctor(sandbox: Sandbox, path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [server_command(), "doctor"],
        env={**sandbox.process_env(), "PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_alias_is_the_same_server() -> None:
    alias = Path(server_command()).with_name("higgsfield-studio-mcp")
    done = subprocess.run([str(alias), "--version"], capture_output=True, text=True, timeout=30, check=True)
    assert done.stdout.startswith("higgsfield-mcp ")


def test_doctor_names_a_foreign_higgsfield_mcp_on_path(sandbox: Sandbox, tmp_path: Path) -> None:
    foreign = tmp_path / "other-bin" / "higgsfield-mcp"
    foreign.parent.mkdir()
    foreign.write_text(f"#!{sys.executable}\nfrom higgsfield_unified.server import main\nmain()\n")
    foreign.chmod(0o755)
    done = _doctor(sandbox, f"{foreign.parent}:{Path(server_command()).parent}")
    assert "belongs to another package (it runs higgsfield_unified.server)" in done.stdout, done.stdout
    assert "higgsfield-studio-mcp" in done.stdout


def test_doctor_recognises_this_package_on_path(sandbox: Sandbox) -> None:
    done = _doctor(sandbox, str(Path(server_command()).parent))
    assert "`higgsfield-mcp` on PATH is this server" in done.stdout, done.stdout


def test_doctor_without_a_cli_suggests_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set(HIGGSFIELD_BIN=str(tmp_path / "nowhere" / "higgsfield"))
    done = _doctor(sandbox, str(Path(server_command()).parent))
    assert done.returncode == 1
    assert "higgsfield-mcp --sandbox" in done.stdout, done.stdout
