"""MCP tools for Marketing Studio ads and product photoshoots: `marketing_ad`.

Thin: the arguments become an `AdRequest`, `MarketingStudio` does the work, and the
result is shaped like `generate`'s (summary, previews, resource links) with one line on
top saying what was made. The one thing only this layer can do is ask the user: when no
product was given at all, a client that supports elicitation is asked for the product's
page; any other client gets an error naming exactly that one missing thing.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.types import CallToolResult, ContentBlock, TextContent
from pydantic import BaseModel, Field

from ..adapters.cli.errors import HiggsfieldError
from ..domain.marketing.ads import (
    Action,
    AdRequest,
    AdResult,
    MarketingStudio,
    headline,
    missing_product,
    missing_product_error,
    refuse_conflicts,
)
from ..domain.marketing.modes import AdKind
from ..domain.marketing.products import check_product_url
from ..views import content_for, tool_result
from .common import Services, fail, hints, progress_to, raise_if_all_failed

Media = str  # a local path inside the allowed folders, or an upload id


class MarketingResult(AdResult):
    """The ad (jobs with URLs, files and previews; the product, avatar and mode used) or the asked-for list."""


class ProductLink(BaseModel):
    """What the user is asked for when an ad has no product."""

    product_url: str = Field(description="The product's web page, e.g. https://shop.example.com/sneakers")


def ask_for_product(
    ctx: Context,
    action: Action,
    kind: AdKind,
    prompt: str | None,
    product_url: str | None,
    product_photos: list[str] | None,
    product_id: str | None,
    hook: str | None,
    setting: str | None,
    ad_reference_id: str | None,
) -> ProductLink | Elicit[ProductLink]:
    """Resolve the product link: nothing to ask when a product was given (or a list was asked for).

    Inputs that can never work are refused first, so the user is not asked for a product
    only to be told afterwards that the ad cannot be made anyway.
    """
    if action != "create":
        return ProductLink(product_url="")
    request = AdRequest(
        kind=kind,
        prompt=prompt,
        product_url=product_url,
        product_photos=product_photos or [],
        product_id=product_id,
        hook=hook,
        setting=setting,
        ad_reference_id=ad_reference_id,
    )
    try:
        refuse_conflicts(request)
    except HiggsfieldError as exc:
        raise fail(exc) from exc
    if not missing_product(request):
        return ProductLink(product_url="")
    capabilities = ctx.client_capabilities
    if capabilities is None or capabilities.elicitation is None:
        raise fail(missing_product_error(kind))
    return Elicit("Which product is this for? Paste the link to its web page.", ProductLink)


DESCRIPTION = """Marketing Studio ads (video or still), product photoshoots, static brand ads (kind static, with a
brand kit read once from brand_url) and marketplace listing sets (kind marketplace). A product page URL alone
gives a finished vertical 15 s UGC video. Lists: action list_*. Details:
higgsfield://references/marketing-setup, marketing-modes, brand-ads."""


def register(server: MCPServer, services: Services) -> None:
    studio = MarketingStudio(services.production)
    settings = services.settings

    @server.tool(
        title="Marketing ads and photoshoots",
        description=DESCRIPTION,
        annotations=hints(read_only=False, destructive=False),
        structured_output=False,
    )
    async def marketing_ad(
        ctx: Context,
        asked: Annotated[ElicitationResult[ProductLink], Resolve(ask_for_product)],
        action: Annotated[
            Action,
            Field(description="create, brand_kit, ad_reference, or a list_*."),
        ] = "create",
        kind: Annotated[
            AdKind,
            Field(description="What to make."),
        ] = "video",
        product_url: Annotated[str | None, Field(description="Product page (shop or App Store).")] = None,
        product_photos: Annotated[list[Media] | None, Field(description="Photos of the product.")] = None,
        product_title: Annotated[str | None, Field(description="Product name, with product_photos.")] = None,
        product_description: Annotated[str | None, Field(description="Product text, with product_photos.")] = None,
        product_id: Annotated[str | None, Field(description="A Marketing Studio product id.")] = None,
        prompt: Annotated[str | None, Field(description="What the ad says or shows.")] = None,
        mode: Annotated[str | None, Field(description="Mode id or a few words.")] = None,
        avatar: Annotated[str | None, Field(description="Preset avatar: name or words.")] = None,
        avatar_photo: Annotated[Media | None, Field(description="A face photo to make a custom avatar.")] = None,
        avatar_character: Annotated[str | None, Field(description="A character from the library.")] = None,
        avatar_name: Annotated[str | None, Field(description="Name for avatar_photo.")] = None,
        hook: Annotated[str | None, Field(description="Video UGC modes: hook name or id.")] = None,
        setting: Annotated[str | None, Field(description="Video UGC modes: setting name or id.")] = None,
        ad_reference_id: Annotated[str | None, Field(description="An ad reference id (not with hook/setting).")] = None,
        duration: Annotated[int | None, Field(ge=4, description="Video seconds (4 or more).")] = None,
        aspect_ratio: Annotated[str | None, Field(description="e.g. 9:16 vertical, 16:9, 1:1, 4:5.")] = None,
        resolution: Annotated[str | None, Field(description="Video 480p/720p; image 1k/2k/4k.")] = None,
        generate_audio: Annotated[bool | None, Field(description="Video: generate sound.")] = None,
        count: Annotated[int | None, Field(ge=1, le=20, description="Photoshoot 1-10, static 1-20.")] = None,
        reference_images: Annotated[list[Media] | None, Field(description="Extra reference images.")] = None,
        params: Annotated[dict[str, object] | None, Field(description="Other model parameters.")] = None,
        wait_seconds: Annotated[float | None, Field(ge=0)] = None,
        brand_url: Annotated[str | None, Field(description="The brand's site, read into a brand kit.")] = None,
        brand_kit: Annotated[str | None, Field(description="A brand kit read before, by name or id.")] = None,
        ad_format: Annotated[str | None, Field(description="Static: format name, type or id.")] = None,
        quality: Annotated[str | None, Field(description="Static: low, medium or high.")] = None,
        scope: Annotated[str | None, Field(description="Marketplace: main, product-images, aplus, full-set.")] = None,
        assets: Annotated[list[str] | None, Field(description="Marketplace assets instead of scope.")] = None,
        source: Annotated[str | None, Field(description="ad_reference: video; marketplace: main job.")] = None,
    ) -> Annotated[CallToolResult, MarketingResult]:
        try:
            brand = {"brand_url": brand_url, "brand_kit": brand_kit, "source": source}
            if action in ("brand_kit", "ad_reference"):
                asked_for = AdRequest(**brand, avatar=avatar, product_url=product_url, product_id=product_id)
                if action == "brand_kit":
                    made = await studio.brand_kit(asked_for, wait_seconds=wait_seconds, progress=progress_to(ctx))
                else:
                    made = await studio.ad_reference(asked_for, wait_seconds=wait_seconds, progress=progress_to(ctx))
                return tool_result(MarketingResult(**made.model_dump()), [brand_text(made)])
            if action != "create":
                listed = await studio.listing(action, ad_format)
                return tool_result(MarketingResult(**listed.model_dump()), [_list_text(listed)])
            if isinstance(asked, AcceptedElicitation) and asked.data.product_url.strip():
                product_url = check_product_url(asked.data.product_url)
            elif not isinstance(asked, AcceptedElicitation):  # declined or cancelled: still the one thing missing
                raise missing_product_error(kind)
            request = AdRequest(
                kind=kind,
                prompt=prompt,
                product_url=product_url,
                product_photos=product_photos or [],
                product_title=product_title,
                product_description=product_description,
                product_id=product_id,
                avatar=avatar,
                avatar_photo=avatar_photo,
                avatar_character=avatar_character,
                avatar_name=avatar_name,
                mode=mode,
                hook=hook,
                setting=setting,
                ad_reference_id=ad_reference_id,
                duration=duration,
                aspect_ratio=aspect_ratio,
                resolution=resolution,
                generate_audio=generate_audio,
                count=count,
                reference_images=reference_images or [],
                params=dict(params or {}),
                ad_format=ad_format,
                quality=quality,
                scope=scope,
                assets=assets or [],
                **brand,
            )
            result = await studio.create(request, wait_seconds=wait_seconds, progress=progress_to(ctx))
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        raise_if_all_failed(result.jobs, "ad")
        blocks = await content_for(result, settings)
        return tool_result(MarketingResult(**result.model_dump()), _with_headline(result, blocks))


def _with_headline(result: AdResult, blocks: list[ContentBlock]) -> list[ContentBlock]:
    """The summary block of `content_for`, led by what was made and followed by any notes."""
    first = blocks[0]
    summary = first.text if isinstance(first, TextContent) else ""
    lines = [headline(result), summary, *result.notes]
    return [TextContent(type="text", text="\n".join(line for line in lines if line)), *blocks[1:]]


def _list_text(result: AdResult) -> TextContent:
    lines: list[str] = []
    if result.products:
        lines.append(f"{len(result.products)} product(s):")
        for p in result.products:
            where = f" — {p.url}" if p.url else ""
            state = "" if p.status == "completed" else f" ({p.status}{': ' + p.fail_reason if p.fail_reason else ''})"
            lines.append(f"- {p.name}{where}{state}")
    if result.avatars:
        lines.append(f"{len(result.avatars)} avatar(s):")
    for avatar in result.avatars:
        details = ", ".join(x for x in [avatar.type, avatar.gender or "", ", ".join(avatar.tags)] if x)
        lines.append(f"- {avatar.name or 'unnamed'} ({details})")
    if result.brand_kits:
        lines.append(f"{len(result.brand_kits)} brand kit(s):")
        lines += [f"- {k.name or k.url or k.id} ({k.status})" for k in result.brand_kits]
    if result.ad_formats:
        lines.append(f"{len(result.ad_formats)} ad format(s):")
        lines += [f"- {f.name} ({f.type})" if f.type else f"- {f.name}" for f in result.ad_formats]
    for label, items in (("hook", result.hooks), ("setting", result.settings)):
        if items:
            lines.append(f"{len(items)} {label}(s):")
            lines += [f"- {i.name}: {i.prompt}" if i.prompt else f"- {i.name}" for i in items]
    return TextContent(type="text", text="\n".join(lines) or "Nothing to list yet.")


def brand_text(result: AdResult) -> TextContent:
    """What a brand kit or an ad reference holds, in a few lines."""
    lines: list[str] = []
    kit = result.brand_kit
    if kit is not None:
        lines.append(f"Brand kit “{kit.name or kit.id}” ({kit.status}), read from {kit.url or 'its site'}.")
        lines += [
            f"{label}: {value}" for label, value in (("Tagline", kit.tagline), ("Industry", kit.industry)) if value
        ]
        lines.append(f"Use it with brand_kit={kit.name or kit.id}.")
    ref = result.ad_reference
    if ref is not None:
        lines.append(f"Ad reference {ref.id}: {ref.status}. Use ad_reference_id={ref.id} in a video ad.")
    return TextContent(type="text", text="\n".join([*lines, *result.notes]))
