"""Errors of the character library and moodboards, each with what the user can do about it."""

from __future__ import annotations

from ...adapters.cli.errors import HiggsfieldError


class LibraryError(HiggsfieldError):
    """Base of the library's own errors (not the CLI's): nothing was sent to Higgsfield."""

    code = "library_error"
    summary = "A character library or moodboard operation could not be done."
    default_remedy = "Check the message above; `character_library` with action 'list' shows what the library holds."


class LibraryRequestInvalid(LibraryError):
    code = "library_request_invalid"
    summary = "A library action was called without what it needs, or with values that do not fit."
    default_remedy = "Give the missing or corrected arguments and call again; nothing was changed or spent."


class CharacterNotFound(LibraryError):
    code = "character_not_found"
    summary = "No character of that name is in the library."
    default_remedy = "Check the name with `character_library` action 'list', or create the character first."


class CharacterExists(LibraryError):
    code = "character_exists"
    summary = "A character with that name is already in the library."
    default_remedy = "Use action 'update' to change it, or choose another name."


class MoodboardNotFound(LibraryError):
    code = "moodboard_not_found"
    summary = "No moodboard of that name exists."
    default_remedy = "Check the name with `moodboard` action 'list', or create the moodboard first."


class MoodboardExists(LibraryError):
    code = "moodboard_exists"
    summary = "A moodboard with that production name already exists."
    default_remedy = "Add to the existing moodboard, or choose another production name."


class LibraryFileCorrupt(LibraryError):
    """A character.json or moodboard.json that cannot be read: usually a hand edit gone wrong.

    The file is never overwritten while it is in this state, so the user's edit is not lost.
    """

    code = "library_file_corrupt"
    summary = "A character.json or moodboard.json is not valid (often after a hand edit)."
    default_remedy = (
        "Open the file named above, fix the JSON at the place given (or restore it from your backup or "
        "version control), then try again. The library did not touch the file."
    )


class NotEnoughImages(LibraryError):
    code = "soul_needs_images"
    summary = "Soul id training needs 5 to 20 images of the character."
    default_remedy = (
        "Add images first: `make_references` gives the three angles, then keep two or more generations with "
        "`add_test_shot` (or `add_reference` with your own photos) until the character has at least 5."
    )


class SoulTrainingFailed(LibraryError):
    code = "soul_training_failed"
    summary = "Higgsfield could not train a Soul id from the character's images."
    default_remedy = (
        "Use 5 to 20 sharp, well-lit images of the same face from different angles (no group shots, no heavy "
        "filters), then train again. The credits of a failed training are refunded."
    )


class ArchiveRefused(LibraryError):
    code = "archive_refused"
    summary = "A character archive was refused: unsafe paths, unexpected content, or it would overwrite."
    default_remedy = (
        "Import only zips made by `export`. To replace an existing character, call import again with "
        "overwrite set to true; to keep both, give it another name."
    )


class ConfirmationRequired(LibraryError):
    code = "confirmation_required"
    summary = "A destructive action needs the user's confirmation."
    default_remedy = "Ask the user to confirm, then call again with confirm set to true. Nothing was deleted."
