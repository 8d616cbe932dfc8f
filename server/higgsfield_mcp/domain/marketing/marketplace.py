"""Marketplace listing sets (`marketplace-cards create`): a main image, secondary images and A+ modules.

A scope (`main` 1 image, `product-images` main + 5, `aplus` main + 7, `full-set` all 13) or
named assets; an earlier main image job can anchor the others (`source`). The values are
checked before anything is sent; the set is then journaled and sent once, and its
`nano_banana_2` jobs are waited for like any generation.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...adapters.cli.errors import InvalidValues, ValidationError
from .products import NOTHING_SPENT

MODEL = "nano_banana_2"
"""What `marketplace-cards create` submits to after its prompt enhancer (contract §5.12)."""
MAIN = "main_image"
SECONDARY = ("infographic", "multi_angle", "detail_shot", "lifestyle", "whats_in_box")
APLUS = (
    "aplus_hero_banner",
    "aplus_pain_points",
    "aplus_features",
    "aplus_ingredients",
    "aplus_efficacy",
    "aplus_how_to_use",
    "aplus_endorsement",
)
ASSETS = (MAIN, *SECONDARY, *APLUS)
SCOPES: dict[str, tuple[str, ...]] = {
    "main": (MAIN,),
    "product-images": (MAIN, *SECONDARY),
    "aplus": (MAIN, *APLUS),
    "full-set": ASSETS,
}
DEFAULT_SCOPE = "product-images"
"""The usual listing (a main image and five secondary ones) when the user names no scope."""


def plan_listing(scope: str | None, assets: Sequence[str], main_job: str | None) -> tuple[str | None, list[str]]:
    """The scope or assets to send and the assets that will be made; refused here when they cannot work."""
    if scope and assets:
        raise ValidationError(
            "Both scope and assets were given",
            remedy="Give either a scope (main, product-images, aplus, full-set) or a list of assets. " + NOTHING_SPENT,
        )
    if assets:
        unknown = [a for a in assets if a not in ASSETS]
        if unknown:
            raise InvalidValues(
                f"Invalid values: assets={unknown[0]} (allowed: {', '.join(ASSETS)})",
                param="assets",
                value=unknown[0],
                allowed=list(ASSETS),
                remedy=f"Use asset names from: {', '.join(ASSETS)}. " + NOTHING_SPENT,
            )
        made = list(dict.fromkeys(assets))
    else:
        key = (scope or DEFAULT_SCOPE).strip().lower().replace("_", "-").replace(" ", "-")
        if key not in SCOPES:
            raise InvalidValues(
                f"Invalid values: scope={scope} (allowed: {', '.join(SCOPES)})",
                param="scope",
                value=scope,
                allowed=list(SCOPES),
                remedy="Use main (1 image), product-images (main + 5), aplus (main + 7 A+ modules) or full-set "
                "(all 13). " + NOTHING_SPENT,
            )
        scope, made = key, list(SCOPES[key])
    if main_job:
        made = [a for a in made if a != MAIN]
        if not made:
            raise ValidationError(
                "The main image already exists (source) and nothing else was asked for",
                remedy="Ask for scope product-images, aplus or full-set, or for named assets, to build on that main "
                "image. " + NOTHING_SPENT,
            )
    return scope, made
