"""Characters on disk: `characters/<slug>/character.json` and the character's images."""

from __future__ import annotations

from .errors import CharacterExists, CharacterNotFound
from .folders import DocumentFolders
from .models import Character, CharacterSummary


class CharacterStore(DocumentFolders[Character, CharacterSummary]):
    kind = "characters"
    noun = "character"
    document_name = "character.json"
    document_type = Character
    summary_type = CharacterSummary
    not_found = CharacterNotFound
    exists = CharacterExists

    def summarize(self, document: Character) -> CharacterSummary:
        return CharacterSummary.of(document)
