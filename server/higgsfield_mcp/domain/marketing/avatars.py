"""Marketing Studio avatars: the presenter of an ad.

Three sources: a preset picked by name or by words ("female, fitness") from `avatars list`;
a custom avatar made from one photo (upload, then `avatars create` with the upload's
CDN URL, which the API requires); or a character from the library, whose front reference
becomes a custom avatar whose id is stored back on the character. UGC modes may have no
avatar at all (Marketing Studio then casts someone itself).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import GarbledOutput, InvalidValues, ValidationError
from ...adapters.cli.models import Avatar
from ...adapters.media_policy import IMAGE_EXTENSIONS, MediaInput
from ...config import Settings
from ..library.store import CharacterStore
from .products import NOTHING_SPENT

if TYPE_CHECKING:  # imported at call time: the library is a separate feature
    from ..library.models import Character
    from ..library.store import CharacterStore

GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "female": ("female", "woman", "women", "girl", "lady", "feminine"),
    "male": ("male", "man", "men", "guy", "boy", "masculine"),
    "non-binary": ("non binary", "nonbinary", "enby", "androgynous", "gender neutral"),
}
"""Words that name a gender, matched as whole words ("woman" never matches "man"); no pronouns, which
as often describe the customer ("for her skincare brand") as the presenter."""

REFERENCE_PREFERENCE: tuple[str | None, ...] = ("front", "three_quarter", None, "profile")
"""Which library reference becomes the avatar: a face seen from the front reads best as a presenter
(None stands for a free reference of no particular angle)."""

_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE)


class AvatarView(BaseModel):
    """An avatar as the tool reports it."""

    id: str | None = Field(None, description="None for a still ad's presenter picture, which needs no avatar entity.")
    name: str | None = None
    type: str = Field("preset", description="preset or custom, as Marketing Studio calls it.")
    gender: str | None = None
    tags: list[str] = Field(default_factory=list)
    image_url: str | None = None
    source: str = Field("preset", description="preset, photo (made from a photo now) or character (library).")

    @classmethod
    def of(cls, avatar: Avatar, *, source: str | None = None) -> AvatarView:
        return cls(
            id=avatar.id,
            name=avatar.name,
            type=avatar.type if avatar.type in ("preset", "custom") else "custom",
            gender=avatar.gender,
            tags=list(avatar.tags),
            image_url=avatar.image_url,
            source=source or ("preset" if avatar.type == "preset" else "custom"),
        )

    def as_param(self) -> dict[str, str]:
        """The `avatars` array entry the video model takes."""
        if self.id is None:
            raise ValueError("an avatar without an id cannot be sent to the video model")
        return {"id": self.id, "type": self.type}


def words(text: str) -> str:
    """Lower-case words separated by single spaces, padded, for whole-word phrase matching."""
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split()) + " "


def has_phrase(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words (both normalised by `words`)."""
    needle = words(phrase)
    return needle.strip() != "" and needle in words(text)


def base_name(name: str | None) -> str:
    """An avatar's name without parenthesised notes: "Ava (sandbox)" → "ava"."""
    return words(re.sub(r"\([^)]*\)", " ", name or "")).strip()


def match_avatar(avatars: Sequence[Avatar], query: str) -> Avatar:
    """The avatar a person means: by id, by name, else the best fit for gender and tag words.

    A gender in the query rules out avatars of another gender; each tag the query names
    counts one. Ties go to the list's order (Higgsfield lists its curated presets first).
    Nothing fitting is an error listing the names to choose from, since picking someone
    arbitrary for a brand's ad would be worse than asking.
    """
    text = query.strip()
    if _UUID.fullmatch(text):
        found = next((a for a in avatars if a.id.lower() == text.lower()), None)
        if found is None:
            raise _no_avatar(avatars, text, "no avatar with that id in this account")
        return found
    wanted = words(text).strip()
    for avatar in avatars:
        if wanted and wanted in (base_name(avatar.name), words(avatar.name or "").strip()):
            return avatar
    named = [a for a in avatars if base_name(a.name) and has_phrase(text, base_name(a.name))]
    if named:
        return named[0]
    genders = {g for g, said in GENDER_WORDS.items() if any(has_phrase(text, w) for w in said)}
    best: Avatar | None = None
    best_score = 0
    for avatar in avatars:
        gender = (avatar.gender or "").lower()
        if genders and gender not in genders:
            continue
        score = (2 if genders else 0) + sum(1 for tag in avatar.tags if has_phrase(text, tag))
        if score > best_score:
            best, best_score = avatar, score
    if best is None:
        raise _no_avatar(avatars, text, "no avatar matches those words")
    return best


def _no_avatar(avatars: Sequence[Avatar], query: str, why: str) -> InvalidValues:
    names = [a.name for a in avatars if a.name][:20]
    return InvalidValues(
        f"Invalid values: avatar={query} ({why})",
        param="avatar",
        value=query,
        allowed=names,
        remedy=f"Pick one of: {', '.join(names) or '(the account has no avatars)'}; or describe one by gender "
        "and style (e.g. 'female, fitness'), or give avatar_photo. UGC ads may also have no avatar. " + NOTHING_SPENT,
    )


async def preset_avatar(cli: HiggsfieldCLI, query: str) -> AvatarView:
    avatar = match_avatar(await cli.list_avatars(), query)
    return AvatarView.of(avatar)


async def avatar_from_photo(cli: HiggsfieldCLI, photo: MediaInput, *, name: str | None) -> AvatarView:
    """A custom avatar from one checked photo: upload it, then `avatars create` with the upload's URL."""
    if photo.path is None:
        raise ValidationError(
            "avatar_photo must be a local photo",
            remedy="Give the path of a photo of the presenter's face (png, jpg, webp). " + NOTHING_SPENT,
        )
    label = name or " ".join(photo.path.stem.replace("_", " ").replace("-", " ").split()).title() or "Presenter"
    return await _custom_avatar(cli, photo.path, label, source="photo")


async def _custom_avatar(cli: HiggsfieldCLI, path: Path, name: str, *, source: str) -> AvatarView:
    upload = await cli.upload(path)
    if not upload.url:
        raise GarbledOutput(
            "`upload create` gave no URL for the photo, and `avatars create` needs one",
            remedy="Update the Higgsfield CLI (`npm update -g @higgsfield/cli`) and try again.",
        )
    avatar = await cli.create_avatar(name, upload_id=upload.id, upload_url=upload.url)
    view = AvatarView.of(avatar, source=source)
    return view.model_copy(update={"type": "custom", "name": view.name or name})


# --- library characters -----------------------------------------------------------------------


class ReferencePort(Protocol):
    """What is read of a character's reference image (`library.models.Reference`)."""

    @property
    def angle(self) -> str | None: ...

    @property
    def file(self) -> str | None: ...


class CharacterPort(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def references(self) -> Sequence[ReferencePort]: ...

    @property
    def avatar_ids(self) -> Sequence[str]: ...


class LibraryPort(Protocol):
    """The character library as this module uses it (`domain/library`)."""

    def get(self, name: str) -> CharacterPort: ...

    def character_dir(self, name: str) -> Path: ...

    def set_avatar(self, name: str, avatar_id: str) -> None: ...


class CharacterFolders:
    """`LibraryPort` over the library's character store: a character, its folder, its avatar ids."""

    def __init__(self, store: CharacterStore) -> None:
        self._store = store

    def get(self, name: str) -> Character:
        return self._store.load(self._store.resolve(name))

    def character_dir(self, name: str) -> Path:
        return self._store.folder(self._store.resolve(name))

    def set_avatar(self, name: str, avatar_id: str) -> None:
        """Record the avatar on the character, under the document's lock (a no-op when already there)."""

        def add(character: Character) -> None:
            if avatar_id not in character.avatar_ids:
                character.avatar_ids.append(avatar_id)

        self._store.change(self._store.resolve(name), add)


def open_library(settings: Settings) -> LibraryPort:
    """The one place that knows the character library (`domain/library`).

    Only its character folders are needed (read a character, find its folder, record an
    avatar id under the document's lock), so the store is used directly.
    """
    return CharacterFolders(CharacterStore(settings.library_dir))


def front_reference_path(library: LibraryPort, name: str) -> Path:
    """The character's best ready reference for a presenter (front first), checked to lie inside its folder."""
    character = library.get(name)
    usable = [r for r in character.references if r.file and getattr(r, "state", "ready") == "ready"]
    ranked = sorted(usable, key=lambda r: REFERENCE_PREFERENCE.index(_angle(r.angle)))
    folder = library.character_dir(name).resolve()
    for reference in ranked:
        path = (folder / str(reference.file)).resolve()
        extension = path.suffix.lower().lstrip(".")
        if path.is_relative_to(folder) and path.is_file() and extension in IMAGE_EXTENSIONS:
            return path
    raise ValidationError(
        f"The character {name!r} has no reference image to make an avatar from",
        remedy="Add a front reference to the character with `character_library` first, or give avatar_photo. "
        + NOTHING_SPENT,
    )


def _angle(angle: str | None) -> str | None:
    return angle if angle in REFERENCE_PREFERENCE else None


async def avatar_from_character(cli: HiggsfieldCLI, settings: Settings, name: str) -> AvatarView:
    """The library character as a custom avatar: the one made before if it still exists, else a new one
    from its front reference, whose id is then stored on the character."""
    library = open_library(settings)
    character = library.get(name)
    if character.avatar_ids:
        existing = {a.id: a for a in await cli.list_avatars()}
        for avatar_id in reversed(character.avatar_ids):
            if avatar_id in existing:
                return AvatarView.of(existing[avatar_id], source="character")
    path = front_reference_path(library, name)
    avatar = await _custom_avatar(cli, path, character.name or name, source="character")
    if avatar.id:
        library.set_avatar(name, avatar.id)
    return avatar
