"""Characters as zip archives: export to share or back up, import with every path checked.

An archive is `<slug>/character.json`, the images it names, and `<slug>/character-sheet.jpg`
(a contact sheet of the references and test shots). Import trusts nothing in it: names
must be plain files in one top folder (no absolute paths, `..`, backslashes or symlinks,
which is what a zip-slip attack uses), every file must be one the character.json names or
the sheet, images must really be images, sizes are capped, and an existing character is
only replaced when asked. Files are written by us (never `ZipFile.extract`) into a staging
folder that is renamed into place in one step.

Zip bombs are refused from the declared sizes and compression ratios before anything is
unpacked, and entries are streamed to disk with a running cap, so a lying header cannot
fill memory or the disk either. Damaged (bad CRC), encrypted and oddly compressed archives,
and anything that is not a regular file (a FIFO would block the read forever), get a
plain refusal. The character inside is validated as strictly as `create` would: its name,
and every Higgsfield id it carries must have the id shape, so `--help` never reaches the CLI.
Exports keep file paths relative to the character folder, never the exporting machine's.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import time
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from ...adapters.atomic_files import write_bytes_atomic
from ...adapters.media_policy import is_higgsfield_id
from .contact_sheet import Cell, render_contact_sheet
from .documents import document_lock, dump_document, is_slug, now, parse_document, slugify
from .errors import ArchiveRefused, LibraryFileCorrupt, LibraryRequestInvalid
from .models import Character
from .store import CharacterStore

SHEET_NAME = "character-sheet.jpg"
MAX_MEMBERS = 200
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = MAX_TOTAL_BYTES
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_RATIO = 50
"""Images are stored, not deflated, by `export`; even deflated JSON rarely packs tighter than 10:1."""
RATIO_FLOOR_BYTES = 1024 * 1024
"""Entries smaller than this unpacked are never a bomb, whatever their ratio."""
SUPPORTED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
CHUNK = 1024 * 1024
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF")
ANGLE_LABELS = {"front": "Front", "three_quarter": "Three-quarter", "profile": "Profile", "free": "Reference"}


def character_sheet(character: Character, store: CharacterStore) -> bytes:
    """A contact sheet of the character: current references (by angle), then test shots with their lighting."""
    folder = store.folder(character.slug)
    cells = [
        Cell(folder / r.file if r.file else None, ANGLE_LABELS[r.angle], character.name)
        for r in character.current_references()
    ]
    cells += [
        Cell(folder / t.file, "Test shot", t.lighting_notes or t.notes or character.name)
        for t in character.test_shots
        if t.file and t.state == "ready"
    ]
    return render_contact_sheet(cells, title=f"{character.name} — character sheet")


def export_character(store: CharacterStore, slug: str, destination: Path) -> Path:
    """Write `<destination>/<slug>-<date>.zip` and return its path."""
    character = store.load(slug)
    folder = store.folder(slug)
    files = [name for name in _named_files(character) if (folder / name).is_file()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{slug}/character.json", dump_document(portable(character, folder)))
        for name in files:
            archive.write(
                folder / name, f"{slug}/{name}", compress_type=zipfile.ZIP_STORED
            )  # images are compressed already
        archive.writestr(f"{slug}/{SHEET_NAME}", character_sheet(character, store), zipfile.ZIP_STORED)
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / f"{slug}-{time.strftime('%Y%m%d-%H%M%S')}.zip"
    write_bytes_atomic(target, buffer.getvalue())
    return target


def import_character(
    store: CharacterStore, archive_path: Path, *, overwrite: bool = False, name: str | None = None
) -> Character:
    """Add the character in `archive_path` to the library (as `name` if given); see the module doc for the checks."""
    with _open_archive(archive_path) as archive:
        top, members = _checked_members(archive, archive_path)
        character = _checked_character(archive, archive_path, top, members)
        character = _renamed(character, name, archive_path)
        slug = character.slug
        with document_lock(store.root, slug):
            folder = store.folder(slug)
            existed = (folder / store.document_name).exists()
            if existed and not overwrite:
                raise ArchiveRefused(
                    f"The library already has a character {character.name!r}; nothing was imported",
                    remedy="Call import again with overwrite set to true to replace it, or give another name.",
                )
            staging = store.root / f".import-{slug}-{time.time_ns()}"
            staging.mkdir(parents=True)
            try:
                budget = [MAX_TOTAL_BYTES]
                for member in members:
                    if member != "character.json":
                        _extract_image(archive, archive_path, f"{top}/{member}", staging / member, budget)
                (staging / store.document_name).write_text(dump_document(character), encoding="utf-8")
                trash = store.root / f".replaced-{slug}-{time.time_ns()}"
                if folder.exists():
                    folder.rename(trash)
                staging.rename(folder)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            shutil.rmtree(trash, ignore_errors=True)
    return store.load(slug)


def portable(character: Character, folder: Path) -> Character:
    """`character` with paths of this machine made relative to its folder (or cut to a file name)."""

    def local(text: str | None) -> str | None:
        if not text or not os.path.isabs(text):
            return text
        path = Path(text)
        return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name

    references = [r.model_copy(update={"source": local(r.source)}) for r in character.references]
    history = [h.model_copy(update={"files": [local(f) or f for f in h.files]}) for h in character.history]
    souls = {v: s.model_copy(update={"images": [local(i) or i for i in s.images]}) for v, s in character.souls.items()}
    return character.model_copy(update={"references": references, "history": history, "souls": souls})


def _open_archive(path: Path) -> zipfile.ZipFile:
    """The archive, opened only when it is a regular file of plausible size (a FIFO would block forever)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ArchiveRefused(f"{path} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ArchiveRefused(
            f"{path} is not a regular file (a pipe, device or folder)", remedy="Give the path of a .zip file."
        )
    if info.st_size > MAX_ARCHIVE_BYTES:
        raise ArchiveRefused(f"{path} is {info.st_size // (1024 * 1024)} MB, larger than a character archive can be")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveRefused(f"{path} is not a readable zip archive ({exc})") from None


def _renamed(character: Character, name: str | None, path: Path) -> Character:
    """The imported character under its (new) name, validated as `create` validates, ids included."""
    new_name = (name if name is not None else character.name).strip()
    data: dict[str, Any] = {**character.model_dump(mode="json"), "name": new_name, "updated_at": now()}
    try:
        data["slug"] = slugify(new_name)
        renamed = Character.model_validate(data)
    except LibraryRequestInvalid as exc:
        raise ArchiveRefused(f"Cannot import as {new_name!r}: {exc.message}", remedy=exc.remedy) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the character"
        raise ArchiveRefused(
            f"Cannot import as {new_name[:60]!r}: {where}: {first['msg']}",
            remedy="Give a name of 1 to 100 characters.",
        ) from None
    bad = [i for i in _ids(renamed) if not is_higgsfield_id(i)]
    if bad:
        raise ArchiveRefused(
            f"{path}: character.json holds {len(bad)} value(s) in id fields that are not Higgsfield ids "
            f"(e.g. {bad[0][:40]!r})",
            remedy="Import only archives made by `export`; fix or remove those ids in character.json first.",
        )
    return renamed


def _ids(character: Character) -> list[str]:
    """Every value of the character that is sent to the CLI as a Higgsfield id."""
    ids = [s.id for s in character.souls.values()] + list(character.avatar_ids)
    ids += [i for r in character.references for i in (r.upload_id, r.job_id) if i]
    ids += [t.job_id for t in character.test_shots if t.job_id]
    ids += [h.job_id for h in character.history]
    return ids


def _extract_image(archive: zipfile.ZipFile, path: Path, member: str, dest: Path, budget: list[int]) -> None:
    """Stream one entry to `dest` under a running cap; it must be an image and pass its CRC."""
    info = archive.getinfo(member)
    cap = min(info.file_size, MAX_MEMBER_BYTES, budget[0])
    written = 0
    try:
        with archive.open(info) as source, dest.open("wb") as out:
            head = source.read(16)
            if not head.startswith(IMAGE_MAGIC):
                raise ArchiveRefused(f"{member} in the archive is not a PNG, JPEG or WebP image")
            chunk = head
            while chunk:
                written += len(chunk)
                if written > cap:
                    raise ArchiveRefused(f"{path}: {member} unpacks to more than it declares or the size cap allows")
                out.write(chunk)
                chunk = source.read(CHUNK)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ArchiveRefused(
            f"{path} is damaged: {member} does not unpack cleanly ({exc})",
            remedy="Export the character again, or copy the zip again: the file was changed or cut short.",
        ) from None
    budget[0] -= written


def _named_files(character: Character) -> list[str]:
    names = [r.file for r in character.references if r.file]
    names += [t.file for t in character.test_shots if t.file]
    return list(dict.fromkeys(names))


def _checked_members(archive: zipfile.ZipFile, path: Path) -> tuple[str, list[str]]:
    """The single top folder and the plain file names under it; anything else refuses the whole archive."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveRefused(f"{path} holds {len(infos)} entries, more than a character archive can ({MAX_MEMBERS})")
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise ArchiveRefused(f"{path} unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB")
    tops: set[str] = set()
    members: list[str] = []
    for info in infos:
        raw = info.filename
        parts = PurePosixPath(raw).parts
        mode = info.external_attr >> 16
        if (
            "\\" in raw
            or raw.startswith("/")
            or ":" in raw
            or ".." in parts
            or any(p in ("", ".") for p in raw.rstrip("/").split("/"))
        ):
            raise ArchiveRefused(f"{path} contains an unsafe path {raw!r} (it could write outside the library)")
        if stat.S_ISLNK(mode):
            raise ArchiveRefused(f"{path} contains a symbolic link {raw!r}")
        if info.is_dir():
            if len(parts) != 1:
                raise ArchiveRefused(f"{path} has a nested folder {raw!r}; a character archive has one folder")
            tops.add(parts[0])
            continue
        if len(parts) != 2:
            raise ArchiveRefused(f"{path} has {raw!r} outside the character's one folder")
        _check_entry(info, path)
        tops.add(parts[0])
        members.append(parts[1])
    if len(tops) != 1:
        raise ArchiveRefused(f"{path} should hold exactly one character folder, not {len(tops)}")
    top = tops.pop()
    if not is_slug(top):
        raise ArchiveRefused(f"{path} has a top folder {top!r} that is not a character folder name")
    if "character.json" not in members:
        raise ArchiveRefused(f"{path} has no {top}/character.json")
    if len(set(members)) != len(members):
        raise ArchiveRefused(f"{path} names the same file twice")
    return top, members


def _check_entry(info: zipfile.ZipInfo, path: Path) -> None:
    """Refuse an encrypted, oddly compressed or bomb-shaped entry from its header, before reading it."""
    if info.flag_bits & 0x1:
        raise ArchiveRefused(
            f"{path} is encrypted ({info.filename} needs a password)",
            remedy="Export the character again without a password; encrypted archives cannot be imported.",
        )
    if info.compress_type not in SUPPORTED_COMPRESSION:
        raise ArchiveRefused(
            f"{path} uses a compression method ({info.compress_type}) other than "
            f"{' or '.join(SUPPORTED_COMPRESSION.values())} for {info.filename}",
            remedy="Re-create the zip with ordinary (deflate) compression, or import a zip made by `export`.",
        )
    if info.file_size > MAX_MEMBER_BYTES:
        raise ArchiveRefused(
            f"{path}: {info.filename} unpacks to {info.file_size // (1024 * 1024)} MB, more than an image may "
            f"({MAX_MEMBER_BYTES // (1024 * 1024)} MB)"
        )
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ArchiveRefused(
            f"{path} looks like a zip bomb: {info.filename} would unpack to {info.file_size // (1024 * 1024)} MB "
            f"from {max(info.compress_size, 1) // 1024} KB",
            remedy="Import only zips made by `export`; this one was not imported and nothing was written.",
        )


def _checked_character(archive: zipfile.ZipFile, path: Path, top: str, members: Sequence[str]) -> Character:
    info = archive.getinfo(f"{top}/character.json")
    if info.file_size > MAX_DOCUMENT_BYTES:
        raise ArchiveRefused(f"{path}: character.json is implausibly large ({info.file_size} bytes)")
    try:
        text = archive.read(info).decode("utf-8")
        character = parse_document(text, Character, f"{path}:{top}/character.json")
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ArchiveRefused(
            f"{path} is damaged: character.json does not unpack cleanly ({exc})",
            remedy="Export the character again, or copy the zip again: the file was changed or cut short.",
        ) from None
    except UnicodeDecodeError:
        raise ArchiveRefused(f"{path}: character.json is not UTF-8 text") from None
    except LibraryFileCorrupt as exc:
        raise ArchiveRefused(exc.message) from None
    allowed = {"character.json", SHEET_NAME, *_named_files(character)}
    unexpected = sorted(set(members) - allowed)
    if unexpected:
        raise ArchiveRefused(f"{path} holds files its character.json does not name: {', '.join(unexpected[:5])}")
    missing = sorted(set(_named_files(character)) - set(members))
    if missing:
        raise ArchiveRefused(f"{path} lacks images its character.json names: {', '.join(missing[:5])}")
    return character


def inside(path: Path, roots: Sequence[Path]) -> Path:
    """`path` resolved, if it lies inside one of `roots`; archives are read and written only there."""
    if "\x00" in str(path):
        raise LibraryRequestInvalid(
            "the path contains a NUL character (\\0), which no file name can hold",
            remedy="Remove the NUL character from the path and try again.",
        )
    resolved = path.expanduser().resolve()
    if not any(resolved.is_relative_to(root.expanduser().resolve()) for root in roots):
        raise LibraryRequestInvalid(
            f"{path} is outside the folders the library may read and write",
            remedy="Use a path inside: " + ", ".join(str(r) for r in roots) + " (or add its folder to "
            "HIGGSFIELD_MCP_MEDIA_ROOTS).",
        )
    return resolved
