"""A plain (non-editable) wheel serves every resource: SKILL.md, references/ and skill/ ship inside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import anyio, json, sys
from mcp import Client
import higgsfield_mcp
from higgsfield_mcp.server import create_server
from higgsfield_mcp.bundle import bundle_path
from higgsfield_mcp.domain.generation.catalogue import Catalogue

async def main():
    out = {"module": higgsfield_mcp.__file__, "skill": str(bundle_path("SKILL.md")),
           "models": len(Catalogue.bundled().models())}
    from higgsfield_mcp.domain.library import lettering
    out["fonts"] = sorted(str(p) for p in lettering.SHIPPED.glob("*.ttf"))
    async with Client(create_server()) as client:
        uris = [r.uri for r in (await client.list_resources()).resources]
        out["read"] = {u: len((await client.read_resource(u)).contents[0].text) for u in uris if "references" in u or u.endswith("skill")}
    print(json.dumps(out))

anyio.run(main)
"""


@pytest.mark.slow
@pytest.mark.timeout(900)  # a real pip install: minutes on a busy 2-core machine; its own steps are bounded below
def test_plain_install_into_a_fresh_venv_serves_every_resource(tmp_path: Path) -> None:
    """`pip install .` (not editable) into a new venv, run from outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HIGGSFIELD_MCP_HOME=str(tmp_path / "home"), HIGGSFIELD_BIN=str(tmp_path / "no-cli"))
    done = subprocess.run(
        [str(python), "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    site = str(venv)
    assert out["module"].startswith(site), "the installed copy was imported, not the checkout"
    assert out["skill"].startswith(site), "SKILL.md came from inside the installed package"
    assert out["models"] > 40
    assert len(out["fonts"]) == 2 and all(f.startswith(site) for f in out["fonts"]), "sheet fonts ship in the wheel"
    assert "higgsfield://skill" in out["read"] and len(out["read"]) >= 9
    assert all(size > 200 for size in out["read"].values())
