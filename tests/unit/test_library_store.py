"""The character library on disk: layout, names, reading and writing, broken files, the list index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from higgsfield_mcp.domain.library.documents import slugify
from higgsfield_mcp.domain.library.errors import (
    CharacterExists,
    CharacterNotFound,
    LibraryFileCorrupt,
    LibraryRequestInvalid,
)
from higgsfield_mcp.domain.library.index import INDEX_FILE
from higgsfield_mcp.domain.library.models import Character, Reference, TestShot
from higgsfield_mcp.domain.library.store import CharacterStore


def make(store: CharacterStore, name: str, **fields: str) -> Character:
    return store.create(Character(name=name, slug="-", **fields))


@pytest.fixture
def store(tmp_path: Path) -> CharacterStore:
    return CharacterStore(tmp_path / "library")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Maya Chen", "maya-chen"),
        ("Zoë Martín", "zoe-martin"),
        ("  R2 / D2 ", "r2-d2"),
        ("x" * 80, "x" * 60),
        ("美咲", "meixiao"),
        ("Ночной рынок", "nochnoy-rynok"),
        ("민지", "minji"),
    ],
)
def test_slugs_are_plain_folder_names(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_a_name_without_letters_is_refused() -> None:
    with pytest.raises(LibraryRequestInvalid):
        slugify("???")


def test_a_name_in_any_script_keeps_its_display_name(store: CharacterStore) -> None:
    for name in ("美咲", "Ночной рынок"):
        character = make(store, name, description="a test")
        assert character.name == name
        assert store.resolve(name) == character.slug == slugify(name)
        assert store.document(character.slug).is_file()


def test_create_writes_the_documented_layout(store: CharacterStore) -> None:
    created = make(store, "Maya Chen", description="A woman of about thirty", lighting_notes="window light")
    path = store.root / "maya-chen" / "character.json"
    data = json.loads(path.read_text())
    assert created.slug == data["slug"] == "maya-chen"
    assert data["name"] == "Maya Chen" and data["lighting_notes"] == "window light"
    assert data["references"] == [] and data["souls"] == {} and data["format"] == 1
    assert path.read_text().endswith("}\n"), "indented JSON with a final newline, friendly to diffs"


def test_names_resolve_by_slug_display_name_or_spelling(store: CharacterStore) -> None:
    make(store, "Zoë Martín")
    assert store.resolve("zoe-martin") == store.resolve("Zoë Martín") == store.resolve("ZOE MARTIN") == "zoe-martin"
    with pytest.raises(CharacterNotFound, match="Did you mean Zoë Martín"):
        store.resolve("Zoe Martins")


def test_duplicates_are_refused(store: CharacterStore) -> None:
    make(store, "Maya")
    with pytest.raises(CharacterExists):
        make(store, "maya")


def test_change_keeps_fields_people_added_by_hand(store: CharacterStore) -> None:
    make(store, "Maya")
    path = store.document("maya")
    data = json.loads(path.read_text())
    data["wardrobe"] = ["navy blazer"]
    path.write_text(json.dumps(data))
    store.change("maya", lambda c: setattr(c, "notes", "kept"))
    saved = json.loads(path.read_text())
    assert saved["wardrobe"] == ["navy blazer"] and saved["notes"] == "kept"


def test_a_broken_json_file_is_named_with_its_place_and_never_overwritten(store: CharacterStore) -> None:
    make(store, "Maya")
    path = store.document("maya")
    path.write_text('{"name": "Maya",\n "slug": "maya",,}')
    with pytest.raises(LibraryFileCorrupt) as caught:
        store.change("maya", lambda c: setattr(c, "notes", "x"))
    assert str(path) in caught.value.message and "line 2" in caught.value.message
    assert "fix the JSON" in caught.value.remedy
    assert path.read_text() == '{"name": "Maya",\n "slug": "maya",,}'


def test_an_invalid_value_names_the_field(store: CharacterStore) -> None:
    make(store, "Maya")
    path = store.document("maya")
    data = json.loads(path.read_text())
    data["references"] = [{"angle": "upside_down", "file": "a.png"}]
    path.write_text(json.dumps(data))
    with pytest.raises(LibraryFileCorrupt, match=r"references\.0\.angle"):
        store.load("maya")


def test_file_names_in_a_document_can_never_point_outside_its_folder(store: CharacterStore) -> None:
    make(store, "Maya")
    path = store.document("maya")
    for evil in ("../../etc/passwd", "/etc/passwd", "..", ".hidden", "a/b.png"):
        data = json.loads(path.read_text())
        data["references"] = [{"angle": "front", "file": evil}]
        path.write_text(json.dumps(data))
        with pytest.raises(LibraryFileCorrupt):
            store.load("maya")
    with pytest.raises(LibraryRequestInvalid):
        store.file("maya", "../maya/character.json")


def test_list_uses_the_index_and_sees_hand_edits_and_broken_files(store: CharacterStore) -> None:
    for name in ("Cleo", "Abe", "Bea"):
        make(store, name, description=f"{name} is here")
    assert [s.name for s in store.list()] == ["Abe", "Bea", "Cleo"]
    assert (store.root / INDEX_FILE).is_file()

    path = store.document("bea")
    data = json.loads(path.read_text())
    data["description"] = "edited by hand, much longer than before"
    path.write_text(json.dumps(data))
    store.document("cleo").write_text("{")
    listed = {s.slug: s for s in store.list()}
    assert listed["bea"].description == "edited by hand, much longer than before"
    assert listed["cleo"].problem and "not valid JSON" in listed["cleo"].problem

    (store.root / INDEX_FILE).write_text("garbage")  # only a cache: rebuilt when unreadable
    assert len(store.list()) == 3


def test_delete_removes_the_folder_and_the_listing(store: CharacterStore) -> None:
    make(store, "Maya")
    store.delete("maya")
    assert not (store.root / "maya").exists() and store.list() == []
    with pytest.raises(CharacterNotFound):
        store.delete("maya")


def test_images_are_copied_under_names_nobody_else_takes(store: CharacterStore, tmp_path: Path) -> None:
    make(store, "Maya")
    source = tmp_path / "x.JPEG"
    source.write_bytes(b"\xff\xd8\xff fake jpeg")
    names = [store.add_image("maya", source, "front") for _ in range(3)]
    assert names == ["front.jpg", "front-2.jpg", "front-3.jpg"]
    assert all((store.root / "maya" / n).read_bytes() == source.read_bytes() for n in names)
    with pytest.raises(LibraryRequestInvalid):
        store.add_image("maya", tmp_path / "notes.txt", "front")


def test_current_references_are_the_newest_per_angle_then_free_ones() -> None:
    character = Character(
        name="Maya",
        slug="maya",
        references=[
            Reference(angle="front", file="front.png"),
            Reference(angle="free", file="ref.png"),
            Reference(angle="profile", file="profile.png"),
            Reference(angle="front", file="front-2.png"),
            Reference(angle="three_quarter", job_id="j", state="pending"),
        ],
        test_shots=[TestShot(file="test-shot.png")],
    )
    assert [r.file for r in character.current_references()] == ["front-2.png", "profile.png", "ref.png"]
    assert character.local_images() == ["front.png", "ref.png", "profile.png", "front-2.png", "test-shot.png"]
    assert character.pending_job_ids() == ["j"]


def test_interrupted_create_leaves_a_folder_that_create_can_reuse(store: CharacterStore) -> None:
    (store.root / "maya").mkdir(parents=True)
    make(store, "Maya")
    assert store.load("maya").name == "Maya"
    assert os.listdir(store.root / "maya") == ["character.json"]
