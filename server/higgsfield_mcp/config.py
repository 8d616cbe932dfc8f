"""Configuration from the environment, validated once at start-up.

A bad value never stops the server: it falls back to the default and is kept as a
problem that `account` and `doctor` report with the variable's name and a fix, so a
user who mistyped a setting finds out from the first tool call instead of a dead server.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict

DEFAULT_WAIT_SECONDS = 40.0
"""Claude Desktop (the TypeScript SDK's default) cancels a request after 60 s, progress or not:
a call ends as pending well before that, and `jobs` wait picks it up (whether a client resets
its timeout on progress is not knowable from the protocol, so the default fits them all)."""
MAX_WAIT_SECONDS = 3600.0
DEFAULT_POLL_SECONDS = 3.0
"""Higgsfield's own tools poll every 3 s; one poll covers every pending job."""
DEFAULT_DOWNLOAD_HOSTS = ("d8j0ntlcm91z4.cloudfront.net", "cdn.higgsfield.ai")
"""Higgsfield's result CDNs as seen in the wild (contract §4.3 and the photoshoot skill)."""
INBOX_FOLDER = "Higgsfield"
"""The one folder under the user's home that media inputs may come from by default (`~/Higgsfield`)."""
PROJECT_MARKERS = (
    ".git",
    ".hg",
    "pyproject.toml",
    "package.json",
    "Cargo.toml",
    "go.mod",
    ".claude",
    ".cursor",
    ".vscode",
    ".higgsfield",
)
"""What makes the server's working folder a real project folder, whose files may be media inputs by default."""
SYSTEM_FOLDERS = tuple(
    Path(p)
    for p in (
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/opt", "/proc", "/root", "/run", "/sbin", "/srv",
        "/sys", "/usr", "/var", "/System", "/Library", "/Applications", "/private", "/Volumes",
        "C:/Windows", "C:/Program Files", "C:/Program Files (x86)", "C:/ProgramData",
    )
)  # fmt: skip
"""Never a default media root, nor anything inside them (desktop hosts often start servers from `/`)."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    bin: str | None = None
    home: Path
    media_roots: tuple[Path, ...]
    user_home: Path = Path.home()
    """The user's home folder: exports may go anywhere under it (or inside a media root)."""
    roots_note: str = ""
    """Which media roots are in force and why, for `account` and `doctor`."""
    download_hosts: tuple[str, ...] = DEFAULT_DOWNLOAD_HOSTS
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    poll_seconds: float = DEFAULT_POLL_SECONDS
    problems: tuple[str, ...] = ()
    """Settings that were invalid and replaced by their default, each with its fix."""

    @property
    def library_dir(self) -> Path:
        return self.home / "library"

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    @property
    def journal_path(self) -> Path:
        return self.home / "journal.sqlite3"

    def bounded_wait(self, wait_seconds: float | None) -> float:
        """How long a call may wait: what it asked for, never more than the configured wait (a 60 s host)."""
        return self.wait_seconds if wait_seconds is None else min(wait_seconds, self.wait_seconds)

    @property
    def export_roots(self) -> tuple[Path, ...]:
        """Where exports may be written: under the user's home, or inside the library or a media root.

        A home that is `/` (a service account, a sandboxed host) is no folder of the user's: then
        only the library and the media roots take exports.
        """
        home = () if self.user_home.expanduser().resolve() == Path("/") else (self.user_home,)
        return (*home, self.library_dir, *self.media_roots)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, cwd: Path | None = None, user_home: Path | None = None
    ) -> Settings:
        env = os.environ if environ is None else environ
        problems: list[str] = []
        user = (user_home or Path.home()).absolute()

        home_raw = env.get("HIGGSFIELD_MCP_HOME", "").strip()
        home = Path(home_raw).expanduser() if home_raw else Path(platformdirs.user_data_dir("higgsfield-mcp"))
        home = home.absolute()

        wait = _seconds(env, "HIGGSFIELD_MCP_WAIT_SECONDS", DEFAULT_WAIT_SECONDS, 0, MAX_WAIT_SECONDS, problems)
        poll = _seconds(env, "HIGGSFIELD_MCP_POLL_SECONDS", DEFAULT_POLL_SECONDS, 0.05, 60, problems)

        roots_raw = env.get("HIGGSFIELD_MCP_MEDIA_ROOTS", "").strip()
        if roots_raw:
            roots = tuple(Path(p).expanduser().absolute() for p in roots_raw.split(os.pathsep) if p.strip())
            relative = [p for p in roots_raw.split(os.pathsep) if p.strip() and not Path(p).expanduser().is_absolute()]
            if relative:
                problems.append(
                    f"HIGGSFIELD_MCP_MEDIA_ROOTS holds relative folders ({', '.join(relative)}), read from the "
                    "server's working folder; use absolute paths."
                )
            wide = [str(r) for r in roots if r == Path(r.anchor) or r == user]
            if wide:
                problems.append(
                    f"HIGGSFIELD_MCP_MEDIA_ROOTS includes {', '.join(wide)}: any file there (keys, documents) can be "
                    "sent to Higgsfield as media. List only the folders that hold your images, videos and audio."
                )
            note = (
                f"HIGGSFIELD_MCP_MEDIA_ROOTS: {', '.join(str(r) for r in roots)}. "
                f"Exports go under {user} or inside those."
            )
        else:
            roots, note = default_media_roots(home, user, (cwd or Path.cwd()).absolute())

        hosts = list(DEFAULT_DOWNLOAD_HOSTS)
        # comma or space separated: never ':', which belongs to host:port
        for raw in re.split(r"[,\s]+", env.get("HIGGSFIELD_MCP_DOWNLOAD_HOSTS", "")):
            host = raw.strip().lower()
            if not host:
                continue
            if "/" in host or " " in host:
                problems.append(
                    f"HIGGSFIELD_MCP_DOWNLOAD_HOSTS entry {raw.strip()!r} is not a host name (give e.g. "
                    "`cdn.example.com` or `cdn.example.com:8443`, without a scheme or path); ignored."
                )
                continue
            hosts.append(host)

        return cls(
            bin=env.get("HIGGSFIELD_BIN", "").strip() or None,
            home=home,
            media_roots=roots,
            user_home=user,
            roots_note=note,
            download_hosts=tuple(dict.fromkeys(hosts)),
            wait_seconds=wait,
            poll_seconds=poll,
            problems=tuple(problems),
        )


def default_media_roots(home: Path, user_home: Path, cwd: Path) -> tuple[tuple[Path, ...], str]:
    """The library, `~/Higgsfield`, and the working folder only when it is a real project folder.

    Never `/`, the whole home, a folder above it, or a system folder: desktop hosts start
    servers from `/`, and a root there would let any readable file go out as "a reference".
    """
    inbox = user_home / INBOX_FOLDER
    roots = [home / "library", inbox]
    if is_project_folder(cwd, user_home):
        roots.append(cwd)
        why = f"and the project folder the server was started in ({cwd})"
    else:
        why = f"not the folder the server was started in ({cwd}): it is not a project folder"
    note = (
        f"the library ({home / 'library'}), the inbox {inbox} (put files there to use them), {why}. "
        f"Set HIGGSFIELD_MCP_MEDIA_ROOTS to choose other folders. Exports go under {user_home} or inside those."
    )
    return tuple(dict.fromkeys(roots)), note


def is_project_folder(folder: Path, user_home: Path) -> bool:
    """A folder that holds one project: not `/`, not the home or above it, not a system folder; has a marker."""
    folder = folder.absolute()
    if folder == Path(folder.anchor) or user_home.is_relative_to(folder):
        return False
    if any(folder == s or folder.is_relative_to(s) for s in SYSTEM_FOLDERS) and not folder.is_relative_to(user_home):
        return False
    return any((folder / marker).exists() for marker in PROJECT_MARKERS)


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float, problems: list[str]) -> float:
    """A duration setting; an invalid one falls back to `default` and is reported, never fatal."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also false for nan
        problems.append(
            f"{name}={raw!r} is not a number of seconds between {low:g} and {high:g}; using {default:g}. "
            f"Set it to e.g. {default:g}, or unset it."
        )
        return default
    return value
