"""One folder per document, with its JSON file and its images: the shape characters and moodboards share.

Every change is a read-modify-write of the JSON file under that document's lock, written
atomically; images are copied in under names no other writer can take. So any number of
threads and processes may change one document at once and every change lands, and a crash
at any moment leaves the previous or the next complete file.
"""

from __future__ import annotations

import difflib
import shutil
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from ...adapters.atomic_files import claim_name, copy_atomic
from .documents import (
    DocumentSummary,
    LibraryDocument,
    document_lock,
    is_slug,
    load_document,
    now,
    save_document,
    slugify,
)
from .errors import LibraryError, LibraryRequestInvalid
from .index import SummaryIndex

D = TypeVar("D", bound=LibraryDocument)
S = TypeVar("S", bound=DocumentSummary)
T = TypeVar("T")

IMAGE_SUFFIXES = {".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg", ".webp": ".webp"}
"""Image types the library keeps (and serves as resources); `.jpeg` is stored as `.jpg`."""


class DocumentFolders(Generic[D, S]):
    """`<library>/<kind>/<slug>/<document>` plus images. Subclasses name the kind, types and errors."""

    kind: ClassVar[str]
    """The folder under the library, e.g. `characters`."""
    noun: ClassVar[str]
    """What one document is called in messages, e.g. `character`."""
    document_name: ClassVar[str]
    document_type: type[D]
    summary_type: type[S]
    not_found: ClassVar[type[LibraryError]]
    exists: ClassVar[type[LibraryError]]

    def __init__(self, library_dir: Path) -> None:
        self.root = library_dir / self.kind
        self._index = SummaryIndex(self.root, self.document_name, self.summary_type, self._summary)

    def summarize(self, document: D) -> S:
        raise NotImplementedError

    # -- where things are ------------------------------------------------------------------------

    def folder(self, slug: str) -> Path:
        if not is_slug(slug):
            raise self.not_found(f"{slug!r} is not a {self.noun} folder name")
        return self.root / slug

    def document(self, slug: str) -> Path:
        return self.folder(slug) / self.document_name

    def file(self, slug: str, name: str) -> Path:
        """One file of the document's folder, refusing anything that is not a plain file directly inside it."""
        folder = self.folder(slug).resolve()
        path = (folder / name).resolve()
        if path.parent != folder or not path.is_file() or name.startswith("."):
            raise LibraryRequestInvalid(
                f"{name!r} is not a file of {self.noun} {slug}",
                remedy=f"Use a file name that the {self.noun}'s 'show' lists.",
            )
        return path

    # -- reading ---------------------------------------------------------------------------------

    def resolve(self, name: str) -> str:
        """The slug of the document called `name`: its slug, its display name, or a name that slugs the same."""
        text = name.strip()
        if not text:
            raise LibraryRequestInvalid(f"No {self.noun} name was given", remedy=f"Give the {self.noun}'s name.")
        if is_slug(text) and self.document(text).is_file():
            return text
        try:
            slug = slugify(text)
        except LibraryRequestInvalid:
            slug = ""
        if slug and self.document(slug).is_file():
            return slug
        summaries = self.list()
        for summary in summaries:
            if summary.name.casefold() == text.casefold():
                return summary.slug
        names = [s.name for s in summaries]
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
        if close:
            hint = f" Did you mean {', '.join(close)}?"
        elif names:
            hint = f" There are: {', '.join(names[:20])}{'…' if len(names) > 20 else ''}."
        else:
            hint = f" There are no {self.kind} yet."
        raise self.not_found(f"No {self.noun} called {text!r}.{hint}")

    def load(self, slug: str) -> D:
        path = self.document(slug)
        if not path.is_file():
            raise self.not_found(f"No {self.noun} {slug!r}")
        document = load_document(path, self.document_type)
        if document.slug != slug:  # the folder is the identity; a renamed folder wins over the field
            document.slug = slug
        return document

    def list(self) -> list[S]:
        """Every document, by name; one whose file is broken is listed with the problem."""
        return sorted(self._index.summaries(), key=lambda s: (s.name.casefold(), s.slug))

    def _summary(self, slug: str) -> S:
        try:
            return self.summarize(self.load(slug))
        except LibraryError as exc:
            return self.summary_type(slug=slug, name=slug, problem=exc.message)

    # -- writing ---------------------------------------------------------------------------------

    def create(self, document: D) -> D:
        """Add a new document; its slug comes from its name and must be free."""
        slug = slugify(document.name)
        with document_lock(self.root, slug):
            folder = self.folder(slug)
            if (folder / self.document_name).exists():
                raise self.exists(f"There is already a {self.noun} {document.name!r} ({folder})")
            folder.mkdir(parents=True, exist_ok=True)  # a folder without its document is an interrupted create
            stamp = now()
            created = document.model_copy(update={"slug": slug, "created_at": stamp, "updated_at": stamp})
            save_document(folder / self.document_name, created)
        return created

    def change(self, slug: str, edit: Callable[[D], T]) -> tuple[D, T]:
        """Apply `edit` to the stored document and save it, all under its lock; returns the saved state.

        A broken file raises `LibraryFileCorrupt` before anything is written, so a hand
        edit in progress is never replaced; an `edit` that raises leaves the file as it was.
        """
        with document_lock(self.root, slug):
            document = self.load(slug)
            result = edit(document)
            document.updated_at = max(now(), round(document.updated_at + 0.001, 3))
            save_document(self.document(slug), document)
        return document, result

    def delete(self, slug: str) -> Path:
        """Remove the folder; it is first renamed away so no reader ever sees it half-deleted."""
        with document_lock(self.root, slug):
            folder = self.folder(slug)
            if not (folder / self.document_name).exists():
                raise self.not_found(f"No {self.noun} {slug!r}")
            trash = self.root / f".deleted-{slug}-{time.time_ns()}"
            folder.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
        return folder

    def add_image(self, slug: str, source: Path, stem: str) -> str:
        """Copy an image into the folder as `<stem>.<ext>` (or `<stem>-2.<ext>`, …) and return its file name."""
        suffix = IMAGE_SUFFIXES.get(source.suffix.lower())
        if suffix is None:
            raise LibraryRequestInvalid(
                f"{source.name} is not a PNG, JPEG or WebP image",
                remedy="Convert it to PNG or JPEG first.",
            )
        return self.copy_in(slug, source, stem, suffix)

    def copy_in(self, slug: str, source: Path, stem: str, suffix: str) -> str:
        """Copy any file into the folder as `<stem><suffix>` under a name no other writer can take."""
        dest = claim_name(self.folder(slug), stem, suffix)
        try:
            copy_atomic(source, dest)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        return dest.name

    def remove_file(self, slug: str, name: str) -> None:
        """Delete one of the folder's files (best effort: a file already gone is fine)."""
        with suppress(LibraryRequestInvalid, FileNotFoundError):
            self.file(slug, name).unlink()
