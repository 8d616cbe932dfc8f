"""Character archives: a faithful round trip, and every way a hostile or broken zip is refused."""

from __future__ import annotations

import io
import json
import os
import stat
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from higgsfield_mcp.domain.library.errors import ArchiveRefused, LibraryRequestInvalid
from higgsfield_mcp.domain.library.models import Character, Reference, TestShot
from higgsfield_mcp.domain.library.store import CharacterStore
from higgsfield_mcp.domain.library.transfer import (
    MAX_MEMBER_BYTES,
    SHEET_NAME,
    export_character,
    import_character,
    inside,
)


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
            Reference(angle=a, file=f"{a}.png", job_id=str(uuid.uuid4()), source=str(folder / f"{a}.png"))
            for a in ("front", "three_quarter", "profile")
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


def _members(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(dest: Path, members: dict[str, bytes], **kw: int) -> Path:
    with zipfile.ZipFile(dest, "w", compression=kw.get("compression", zipfile.ZIP_STORED)) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def _with_doc(archive: Path, dest: Path, change: Callable[[dict[str, object]], None]) -> Path:
    members = _members(archive)
    doc = json.loads(members["maya-chen/character.json"])
    change(doc)
    members["maya-chen/character.json"] = json.dumps(doc).encode()
    return _zip(dest, members)


def test_zip_bomb_is_refused_from_its_header_before_anything_is_written(archive: Path, tmp_path: Path) -> None:
    members = _members(archive)
    members["maya-chen/front.png"] = b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_MEMBER_BYTES // 2)
    bomb = _zip(tmp_path / "bomb.zip", members, compression=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 1024 * 1024
    target = CharacterStore(tmp_path / "target")
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        import_character(target, bomb)
    assert not target.root.exists() or not any(target.root.iterdir())


def test_lying_sizes_are_caught_while_streaming(archive: Path, tmp_path: Path) -> None:
    members = _members(archive)
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(200_000)
    members["maya-chen/front.png"] = big
    raw = bytearray(_zip(tmp_path / "ok.zip", members).read_bytes())
    # shrink the declared size of front.png in the central directory (and the local header) to 100 bytes
    needle = b"maya-chen/front.png"
    for at in [i for i in range(len(raw)) if raw[i : i + len(needle)] == needle]:
        if raw[at - 46 : at - 42] == b"PK\x01\x02":
            raw[at - 46 + 24 : at - 46 + 28] = (100).to_bytes(4, "little")
        elif raw[at - 30 : at - 26] == b"PK\x03\x04":
            raw[at - 30 + 22 : at - 30 + 26] = (100).to_bytes(4, "little")
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(raw))
    with pytest.raises(ArchiveRefused):
        import_character(CharacterStore(tmp_path / "target"), liar)


def test_bad_crc_is_a_damaged_archive(archive: Path, tmp_path: Path) -> None:
    raw = bytearray(archive.read_bytes())
    start = raw.find(b"IDAT")  # inside front.png, stored uncompressed
    raw[start + 8] ^= 0xFF
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(raw))
    with pytest.raises(ArchiveRefused, match="damaged"):
        import_character(CharacterStore(tmp_path / "target"), broken)


def test_encrypted_and_unknown_compression_are_named(archive: Path, tmp_path: Path) -> None:
    raw = archive.read_bytes()
    for flag_or_method, match in ((b"enc", "encrypted"), (b"lzma", "compression method")):
        data = bytearray(raw)
        for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
            at = data.find(sig)
            while at != -1:
                if flag_or_method == b"enc":
                    data[at + flag_at] |= 0x1
                else:
                    data[at + method_at : at + method_at + 2] = (99).to_bytes(2, "little")
                at = data.find(sig, at + 4)
        odd = tmp_path / f"{match[:4]}.zip"
        odd.write_bytes(bytes(data))
        with pytest.raises(ArchiveRefused, match=match):
            import_character(CharacterStore(tmp_path / "target"), odd)


def test_fifo_as_archive_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.zip"
    os.mkfifo(fifo)
    with pytest.raises(ArchiveRefused, match="not a regular file"):
        import_character(CharacterStore(tmp_path / "target"), fifo)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "!!!"])
def test_new_name_is_validated_like_create(archive: Path, tmp_path: Path, name: str) -> None:
    target = CharacterStore(tmp_path / "target")
    with pytest.raises(ArchiveRefused):
        import_character(target, archive, name=name)
    assert target.list() == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(avatar_ids=["--help"]),
        lambda d: d.update(souls={"soul_2": {"variant": "soul_2", "id": "--help", "status": "completed"}}),
        lambda d: d["references"][0].update(job_id="-rf"),
    ],
)
def test_imported_ids_must_be_higgsfield_ids(
    archive: Path, tmp_path: Path, change: Callable[[dict[str, object]], None]
) -> None:
    hostile = _with_doc(archive, tmp_path / "ids.zip", change)
    with pytest.raises(ArchiveRefused, match="not Higgsfield ids"):
        import_character(CharacterStore(tmp_path / "target"), hostile)


def test_export_stores_paths_relative_to_the_character_folder(archive: Path, tmp_path: Path) -> None:
    doc = json.loads(_members(archive)["maya-chen/character.json"])
    text = json.dumps(doc)
    assert str(tmp_path) not in text
    assert [r["source"] for r in doc["references"]] == ["front.png", "three_quarter.png", "profile.png"]
