"""A cache that makes listing a big library cheap, and can never be wrong about it.

Listing 1,000 characters by parsing 1,000 character.json files costs far more than the
100 ms a list should take. `.index.json` keeps each document's summary with the stamp
(mtime in ns and size) of the file it was made from. A list stats every document (cheap)
and re-reads only those whose stamp changed, so a hand edit, a write from another process
or a folder copied in by hand shows up at once. The index is only a cache: deleting it
costs one slow list, and it is rewritten whole (atomically) whenever something changed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from ...adapters.atomic_files import write_text_atomic

log = logging.getLogger(__name__)

S = TypeVar("S", bound=BaseModel)

INDEX_FILE = ".index.json"
INDEX_VERSION = 1


class SummaryIndex(Generic[S]):
    """Summaries of every `<root>/<slug>/<document>`, re-made only for documents that changed."""

    def __init__(self, root: Path, document: str, summary_type: type[S], summarize: Callable[[str], S]) -> None:
        self._root = root
        self._document = document
        self._type = summary_type
        self._summarize = summarize

    @property
    def path(self) -> Path:
        return self._root / INDEX_FILE

    def summaries(self) -> list[S]:
        cached = self._read()
        fresh: dict[str, dict[str, Any]] = {}
        changed = False
        for slug, stamp in self._stamps():
            hit = cached.get(slug)
            if hit is not None and hit.get("stamp") == stamp:
                fresh[slug] = hit
                continue
            fresh[slug] = {"stamp": stamp, "summary": self._summarize(slug).model_dump(mode="json")}
            changed = True
        if changed or cached.keys() != fresh.keys():
            self._write(fresh)
        return [self._type.model_validate(entry["summary"]) for entry in fresh.values()]

    def _stamps(self) -> list[tuple[str, list[int]]]:
        found: list[tuple[str, list[int]]] = []
        try:
            entries = list(os.scandir(self._root))
        except FileNotFoundError:
            return found
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                info = os.stat(os.path.join(entry.path, self._document))
            except (FileNotFoundError, NotADirectoryError):
                continue  # a folder being created or deleted right now, or not ours
            found.append((entry.name, [info.st_mtime_ns, info.st_size]))
        return found

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.info("library index %s unreadable (%s); rebuilding it", self.path, exc)
            return {}
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        """Best effort: a cache that cannot be saved only makes the next list slower."""
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"version": INDEX_VERSION, "entries": entries}, separators=(",", ":"))
            write_text_atomic(self.path, text)
        except OSError as exc:
            log.info("could not save the library index %s: %s", self.path, exc)
