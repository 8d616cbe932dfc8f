"""Marketing Studio brand ads and marketplace listings as typed CLI calls (contract §5.11, §5.12).

`brand-kits`, `ad-formats`, `dtc-ads`, `ad-references` and `marketplace-cards`. Like
`client.py`, this is where their flag spellings live; each call goes through
`HiggsfieldCLI.run_json`, so failures are the same typed errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from .client import SUBMIT_TIMEOUT, HiggsfieldCLI, _items, _model, _parsed
from .errors import GarbledOutput
from .models import Cost, Job, Wire, parse_jobs, parse_submitted

BRAND_KIT_TIMEOUT = 240.0
"""`brand-kits fetch --wait` polls for up to its own default of 180 s; leave room past that."""
BRAND_KIT_WAIT = "180s"
KIT_TERMINAL = frozenset({"completed", "failed", "canceled", "cancelled"})


class BrandKit(Wire):
    id: str
    status: str = "completed"
    url: str | None = Field(default=None, validation_alias=AliasChoices("url", "source_url", "website_url"))
    data: dict[str, Any] = Field(default_factory=dict)
    error: str | None = Field(default=None, validation_alias=AliasChoices("error", "fail_reason"))
    latest_progress: Any = None

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return str(value or "completed").strip().lower()

    @field_validator("data", mode="before")
    @classmethod
    def _data(cls, value: Any) -> dict[str, Any]:
        return dict(value) if isinstance(value, dict) else {}

    @property
    def name(self) -> str | None:
        value = self.data.get("brand_name")
        return str(value) if value else None


class AdFormat(Wire):
    id: str
    name: str | None = None
    type: str | None = None
    priority: int | None = None
    media: dict[str, Any] = Field(default_factory=dict)

    @property
    def thumbnail_url(self) -> str | None:
        value = self.media.get("thumbnail_url") if isinstance(self.media, dict) else None
        return str(value) if value else None


class AdReference(Wire):
    id: str
    status: str = "queued"
    job_id: str | None = None
    video_input_id: str | None = None
    video_url: str | None = Field(default=None, validation_alias=AliasChoices("video_s3_url", "video_url"))
    thumbnail_url: str | None = Field(default=None, validation_alias=AliasChoices("video_thumbnail_url"))
    fail_reason: str | None = Field(default=None, validation_alias=AliasChoices("fail_reason", "error"))

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return str(value or "queued").strip().lower()


async def fetch_brand_kit(cli: HiggsfieldCLI, url: str) -> BrandKit:
    """Read a brand's site into a kit and wait for it; a failed kit makes the CLI exit non-zero."""
    args = ["marketing-studio", "brand-kits", "fetch", "--url", url, "--wait", "--timeout", BRAND_KIT_WAIT]
    return _model(BrandKit, await cli.run_json(args, timeout=BRAND_KIT_TIMEOUT))


async def list_brand_kits(cli: HiggsfieldCLI) -> list[BrandKit]:
    payload = await cli.run_json(["marketing-studio", "brand-kits", "list", "--size", "100"])
    return [_model(BrandKit, k) for k in _items(payload)]


async def get_brand_kit(cli: HiggsfieldCLI, kit_id: str) -> BrandKit:
    return _model(BrandKit, await cli.run_json(["marketing-studio", "brand-kits", "get", kit_id]))


async def list_ad_formats(cli: HiggsfieldCLI) -> list[AdFormat]:
    payload = await cli.run_json(["marketing-studio", "ad-formats", "list", "--size", "100"])
    return [_model(AdFormat, f) for f in _items(payload)]


def dtc_args(
    *,
    prompt: str,
    format_id: str,
    brand_kit_id: str | None,
    aspect_ratio: str | None,
    resolution: str | None,
    quality: str | None,
    batch_size: int | None,
    media: Sequence[str],
    avatar: str | None,
    product: str | None,
) -> list[str]:
    args = ["marketing-studio", "dtc-ads", "generate", "--prompt", prompt, "--format-id", format_id]
    for flag, value in (
        ("--brand-kit-id", brand_kit_id),
        ("--aspect-ratio", aspect_ratio),
        ("--resolution", resolution),
        ("--quality", quality),
        ("--batch-size", str(batch_size) if batch_size else None),
        ("--avatar", avatar),
        ("--product", product),
    ):
        if value:
            args += [flag, value]
    for item in media:
        args += ["--media", item]
    return args


async def dtc_cost(cli: HiggsfieldCLI, args: Sequence[str]) -> Cost:
    return _model(Cost, await cli.run_json([*args, "--cost-only"], timeout=SUBMIT_TIMEOUT))


async def dtc_submit(cli: HiggsfieldCLI, args: Sequence[str]) -> list[str]:
    """Create the static ads without waiting; an unclear answer is `GarbledOutput`/`CLITimeout` (maybe sent)."""
    payload = await cli.run_json(list(args), timeout=SUBMIT_TIMEOUT)
    try:
        return parse_submitted(payload)
    except ValueError as exc:
        raise GarbledOutput(f"Unexpected answer to dtc-ads generate: {exc}") from exc


async def create_ad_reference(
    cli: HiggsfieldCLI,
    *,
    video_input: str | None = None,
    job: str | None = None,
    avatar: str | None = None,
    product: str | None = None,
) -> AdReference:
    args = ["marketing-studio", "ad-references", "create"]
    args += ["--video-input", video_input] if video_input else ["--job", job or ""]
    for flag, value in (("--avatar", avatar), ("--product", product)):
        if value:
            args += [flag, value]
    return _model(AdReference, await cli.run_json(args))


async def get_ad_reference(cli: HiggsfieldCLI, ref_id: str) -> AdReference:
    return _model(AdReference, await cli.run_json(["marketing-studio", "ad-references", "get", ref_id]))


async def marketplace_cards(
    cli: HiggsfieldCLI,
    *,
    prompt: str,
    scope: str | None,
    assets: Sequence[str],
    images: Sequence[str],
    main_job: str | None,
    context: dict[str, str],
) -> list[Job]:
    """Submit a listing set (one `nano_banana_2` job per asset) without waiting; the jobs come back queued."""
    args = ["marketplace-cards", "create", "--prompt", prompt]
    args += ["--scope", scope] if scope else [x for a in assets for x in ("--asset", a)]
    for image in images:
        args += ["--image", image]
    if main_job:
        args += ["--main-job", main_job]
    for name, value in context.items():
        args += [f"--{name}", value]
    payload = await cli.run_json(args, timeout=SUBMIT_TIMEOUT)
    if isinstance(payload, list) and payload and all(isinstance(p, str) for p in payload):
        return [Job(id=p, status="queued") for p in payload]  # ids only: the poller fills in the rest
    jobs = _parsed(parse_jobs, payload)
    if not jobs:
        raise GarbledOutput("marketplace-cards create answered with no jobs")
    return jobs
