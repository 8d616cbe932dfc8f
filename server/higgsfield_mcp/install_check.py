"""Which package a `higgsfield-mcp` on PATH belongs to.

Another PyPI package (higgsfield-mcp-unified) installs a console script with the same name,
so a client config saying `higgsfield-mcp` may start somebody else's server. `doctor` says
which one PATH finds; `higgsfield-studio-mcp` is this package's unambiguous alias.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

COMMAND = "higgsfield-mcp"
ALIAS = "higgsfield-studio-mcp"
OUR_ENTRY = b"higgsfield_mcp.app"
"""What pip, pipx and uv write into our console script (also inside a Windows launcher's zip)."""


@dataclass(frozen=True)
class CommandOwner:
    path: Path | None
    ours: bool
    runs: str | None = None
    """The module a foreign script imports, when it could be read."""

    def text(self) -> str:
        if self.path is None:
            return f"no `{COMMAND}` on PATH; clients need the full path of this one (or `{ALIAS}`)"
        if self.ours:
            return f"`{COMMAND}` on PATH is this server ({self.path})"
        runs = f" (it runs {self.runs})" if self.runs else ""
        return (
            f"`{COMMAND}` on PATH ({self.path}) belongs to another package{runs}, e.g. higgsfield-mcp-unified; "
            f"in client configs use `{ALIAS}` or the full path of this one"
        )


def command_owner(path_env: str | None = None) -> CommandOwner:
    found = shutil.which(COMMAND, path=path_env)
    if found is None:
        return CommandOwner(path=None, ours=False)
    path = Path(found)
    try:
        with path.open("rb") as handle:
            head = handle.read(256 * 1024)
    except OSError:
        return CommandOwner(path=path, ours=False)
    if OUR_ENTRY in head:
        return CommandOwner(path=path, ours=True)
    module = re.search(rb"from\s+([\w.]+)\s+import", head)
    return CommandOwner(path=path, ours=False, runs=module.group(1).decode() if module else None)
