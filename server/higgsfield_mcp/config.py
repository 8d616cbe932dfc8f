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


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    bin: str | None = None
    home: Path
    media_roots: tuple[Path, ...]
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Settings:
        env = os.environ if environ is None else environ
        problems: list[str] = []

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
        else:
            roots = (home / "library", (cwd or Path.cwd()).absolute())

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
            download_hosts=tuple(dict.fromkeys(hosts)),
            wait_seconds=wait,
            poll_seconds=poll,
            problems=tuple(problems),
        )


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
