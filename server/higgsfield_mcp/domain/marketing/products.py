"""Marketing Studio products: from a page URL, from photos, by id, and the account's list.

A product is what an ad is about. Marketing Studio reads one from its web page
(`products fetch`, asynchronous: queued → completed or failed with a `fail_reason`), and
App Store pages are "web products", a separate kind that the video model takes under
another parameter. Making a product from photos (`products create`) is refused by
Higgsfield's servers with a 405 at the time of writing (contract §5.11), so that refusal is
turned into advice to use the URL route instead of a bare HTTP error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import anyio
from pydantic import BaseModel, Field

from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import CLITimeout, InvalidValues, MethodNotAllowed, ValidationError
from ...adapters.cli.models import Product
from ...adapters.media_policy import MediaInput, resolve_media_input

APP_STORE_HOSTS = ("apps.apple.com", "itunes.apple.com")
"""Pages the CLI routes to web products (contract §5.11); we route them ourselves so the id lands in the right list."""

NOTHING_SPENT = "Nothing was spent."


class ProductView(BaseModel):
    """A product as the tool reports it."""

    id: str
    title: str | None = None
    status: str = "completed"
    url: str | None = None
    kind: Literal["product", "web_product"] = "product"
    image_urls: list[str] = Field(default_factory=list, description="The product's pictures on Higgsfield.")
    fail_reason: str | None = None

    @classmethod
    def of(cls, product: Product, *, web: bool = False) -> ProductView:
        return cls(
            id=product.id,
            title=product.title,
            status=product.status,
            url=product.url,
            kind="web_product" if web else "product",
            image_urls=product.image_urls,
            fail_reason=product.fail_reason,
        )

    @property
    def web(self) -> bool:
        return self.kind == "web_product"

    @property
    def name(self) -> str:
        """What to call the product in a sentence: its title, else its page's host."""
        return self.title or (urlparse(self.url).netloc if self.url else None) or "the product"


def check_product_url(url: str) -> str:
    """The URL, trimmed, or an error before anything is called: Marketing Studio reads http(s) pages only."""
    return check_web_address(url, "product_url", "the product's web page")


def check_web_address(url: str, param: str, what: str) -> str:
    """An http(s) address, trimmed, or an `InvalidValues` naming `param` and saying what it should be."""
    text = url.strip()
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidValues(
            f"Invalid values: {param}={text} (expected a web page address)",
            param=param,
            value=text,
            remedy=f"Give {what} as a full address starting with https://. " + NOTHING_SPENT,
        )
    return text


def is_app_store(url: str) -> bool:
    host = urlparse(url).netloc.lower().split(":")[0]
    return any(host == h or host.endswith("." + h) for h in APP_STORE_HOSTS)


async def product_from_url(cli: HiggsfieldCLI, url: str, *, timeout: float, poll_seconds: float = 2.0) -> ProductView:
    """Fetch the product behind a page and wait (bounded) until Marketing Studio has read it.

    The CLI's own `--wait` does the polling; when it gives up (its 90 s default) or is
    slower than our bound, we keep looking in the product list until `timeout`. A failed
    read is an error carrying Higgsfield's `fail_reason`.
    """
    url = check_product_url(url)
    web = is_app_store(url)
    deadline = time.monotonic() + timeout
    product: Product | None
    try:
        with anyio.fail_after(max(timeout, 0.001)):
            product = await (cli.fetch_webproduct(url, wait=True) if web else cli.fetch_product(url, wait=True))
    except (CLITimeout, TimeoutError):  # the fetch goes on at Higgsfield; look it up below
        product = None
    while product is None or not product.terminal:
        if time.monotonic() >= deadline:
            raise CLITimeout(
                f"Marketing Studio is still reading the product page {url}",
                remedy="Call marketing_ad again with the same product_url in a minute: the page is fetched only "
                "once and reused, and no ad was submitted yet. " + NOTHING_SPENT,
            )
        await anyio.sleep(poll_seconds)
        listed = await (cli.list_webproducts() if web else cli.list_products())
        found = _find(listed, product.id if product else None, url)
        product = found or product
    if product.status == "failed":
        reason = product.fail_reason or "no reason given"
        raise ValidationError(
            f"Marketing Studio could not read the product page {url}: {reason}",
            remedy="Check that the link opens the product's own page (not a search, cart or login page), or try "
            "the same product on another shop's page. " + NOTHING_SPENT,
        )
    return ProductView.of(product, web=web)


def _find(products: Sequence[Product], product_id: str | None, url: str) -> Product | None:
    for product in products:
        if product_id is not None and product.id == product_id:
            return product
    wanted = _same_url_key(url)
    return next((p for p in products if p.url and _same_url_key(p.url) == wanted), None)


def _same_url_key(url: str) -> str:
    return url.strip().rstrip("/").lower()


async def product_from_photos(
    cli: HiggsfieldCLI, photos: Sequence[MediaInput], *, title: str | None, description: str | None
) -> ProductView:
    """Upload the photos and create a product from them (`products create`).

    Higgsfield answers this with 405 Method Not Allowed at the time of writing; that comes
    back as the same error class with a remedy offering the URL route, since the photos
    themselves were fine.
    """
    upload_ids: list[str] = []
    for photo in photos:
        if photo.kind == "id" and photo.id:
            upload_ids.append(photo.id)
        elif photo.path is not None:
            upload_ids.append((await cli.upload(photo.path)).id)
    name = title or title_from_file(photos)
    try:
        product = await cli.create_product(name, description=description, upload_ids=upload_ids)
    except MethodNotAllowed as exc:
        raise MethodNotAllowed(
            "Higgsfield refused to make a product from photos (HTTP 405 Method Not Allowed, a known problem on "
            "Higgsfield's side)",
            remedy="Give the product's web page instead (product_url): Marketing Studio reads its title and "
            "pictures from it. For a still ad or a photoshoot, the photos work as they are (kind image or "
            "photoshoot). " + NOTHING_SPENT,
            exit_code=exc.exit_code,
            command=exc.command,
        ) from exc
    return ProductView.of(product)


def title_from_file(photos: Sequence[MediaInput]) -> str:
    """A readable product title from the first photo's name ("red-sneaker_01.png" → "Red Sneaker 01")."""
    for photo in photos:
        if photo.path is not None:
            words = " ".join(Path(photo.path).stem.replace("_", " ").replace("-", " ").split())
            if words:
                return words.title()
    return "Product"


async def product_by_id(cli: HiggsfieldCLI, product_id: str) -> ProductView:
    """A product (or web product) of this account by id, so its title and pictures are known."""
    wanted = product_id.strip()
    for web in (False, True):
        listed = await (cli.list_webproducts() if web else cli.list_products())
        found = next((p for p in listed if p.id == wanted), None)
        if found is not None:
            return ProductView.of(found, web=web)
    raise InvalidValues(
        f"Invalid values: product_id={wanted} (no such product in this account)",
        param="product_id",
        value=wanted,
        remedy="Use action 'list_products' to see this account's products, or give the product's page as "
        "product_url. " + NOTHING_SPENT,
    )


async def list_products(cli: HiggsfieldCLI) -> list[ProductView]:
    """Every product and web product of the account, shop products first."""
    products = [ProductView.of(p) for p in await cli.list_products()]
    return products + [ProductView.of(p, web=True) for p in await cli.list_webproducts()]


def check_photos(photos: Sequence[str], roots: Sequence[Path], *, param: str = "product_photos") -> list[MediaInput]:
    """Every photo through the media policy, and images only; refused before anything is uploaded."""
    checked: list[MediaInput] = []
    for photo in photos:
        media = resolve_media_input(photo, roots)
        if media.kind == "path" and media.media_type != "image":
            raise InvalidValues(
                f"Invalid values: {param}={photo} (a {media.media_type} file, not a photo)",
                param=param,
                value=photo,
                remedy="Give image files (png, jpg, webp). " + NOTHING_SPENT,
            )
        checked.append(media)
    return checked
