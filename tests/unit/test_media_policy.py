"""Which local files may be sent: only regular media files inside the configured roots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from higgsfield_mcp.adapters.cli.errors import HiggsfieldError, ValidationError
from higgsfield_mcp.adapters.media_policy import (
    MAX_MEDIA_BYTES,
    MediaNotAFile,
    MediaNotAllowed,
    MediaNotFound,
    MediaTooLarge,
    UnsupportedMediaType,
    resolve_media_input,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "ref.png").write_bytes(b"\x89PNG fake")
    (folder / "clip.MOV").write_bytes(b"fake")
    (folder / "voice.m4a").write_bytes(b"fake")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.jpeg").write_bytes(b"fake")
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "secret.png").write_bytes(b"not for upload")
    return folder


def test_file_inside_a_root(root: Path) -> None:
    media = resolve_media_input(str(root / "ref.png"), [root])
    assert media.kind == "path" and media.path == (root / "ref.png").resolve()
    assert media.media_type == "image" and media.cli_value == str(media.path) and media.id is None


def test_media_types_from_extension_any_case(root: Path) -> None:
    assert resolve_media_input(str(root / "clip.MOV"), [root]).media_type == "video"
    assert resolve_media_input(str(root / "voice.m4a"), [root]).media_type == "audio"


def test_second_root_is_allowed(root: Path, outside: Path) -> None:
    assert resolve_media_input(str(outside / "secret.png"), [root, outside]).kind == "path"


def test_relative_path_is_read_from_the_first_root(root: Path) -> None:
    media = resolve_media_input("sub/b.jpeg", [root])
    assert media.path == (root / "sub" / "b.jpeg").resolve()


def test_home_is_expanded(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(root.parent))
    assert resolve_media_input("~/media/ref.png", [root]).path == (root / "ref.png").resolve()


def test_outside_the_roots_is_refused(root: Path, outside: Path) -> None:
    with pytest.raises(MediaNotAllowed) as caught:
        resolve_media_input(str(outside / "secret.png"), [root])
    error = caught.value
    assert isinstance(error, ValidationError) and isinstance(error, HiggsfieldError)
    assert "secret.png" in error.message
    assert str(root) in error.remedy and "HIGGSFIELD_MCP_MEDIA_ROOTS" in error.remedy
    assert error.to_dict()["file"] == str(outside / "secret.png")


def test_missing_file_outside_roots_says_outside(root: Path, outside: Path) -> None:
    # never reveal whether files outside the roots exist
    with pytest.raises(MediaNotAllowed):
        resolve_media_input(str(outside / "nope.png"), [root])


def test_symlink_escape_is_refused(root: Path, outside: Path) -> None:
    (root / "innocent.png").symlink_to(outside / "secret.png")
    with pytest.raises(MediaNotAllowed, match="resolves to"):
        resolve_media_input(str(root / "innocent.png"), [root])
    (root / "linked").symlink_to(outside, target_is_directory=True)
    with pytest.raises(MediaNotAllowed):
        resolve_media_input("linked/secret.png", [root])


def test_symlink_within_the_root_is_fine_and_resolved(root: Path) -> None:
    (root / "alias.png").symlink_to(root / "ref.png")
    assert resolve_media_input(str(root / "alias.png"), [root]).path == (root / "ref.png").resolve()


def test_symlink_to_a_non_media_file_is_judged_by_its_target(root: Path) -> None:
    (root / "notes.txt").write_text("x")
    (root / "photo.png").symlink_to(root / "notes.txt")
    with pytest.raises(UnsupportedMediaType):
        resolve_media_input(str(root / "photo.png"), [root])


def test_dotdot_escape_is_refused(root: Path) -> None:
    with pytest.raises(MediaNotAllowed):
        resolve_media_input("../private/secret.png", [root])
    with pytest.raises(MediaNotAllowed):
        resolve_media_input(str(root / "sub" / ".." / ".." / "private" / "secret.png"), [root])


def test_dotdot_that_stays_inside_is_fine(root: Path) -> None:
    assert resolve_media_input("sub/../ref.png", [root]).path == (root / "ref.png").resolve()


def test_missing_file(root: Path) -> None:
    with pytest.raises(MediaNotFound, match="does not exist"):
        resolve_media_input(str(root / "gone.png"), [root])


def test_directory_is_refused(root: Path) -> None:
    with pytest.raises(MediaNotAFile, match="folder"):
        resolve_media_input(str(root / "sub"), [root])


def test_wrong_extension(root: Path) -> None:
    (root / "doc.pdf").write_bytes(b"%PDF")
    (root / "noext").write_bytes(b"x")
    for name in ("doc.pdf", "noext"):
        with pytest.raises(UnsupportedMediaType) as caught:
            resolve_media_input(str(root / name), [root])
        assert "png" in caught.value.remedy and "mp4" in caught.value.remedy and "mp3" in caught.value.remedy


def test_size_cap(root: Path) -> None:
    big = root / "huge.mp4"
    with big.open("wb") as handle:  # sparse: no real disk used
        handle.truncate(MAX_MEDIA_BYTES + 1)
    with pytest.raises(MediaTooLarge, match="limit"):
        resolve_media_input(str(big), [root])
    os.truncate(big, MAX_MEDIA_BYTES)
    assert resolve_media_input(str(big), [root]).size == MAX_MEDIA_BYTES


@pytest.mark.parametrize(
    "value",
    [
        "2667d05c-1b2a-4c3d-8e4f-5a6b7c8d9e0f",
        "2667D05C-1B2A-4C3D-8E4F-5A6B7C8D9E0F",
        "2667d05c1b2a4c3d8e4f5a6b7c8d9e0f",
    ],
)
def test_ids_pass_through(value: str, root: Path) -> None:
    media = resolve_media_input(f"  {value} ", [root])
    assert media.kind == "id" and media.id == value and media.path is None and media.cli_value == value


def test_urls_are_refused(root: Path) -> None:
    with pytest.raises(MediaNotAllowed, match="URL"):
        resolve_media_input("https://example.com/a.png", [root])


def test_relative_path_without_roots(tmp_path: Path) -> None:
    with pytest.raises(MediaNotAllowed, match="relative"):
        resolve_media_input("a.png", [])


def test_root_given_through_a_symlink(root: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias-root"
    alias.symlink_to(root, target_is_directory=True)
    assert resolve_media_input(str(alias / "ref.png"), [alias]).path == (root / "ref.png").resolve()
    assert resolve_media_input(str(root / "ref.png"), [alias]).kind == "path"
