"""Characters as zip archives: export to share or back up, import with every path checked.

An archive is `<slug>/character.json`, the images it names, and `<slug>/character-sheet.jpg`
(a contact sheet of the references and test shots). Import trusts nothing in it: names
must be plain files in one top folder (no absolute paths, `..`, backslashes or symlinks,
which is what a zip-slip attack uses), every file must be one the character.json names or
the sheet, images must really be images, sizes are capped, and an existing character is
only replaced when asked. Files are written by us (never `ZipFile.extract`) into a staging
folder that is renamed into place in one step.
"""

from __future__ import annotations

import io
import shutil
import stat
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ...adapters.atomic_files import write_bytes_atomic
from .contact_sheet import Cell, render_contact_sheet
from .documents import document_lock, dump_document, is_slug, now, parse_document, slugify
from .errors import ArchiveRefused, LibraryFileCorrupt, LibraryRequestInvalid
from .models import Character
from .store import CharacterStore

SHEET_NAME = "character-sheet.jpg"
MAX_MEMBERS = 200
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
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
        archive.writestr(f"{slug}/character.json", dump_document(character))
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
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveRefused(f"{archive_path} is not a readable zip archive ({exc})") from None
    with archive:
        top, members = _checked_members(archive, archive_path)
        character = _checked_character(archive, archive_path, top, members)
        contents = {member: _checked_image(archive, top, member) for member in members if member != "character.json"}
    new_name = (name or character.name).strip()
    slug = slugify(new_name)
    character = character.model_copy(update={"name": new_name, "slug": slug, "updated_at": now()})
    with document_lock(store.root, slug):
        folder = store.folder(slug)
        existed = (folder / store.document_name).exists()
        if existed and not overwrite:
            raise ArchiveRefused(
                f"The library already has a character {new_name!r}; nothing was imported",
                remedy="Call import again with overwrite set to true to replace it, or give another name.",
            )
        staging = store.root / f".import-{slug}-{time.time_ns()}"
        staging.mkdir(parents=True)
        try:
            for member, data in contents.items():
                (staging / member).write_bytes(data)
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


def _checked_character(archive: zipfile.ZipFile, path: Path, top: str, members: Sequence[str]) -> Character:
    info = archive.getinfo(f"{top}/character.json")
    if info.file_size > MAX_DOCUMENT_BYTES:
        raise ArchiveRefused(f"{path}: character.json is implausibly large ({info.file_size} bytes)")
    try:
        text = archive.read(info).decode("utf-8")
        character = parse_document(text, Character, f"{path}:{top}/character.json")
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


def _checked_image(archive: zipfile.ZipFile, top: str, member: str) -> bytes:
    data = archive.read(f"{top}/{member}")
    if not data.startswith(IMAGE_MAGIC):
        raise ArchiveRefused(f"{top}/{member} in the archive is not a PNG, JPEG or WebP image")
    return data


def inside(path: Path, roots: Sequence[Path]) -> Path:
    """`path` resolved, if it lies inside one of `roots`; archives are read and written only there."""
    resolved = path.expanduser().resolve()
    if not any(resolved.is_relative_to(root.expanduser().resolve()) for root in roots):
        raise LibraryRequestInvalid(
            f"{path} is outside the folders the library may read and write",
            remedy="Use a path inside: " + ", ".join(str(r) for r in roots) + " (or add its folder to "
            "HIGGSFIELD_MCP_MEDIA_ROOTS).",
        )
    return resolved
