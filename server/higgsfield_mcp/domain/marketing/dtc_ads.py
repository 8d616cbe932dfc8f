"""Static DTC ads (`dtc-ads generate`): a prompt in one ad format, in the brand's look, in a batch.

Everything that can be refused is refused first and for free: the values against the
command's own limits (contract §5.11: aspect ratios, 1k/2k/4k, low/medium/high, 1..20 per
batch, at most 14 media), unknown extra parameters with the ones allowed, the format by
name or type from `ad-formats list`, the brand kit by name (or read from the brand's site),
a preset avatar and the product. Only then are local pictures uploaded and the one paid call
journaled and sent (`paid.send_journaled`); the jobs are ordinary `dtc_ads` jobs, so the
poller, downloads, previews and `jobs` treat them like any generation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from ...adapters.cli.brand import AdFormat, dtc_args, list_ad_formats
from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import InvalidValues, MissingParams, UnknownParams
from ...adapters.media_policy import MediaInput
from .avatars import base_name, has_phrase, words
from .products import NOTHING_SPENT

MODEL = "dtc_ads"
ASPECT_RATIOS = (
    *("1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9"),
    *("27:16", "16:27", "9:8", "8:9", "4:9", "9:4", "auto"),
)
RESOLUTIONS = ("1k", "2k", "4k")
QUALITIES = ("low", "medium", "high")
MAX_BATCH = 20
MAX_MEDIA = 14
EXTRA_PARAMS = ("folder_id",)
"""`params` keys a static ad takes besides its named inputs (the other `dtc-ads` flags have their own)."""


class AdFormatView(BaseModel):
    id: str
    name: str | None = None
    type: str | None = None
    thumbnail_url: str | None = None

    @classmethod
    def of(cls, fmt: AdFormat) -> AdFormatView:
        return cls(id=fmt.id, name=fmt.name, type=fmt.type, thumbnail_url=fmt.thumbnail_url)


def _choice(name: str, value: str | None, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise InvalidValues(
            f"Invalid values: {name}={value} (allowed: {', '.join(allowed)})",
            param=name,
            value=value,
            allowed=list(allowed),
            remedy=f"Use one of: {', '.join(allowed)}. " + NOTHING_SPENT,
        )


def check_static(
    *,
    prompt: str | None,
    aspect_ratio: str | None,
    resolution: str | None,
    quality: str | None,
    count: int | None,
    media: int,
    params: dict[str, Any],
) -> None:
    """The pure checks of a static ad, in the order a user fixes them; nothing has been called yet."""
    unknown = [k for k in params if k not in EXTRA_PARAMS]
    if unknown:
        raise UnknownParams(
            f"Unknown params: {', '.join(unknown)} (a static ad takes {', '.join(EXTRA_PARAMS)} in params)",
            params=unknown,
            remedy="Drop them: a static ad takes prompt, ad_format, brand_kit or brand_url, product, avatar, "
            f"count, aspect_ratio, resolution, quality, reference_images, and {', '.join(EXTRA_PARAMS)} in params. "
            + NOTHING_SPENT,
        )
    if not (prompt and prompt.strip()):
        raise MissingParams(
            "A static ad needs a prompt: what the ad should say or show",
            params=["prompt"],
            remedy="Give prompt, e.g. 'Spring sale: 20% off all cold brew'. " + NOTHING_SPENT,
        )
    _choice("aspect_ratio", aspect_ratio, ASPECT_RATIOS)
    _choice("resolution", resolution, RESOLUTIONS)
    _choice("quality", quality, QUALITIES)
    if count is not None and not 1 <= count <= MAX_BATCH:
        raise InvalidValues(
            f"Invalid values: count={count} (allowed: 1..{MAX_BATCH})",
            param="count",
            value=str(count),
            allowed=[f"1..{MAX_BATCH}"],
            remedy=f"Ask for 1 to {MAX_BATCH} static ads at a time. " + NOTHING_SPENT,
        )
    if media > MAX_MEDIA:
        raise InvalidValues(
            f"Invalid values: reference_images ({media} pictures; at most {MAX_MEDIA})",
            param="reference_images",
            value=str(media),
            allowed=[f"at most {MAX_MEDIA}"],
            remedy=f"Give at most {MAX_MEDIA} pictures (product photos and references together). " + NOTHING_SPENT,
        )


def match_format(formats: Sequence[AdFormat], query: str) -> AdFormat:
    """A format by id, name, type (its first by priority) or words of its name; else an error listing them."""
    text = query.strip()
    for fmt in formats:
        if fmt.id.lower() == text.lower():
            return fmt
    wanted = words(text).strip()
    by_priority = sorted(formats, key=lambda f: f.priority if f.priority is not None else 1_000_000)
    tests: list[Callable[[AdFormat], bool]] = [
        lambda f: wanted == base_name(f.name),  # the name
        lambda f: bool(base_name(f.name)) and has_phrase(text, base_name(f.name)),  # the name within words
        lambda f: wanted == words(f.type or "").strip(),  # the type: its first format by priority
        lambda f: bool(wanted) and has_phrase(base_name(f.name), wanted),  # words of the name
    ]
    for test in tests:
        found = next((f for f in by_priority if test(f)), None)
        if found is not None:
            return found
    raise no_format(formats, f"Invalid values: ad_format={text} (no ad format has that name or type)", text)


def no_format(formats: Sequence[AdFormat], message: str, value: str | None = None) -> InvalidValues:
    names = [f"{f.name} ({f.type})" if f.type else str(f.name) for f in formats if f.name]
    return InvalidValues(
        message,
        param="ad_format",
        value=value,
        allowed=[f.name or f.id for f in formats],
        remedy=f"Use one of: {', '.join(names) or '(none)'}. " + NOTHING_SPENT,
    )


def search_formats(formats: Sequence[AdFormat], query: str | None) -> list[AdFormat]:
    """Formats whose name or type holds the query's words (all of them when there is no query)."""
    if not query or not query.strip():
        return list(formats)
    wanted = set(words(query).split())
    return [f for f in formats if wanted <= set(words(f"{f.name or ''} {f.type or ''}").split())]


async def choose_format(cli: HiggsfieldCLI, query: str | None) -> AdFormatView:
    formats = await list_ad_formats(cli)
    if not query or not query.strip():
        error = no_format(formats, "A static ad needs an ad format: the layout it is made in")
        raise MissingParams(error.message, params=["ad_format"], remedy=error.remedy)
    return AdFormatView.of(match_format(formats, query))


async def static_call(
    cli: HiggsfieldCLI,
    *,
    prompt: str,
    format_id: str,
    brand_kit_id: str | None,
    aspect_ratio: str | None,
    resolution: str | None,
    quality: str | None,
    count: int | None,
    media: Sequence[MediaInput],
    avatar: str | None,
    product: str | None,
    params: dict[str, Any],
) -> tuple[list[str], dict[str, Any]]:
    """The argv of the one paid call and what the journal keeps about it (media uploaded first)."""
    ids = [m.id if m.path is None else (await cli.upload(m.path)).id for m in media]
    args = dtc_args(
        prompt=prompt,
        format_id=format_id,
        brand_kit_id=brand_kit_id,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        quality=quality,
        batch_size=count,
        media=[str(i) for i in ids],
        avatar=avatar,
        product=product,
    )
    for name, value in params.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    journal_params: dict[str, Any] = {
        "style_id": format_id,
        "brand_kit_id": brand_kit_id,
        "aspect_ratio": aspect_ratio,
        "resolution": resolution,
        "quality": quality,
        "batch_size": count,
        "avatar": avatar,
        "product_id": product,
        "medias": ids,
        **params,
    }
    return args, {k: v for k, v in journal_params.items() if v not in (None, [], "")}
