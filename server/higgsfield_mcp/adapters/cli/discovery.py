"""Finding the Higgsfield CLI and making sure it really is Higgsfield's.

Order: `HIGGSFIELD_BIN`, then `higgsfield`, then `higgs` on PATH. Never `hf`: the Hugging
Face CLI owns that name, and the installer skips the alias when it is taken. The PyPI
package `higgsfield-cli` installs an unrelated `higgsfield`, so a name on PATH is not
proof; the `version` line is.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import CLINotInstalled, CLITimeout, WrongBinary
from .process import run_process

CANDIDATE_NAMES = ("higgsfield", "higgs")

VERSION_LINE = re.compile(
    r"^higgsfield\s+v?(?P<version>\d+\.\d+\.\d+[\w.+-]*)\s+\((?P<commit>[^)]*)\)\s+built\s+(?P<built>\S+)",
    re.MULTILINE,
)
"""`higgsfield 1.1.10 (d2f5198…) built 2026-07-08T18:38:37Z`; 0.x docs also show a leading `v`."""

IDENTIFY_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class CLIIdentity:
    path: str
    version: str
    commit: str
    built: str

    @property
    def major(self) -> int:
        return int(self.version.split(".", 1)[0])

    @property
    def is_sandbox(self) -> bool:
        """The offline stand-in labels itself in the commit field."""
        return "sandbox" in self.commit.lower()


def locate(configured: str | None) -> str:
    """The absolute path of the CLI to run, or `CLINotInstalled` saying what was tried."""
    if configured:
        found = shutil.which(configured) if os.sep not in configured else None
        candidate = Path(found or configured).expanduser()
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate.resolve())
        raise CLINotInstalled(
            f"HIGGSFIELD_BIN is set to {configured!r}, but no executable file is there",
            remedy="Fix HIGGSFIELD_BIN (a path or a command on PATH), or unset it to use `higgsfield` from PATH.",
        )
    for name in CANDIDATE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise CLINotInstalled("The Higgsfield CLI is not installed (no `higgsfield` or `higgs` on PATH)")


def parse_version(text: str) -> tuple[str, str, str] | None:
    match = VERSION_LINE.search(text)
    if not match:
        return None
    return match.group("version"), match.group("commit"), match.group("built")


async def identify(path: str, *, env: dict[str, str] | None = None) -> CLIIdentity:
    """Run `<path> version` and check its answer has Higgsfield's format."""
    try:
        done = await run_process([path, "version"], timeout=IDENTIFY_TIMEOUT_SECONDS, env=env)
    except (FileNotFoundError, PermissionError) as exc:
        raise CLINotInstalled(f"Cannot run {path}: {exc.strerror or exc}") from exc
    except OSError as exc:  # e.g. ENOEXEC: a file that is not a program at all
        raise WrongBinary(f"{path} cannot be run as a program ({exc.strerror or exc})") from exc
    except CLITimeout as exc:
        raise CLITimeout(
            f"The CLI did not answer within {IDENTIFY_TIMEOUT_SECONDS:g} s: `{os.path.basename(path)} version` "
            f"({path}) hung and was stopped",
            remedy=(
                f"Run `{path} version` in a terminal: if it hangs there too, reinstall the CLI "
                "(`npm install -g @higgsfield/cli`); if it asks a question (an update or first-run prompt), answer "
                "it once, then try again."
            ),
            command=exc.command,
        ) from exc
    parsed = parse_version(done.stdout) or parse_version(done.stderr)
    if parsed is None:
        raise WrongBinary(f"{path} is not Higgsfield's CLI: its `version` output is not `higgsfield X.Y.Z (…) built …`")
    version, commit, built = parsed
    return CLIIdentity(path=path, version=version, commit=commit, built=built)
