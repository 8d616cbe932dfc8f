"""Marketing Studio ads and product photoshoots, without MCP.

One request (`AdRequest`) becomes a finished ad in a fixed order, cheapest and most
refusable first, so that a request that cannot work costs nothing:

1. `plan_ad`: pure checks (a hook or setting never together with an ad reference, fields
   that do not apply to the kind, the mode from its id or the user's words, local files
   through the media policy). Nothing has been called yet.
2. The scalar parameters against the model's live schema (`build_call`), still free.
3. Free Marketing Studio calls: hooks and settings by name, a preset avatar, the product
   (fetched from its page and waited for), and only then a custom avatar (from a photo or
   a library character), since that one is a lasting entity in the user's account.
4. The one paid call: `generate create` through `Production.generate` (journal, poller,
   downloads, previews, like `generate`), or `product-photoshoot create`, which waits by
   itself and whose finished jobs are then journaled with `Production.record_finished`.

The modes and their plain-language descriptions are data in `skill/marketing.json`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import anyio
from pydantic import BaseModel, Field

from ...adapters.cli.brand import dtc_submit, list_ad_formats, marketplace_cards
from ...adapters.cli.errors import (
    HiggsfieldError,
    InvalidValues,
    MissingParams,
    StillWorking,
    ValidationError,
    submit_outcome,
)
from ...adapters.cli.models import SetupItem
from ...adapters.downloads import DownloadFailed, DownloadRefused, download
from ...adapters.journal import Journal
from ...adapters.media_policy import MediaInput, resolve_media_input
from ...config import Settings
from ..generation.production import Outcome, Production, Progress, StillRunning
from ..generation.submit import GenerateRequest, build_call
from .ad_references import AdReferenceView, check_source, make_reference
from .avatars import (
    AvatarView,
    avatar_from_character,
    avatar_from_photo,
    base_name,
    front_reference_path,
    has_phrase,
    open_library,
    preset_avatar,
    words,
)
from .brand_kits import BrandKitView, check_site_url, kit_by_name, kit_from_site, list_kits
from .dtc_ads import MODEL as STATIC_MODEL
from .dtc_ads import AdFormatView, check_static, choose_format, search_formats, static_call
from .marketplace import MODEL as LISTING_MODEL
from .marketplace import plan_listing
from .modes import AdKind, Mode, marketing_data, resolve_mode
from .paid import send_journaled
from .products import (
    NOTHING_SPENT,
    ProductView,
    check_photos,
    check_product_url,
    list_products,
    product_by_id,
    product_from_photos,
    product_from_url,
    title_from_file,
)

log = logging.getLogger(__name__)


Action = Literal[
    "create",
    "list_products",
    "list_avatars",
    "list_hooks",
    "list_settings",
    "list_brand_kits",
    "list_formats",
    "brand_kit",
    "ad_reference",
]

VIDEO_MODEL = "marketing_studio_video"
IMAGE_MODEL = "marketing_studio_image"
PHOTOSHOOT_MODEL = "gpt_image_2"
"""What `product-photoshoot create` submits to after its prompt enhancer (contract §5.12)."""

REFERENCE_DOWNLOAD_SECONDS = 120.0
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE)


# --- the request and its checks -------------------------------------------------------------------------


class AdRequest(BaseModel):
    """Everything `marketing_ad` can be asked to make; see the tool for what each field means."""

    kind: AdKind = "video"
    prompt: str | None = None
    product_url: str | None = None
    product_photos: list[str] = Field(default_factory=list)
    product_title: str | None = None
    product_description: str | None = None
    product_id: str | None = None
    avatar: str | None = None
    avatar_photo: str | None = None
    avatar_character: str | None = None
    avatar_name: str | None = None
    mode: str | None = None
    hook: str | None = None
    setting: str | None = None
    ad_reference_id: str | None = None
    duration: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    generate_audio: bool | None = None
    count: int | None = Field(default=None, ge=1, le=20)
    reference_images: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    brand_url: str | None = None
    brand_kit: str | None = None
    ad_format: str | None = None
    quality: str | None = None
    scope: str | None = None
    assets: list[str] = Field(default_factory=list)
    source: str | None = None


BRAND_FIELDS = ("brand_url", "brand_kit", "ad_format", "quality", "scope", "assets", "source")
"""Inputs only the brand-ad kinds (static, marketplace) take."""


VIDEO_ONLY = ("mode", "hook", "setting", "ad_reference_id", "duration", "generate_audio")
"""Inputs only a video ad takes."""

NOT_FOR: dict[AdKind, tuple[str, ...]] = {
    "video": BRAND_FIELDS,
    "image": (*VIDEO_ONLY, *BRAND_FIELDS),
    "photoshoot": (
        "avatar",
        "avatar_photo",
        "avatar_character",
        "hook",
        "setting",
        "ad_reference_id",
        "duration",
        "generate_audio",
        "resolution",
        "params",
        *BRAND_FIELDS,
    ),
    "static": (
        *VIDEO_ONLY,
        "avatar_photo",
        "avatar_character",
        "avatar_name",
        "scope",
        "assets",
        "source",
    ),
    "marketplace": (
        *VIDEO_ONLY,
        "avatar",
        "avatar_photo",
        "avatar_character",
        "avatar_name",
        "ad_format",
        "quality",
        "aspect_ratio",
        "resolution",
        "count",
        "params",
    ),
}
"""Inputs a kind cannot use; given anyway, they are refused rather than silently dropped."""

WHY_NOT: dict[AdKind, str] = {
    "video": "",
    "image": "a still ad takes a prompt, a product, an avatar, aspect_ratio and resolution",
    "photoshoot": "a photoshoot takes a product, a prompt, a mode, count and aspect_ratio; it casts its own "
    "models and always renders at 2k",
    "static": "a static ad takes a prompt, ad_format, brand_kit or brand_url, a product, a preset avatar, count, "
    "aspect_ratio, resolution, quality and reference_images",
    "marketplace": "a listing set takes a prompt, a product, brand_kit or brand_url, scope or assets, and source "
    "(an earlier main image job)",
}


class AdPlan(BaseModel):
    """A request that passed every check that needs no call: what to do, with local files already vetted."""

    request: AdRequest
    mode: Mode | None
    click_to_ad: bool = False
    product_photos: list[MediaInput] = Field(default_factory=list)
    avatar_photo: MediaInput | None = None
    references: list[MediaInput] = Field(default_factory=list)


def refuse_conflicts(request: AdRequest) -> None:
    """Inputs that can never go together; checked first, even before asking the user for anything."""
    if request.ad_reference_id and (request.hook or request.setting):
        raise ValidationError(
            "A hook or setting cannot be combined with an ad reference",
            remedy="Marketing Studio takes either an ad reference or a hook/setting: drop one of them. "
            + NOTHING_SPENT,
        )


def plan_ad(request: AdRequest, roots: Sequence[Path]) -> AdPlan:
    """Refuse anything that cannot work, before a single CLI call; the order follows what a user fixes first."""
    refuse_conflicts(request)
    kind = request.kind
    for name in NOT_FOR[kind]:
        if getattr(request, name) not in (None, [], {}, ""):
            raise ValidationError(
                f"{name} does not apply to a {kind}",
                remedy=f"Drop {name}: {WHY_NOT[kind]}. " + NOTHING_SPENT,
            )
    _one_of(request, ("product_url", "product_photos", "product_id"), "product")
    _one_of(request, ("avatar", "avatar_photo", "avatar_character"), "avatar")

    mode = resolve_mode(kind, request.mode, prompt=request.prompt)
    if (request.hook or request.setting) and mode is not None and not mode.setup_items:
        fits = [m for m in marketing_data().video_modes if m.setup_items]
        raise InvalidValues(
            f"Invalid values: mode={mode.id} (hooks and settings work only with the UGC modes)",
            param="mode",
            value=mode.id,
            allowed=[m.id for m in fits],
            remedy=f"Use one of: {', '.join(m.id for m in fits)} with a hook or setting, or drop the hook/setting "
            f"for {mode.label}. " + NOTHING_SPENT,
        )
    data = marketing_data()
    if kind == "video" and request.duration is not None and request.duration < data.video.min_duration:
        raise InvalidValues(
            f"Invalid values: duration={request.duration} (allowed: >= {data.video.min_duration})",
            param="duration",
            value=str(request.duration),
            allowed=[f">= {data.video.min_duration}"],
        )
    allowed_ratios = data.photoshoot.aspect_ratios
    if kind == "photoshoot" and request.aspect_ratio and request.aspect_ratio not in allowed_ratios:
        raise InvalidValues(
            f"Invalid values: aspect_ratio={request.aspect_ratio} (allowed: {', '.join(allowed_ratios)})",
            param="aspect_ratio",
            value=request.aspect_ratio,
            allowed=allowed_ratios,
        )
    if kind == "photoshoot" and request.count is not None and request.count > data.photoshoot.max_count:
        raise InvalidValues(
            f"Invalid values: count={request.count} (allowed: 1..{data.photoshoot.max_count})",
            param="count",
            value=str(request.count),
            allowed=[f"1..{data.photoshoot.max_count}"],
            remedy=f"A photoshoot makes 1 to {data.photoshoot.max_count} images. " + NOTHING_SPENT,
        )
    if kind == "static":
        check_static(
            prompt=request.prompt,
            aspect_ratio=request.aspect_ratio,
            resolution=request.resolution,
            quality=request.quality,
            count=request.count,
            media=len(request.product_photos) + len(request.reference_images),
            params=request.params,
        )
    if kind == "marketplace":
        if not (request.prompt and request.prompt.strip()):
            raise MissingParams(
                "A listing set needs a prompt: what the product is and what the listing should stress",
                params=["prompt"],
                remedy="Give prompt, e.g. 'Stainless steel kettle, 1.7 l, boils in 3 minutes'. " + NOTHING_SPENT,
            )
        plan_listing(request.scope, request.assets, request.source)
        if request.source and not _UUID.fullmatch(request.source.strip()):
            raise InvalidValues(
                f"Invalid values: source={request.source} (expected the job id of a main image)",
                param="source",
                value=request.source,
                remedy="Give the job id of the finished main image, or leave source out. " + NOTHING_SPENT,
            )
    _one_of(request, ("brand_url", "brand_kit"), "brand")
    if request.brand_url:
        check_site_url(request.brand_url)
    if request.product_url:
        check_product_url(request.product_url)

    product_photos = check_photos(request.product_photos, roots)
    avatar_photo = None
    if request.avatar_photo:
        [avatar_photo] = check_photos([request.avatar_photo], roots, param="avatar_photo")
        if avatar_photo.kind != "path":
            raise InvalidValues(
                f"Invalid values: avatar_photo={request.avatar_photo} (an id, not a photo file)",
                param="avatar_photo",
                value=request.avatar_photo,
                remedy="Give the path of a photo of the presenter's face: making an avatar needs the file itself. "
                + NOTHING_SPENT,
            )
    references = [resolve_media_input(value, roots) for value in request.reference_images]
    click = (
        kind == "video"
        and bool(request.product_url)
        and not any(
            (
                request.prompt,
                request.avatar,
                request.avatar_photo,
                request.avatar_character,
                request.hook,
                request.setting,
                request.ad_reference_id,
                request.reference_images,
            )
        )
    )
    return AdPlan(
        request=request,
        mode=mode,
        click_to_ad=click,
        product_photos=product_photos,
        avatar_photo=avatar_photo,
        references=references,
    )


def _one_of(request: AdRequest, names: tuple[str, ...], what: str) -> None:
    given = [n for n in names if getattr(request, n) not in (None, [], "")]
    if len(given) > 1:
        raise ValidationError(
            f"More than one {what} was given ({', '.join(given)})",
            remedy=f"Give the {what} one way only: one of {', '.join(names)}. " + NOTHING_SPENT,
        )


def missing_product(request: AdRequest) -> bool:
    """True when the one essential thing, the product, is missing (a photoshoot may describe it in words).

    Static ads and listing sets check their own essentials (a prompt, a format) in `plan_ad`.
    """
    if request.kind in ("static", "marketplace"):
        return False
    if request.product_url or request.product_photos or request.product_id:
        return False
    return not (request.kind == "photoshoot" and request.prompt and request.prompt.strip())


def missing_product_error(kind: AdKind) -> MissingParams:
    other = "product_photos (or describe the product in prompt)" if kind == "photoshoot" else "product_photos"
    return MissingParams(
        "The product is missing: there is nothing to make the ad about",
        params=["product_url"],
        remedy=f"Give the product's web page as product_url (or {other}, or a product_id from action "
        "'list_products'). " + NOTHING_SPENT,
    )


# --- building the generation requests ------------------------------------------------------------------


def video_request(
    plan: AdPlan,
    product: ProductView | None,
    avatar: AvatarView | None,
    *,
    hook_id: str | None = None,
    setting_id: str | None = None,
) -> GenerateRequest:
    """The `marketing_studio_video` request. Arrays (product ids, avatars) stay lists: the CLI adapter
    writes them to `@file.json` (contract §5.1).

    Click-to-Ad (a URL and nothing else) follows the skill's shape: the page URL itself with
    mode ugc, 15 s, vertical; otherwise the product goes by id, as a web product for App
    Store pages.
    """
    request = plan.request
    params: dict[str, Any] = dict(request.params)
    duration, aspect_ratio = request.duration, request.aspect_ratio
    if plan.mode is not None:
        params["mode"] = plan.mode.id
    if plan.click_to_ad and product is not None:
        defaults = marketing_data().video.click_to_ad
        params["url"] = product.url or request.product_url
        params.setdefault("mode", defaults.mode)
        duration = duration if duration is not None else defaults.duration
        aspect_ratio = aspect_ratio or defaults.aspect_ratio
    elif product is not None:
        params["web_product_ids" if product.web else "product_ids"] = [product.id]
    if avatar is not None:
        params["avatars"] = [avatar.as_param()]
    for name, value in (
        ("hook_id", hook_id),
        ("setting_id", setting_id),
        ("ad_reference_id", request.ad_reference_id),
        ("generate_audio", request.generate_audio),
    ):
        if value is not None:
            params[name] = value
    return GenerateRequest(
        prompt=request.prompt,
        model=VIDEO_MODEL,
        aspect_ratio=aspect_ratio,
        resolution=request.resolution,
        duration=duration,
        count=request.count,
        reference_images=list(request.reference_images),
        params=params,
    )


def image_request(plan: AdPlan, references: Sequence[str], prompt: str) -> GenerateRequest:
    """The `marketing_studio_image` request: the product and the presenter go in as reference images."""
    request = plan.request
    return GenerateRequest(
        prompt=prompt,
        model=IMAGE_MODEL,
        aspect_ratio=request.aspect_ratio,
        resolution=request.resolution,
        count=request.count,
        reference_images=list(references),
        params=dict(request.params),
    )


def default_prompt(kind: AdKind, product_name: str | None, avatar_name: str | None) -> str | None:
    """A short brief when the user gave none; the backend (and the photoshoot's enhancer) expands it."""
    if not product_name:
        return None
    if kind == "photoshoot":
        return product_name
    who = f", presented by {avatar_name}" if avatar_name else ""
    return f"A polished ad image of {product_name}{who}"


# --- results ---------------------------------------------------------------------------------------------


class SetupItemView(BaseModel):
    """A hook (the ad's opening) or a setting (where it is filmed)."""

    id: str
    name: str | None = None
    prompt: str | None = None

    @classmethod
    def of(cls, item: SetupItem) -> SetupItemView:
        return cls(id=item.id, name=item.name, prompt=item.prompt)


class AdResult(Outcome):
    """An ad or photoshoot with its jobs, or one of the lists (products, avatars, hooks, settings)."""

    kind: AdKind | None = None
    mode: str | None = None
    mode_label: str | None = None
    click_to_ad: bool = False
    product: ProductView | None = None
    product_name: str | None = Field(None, description="What the ad is about, also for photos-only products.")
    avatar: AvatarView | None = None
    hook: SetupItemView | None = None
    setting: SetupItemView | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="The parameters sent.")
    notes: list[str] = Field(default_factory=list, description="Things worth telling the user.")
    products: list[ProductView] = Field(default_factory=list)
    avatars: list[AvatarView] = Field(default_factory=list)
    hooks: list[SetupItemView] = Field(default_factory=list)
    settings: list[SetupItemView] = Field(default_factory=list)
    brand_kit: BrandKitView | None = None
    ad_format: AdFormatView | None = None
    brand_kits: list[BrandKitView] = Field(default_factory=list)
    ad_formats: list[AdFormatView] = Field(default_factory=list)
    ad_reference: AdReferenceView | None = None
    assets: dict[str, str] = Field(default_factory=dict, description="Listing set: job id -> asset it shows.")


def headline(result: AdResult) -> str:
    """One line saying what was made, in the user's terms (no ids)."""
    if result.kind == "static":
        count = len(result.jobs)
        fmt = f" in “{_plain(result.ad_format.name)}”" if result.ad_format and result.ad_format.name else ""
        text = f"{count} static ad{'s' if count != 1 else ''}{fmt}"
        brand = result.brand_kit.name if result.brand_kit else None
        return (
            text
            + (f" for {_plain(brand)}" if brand else "")
            + (f", featuring {_plain(result.product_name)}" if result.product_name else "")
            + "."
        )
    if result.kind == "marketplace":
        count = len(result.jobs)
        text = f"Marketplace listing set ({count} image{'s' if count != 1 else ''})"
        return text + (f" for {_plain(result.product_name)}" if result.product_name else "") + "."
    if result.kind == "photoshoot":
        count = len(result.jobs)
        text = f"Product photoshoot ({result.mode_label or 'photos'}, {count} image{'s' if count != 1 else ''})"
    elif result.kind == "image":
        text = "Ad image"
    else:
        text = f"{result.mode_label or 'Marketing'} video ad"
    if result.product_name:
        text += f" for {_plain(result.product_name)}"
    if result.avatar is not None:
        text += f" with {_plain(result.avatar.name) or 'a custom avatar'}"
    extras = [f"hook “{_plain(s.name)}”" for s in (result.hook,) if s] + [
        f"setting “{_plain(s.name)}”" for s in (result.setting,) if s
    ]
    if extras:
        text += f" ({', '.join(extras)})"
    if result.click_to_ad:
        text += " — Click-to-Ad from the product page"
    return text + "."


def _plain(name: str | None) -> str:
    return (name or "").strip()


def match_setup_item(items: Sequence[SetupItem], query: str, which: str) -> SetupItem:
    """A hook or setting by id, by name, or by the words of its name and prompt; else an error listing them."""
    text = query.strip()
    for item in items:
        if item.id.lower() == text.lower():
            return item
    wanted = words(text).strip()
    for item in items:
        if wanted and wanted == base_name(item.name):
            return item
    named = [i for i in items if base_name(i.name) and has_phrase(text, base_name(i.name))]
    if named:
        return named[0]
    best, best_score = None, 0
    asked = set(words(text).split())
    for item in items:
        score = len(asked & set(words(f"{item.name} {item.prompt}").split()) - _STOP_WORDS)
        if score > best_score:
            best, best_score = item, score
    if best is None:
        names = [i.name for i in items if i.name]
        raise InvalidValues(
            f"Invalid values: {which[:-1]}={text} (no {which[:-1]} matches)",
            param=which[:-1],
            value=text,
            allowed=names,
            remedy=f"Pick one of: {', '.join(names) or '(none)'}; or leave it out. " + NOTHING_SPENT,
        )
    return best


_STOP_WORDS = frozenset({"a", "an", "the", "with", "and", "of", "in", "on", "to", "for", "my", "our", "it"})


# --- the service -------------------------------------------------------------------------------------------


class MarketingStudio:
    """What `marketing_ad` does: the plan, the free Marketing Studio calls, then one paid submit."""

    def __init__(self, production: Production) -> None:
        self.production = production
        self.cli = production.cli
        self.settings: Settings = production.settings

    # -- lists ------------------------------------------------------------------------------------------

    async def listing(self, action: Action, query: str | None = None) -> AdResult:
        """The account's products, avatars, hooks, settings, brand kits or ad formats (searched by `query`)."""
        if action == "list_brand_kits":
            return AdResult(jobs=[], brand_kits=await list_kits(self.cli))
        if action == "list_formats":
            formats = search_formats(await list_ad_formats(self.cli), query)
            return AdResult(jobs=[], ad_formats=[AdFormatView.of(f) for f in formats])
        if action == "list_products":
            return AdResult(jobs=[], products=await list_products(self.cli))
        if action == "list_avatars":
            return AdResult(jobs=[], avatars=[AvatarView.of(a) for a in await self.cli.list_avatars()])
        which = "hooks" if action == "list_hooks" else "settings"
        items = [SetupItemView.of(i) for i in await self.cli.list_setup_items(which)]
        return AdResult(jobs=[], hooks=items) if which == "hooks" else AdResult(jobs=[], settings=items)

    # -- making an ad -----------------------------------------------------------------------------------

    async def create(
        self, request: AdRequest, *, wait_seconds: float | None = None, progress: Progress | None = None
    ) -> AdResult:
        started = time.monotonic()
        if missing_product(request):
            raise missing_product_error(request.kind)
        plan = plan_ad(request, self.settings.media_roots)
        if request.kind in ("static", "marketplace"):
            bound = self.settings.bounded_wait(wait_seconds)
            return await self._brand_ad(plan, started + bound, progress)
        if request.kind != "photoshoot":
            await self._check_against_model(plan)
        hook = await self._setup_item("hooks", request.hook) if request.hook else None
        setting = await self._setup_item("settings", request.setting) if request.setting else None
        avatar = await preset_avatar(self.cli, request.avatar) if request.avatar else None  # free: before the fetch
        notes: list[str] = []
        product = await self._product(plan, progress)
        bound = self.settings.bounded_wait(wait_seconds)

        def remaining() -> float:
            return max(0.0, bound - (time.monotonic() - started))

        if request.kind == "video":
            avatar = avatar or await self._custom_avatar(plan)
            generate = video_request(
                plan, product, avatar, hook_id=hook.id if hook else None, setting_id=setting.id if setting else None
            )
            outcome = await self.production.generate(generate, wait_seconds=remaining(), progress=progress)
            params = generate.params
        elif request.kind == "image":
            avatar, references = await self._image_references(plan, product, avatar, notes)
            prompt = request.prompt or default_prompt("image", _name_of(plan, product), _avatar_name(avatar))
            generate = image_request(plan, references, prompt or "")
            outcome = await self.production.generate(generate, wait_seconds=remaining(), progress=progress)
            params = {"prompt": prompt, **generate.params, "reference_images": references}
        else:
            outcome, params = await self._photoshoot(plan, product, notes, progress, wait_seconds=remaining())
        return AdResult(
            **outcome.model_dump(),
            kind=request.kind,
            mode=plan.mode.id if plan.mode else None,
            mode_label=plan.mode.label if plan.mode else None,
            click_to_ad=plan.click_to_ad,
            product=product,
            product_name=_name_of(plan, product),
            avatar=avatar,
            hook=SetupItemView.of(hook) if hook else None,
            setting=SetupItemView.of(setting) if setting else None,
            params=params,
            notes=notes,
        )

    # -- brand ads: static DTC ads and marketplace listing sets ------------------------------------------

    async def brand_kit(
        self, request: AdRequest, *, wait_seconds: float | None = None, progress: Progress | None = None
    ) -> AdResult:
        """Read a brand's site into a kit (or find the one already read), or show a kept kit by name."""
        if not (request.brand_url or request.brand_kit):
            raise MissingParams(
                "Which brand? Give brand_url (the brand's site) or brand_kit (a kit read before)",
                params=["brand_url"],
                remedy="Give brand_url, e.g. https://www.example.com. " + NOTHING_SPENT,
            )
        _one_of(request, ("brand_url", "brand_kit"), "brand")
        try:
            deadline = time.monotonic() + self.settings.bounded_wait(wait_seconds)
            kit = await self._kit(request, progress, deadline=deadline)
        except StillWorking as still:
            return AdResult(jobs=[], notes=[f"{still.message}. {still.remedy}"])
        return AdResult(jobs=[], brand_kit=kit)

    async def _kit(self, request: AdRequest, progress: Progress | None, *, deadline: float) -> BrandKitView | None:
        """The kit a request names; a site still being read when the call's wait ends goes on being read.

        Reading is free and Marketing Studio keeps one kit per site, so asking again later finds it.
        """
        url = request.brand_url
        if not url:
            return await kit_by_name(self.cli, request.brand_kit) if request.brand_kit else None
        try:
            async with ticking(progress, "Reading the brand's site…"):
                return await self.production.outlive_the_call(
                    lambda: kit_from_site(self.cli, url), wait_seconds=deadline - time.monotonic()
                )
        except StillRunning:
            raise StillWorking(
                f"Marketing Studio is still reading {url} (a site can take a few minutes)",
                remedy="Nothing was submitted or spent. Call again in a minute with the same brand_url; "
                "the kit it reads is kept and found then.",
            ) from None

    async def ad_reference(
        self, request: AdRequest, *, wait_seconds: float | None = None, progress: Progress | None = None
    ) -> AdResult:
        """An ad reference from a video job or a video file, waited for (bounded); free."""
        job_id, video = check_source(request.source, self.settings.media_roots)
        _one_of(request, ("product_url", "product_id"), "product")
        avatar = await preset_avatar(self.cli, request.avatar) if request.avatar else None
        product = await self._product(AdPlan(request=request, mode=None), progress)
        product_id = product.id if product else None
        bound = self.settings.bounded_wait(wait_seconds)
        async with ticking(progress, "Reading the video ad…"):
            ref = await make_reference(
                self.cli,
                job_id=job_id,
                video=video,
                avatar_id=avatar.id if avatar else None,
                product_id=product_id,
                wait_seconds=bound,
                poll_seconds=max(self.settings.poll_seconds, 0.2),
            )
        notes = (
            []
            if ref.status == "completed"
            else [
                f"The ad reference is still being read ({ref.status}); use ad_reference_id {ref.id} in a video ad "
                "once it is ready."
            ]
        )
        return AdResult(jobs=[], ad_reference=ref, avatar=avatar, product=product, notes=notes)

    async def _brand_ad(self, plan: AdPlan, deadline: float, progress: Progress | None) -> AdResult:
        """Free look-ups first (format, kit, avatar, product), then the one journaled paid call."""
        request = plan.request
        fmt = await choose_format(self.cli, request.ad_format) if request.kind == "static" else None
        avatar = await preset_avatar(self.cli, request.avatar) if request.avatar else None
        kit = await self._kit(request, progress, deadline=deadline)
        product = await self._product(plan, progress) if (request.product_url or request.product_id) else None
        notes: list[str] = []
        prompt = request.prompt or ""
        assets: dict[str, str] = {}
        if fmt is not None:
            args, params = await static_call(
                self.cli,
                prompt=prompt,
                format_id=fmt.id,
                brand_kit_id=kit.id if kit else None,
                aspect_ratio=request.aspect_ratio,
                resolution=request.resolution,
                quality=request.quality,
                count=request.count,
                media=[*plan.product_photos, *plan.references],
                avatar=f"{avatar.id}:{avatar.type}" if avatar and avatar.id else None,
                product=product.id if product else None,
                params=request.params,
            )
            model = STATIC_MODEL

            async def send() -> list[str]:
                return await dtc_submit(self.cli, args)
        else:
            scope, made = plan_listing(request.scope, request.assets, request.source)
            images = [m.cli_value for m in plan.product_photos]
            if product is not None:
                images += await self._remote_references(product.image_urls[:1], product.name, notes)
            images += [m.cli_value for m in plan.references]
            context = {
                k: v
                for k, v in (
                    ("product_context", request.product_description or (product.name if product else None)),
                    ("brand_context", kit.context if kit else None),
                )
                if v
            }
            params = {"scope": scope, "assets": made, "images": images, "main_job": request.source, **context}
            model = LISTING_MODEL

            async def send() -> list[str]:
                jobs = await marketplace_cards(
                    self.cli,
                    prompt=prompt,
                    scope=scope if not request.assets else None,
                    assets=made if request.assets else [],
                    images=images,
                    main_job=request.source,
                    context=context,
                )
                assets.update({j.id: str(j.params["asset"]) for j in jobs if j.params.get("asset")})
                return [j.id for j in jobs]

        outcome = await send_journaled(
            self.production,
            send,
            model=model,
            prompt=prompt,
            params={k: v for k, v in params.items() if v not in (None, [], "")},
            wait_seconds=max(0.0, deadline - time.monotonic()),
            progress=progress,
        )
        catalogue = await self.production.catalogue()
        info = catalogue.find(model)
        outcome.model, outcome.display_name = model, info.display_name if info else model
        return AdResult(
            **outcome.model_dump(),
            kind=request.kind,
            product=product,
            product_name=_name_of(plan, product),
            avatar=avatar,
            brand_kit=kit,
            ad_format=fmt,
            params={"prompt": prompt, **params},
            notes=notes,
            assets=assets,
        )

    async def _check_against_model(self, plan: AdPlan) -> None:
        """The scalar parameters against the model's live schema, before any Marketing Studio call.

        Product and avatar are not known yet, so they are left out; placeholders stand in
        for ids the schema only types as strings.
        """
        model_id = VIDEO_MODEL if plan.request.kind == "video" else IMAGE_MODEL
        model = await self.production.catalogues.model(self.cli, model_id)
        if plan.request.kind == "video":
            sample = video_request(
                plan,
                ProductView(id="-", url=plan.request.product_url) if plan.click_to_ad else None,
                None,
                hook_id="-" if plan.request.hook else None,
                setting_id="-" if plan.request.setting else None,
            )
        else:
            sample = image_request(plan, plan.request.reference_images, plan.request.prompt or "-")
        build_call(sample, model, self.settings)

    async def _setup_item(self, which: str, query: str) -> SetupItem:
        items = await self.cli.list_setup_items(which)
        try:
            return match_setup_item(items, query, which)
        except InvalidValues:
            if _UUID.fullmatch(query.strip()):
                raise
            searched = await self.cli.list_setup_items(which, search=query.strip())
            if searched:
                return searched[0]
            raise

    async def _product(self, plan: AdPlan, progress: Progress | None) -> ProductView | None:
        request = plan.request
        if request.product_url:
            async with ticking(progress, "Reading the product page…"):
                return await product_from_url(
                    self.cli,
                    request.product_url,
                    timeout=self.settings.wait_seconds,
                    poll_seconds=max(self.settings.poll_seconds, 0.2),
                )
        if request.product_id:
            return await product_by_id(self.cli, request.product_id)
        if plan.product_photos and request.kind == "video":
            return await product_from_photos(
                self.cli, plan.product_photos, title=request.product_title, description=request.product_description
            )
        return None  # photos for a still or a photoshoot go in as references; or a photoshoot from words

    async def _custom_avatar(self, plan: AdPlan) -> AvatarView | None:
        """A custom avatar made now, once the product is known to be fine (it is a lasting entity)."""
        if plan.avatar_photo is not None:
            return await avatar_from_photo(self.cli, plan.avatar_photo, name=plan.request.avatar_name)
        if plan.request.avatar_character:
            return await avatar_from_character(self.cli, self.settings, plan.request.avatar_character)
        return None  # valid: UGC modes cast a presenter themselves

    async def _image_references(
        self, plan: AdPlan, product: ProductView | None, preset: AvatarView | None, notes: list[str]
    ) -> tuple[AvatarView | None, list[str]]:
        """The product's and the presenter's pictures as reference images for a still ad.

        The image model takes no product or avatar ids, only pictures: local photos go as
        they are; pictures already on Higgsfield (a fetched product, a preset avatar) are
        downloaded under the download policy and uploaded; a library character's front
        reference is uploaded. No avatar entity is created for a still.
        """
        request = plan.request
        references = [m.cli_value for m in plan.product_photos]
        if product is not None:
            references += await self._remote_references(product.image_urls[:1], product.name, notes)
        avatar = preset
        if avatar is not None:
            if avatar.image_url:
                references += await self._remote_references([avatar.image_url], avatar.name or "the avatar", notes)
        elif plan.avatar_photo is not None and plan.avatar_photo.path is not None:
            references.append(plan.avatar_photo.cli_value)
            name = request.avatar_name or plan.avatar_photo.path.stem.replace("_", " ").replace("-", " ").title()
            avatar = AvatarView(name=name, type="custom", source="photo")
        elif request.avatar_character:
            path = front_reference_path(open_library(self.settings), request.avatar_character)
            references.append((await self.cli.upload(path)).id)
            avatar = AvatarView(name=request.avatar_character, type="custom", source="character")
        return avatar, references + [m.cli_value for m in plan.references]

    async def _remote_references(self, urls: Sequence[str], what: str, notes: list[str]) -> list[str]:
        """Pictures on Higgsfield's CDN as upload ids: the CLI takes local files or ids, never URLs."""
        if not urls:
            notes.append(f"Marketing Studio has no picture of {what}; it goes by its name only.")
        ids: list[str] = []
        for url in urls:
            dest = _reference_cache(self.settings, url)
            try:
                await download(
                    url, dest, allowed_hosts=self.settings.download_hosts, timeout=REFERENCE_DOWNLOAD_SECONDS
                )
            except (DownloadRefused, DownloadFailed) as exc:
                notes.append(f"The picture of {what} could not be used as a reference ({exc.message}).")
                continue
            ids.append((await self.cli.upload(dest)).id)
        return ids

    async def _photoshoot(
        self,
        plan: AdPlan,
        product: ProductView | None,
        notes: list[str],
        progress: Progress | None,
        *,
        wait_seconds: float,
    ) -> tuple[Outcome, dict[str, Any]]:
        """`product-photoshoot create`, journaled like a submit: recorded before the call, settled after.

        The command waits for its images itself, so there is nothing to poll: the finished
        jobs are journaled and their files saved by `Production.record_finished`. It can take
        minutes, so the call waits at most `wait_seconds` and the command goes on after it
        (`Production.outlive_the_call`); `jobs resume` then collects what it made.
        """
        request = plan.request
        assert plan.mode is not None  # photoshoots always resolve a mode (the default at least)
        mode = plan.mode.id
        images = [m.cli_value for m in plan.product_photos]
        if product is not None:
            images += await self._remote_references(product.image_urls[:1], product.name, notes)
        images += [m.cli_value for m in plan.references]
        prompt = request.prompt or default_prompt("photoshoot", _name_of(plan, product), None)
        if not prompt:
            raise missing_product_error("photoshoot")
        params: dict[str, Any] = {"mode": mode}
        if request.count is not None:
            params["count"] = request.count
        if request.aspect_ratio:
            params["aspect_ratio"] = request.aspect_ratio
        journal = self.production.journal
        submission = journal.begin_submission(
            model=PHOTOSHOOT_MODEL, prompt=prompt, params=params, media=[("image", i) for i in images], kind="image"
        )
        count = request.count or 1

        async def shoot() -> Outcome:
            try:
                jobs = await self.cli.product_photoshoot(
                    mode, prompt, images=images, count=request.count, aspect_ratio=request.aspect_ratio
                )
                return await self.production.record_finished(
                    submission, jobs, kind="image", prompt=prompt, params=params
                )
            except HiggsfieldError as exc:
                raise _photoshoot_failed(journal, submission, exc) from None
            except Exception as exc:
                raise _photoshoot_failed(journal, submission, HiggsfieldError(f"unexpected error: {exc}")) from exc
            except BaseException:
                journal.ambiguous(submission, "the server stopped or the call was cancelled while the photoshoot ran")
                raise

        try:
            async with ticking(progress, f"Shooting {count} image{'s' if count > 1 else ''}…"):
                outcome = await self.production.outlive_the_call(shoot, wait_seconds=wait_seconds)
        except StillRunning:
            outcome = Outcome(jobs=[], pending=count, unclear_submissions=1)
            outcome.unclear_notes.append(
                f"The photoshoot is still running on Higgsfield (it waits for its {count} image"
                f"{'s' if count > 1 else ''} itself); it goes on after this call and will not be sent again. "
                "Collect it with `jobs` action 'resume' in a minute."
            )
        finally:
            # still pending here means it goes on without this call (the wait ended, or the host gave up):
            # `jobs resume` reports it once; a settled submission is left as it is
            journal.handed_over(submission)
        catalogue = await self.production.catalogue()
        info = catalogue.find(PHOTOSHOOT_MODEL)
        outcome.model = PHOTOSHOOT_MODEL
        outcome.display_name = f"Product photoshoot ({info.display_name if info else PHOTOSHOOT_MODEL})"
        return outcome, {"prompt": prompt, **params, "images": images}


def _photoshoot_failed(journal: Journal, submission: str, exc: HiggsfieldError) -> HiggsfieldError:
    """Journal a failed photoshoot by the one rule (rejected only when provably nothing was spent) and word it."""
    if submit_outcome(exc) == "rejected":
        journal.rejected(submission, exc.message)
        return exc
    journal.ambiguous(submission, exc.message)
    exc.message = f"The photoshoot's outcome is unclear: {exc.message}"
    exc.remedy = (
        "Its images may still appear in your Higgsfield library; do not run it again right away "
        "(it would be charged twice). Check with `jobs` action 'history' in a few minutes."
    )
    return exc


def _name_of(plan: AdPlan, product: ProductView | None) -> str | None:
    if product is not None:
        return product.name
    if plan.request.product_title:
        return plan.request.product_title
    return title_from_file(plan.product_photos) if plan.product_photos else None


def _avatar_name(avatar: AvatarView | None) -> str | None:
    return base_name(avatar.name).title() if avatar and avatar.name else None


def _reference_cache(settings: Settings, url: str) -> Path:
    """Where a picture from Higgsfield is kept to be re-uploaded as a reference (one file per URL)."""
    suffix = Path(urlsplit(url).path).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.(png|jpe?g|webp|gif)", suffix) else ".jpg"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
    return settings.home / "cache" / "marketing" / f"{digest}{suffix}"


@asynccontextmanager
async def ticking(progress: Progress | None, message: str, *, every: float = 2.0) -> AsyncIterator[None]:
    """Progress notifications every few seconds while a CLI call blocks, so the client sees it is alive."""
    if progress is None:
        yield
        return
    report = progress
    started = time.monotonic()

    async def tick() -> None:
        while True:
            await report(round(time.monotonic() - started, 1), None, message)
            await anyio.sleep(every)

    caught: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(tick)
        try:
            yield
        except Exception as exc:  # re-raised as itself below, not wrapped in an exception group
            caught = exc
        finally:
            tg.cancel_scope.cancel()
    if caught is not None:
        raise caught
