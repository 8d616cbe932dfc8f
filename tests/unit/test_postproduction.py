"""Post-production helpers without a CLI: dubbing languages from plain names, voice search and choice."""

from __future__ import annotations

import pytest

from higgsfield_mcp.adapters.cli.errors import ValidationError
from higgsfield_mcp.adapters.cli.models import Voice
from higgsfield_mcp.domain.postproduction.languages import language_code
from higgsfield_mcp.domain.postproduction.service import workflow
from higgsfield_mcp.domain.postproduction.voices import choose_voice, search_voices


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Spanish", "spa"),
        ("español", "spa"),
        ("Espanol", "spa"),
        ("espagnol", "spa"),
        ("es", "spa"),
        ("spa", "spa"),
        ("Deutsch", "deu"),
        ("allemand", "deu"),
        ("ger", "deu"),
        ("日本語", "jpn"),
        ("français", "fra"),
        ("Portuguese", "por"),
        ("mandarin", "cmn"),
    ],
)
def test_language_names_in_several_languages(text: str, code: str) -> None:
    assert language_code(text) == code


def test_unknown_language_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        language_code("Klingon")
    assert "Spanish (spa)" in caught.value.remedy and "Nothing was submitted" in caught.value.remedy


def test_every_known_language_is_a_dubbing_target() -> None:
    from higgsfield_mcp.domain.postproduction.languages import LANGUAGE_NAMES

    assert workflow("dubbing").model.params["target_language"].enum == list(LANGUAGE_NAMES)


VOICES = [
    Voice(id="a", name="Aria", type="preset", gender="female", language="eng", description="warm friendly narrator"),
    Voice(id="m", name="Marcus", type="preset", gender="male", language="eng", description="deep calm trailer voice"),
    Voice(id="l", name="Lucía", type="element", gender="female", language="spa", description="bright storyteller"),
    Voice.model_validate({"voice_id": "w", "name": "Wei", "voice_type": "preset", "gender": "male", "language": "cmn"}),
]


def test_search_by_gender_language_and_style() -> None:
    assert [v.name for v in search_voices(VOICES, "female")] == ["Aria", "Lucía"]
    assert [v.name for v in search_voices(VOICES, "Spanish woman")] == ["Lucía"]
    assert [v.name for v in search_voices(VOICES, "voz femenina española")] == ["Lucía"]
    assert [v.name for v in search_voices(VOICES, "deep trailer")] == ["Marcus"]
    assert [v.name for v in search_voices(VOICES, "male")] == ["Marcus", "Wei"]
    spelled_out = [v.model_copy(update={"language": "Spanish" if v.language == "spa" else "English"}) for v in VOICES]
    assert [v.name for v in search_voices(spelled_out, "voz española")] == ["Lucía"]
    assert search_voices(VOICES, None, limit=2) == VOICES[:2]


def test_choose_by_id_name_or_description() -> None:
    assert choose_voice(VOICES, "m").name == "Marcus"
    assert choose_voice(VOICES, "lucia").id == "l"
    chosen = choose_voice(VOICES, "a warm friendly female narrator")
    assert (chosen.id, chosen.type) == ("a", "preset")
    with pytest.raises(ValidationError) as caught:
        choose_voice(VOICES, "robot pirate")
    assert "Aria" in caught.value.remedy


class _Listed:
    """What `_upscaler` reads from Production: the settings and the merged live catalogue."""

    def __init__(self, listed: list[str]) -> None:
        from higgsfield_mcp.adapters.cli.models import ModelSummary
        from higgsfield_mcp.config import Settings
        from higgsfield_mcp.domain.generation.catalogue import Catalogue

        self.settings = Settings.from_env({})
        live = [ModelSummary.model_validate({"job_type": m, "display_name": m, "type": "image"}) for m in listed]
        self._catalogue = Catalogue.bundled().merged(live, {})

    async def catalogue(self) -> object:
        return self._catalogue


async def test_upscale_uses_what_the_live_catalogue_lists() -> None:
    from higgsfield_mcp.domain.postproduction.service import PostProduction

    post = PostProduction(_Listed(["z_image", "topaz_image"]))  # type: ignore[arg-type]
    assert await post._upscaler("image") == "topaz_image"
    with pytest.raises(ValidationError) as caught:
        await post._upscaler("video")
    assert "no video upscale model" in caught.value.message and "Nothing was submitted" in caught.value.remedy
    both = PostProduction(_Listed(["bytedance_image_upscale", "topaz_image"]))  # type: ignore[arg-type]
    assert await both._upscaler("image") == "bytedance_image_upscale"
