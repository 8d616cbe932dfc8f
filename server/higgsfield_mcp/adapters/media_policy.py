"""Which local files may be sent to Higgsfield as media inputs.

The CLI uploads any path it is given, so an agent steered by a hostile prompt could
otherwise exfiltrate `~/.ssh/id_rsa` as "a reference image". A path is accepted only when,
after following symlinks and collapsing `..`, it is a regular file inside one of the
configured media roots, with an extension the CLI maps to a media type, and under a size
cap. Ids (uploads, previous jobs) pass through untouched: they name things already on
Higgsfield. The resolved path is what the caller must hand to the CLI, so a symlink
cannot be re-pointed between the check and the upload.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Unpack

from pydantic import BaseModel, ConfigDict

from .cli.errors import ErrorContext, ValidationError
from .cli.models import MediaKind

MediaType = MediaKind

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "webp", "gif"})
VIDEO_EXTENSIONS = frozenset({"mp4", "mov", "webm"})
AUDIO_EXTENSIONS = frozenset({"mp3", "wav", "m4a", "ogg"})
"""The CLI decides an upload's type from its extension (contract §5.7); anything else it would reject."""

MEDIA_TYPES: dict[str, MediaType] = {
    **dict.fromkeys(IMAGE_EXTENSIONS, "image"),
    **dict.fromkeys(VIDEO_EXTENSIONS, "video"),
    **dict.fromkeys(AUDIO_EXTENSIONS, "audio"),
}

MAX_MEDIA_BYTES = 200 * 1024 * 1024

ROOTS_VARIABLE = "HIGGSFIELD_MCP_MEDIA_ROOTS"

_ID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE)
"""Higgsfield ids (uploads, jobs, Soul references) are UUIDs; the CLI tells uploads from jobs itself."""


class MediaInput(BaseModel):
    """A media input that passed the policy: a checked local file, or an id already on Higgsfield."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["path", "id"]
    path: Path | None = None
    """Absolute, symlink-free path of an accepted file; None for an id."""
    id: str | None = None
    media_type: MediaType | None = None
    """From the file extension; None for an id (Higgsfield knows what it holds)."""
    size: int | None = None

    @property
    def cli_value(self) -> str:
        """What to pass to the CLI's media flag."""
        return str(self.path) if self.kind == "path" else str(self.id)


class MediaInputError(ValidationError):
    """A media input was refused before anything was uploaded or submitted."""

    code = "media_input"
    summary = "A media input could not be used."

    def __init__(self, message: str, *, file: str | None = None, **kw: Unpack[ErrorContext]) -> None:
        self.file = file
        super().__init__(message, **kw)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "file": self.file}


class MediaNotAllowed(MediaInputError):
    code = "media_not_allowed"
    summary = "A local file lies outside the folders media may come from."


class MediaNotFound(MediaInputError):
    code = "media_not_found"
    summary = "A local file does not exist."


class MediaNotAFile(MediaInputError):
    code = "media_not_a_file"
    summary = "A media path is a folder or a special file."


class UnsupportedMediaType(MediaInputError):
    code = "unsupported_media_type"
    summary = "A file's type is not one Higgsfield accepts."


class MediaTooLarge(MediaInputError):
    code = "media_too_large"
    summary = "A local file is larger than the upload cap."


def is_higgsfield_id(text: str) -> bool:
    """`text` has the shape of a Higgsfield id (a UUID): never a flag such as `--help`, never a path."""
    return bool(_ID.fullmatch(text))


def resolve_media_input(
    value: str, roots: Sequence[Path], *, max_bytes: int = MAX_MEDIA_BYTES, allow_ids: bool = True
) -> MediaInput:
    """Check one media input (a path or an id) against the policy; raise a `MediaInputError` with the fix."""
    text = value.strip()
    if not text:
        raise MediaNotFound(
            "an empty media input was given",
            remedy="Give the path of an image, video or audio file, or an upload id.",
        )
    if "\x00" in text:
        raise MediaNotAllowed(
            "a media input contains a NUL character (\\0), which no file name can hold",
            file=text.replace("\x00", "\\0"),
            remedy="Remove the NUL character from the path and try again; nothing was sent.",
        )
    if allow_ids and _ID.fullmatch(text):
        return MediaInput(kind="id", id=text)
    if "://" in text:
        raise MediaNotAllowed(
            f"{text} is a URL; media inputs must be local files or Higgsfield ids",
            file=text,
            remedy=f"Download it into one of: {_roots_text(roots)}, then pass its path.",
        )

    real_roots = [root.expanduser().resolve() for root in roots]
    given = Path(text).expanduser()
    if not given.is_absolute():
        if not roots:
            raise MediaNotAllowed(
                f"{text} is a relative path and no media folder is configured",
                file=text,
                remedy=f"Give an absolute path, or set {ROOTS_VARIABLE} to the folders media may come from.",
            )
        given = roots[0].expanduser() / given
    resolved = given.resolve()  # follows every symlink that exists, collapses `..`

    if not any(resolved.is_relative_to(root) for root in real_roots):
        where = f" (it resolves to {resolved})" if resolved != given.absolute() else ""
        raise MediaNotAllowed(
            f"{text} is outside the folders media may be sent from{where}",
            file=text,
            remedy=_move_remedy(roots),
        )

    try:
        info = resolved.stat()
    except FileNotFoundError:
        raise MediaNotFound(
            f"{text} does not exist",
            file=text,
            remedy=f"Check the spelling; relative paths are read from {_first_root(roots)}.",
        ) from None
    except OSError as exc:
        raise MediaNotFound(
            f"{text} cannot be read: {exc.strerror or exc}",
            file=text,
            remedy="Check the file's permissions, or copy it into a media folder you own.",
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise MediaNotAFile(
            f"{text} is {'a folder' if stat.S_ISDIR(info.st_mode) else 'not a regular file'}",
            file=text,
            remedy="Give the path of one image, video or audio file inside it.",
        )
    if not os.access(resolved, os.R_OK):
        raise MediaNotFound(
            f"{text} is not readable",
            file=text,
            remedy="Check the file's permissions, or copy it into a media folder you own.",
        )

    extension = resolved.suffix.lower().lstrip(".")
    media_type = MEDIA_TYPES.get(extension)
    if media_type is None:
        raise UnsupportedMediaType(
            f"{text} has an extension Higgsfield does not take ({'.' + extension if extension else 'none'})",
            file=text,
            remedy=(
                f"Convert it to an image ({_list(IMAGE_EXTENSIONS)}), video ({_list(VIDEO_EXTENSIONS)}) "
                f"or audio ({_list(AUDIO_EXTENSIONS)}) file."
            ),
        )
    if info.st_size > max_bytes:
        raise MediaTooLarge(
            f"{text} is {_megabytes(info.st_size)}, over the {_megabytes(max_bytes)} limit for media inputs",
            file=text,
            remedy="Compress it or trim it (for video: shorter, or 1080p or lower), then try again.",
        )
    return MediaInput(kind="path", path=resolved, media_type=media_type, size=info.st_size)


def _move_remedy(roots: Sequence[Path]) -> str:
    return f"Move it into one of: {_roots_text(roots)}, or add its folder to {ROOTS_VARIABLE}."


def _roots_text(roots: Sequence[Path]) -> str:
    return ", ".join(str(root) for root in roots) or f"(none configured; set {ROOTS_VARIABLE})"


def _first_root(roots: Sequence[Path]) -> str:
    return str(roots[0]) if roots else "the server's working folder"


def _list(extensions: frozenset[str]) -> str:
    return "/".join(sorted(extensions))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"
