"""install-skill: where hosts look, idempotent, never clobbering a user's edits silently."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from higgsfield_mcp.domain.skill_files import MANIFEST, InstallRefused, install_skill


def test_fresh_install_then_idempotent(tmp_path: Path) -> None:
    first = install_skill(dest=tmp_path)
    target = tmp_path / "higgsfield"
    assert first.target == target and "SKILL.md" in first.written
    assert (target / "references" / "troubleshooting.md").is_file()
    again = install_skill(dest=tmp_path)
    assert again.written == [] and again.kept == [] and "SKILL.md" in again.unchanged


def test_user_edit_is_kept_and_a_newer_version_offered_beside_it(tmp_path: Path) -> None:
    install_skill(dest=tmp_path)
    skill = tmp_path / "higgsfield" / "SKILL.md"
    skill.write_text(skill.read_text() + "\nmy house rules\n")
    same = install_skill(dest=tmp_path)
    assert same.kept == ["SKILL.md"] and same.offered == [] and "my house rules" in skill.read_text()
    manifest = tmp_path / "higgsfield" / MANIFEST
    data = json.loads(manifest.read_text())
    data["files"]["SKILL.md"] = "0" * 64  # as if an older release had been installed
    manifest.write_text(json.dumps(data))
    newer = install_skill(dest=tmp_path)
    assert newer.kept == ["SKILL.md"] and newer.offered == ["SKILL.md"]
    assert "my house rules" in skill.read_text() and (skill.parent / "SKILL.md.new").is_file()
    forced = install_skill(dest=tmp_path, force=True)
    assert "SKILL.md" in forced.written and "my house rules" not in skill.read_text()


def test_foreign_folder_refused_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "higgsfield"
    target.mkdir()
    (target / "SKILL.md").write_text("someone else's skill")
    with pytest.raises(InstallRefused):
        install_skill(dest=tmp_path)
    assert (target / "SKILL.md").read_text() == "someone else's skill"
    install_skill(dest=tmp_path, force=True)
    assert (target / "SKILL.md").read_text().startswith("---")


def test_host_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert install_skill(host="claude").target == tmp_path / ".claude" / "skills" / "higgsfield"
    assert install_skill(host="codex").target == tmp_path / ".agents" / "skills" / "higgsfield"
    assert install_skill(host="cursor").target == tmp_path / ".cursor" / "skills" / "higgsfield"


def test_console_command(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "higgsfield-mcp"
    done = subprocess.run(
        [str(exe), "install-skill", "--dest", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "Skill installed" in done.stdout
    (tmp_path / "higgsfield" / "SKILL.md").write_text("x")
    (tmp_path / "higgsfield" / MANIFEST).unlink()
    refused = subprocess.run(
        [str(exe), "install-skill", "--dest", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 1 and "--force" in refused.stderr
