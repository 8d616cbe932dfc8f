"""Configuration from the environment, validated once at start-up.

A bad value never stops the server: it falls back to the default and is kept as a
problem that `account` and `doctor` report with the variable's name and a fix, so a
user who mistyped a setting finds out from the first tool call instead of a dead server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict

DEFAULT_WAIT_SECONDS = 240.0
MAX_WAIT_SECONDS = 3600.0
DEFAULT_DOWNLOAD_HOSTS = ("d8j0ntlcm91z4.cloudfront.net", "cdn.higgsfield.ai")
"""Higgsfield's result CDNs as seen in the wild (contract §4.3 and the photoshoot skill)."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    bin: str | None = None
    home: Path
    media_roots: tuple[Path, ...]
    download_hosts: tuple[str, ...] = DEFAULT_DOWNLOAD_HOSTS
    wait_seconds: float = DEFAULT_WAIT_SECONDS
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

        wait = DEFAULT_WAIT_SECONDS
        wait_raw = env.get("HIGGSFIELD_MCP_WAIT_SECONDS", "").strip()
        if wait_raw:
            try:
                wait = float(wait_raw)
                if not 0 <= wait <= MAX_WAIT_SECONDS:
                    raise ValueError
            except ValueError:
                wait = DEFAULT_WAIT_SECONDS
                problems.append(
                    f"HIGGSFIELD_MCP_WAIT_SECONDS={wait_raw!r} is not a number of seconds between 0 and "
                    f"{MAX_WAIT_SECONDS:g}; using {DEFAULT_WAIT_SECONDS:g}. Set it to e.g. 240, or unset it."
                )

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
        for raw in env.get("HIGGSFIELD_MCP_DOWNLOAD_HOSTS", "").replace(os.pathsep, ",").split(","):
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
            problems=tuple(problems),
        )
