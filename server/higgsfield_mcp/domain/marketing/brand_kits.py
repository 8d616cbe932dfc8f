"""Brand kits: a brand's name, logo, tagline and look, read once from its site and reused by name.

`brand-kits fetch --url` is waited for (the CLI polls; a failed read is an error naming why);
a site already read is found in `brand-kits list` and reused rather than fetched again, and
a kit is picked later by its brand name or id. Reading a site costs no credits.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from ...adapters.cli.brand import BrandKit, fetch_brand_kit, list_brand_kits
from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import HiggsfieldError, InvalidValues, ValidationError
from .avatars import base_name, has_phrase, words
from .products import NOTHING_SPENT, check_web_address


class BrandKitView(BaseModel):
    """A brand kit as the tool reports it."""

    id: str
    name: str | None = None
    status: str = "completed"
    url: str | None = None
    tagline: str | None = None
    industry: str | None = None
    logo_url: str | None = None

    @classmethod
    def of(cls, kit: BrandKit) -> BrandKitView:
        data = kit.data
        return cls(
            id=kit.id,
            name=kit.name,
            status=kit.status,
            url=kit.url,
            tagline=_text(data.get("tagline")),
            industry=_text(data.get("industry")),
            logo_url=_text(data.get("logo")),
        )

    @property
    def context(self) -> str:
        """The kit in one line, for commands that take the brand as text."""
        return ". ".join(x for x in (self.name, self.tagline, self.industry) if x)


def _text(value: object) -> str | None:
    return str(value) if value else None


def check_site_url(url: str) -> str:
    return check_web_address(url, "brand_url", "the brand's site")


def _same_site(a: str | None, b: str) -> bool:
    return bool(a) and (a or "").strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


async def kit_from_site(cli: HiggsfieldCLI, url: str) -> BrandKitView:
    """The brand kit of a site: one already read is reused; otherwise it is read now and waited for."""
    url = check_site_url(url)
    known = next((k for k in await list_brand_kits(cli) if k.status == "completed" and _same_site(k.url, url)), None)
    if known is not None:
        return BrandKitView.of(known)
    try:
        kit = await fetch_brand_kit(cli, url)
    except HiggsfieldError as exc:
        if exc.code not in ("cli_failed", "validation", "job_failed"):
            raise  # login, workspace, rate limits: their own remedies
        raise ValidationError(
            f"Marketing Studio could not read the brand's site {url}: {exc.message}",
            remedy="Check that the address opens the brand's home page (not a login or a shop search), or give "
            "another page of the same brand. " + NOTHING_SPENT,
        ) from exc
    if kit.status != "completed":
        raise ValidationError(
            f"Marketing Studio could not read the brand's site {url}: {kit.error or kit.status}",
            remedy="Check that the address opens the brand's home page, or try another page of the same brand. "
            + NOTHING_SPENT,
        )
    return BrandKitView.of(kit)


def match_kit(kits: Sequence[BrandKit], query: str) -> BrandKit:
    """A completed kit by id, by brand name, or by words of its name; else an error listing the kits."""
    text = query.strip()
    ready = [k for k in kits if k.status == "completed"]
    for kit in ready:
        if kit.id.lower() == text.lower():
            return kit
    wanted = words(text).strip()
    for kit in ready:
        if wanted and wanted == base_name(kit.name):
            return kit
    for kit in ready:
        name = base_name(kit.name)
        if name and (has_phrase(text, name) or has_phrase(name, wanted)):
            return kit
    names = [k.name for k in ready if k.name]
    raise InvalidValues(
        f"Invalid values: brand_kit={text} (no brand kit has that name)",
        param="brand_kit",
        value=text,
        allowed=names,
        remedy=f"Use one of: {', '.join(names) or '(none yet)'}; or give brand_url (the brand's site) to read a new "
        "kit. " + NOTHING_SPENT,
    )


async def kit_by_name(cli: HiggsfieldCLI, query: str) -> BrandKitView:
    return BrandKitView.of(match_kit(await list_brand_kits(cli), query))


async def list_kits(cli: HiggsfieldCLI) -> list[BrandKitView]:
    return [BrandKitView.of(k) for k in await list_brand_kits(cli)]
