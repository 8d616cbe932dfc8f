"""Sheets letter names in any script: every character finds a font that really has it."""

from __future__ import annotations

import pytest
from PIL import ImageFont

from higgsfield_mcp.domain.library import lettering

NAMES = ["Mara Voss — character sheet", "Café", "Ночной рынок", "美咲", "민지", "Zoë’s “look”"]


@pytest.mark.parametrize("name", NAMES)
def test_every_character_of_a_name_has_a_real_glyph(name: str) -> None:
    for char in name:
        if char.isspace():
            continue
        face = lettering.face_for(char, 16)
        assert lettering._has(face, char), f"{char!r} has no glyph in {getattr(face, 'path', face)}"


def test_the_shipped_fonts_alone_cover_the_names() -> None:
    shipped = [ImageFont.truetype(str(lettering.SHIPPED / name), 16) for name in lettering.SHIPPED_FONTS]
    for char in "".join(NAMES).replace(" ", ""):
        assert any(lettering._has(face, char) for face in shipped), char


def test_pillows_own_font_lacks_them_so_the_check_means_something() -> None:
    default = ImageFont.load_default(size=16)
    assert not all(lettering._has(default, char) for char in "—Ночной美咲")


def test_fit_cuts_long_names_with_an_ellipsis() -> None:
    text = "美咲 " * 40
    cut = lettering.fit(text, 16, 200)
    assert cut.endswith("…") and lettering.measure(cut, 16) <= 200
