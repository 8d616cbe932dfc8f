"""Dubbing languages: ISO 639-3 codes (what `generate workflow dubbing --target_language` takes) from
the names people actually type, in English, in the language itself and in a few other languages."""

from __future__ import annotations

import unicodedata

from ...adapters.cli.errors import ValidationError

LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "eng": ("english", "inglés", "anglais", "englisch", "inglese", "inglês", "英語", "英语", "inglesa", "anglaise"),
    "spa": (
        "spanish",
        "español",
        "castellano",
        "espagnol",
        "spanisch",
        "spagnolo",
        "espanhol",
        "castilian",
        "española",
        "espagnole",
    ),
    "fra": ("french", "français", "francés", "französisch", "francese", "francês", "francesa", "française"),
    "deu": ("german", "deutsch", "alemán", "allemand", "tedesco", "alemão", "alemana", "allemande"),
    "ita": ("italian", "italiano", "italien", "italienisch", "italiana", "italienne"),
    "por": (
        "portuguese",
        "português",
        "portugués",
        "portugais",
        "portugiesisch",
        "portoghese",
        "brazilian",
        "portuguesa",
        "portugaise",
    ),
    "jpn": ("japanese", "日本語", "japonés", "japonais", "japanisch", "giapponese", "japonês"),
    "kor": ("korean", "한국어", "coreano", "coréen", "koreanisch"),
    "cmn": ("chinese", "mandarin", "中文", "普通话", "chino", "chinois", "chinesisch", "cinese", "chinês"),
    "hin": ("hindi", "हिन्दी", "hindú"),
    "ara": ("arabic", "العربية", "árabe", "arabe", "arabisch", "arabo"),
    "rus": ("russian", "русский", "ruso", "russe", "russisch", "russo"),
    "nld": ("dutch", "nederlands", "neerlandés", "néerlandais", "niederländisch", "olandese", "holandés"),
    "pol": ("polish", "polski", "polaco", "polonais", "polnisch", "polacco"),
    "tur": ("turkish", "türkçe", "turco", "turc", "türkisch"),
    "swe": ("swedish", "svenska", "sueco", "suédois", "schwedisch", "svedese"),
    "ukr": ("ukrainian", "українська", "ucraniano", "ukrainien", "ukrainisch", "ucraino"),
    "ind": ("indonesian", "bahasa indonesia", "indonesio", "indonésien", "indonesisch"),
    "vie": ("vietnamese", "tiếng việt", "vietnamita", "vietnamien", "vietnamesisch"),
    "tha": ("thai", "ไทย", "tailandés", "thaï", "thailändisch", "tailandese"),
}
"""Each code the dubbing workflow is known to take → names for it; the code itself always works too."""

_TWO_LETTER = {
    "en": "eng", "es": "spa", "fr": "fra", "de": "deu", "it": "ita", "pt": "por", "ja": "jpn", "ko": "kor",
    "zh": "cmn", "hi": "hin", "ar": "ara", "ru": "rus", "nl": "nld", "pl": "pol", "tr": "tur", "sv": "swe",
    "uk": "ukr", "id": "ind", "vi": "vie", "th": "tha",
}  # fmt: skip
_OTHER_CODES = {"ger": "deu", "fre": "fra", "dut": "nld", "chi": "cmn", "zho": "cmn"}  # 639-2/B and macro codes


def fold(text: str) -> str:
    """Casefolded, accents stripped: "Español" and "espanol" compare equal."""
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


CODES_BY_NAME: dict[str, str] = (
    {fold(name): code for code, names in LANGUAGE_NAMES.items() for name in (code, *names)} | _TWO_LETTER | _OTHER_CODES
)


def language_code(text: str) -> str:
    """The ISO 639-3 code for a language name or code ("Spanish", "español", "es", "spa" → "spa")."""
    code = CODES_BY_NAME.get(fold(text))
    if code is None:
        known = ", ".join(f"{language_name(code)} ({code})" for code in LANGUAGE_NAMES)
        raise ValidationError(
            f"Dubbing does not know the language {text!r}",
            remedy=f"Name one of: {known}. Nothing was submitted.",
        )
    return code


def language_name(code: str) -> str:
    names = LANGUAGE_NAMES.get(code)
    return names[0].capitalize() if names else code
