"""Configuration: validated up front, a bad value falls back and is reported, never fatal."""

from __future__ import annotations

from pathlib import Path

from higgsfield_mcp.config import DEFAULT_DOWNLOAD_HOSTS, DEFAULT_WAIT_SECONDS, Settings


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path)}, cwd=tmp_path)
    assert settings.home == tmp_path and settings.wait_seconds == DEFAULT_WAIT_SECONDS
    assert settings.media_roots[0] == tmp_path / "library"
    assert settings.media_roots[1] == Path.home() / "Higgsfield"
    assert settings.download_hosts == DEFAULT_DOWNLOAD_HOSTS and settings.problems == ()
    assert settings.bin is None


def test_download_hosts_keep_ports_and_reject_urls(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "HIGGSFIELD_MCP_HOME": str(tmp_path),
            "HIGGSFIELD_MCP_DOWNLOAD_HOSTS": "127.0.0.1:8443, CDN.example.com https://x/y",
        }
    )
    assert settings.download_hosts[-2:] == ("127.0.0.1:8443", "cdn.example.com")
    assert any("https://x/y" in p for p in settings.problems)


def test_bad_durations_fall_back_and_are_reported(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "HIGGSFIELD_MCP_HOME": str(tmp_path),
            "HIGGSFIELD_MCP_WAIT_SECONDS": "soon",
            "HIGGSFIELD_MCP_POLL_SECONDS": "-1",
        }
    )
    assert settings.wait_seconds == DEFAULT_WAIT_SECONDS and settings.poll_seconds == 3.0
    assert len(settings.problems) == 2 and "HIGGSFIELD_MCP_WAIT_SECONDS='soon'" in settings.problems[0]


def test_media_roots_relative_is_reported(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"HIGGSFIELD_MCP_HOME": str(tmp_path), "HIGGSFIELD_MCP_MEDIA_ROOTS": f"{tmp_path}/a:relative/b"}
    )
    assert settings.media_roots[0] == tmp_path / "a" and len(settings.media_roots) == 2
    assert any("relative" in p for p in settings.problems)


def test_default_wait_fits_hosts_that_cancel_at_60_seconds(tmp_path: Path) -> None:
    """Claude Desktop (the TypeScript SDK's default) cancels a call after 60 s: a default wait must end well before."""
    settings = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path)}, cwd=tmp_path)
    assert settings.wait_seconds <= 45
    longer = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path), "HIGGSFIELD_MCP_WAIT_SECONDS": "600"})
    assert longer.wait_seconds == 600 and longer.problems == (), "still configurable for hosts without a timeout"


def _roots(tmp_path: Path, cwd: Path, user_home: Path | None = None) -> tuple[Path, ...]:
    home = user_home or tmp_path / "user"
    return Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path / "mcp")}, cwd=cwd, user_home=home).media_roots


def test_default_roots_never_the_root_the_home_or_a_system_folder(tmp_path: Path) -> None:
    user = tmp_path / "user"
    (user / ".git").mkdir(parents=True)  # even a home that is itself a repository is not a root
    for cwd in (Path("/"), user, tmp_path, Path("/usr/lib"), Path("/etc")):
        roots = _roots(tmp_path, cwd, user)
        assert roots == (tmp_path / "mcp" / "library", user / "Higgsfield"), cwd
        assert Path("/") not in roots and user not in roots


def test_project_folder_is_a_default_root(tmp_path: Path) -> None:
    project = tmp_path / "user" / "work" / "film"
    (project / ".git").mkdir(parents=True)
    assert _roots(tmp_path, project)[-1] == project
    plain = tmp_path / "user" / "Downloads"
    plain.mkdir(parents=True)
    assert plain not in _roots(tmp_path, plain)


def test_roots_note_and_export_roots(tmp_path: Path) -> None:
    user = tmp_path / "user"
    settings = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path / "mcp")}, cwd=Path("/"), user_home=user)
    assert str(user / "Higgsfield") in settings.roots_note and "not a project folder" in settings.roots_note
    assert settings.export_roots[0] == user
    rootless = Settings.from_env({"HIGGSFIELD_MCP_HOME": str(tmp_path / "mcp")}, cwd=Path("/"), user_home=Path("/"))
    assert Path("/") not in rootless.export_roots, "a home of / would let exports go anywhere"
    assert rootless.library_dir in rootless.export_roots


def test_configured_root_at_slash_is_reported(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"HIGGSFIELD_MCP_HOME": str(tmp_path), "HIGGSFIELD_MCP_MEDIA_ROOTS": "/"}, user_home=tmp_path / "u"
    )
    assert any("any file there" in p for p in settings.problems)
