"""The skill half: SKILL.md and the reference docs, as served resources and as installed files.

An agent reads SKILL.md first and pulls a reference only when it needs one, so the
references are listed with a title and a one-line description taken from the documents
themselves (their first heading and first paragraph): one home for that text.

`install_skill` copies them where a host looks for skills. It never clobbers a user's
edits silently: a manifest records what was installed, a file changed since is left alone
(the new version is written beside it as `<name>.new`), and a folder holding files we did
not install is refused unless forced.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..adapters.atomic_files import write_bytes_atomic
from ..bundle import bundle_path

SKILL_NAME = "higgsfield"
MANIFEST = ".higgsfield-mcp-install.json"

Host = Literal["claude", "codex", "cursor"]
HOST_DIRS: dict[Host, Path] = {
    "claude": Path("~/.claude/skills"),
    "codex": Path("~/.agents/skills"),
    "cursor": Path("~/.cursor/skills"),
}
"""Where each host looks for user-level skills (Codex follows the open standard's `~/.agents/skills`)."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Reference:
    name: str
    title: str
    description: str
    path: Path

    @property
    def uri(self) -> str:
        return f"higgsfield://references/{self.name}"


def skill_text() -> str:
    return bundle_path("SKILL.md").read_text(encoding="utf-8")


def references() -> list[Reference]:
    """Every reference doc, by name (its file name without `.md`)."""
    folder = bundle_path("references")
    return [_describe(path) for path in sorted(folder.glob("*.md"))]


def reference(name: str) -> Reference | None:
    """The reference called `name`; None for unknown or malformed names (never a path outside the folder)."""
    if not _NAME.match(name):
        return None
    path = bundle_path("references") / f"{name}.md"
    return _describe(path) if path.is_file() else None


def _describe(path: Path) -> Reference:
    title, paragraph = path.stem.replace("-", " ").capitalize(), ""
    lines = path.read_text(encoding="utf-8").splitlines()
    body: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("# ") and title == path.stem.replace("-", " ").capitalize():
            title = stripped[2:].strip()
            continue
        if not stripped or stripped.startswith(("<!--", "#", "|", "```", "-")):
            if body:
                break
            continue
        body.append(stripped)
    paragraph = " ".join(body)
    first_sentence = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0] if paragraph else title
    return Reference(name=path.stem, title=title, description=first_sentence, path=path)


# --- installing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallReport:
    target: Path
    written: list[str]
    unchanged: list[str]
    kept: list[str]
    """Files the user changed since the last install: left exactly as they are."""
    offered: list[str]
    """Of those, the ones with a newer bundled version, written beside them as `<name>.new`."""


class InstallRefused(Exception):
    """The target holds files this tool did not install; nothing was written."""


def install_skill(*, host: Host = "claude", dest: Path | None = None, force: bool = False) -> InstallReport:
    target = (dest if dest is not None else HOST_DIRS[host].expanduser()) / SKILL_NAME
    files = {"SKILL.md": bundle_path("SKILL.md")}
    files.update({f"references/{r.path.name}": r.path for r in references()})
    manifest_path = target / MANIFEST
    manifest: dict[str, str] = {}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
    elif target.exists() and any(target.iterdir()) and not force:
        raise InstallRefused(
            f"{target} already holds files that higgsfield-mcp did not install; nothing was written. "
            "Move them away, choose another --dest, or pass --force to overwrite."
        )
    written, unchanged, kept, offered = [], [], [], []
    recorded: dict[str, str] = {}
    for relative, source in files.items():
        data = source.read_bytes()
        new_hash = _sha256(data)
        path = target / relative
        if path.is_file():
            current = _sha256(path.read_bytes())
            if current == new_hash:
                unchanged.append(relative)
                recorded[relative] = new_hash
                continue
            if relative in manifest and current != manifest[relative] and not force:
                kept.append(relative)  # the user edited it since we installed it: theirs stays
                if new_hash != manifest[relative]:
                    _write(path.with_name(path.name + ".new"), data)
                    offered.append(relative)
                recorded[relative] = manifest[relative]
                continue
        _write(path, data)
        written.append(relative)
        recorded[relative] = new_hash
    _write(manifest_path, json.dumps({"files": recorded}, indent=2, sort_keys=True).encode())
    return InstallReport(target=target, written=written, unchanged=unchanged, kept=kept, offered=offered)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)
