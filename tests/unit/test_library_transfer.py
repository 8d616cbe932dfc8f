"""Character archives: a faithful round trip, and every way a hostile or broken zip is refused."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from higgsfield_mcp.domain.library.errors import ArchiveRefused, LibraryRequestInvalid
from higgsfield_mcp.domain.library.models import Character, Reference, TestShot
from higgsfield_mcp.domain.library.store import CharacterStore
from higgsfield_mcp.domain.library.transfer import SHEET_NAME, export_character, import_character, inside


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    store = CharacterStore(tmp_path / "source")
    store.create(Character(name="Maya Chen", slug="-", canonical_prompt="A woman, dark bob"))
    folder = store.folder("maya-chen")
    for n, angle in enumerate(("front", "three_quarter", "profile")):
        (folder / f"{angle}.png").write_bytes(png((40 * n, 90, 160)))
    (folder / "test-shot.png").write_bytes(png((200, 30, 30)))

    def fill(c: Character) -> None:
        c.references = [
            Reference(angle=a, file=f"{a}.png", job_id=f"j{a}") for a in ("front", "three_quarter", "profile")
        ]
        c.test_shots = [TestShot(file="test-shot.png", lighting_notes="neon rim light")]

    store.change("maya-chen", fill)
    return export_character(store, "maya-chen", tmp_path / "exports")


def test_export_holds_the_document_its_images_and_a_character_sheet(archive: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        names = sorted(zf.namelist())
        sheet = Image.open(io.BytesIO(zf.read(f"maya-chen/{SHEET_NAME}")))
    assert names == sorted(
        f"maya-chen/{n}"
        for n in ("character.json", "front.png", "three_quarter.png", "profile.png", "test-shot.png", SHEET_NAME)
    )
    assert sheet.format == "JPEG" and sheet.width > 4 * 300


def test_import_into_an_empty_library_round_trips(archive: Path, tmp_path: Path) -> None:
    target = CharacterStore(tmp_path / "target")
    imported = import_character(target, archive)
    assert imported.slug == "maya-chen" and imported.canonical_prompt == "A woman, dark bob"
    assert [r.file for r in imported.current_references()] == ["front.png", "three_quarter.png", "profile.png"]
    assert (target.folder("maya-chen") / "test-shot.png").read_bytes() == png((200, 30, 30))
    assert (target.folder("maya-chen") / SHEET_NAME).is_file(), "the sheet comes along, to open by hand"
    assert [s.name for s in target.list()] == ["Maya Chen"]


def test_import_refuses_to_overwrite_unless_asked_and_can_rename(archive: Path, tmp_path: Path) -> None:
    target = CharacterStore(tmp_path / "target")
    import_character(target, archive)
    target.change("maya-chen", lambda c: setattr(c, "notes", "local edit"))
    with pytest.raises(ArchiveRefused, match="already has"):
        import_character(target, archive)
    assert target.load("maya-chen").notes == "local edit"
    assert import_character(target, archive, overwrite=True).notes == ""
    renamed = import_character(target, archive, name="Maya Two")
    assert renamed.slug == "maya-two" and len(target.list()) == 2


def rewrite(archive: Path, dest: Path, change: Callable[[zipfile.ZipFile, zipfile.ZipFile], None]) -> Path:
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(dest, "w") as out:
        change(source, out)
    return dest


def copy_all(source: zipfile.ZipFile, out: zipfile.ZipFile) -> None:
    for info in source.infolist():
        out.writestr(info, source.read(info))


@pytest.mark.parametrize(
    ("evil", "words"),
    [
        ("maya-chen/../../escape.png", "unsafe path"),
        ("/etc/cron.d/evil", "unsafe path"),
        ("maya-chen\\..\\evil.png", "unsafe path"),
        ("C:/evil.png", "unsafe path"),
        ("maya-chen/sub/deep.png", "outside the character's one folder"),
        ("other/extra.png", "exactly one character folder"),
        ("maya-chen/extra.png", "does not name"),
    ],
)
def test_zip_slip_and_stray_files_are_refused(archive: Path, tmp_path: Path, evil: str, words: str) -> None:
    def add(source: zipfile.ZipFile, out: zipfile.ZipFile) -> None:
        copy_all(source, out)
        out.writestr(zipfile.ZipInfo(evil), png((1, 2, 3)))

    bad = rewrite(archive, tmp_path / "bad.zip", add)
    target = CharacterStore(tmp_path / "target")
    with pytest.raises(ArchiveRefused, match=words):
        import_character(target, bad)
    assert not (tmp_path / "escape.png").exists() and target.list() == []
    assert not (tmp_path / "target" / "characters").exists() or not any((tmp_path / "target" / "characters").iterdir())


def test_symlinks_and_fake_images_are_refused(archive: Path, tmp_path: Path) -> None:
    def symlink(source: zipfile.ZipFile, out: zipfile.ZipFile) -> None:
        for info in source.infolist():
            if info.filename.endswith("front.png"):
                link = zipfile.ZipInfo(info.filename)
                link.external_attr = (stat.S_IFLNK | 0o777) << 16
                out.writestr(link, "/etc/passwd")
            else:
                out.writestr(info, source.read(info))

    def fake(source: zipfile.ZipFile, out: zipfile.ZipFile) -> None:
        for info in source.infolist():
            data = b"#!/bin/sh\nrm -rf /\n" if info.filename.endswith("front.png") else source.read(info)
            out.writestr(info, data)

    target = CharacterStore(tmp_path / "target")
    with pytest.raises(ArchiveRefused, match="symbolic link"):
        import_character(target, rewrite(archive, tmp_path / "link.zip", symlink))
    with pytest.raises(ArchiveRefused, match="not a PNG"):
        import_character(target, rewrite(archive, tmp_path / "fake.zip", fake))


def test_a_broken_or_hostile_character_json_is_refused(archive: Path, tmp_path: Path) -> None:
    def doc(text: str) -> Callable[[zipfile.ZipFile, zipfile.ZipFile], None]:
        def change(source: zipfile.ZipFile, out: zipfile.ZipFile) -> None:
            for info in source.infolist():
                out.writestr(info, text if info.filename.endswith("character.json") else source.read(info))

        return change

    original = json.loads(zipfile.ZipFile(archive).read("maya-chen/character.json"))
    hostile = dict(original, references=[{"angle": "front", "file": "../../../.bashrc"}])
    target = CharacterStore(tmp_path / "target")
    with pytest.raises(ArchiveRefused, match="not valid JSON"):
        import_character(target, rewrite(archive, tmp_path / "a.zip", doc("{")))
    with pytest.raises(ArchiveRefused, match=r"references\.0\.file"):
        import_character(target, rewrite(archive, tmp_path / "b.zip", doc(json.dumps(hostile))))
    with pytest.raises(ArchiveRefused, match="not a readable zip"):
        (tmp_path / "c.zip").write_bytes(b"not a zip")
        import_character(target, tmp_path / "c.zip")


def test_archives_are_only_read_and_written_inside_allowed_folders(tmp_path: Path) -> None:
    assert inside(tmp_path / "a" / "x.zip", [tmp_path]) == (tmp_path / "a" / "x.zip").resolve()
    with pytest.raises(LibraryRequestInvalid, match="outside"):
        inside(tmp_path / ".." / "x.zip", [tmp_path])
