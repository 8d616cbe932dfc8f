"""Finding the CLI: HIGGSFIELD_BIN, then higgsfield, then higgs; never hf; identity by `version`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from higgsfield_mcp.adapters.cli.discovery import identify, locate, parse_version
from higgsfield_mcp.adapters.cli.errors import CLINotInstalled, WrongBinary


def _script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("higgsfield 0.1.40 (9aa6f1f) built 2026-05-12T11:19:03Z", "0.1.40"),
        ("higgsfield 1.1.10 (d2f5198cb0b6333969434d6db75462bfe39363b2) built 2026-07-08T18:38:37Z", "1.1.10"),
        ("higgsfield v0.1.22 (abc) built 2026-04-01T00:00:00Z\n", "0.1.22"),
        ("Update available!\nhiggsfield 1.1.26 (higgsfield-sandbox) built 2026-11-01T00:00:00Z", "1.1.26"),
    ],
)
def test_parse_version(text: str, version: str) -> None:
    parsed = parse_version(text)
    assert parsed is not None and parsed[0] == version


@pytest.mark.parametrize("text", ["higgsfield-cli 0.1.0", "usage: higgsfield [-h] cookies", "", "hf 1.0.0"])
def test_parse_version_rejects_impostors(text: str) -> None:
    assert parse_version(text) is None


def test_locate_order_and_never_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _script(tmp_path, "hf", "echo hf")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CLINotInstalled):
        locate(None)
    higgs = _script(tmp_path, "higgs", "echo")
    assert locate(None) == str(higgs)
    main = _script(tmp_path, "higgsfield", "echo")
    assert locate(None) == str(main)
    other = _script(tmp_path, "mine", "echo")
    assert locate("mine") == str(other.resolve())
    assert locate(str(other)) == str(other.resolve())


def test_locate_configured_missing_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(CLINotInstalled) as info:
        locate(str(tmp_path / "nope"))
    assert "HIGGSFIELD_BIN" in info.value.message


async def test_identify_real_format(tmp_path: Path) -> None:
    cli = _script(tmp_path, "higgsfield", 'echo "higgsfield 1.1.10 (d2f5198) built 2026-07-08T18:38:37Z"')
    who = await identify(str(cli))
    assert (who.version, who.major, who.is_sandbox) == ("1.1.10", 1, False)


async def test_identify_rejects_unrelated_higgsfield(tmp_path: Path) -> None:
    # what the unrelated PyPI `higgsfield-cli` might answer: anything but the version line
    cli = _script(tmp_path, "higgsfield", 'echo "Usage: higgsfield [OPTIONS] COMMAND"; exit 2')
    with pytest.raises(WrongBinary) as info:
        await identify(str(cli))
    assert "not Higgsfield's CLI" in info.value.message and "npm install -g @higgsfield/cli" in info.value.remedy


async def test_identify_not_executable(tmp_path: Path) -> None:
    path = tmp_path / "higgsfield"
    path.write_text("not a program")
    path.chmod(0o755)
    with pytest.raises(WrongBinary):
        await identify(str(path))
