"""JSON documents in library folders: names, reading with useful errors, writing safely.

Characters and moodboards share one shape on disk: a folder named by a slug, holding one
JSON document and the images it refers to by plain file name. This module owns the rules
that keep that shape safe:

- slugs and file names are plain (`[a-z0-9-]`, no separators, no `..`), so nothing in a
  document, however edited, can point outside its folder;
- a document that does not parse or validate raises `LibraryFileCorrupt` naming the file,
  the place and the fix, and is never overwritten;
- writes are atomic and happen under the folder kind's per-document lock.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

from anyascii import anyascii
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ...adapters.atomic_files import exclusive_lock, write_text_atomic
from .errors import LibraryFileCorrupt, LibraryRequestInvalid

D = TypeVar("D", bound=BaseModel)

FORMAT_VERSION = 1

SLUG_MAX = 60
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}$")
LOCKS_FOLDER = ".locks"


def slugify(name: str) -> str:
    """The folder name for a display name, in any script: ASCII lowercase words joined by `-`.

    Letters are transliterated ("Zoë Martín" → "zoe-martin", "Ночной рынок" → "nochnoy-rynok",
    美咲 → "meixiao"); letters no table covers get a short stable code instead, so every name
    with a letter or digit has a folder, and the display name is kept as typed.
    """
    text = unicodedata.normalize("NFKC", name.strip())
    if not any(unicodedata.category(char)[0] in "LN" for char in text):
        raise LibraryRequestInvalid(
            f"{name!r} has no letters or digits to name a folder after",
            remedy="Use a name with at least one letter or digit, in any script (e.g. Mara, 美咲, Ночной рынок).",
        )
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    return slug or "n-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def is_slug(text: str) -> bool:
    return bool(_SLUG.fullmatch(text))


def _plain_file_name(value: str) -> str:
    if not _FILE.fullmatch(value) or ".." in value:
        raise ValueError(f"{value!r} is not a plain file name inside the folder (no paths, no '..')")
    return value


FileName = Annotated[str, AfterValidator(_plain_file_name)]
"""A file inside a character's or moodboard's own folder: never a path, so never outside it."""


def check_file_name(value: str) -> str:
    """`value` if it is a plain file name, else a request error (for names that come from tool arguments)."""
    try:
        return _plain_file_name(value)
    except ValueError as exc:
        raise LibraryRequestInvalid(str(exc), remedy="Give just the file name as `show` lists it.") from None


def now() -> float:
    return round(time.time(), 3)


class LibraryDocument(BaseModel):
    """What every library document has: a display name, the slug of its folder, and timestamps.

    Unknown keys are kept (`extra="allow"`): a person may add their own fields to the file
    and the library's next write will not drop them.
    """

    model_config = ConfigDict(extra="allow")

    format: int = FORMAT_VERSION
    name: str = Field(min_length=1, max_length=100)
    slug: str
    created_at: float = Field(default_factory=now)
    updated_at: float = Field(default_factory=now)


class DocumentSummary(BaseModel):
    """One line of a library listing; `problem` is set when the document cannot be read."""

    slug: str
    name: str
    updated_at: float = 0.0
    problem: str | None = Field(default=None, description="Set when its JSON file cannot be read.")


def load_document(path: Path, model: type[D]) -> D:
    """Read and validate one document; a broken one is reported with the file, the place and the fix."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LibraryFileCorrupt(f"{path} is not UTF-8 text (byte {exc.start})") from None
    return parse_document(raw, model, str(path))


def parse_document(raw: str, model: type[D], source: str) -> D:
    """Validate document text; errors name `source` and the place (line and column, or the field)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LibraryFileCorrupt(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise LibraryFileCorrupt(f"{source} has an invalid value at {where}: {first['msg']}{more}") from None


def dump_document(document: BaseModel) -> str:
    """The on-disk text: indented JSON with a final newline, friendly to diffs and hand edits."""
    return json.dumps(document.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def save_document(path: Path, document: BaseModel) -> None:
    write_text_atomic(path, dump_document(document))


@contextmanager
def document_lock(kind_root: Path, slug: str) -> Iterator[None]:
    """The lock for one document's read-modify-write, kept outside its folder so delete and import can hold it."""
    with exclusive_lock(kind_root / LOCKS_FOLDER / f"{slug}.lock"):
        yield
