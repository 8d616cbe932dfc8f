"""The command words of Marketing Studio's brand ads and of ``marketplace-cards``, added to the dispatch tree.

Kept here so ``cli.py`` only merges them in; ``cli`` passes its ``Command`` class and its
lazy-import helper so that this module needs no import of ``cli`` (no cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cli import Command, Handler

PAGING = frozenset({"size", "cursor"})
ALIASES = {"brand-kit": "brand-kits", "bk": "brand-kits", "ad-refs": "ad-references", "adrefs": "ad-references"}
ALIASES |= {"dtc": "dtc-ads", "ads": "dtc-ads"}


def marketing(command: type[Command], lazy: Callable[..., Handler]) -> dict[str, Any]:
    """``marketing-studio brand-kits|ad-formats|dtc-ads|ad-references``."""
    return {
        "brand-kits": {
            "fetch": command(
                lazy("brand_ads", "cmd_brand_kits_fetch"),
                "Fetch a brand kit from a site",
                values=frozenset({"url", "timeout"}),
            ),
            "list": command(lazy("brand_ads", "cmd_brand_kits_list"), "List brand kits", values=PAGING),
            "get": command(lazy("brand_ads", "cmd_brand_kits_get"), "Show a brand kit"),
        },
        "ad-formats": {
            "list": command(lazy("brand_ads", "cmd_ad_formats_list"), "List ad formats", values=PAGING | {"type"}),
        },
        "dtc-ads": {
            "generate": command(
                lazy("brand_ads", "cmd_dtc_generate", True),
                "Generate static DTC ads",
                values=frozenset(
                    {
                        "prompt",
                        "format_id",
                        "brand_kit_id",
                        "aspect_ratio",
                        "resolution",
                        "quality",
                        "batch_size",
                        "media",
                        "avatar",
                        "product",
                        "folder_id",
                        "from_file",
                        "timeout",
                    }
                ),
                bools=frozenset({"cost_only"}),
            ),
        },
        "ad-references": {
            "create": command(
                lazy("brand_ads", "cmd_ad_references_create"),
                "Create an ad reference from a video or a job",
                values=frozenset({"video_input", "job", "avatar", "product"}),
            ),
            "list": command(lazy("brand_ads", "cmd_ad_references_list"), "List ad references", values=PAGING),
            "get": command(lazy("brand_ads", "cmd_ad_references_get"), "Show an ad reference"),
        },
    }


def marketplace(command: type[Command], lazy: Callable[..., Handler]) -> dict[str, Any]:
    """``marketplace-cards create``."""
    return {
        "create": command(
            lazy("marketplace", "cmd_create", True),
            "Marketplace listing images",
            values=frozenset({"scope", "asset", "prompt", "image", "main_job", "product_context", "brand_context"})
            | {"category", "visual_style"},
        ),
    }
