"""Marketing Studio brand ads: ``brand-kits``, ``ad-formats``, ``dtc-ads`` and ``ad-references`` (contract §5.11).

* ``brand-kits fetch --url U [--wait] [--timeout 180s]``: a kit ``queued`` → ``in_progress`` →
  ``completed`` after the job latency, deduplicated by URL. A URL containing ``fail`` ends
  ``failed`` with an ``error``; ``--wait`` then prints the kit and exits 1 with that error.
  While waiting, progress lines go to stderr.
* ``ad-formats list [--type T]``: a fixed set of formats, ``{items, cursor, has_more}``.
* ``dtc-ads generate``: ``dtc_ads`` jobs (one per ``--batch-size``) read back with
  ``generate get|wait|list``; the flag checks and their texts are the contract's.
* ``ad-references create``: exactly one of ``--video-input`` / ``--job``; the reference goes
  ``queued`` → ``in_progress`` → ``completed`` and is read back with ``get``.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from . import account, catalogue, errors, jobs, marketing, media, render
from .context import Ctx
from .faults import Faults
from .generate import answer_created, create_jobs
from .state import JsonDict, new_id, phase

_NS = uuid.UUID("3f0c6a52-8d1e-4b7a-9c2f-b2a4dc0ffee5")

AD_FORMATS: list[tuple[str, str, int]] = [
    ("Bold headline", "headline", 1),
    ("Benefit stack", "headline", 2),
    ("Customer quote", "testimonial", 3),
    ("Star review card", "testimonial", 4),
    ("Limited-time offer", "offer", 5),
    ("Bundle deal", "offer", 6),
    ("Us vs them", "comparison", 7),
    ("Hero product", "product", 8),
    ("Feature callouts", "product", 9),
    ("Founder note", "story", 10),
]

DTC_ASPECTS = ("1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9", "27:16", "16:27", "9:8", "8:9", "4:9", "9:4")
DTC_ASPECTS_ALL = (*DTC_ASPECTS, "auto")
DTC_RESOLUTIONS = ("1k", "2k", "4k")
DTC_QUALITIES = ("low", "medium", "high")
DTC_MODEL = "dtc_ads"
KIT_PROGRESS = {
    "queued": "Queued",
    "in_progress": "Reading the site: logo, colours, fonts and copy",
    "completed": "Brand kit ready",
    "failed": "Failed",
}


def _page(ctx: Ctx, items: list[JsonDict], default_size: int = 20) -> JsonDict:
    size = ctx.int_flag("size", default_size, 1, 100)
    cursor_text = ctx.value("cursor") or "0"
    offset = int(cursor_text) if cursor_text.isdigit() else 0
    page = items[offset : offset + size]
    has_more = offset + size < len(items)
    return {"items": page, "cursor": str(offset + size) if has_more else None, "has_more": has_more}


# ---------------------------------------------------------------------- brand kits
def _brand_name(url: str) -> str:
    host = urlparse(url).netloc.lower().removeprefix("www.")
    stem = host.split(":")[0].rsplit(".", 1)[0] if "." in host else host
    return f"{stem.replace('-', ' ').replace('.', ' ').title()} (sandbox)"


def _observe_kit(ctx: Ctx, record: JsonDict) -> JsonDict:
    step = phase(float(record["created_at"]), float(record.get("seconds", 0)))
    status = str(record["outcome"]) if step == "done" else step
    if status == "completed" and not record.get("rendered"):
        with ctx.state.lock(f"brandkit-{record['id']}"):
            fresh = ctx.state.load("marketing/brandkits", str(record["id"])) or record
            if not fresh.get("rendered"):
                rel = f"marketing/brandkits/{fresh['id']}_logo.jpg"
                name = str(fresh["data"]["brand_name"])
                fresh["data"]["logo"] = marketing._ensure_thumb(ctx.state, ctx.settings, rel, name, str(fresh["url"]))
                fresh["rendered"] = True
                fresh["updated_at"] = time.time()
                ctx.state.save("marketing/brandkits", fresh)
            record = fresh
    view = {k: v for k, v in record.items() if k not in ("outcome", "seconds", "rendered", "fail_text")}
    view["status"] = status
    view["latest_progress"] = KIT_PROGRESS.get(status, status)
    done = status == "completed"
    view["data"] = dict(record["data"]) if done else {"brand_name": None, "logo": None}
    if status == "failed":
        view["error"] = record.get("fail_text")
    return view


def _kit(ctx: Ctx, ident: str) -> JsonDict:
    record = ctx.state.load("marketing/brandkits", ident.strip().lower())
    if record is None:
        raise errors.not_found("brand kit", ident)
    return _observe_kit(ctx, record)


def cmd_brand_kits_fetch(ctx: Ctx) -> int:
    ctx.no_positionals()
    url = marketing._check_url(ctx.required("url"))
    with ctx.state.lock("marketing"):
        record = next(
            (r for r in ctx.state.load_all("marketing/brandkits") if marketing._same_url(str(r["url"]), url)), None
        )
        if record is None:
            failing = "fail" in url.lower()
            name = _brand_name(url)
            now = time.time()
            record = {
                "id": new_id(),
                "url": url,
                "outcome": "failed" if failing else "completed",
                "fail_text": "could not read the site (higgsfield-sandbox: the URL contains 'fail')"
                if failing
                else None,
                "seconds": ctx.settings.job_seconds,
                "rendered": False,
                "data": {
                    "brand_name": name,
                    "logo": None,
                    "tagline": f"Placeholder tagline read from {urlparse(url).netloc} by higgsfield-sandbox",
                    "business_overview": f"{name} sells placeholder products (higgsfield-sandbox).",
                    "industry": "E-commerce",
                    "colors": ["#1F2A44", "#F2B705", "#FFFFFF"],
                    "fonts": ["Inter", "Playfair Display"],
                },
                "created_at": now,
                "updated_at": now,
            }
            ctx.state.save("marketing/brandkits", record)
    kit = _observe_kit(ctx, record)
    if ctx.flag("wait"):
        timeout_s, timeout_text = ctx.duration("timeout", ctx.value("wait_timeout") or "180s")
        interval_s, _ = ctx.duration("wait_interval", "2s")
        start = time.monotonic()
        shown = ""
        while kit["status"] not in ("completed", "failed", "canceled"):
            if kit["latest_progress"] != shown:
                shown = str(kit["latest_progress"])
                ctx.note(f"Brand kit {kit['id']}: {kit['status']} - {shown}")
            elapsed = time.monotonic() - start
            if elapsed >= timeout_s:
                raise errors.timeout(timeout_text, str(kit["status"]))
            left = float(record["created_at"]) + float(record.get("seconds", 0)) - time.time()
            time.sleep(max(0.005, min(interval_s, max(0.0, left) + 0.01, timeout_s - elapsed)))
            kit = _kit(ctx, str(kit["id"]))
        ctx.note(f"Brand kit {kit['id']}: {kit['status']} - {kit['latest_progress']}")
    _print_kit(ctx, kit)
    if ctx.flag("wait") and kit["status"] != "completed":
        raise errors.usage(str(kit.get("error") or f'Brand kit ended with status "{kit["status"]}"'))
    return 0


def _print_kit(ctx: Ctx, kit: JsonDict) -> None:
    if ctx.json:
        ctx.emit(kit)
    else:
        ctx.line(f"{kit['id']}  {kit['status']}  {kit['data'].get('brand_name') or kit['url']}")


def cmd_brand_kits_get(ctx: Ctx) -> int:
    _print_kit(ctx, _kit(ctx, ctx.positional("brand_kit_id")))
    return 0


def cmd_brand_kits_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    records = sorted(ctx.state.load_all("marketing/brandkits"), key=lambda r: -float(r["created_at"]))
    out = _page(ctx, [_observe_kit(ctx, r) for r in records])
    if ctx.json:
        ctx.emit(out)
    else:
        for kit in out["items"]:
            ctx.line(f"{kit['id']}  {kit['status']}  {kit['data'].get('brand_name') or kit['url']}")
    return 0


# ---------------------------------------------------------------------- ad formats
def ad_formats(ctx: Ctx, with_images: bool) -> list[JsonDict]:
    out: list[JsonDict] = []
    for name, kind, priority in AD_FORMATS:
        ident = str(uuid.uuid5(_NS, f"format/{name}"))
        rel = f"marketing/formats/{marketing._slug(name)}.jpg"
        url = (
            marketing._ensure_thumb(ctx.state, ctx.settings, rel, f"Ad format: {name}", kind)
            if with_images
            else ctx.settings.cdn_url(rel)
        )
        out.append(
            {
                "id": ident,
                "name": f"{name} (sandbox)",
                "type": kind,
                "priority": priority,
                "media": {"thumbnail_url": url},
            }
        )
    return out


def cmd_ad_formats_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    items = ad_formats(ctx, with_images=True)
    wanted = (ctx.value("type") or "").strip().lower()
    if wanted:  # filtered on the client, as the real CLI does
        items = [f for f in items if f["type"] == wanted]
    out = _page(ctx, items, default_size=50)
    if ctx.json:
        ctx.emit(out)
    else:
        for f in out["items"]:
            ctx.line(f"{f['id']}  {f['type']}  {f['name']}")
    return 0


# ---------------------------------------------------------------------- dtc ads
def _from_file(ctx: Ctx) -> JsonDict:
    raw = ctx.value("from_file")
    if not raw:
        return {}
    path = Path(raw).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise errors.usage(f"open {raw}: no such file or directory") from exc
    except (OSError, ValueError) as exc:
        raise errors.usage(f"--from-file: invalid JSON in {raw}") from exc
    if not isinstance(data, dict):
        raise errors.usage("--from-file: the file must hold a JSON object")
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def _given(ctx: Ctx, file: JsonDict, name: str, default: str | None = None) -> str | None:
    value = ctx.value(name)  # flags win over the file
    if value is None and file.get(name) is not None:
        value = str(file[name])
    return default if value is None else value


def _given_list(ctx: Ctx, file: JsonDict, name: str) -> list[str]:
    values = ctx.values(name)
    if not values and isinstance(file.get(name), list):
        values = [str(v) for v in file[name]]
    elif not values and isinstance(file.get(name), str):
        values = [str(file[name])]
    return values


def cmd_dtc_generate(ctx: Ctx, faults: Faults) -> int:
    ctx.no_positionals()
    file = _from_file(ctx)
    prompt = _given(ctx, file, "prompt")
    if not prompt:
        raise errors.usage("Flag --prompt is required")
    format_id = _given(ctx, file, "format_id")
    if not format_id:
        raise errors.usage("Flag --format-id is required")
    medias = _given_list(ctx, file, "media")
    avatars = _given_list(ctx, file, "avatar")
    products = _given_list(ctx, file, "product")
    if len(medias) > 14:
        raise errors.usage("--media accepts at most 14 entries.")
    if len(avatars) > 1:
        raise errors.usage("--avatar accepts at most 1 entry.")
    if len(products) > 1:
        raise errors.usage("--product accepts at most 1 entry.")
    aspect = _given(ctx, file, "aspect_ratio", "1:1") or "1:1"
    resolution = _given(ctx, file, "resolution", "1k") or "1k"
    quality = _given(ctx, file, "quality", "low") or "low"
    batch_text = _given(ctx, file, "batch_size", "1") or "1"
    invalid = []
    if aspect not in DTC_ASPECTS_ALL:
        invalid.append(f"aspect_ratio={aspect} (allowed: {', '.join(DTC_ASPECTS_ALL)})")
    if resolution not in DTC_RESOLUTIONS:
        invalid.append(f"resolution={resolution} (allowed: {', '.join(DTC_RESOLUTIONS)})")
    if quality not in DTC_QUALITIES:
        invalid.append(f"quality={quality} (allowed: {', '.join(DTC_QUALITIES)})")
    batch = int(batch_text) if batch_text.isdigit() else 0
    if not 1 <= batch <= 20:
        invalid.append(f"batch_size={batch_text} (allowed: 1..20)")
    if invalid:
        raise errors.usage(f"Invalid values: {'; '.join(invalid)}")
    if not any(f["id"] == format_id.strip().lower() for f in ad_formats(ctx, with_images=False)):
        raise errors.not_found("ad format", format_id)
    params: JsonDict = {
        "prompt": prompt,
        "style_id": format_id.strip().lower(),
        "aspect_ratio": aspect,
        "resolution": resolution,
        "quality": quality,
        "batch_size": batch,
    }
    kit_id = _given(ctx, file, "brand_kit_id")
    if kit_id:
        kit = _kit(ctx, kit_id)
        if kit["status"] != "completed":
            raise errors.usage(f'Brand kit {kit_id} is not completed (status "{kit["status"]}")')
        params["brand_kit_id"] = kit["id"]
    for raw in products:
        if marketing.find_product(ctx.state, raw.strip().lower()) is None:
            raise errors.not_found("product", raw)
        params["product_id"] = raw.strip().lower()
    for raw in avatars:
        ident, _, kind = raw.partition(":")
        if marketing.find_avatar(ctx.state, ctx.settings, ident.strip().lower()) is None:
            raise errors.not_found("avatar", ident)
        params["avatar"] = {"id": ident.strip().lower(), "type": kind or "preset"}
    folder = _given(ctx, file, "folder_id")
    if folder:
        params["folder_id"] = folder
    assigned: dict[str, list[media.MediaItem]] = {}
    for raw in medias:
        ident, _, role = raw.partition(":")
        item = media.check_value(ctx.state, ctx.settings, "image", ident)
        item.role = role or "image"
        assigned.setdefault(item.role, []).append(item)
    model = catalogue.get(DTC_MODEL)
    credits = catalogue.cost_per_job(model) * batch
    if ctx.flag("cost_only"):
        if ctx.json:
            ctx.emit({"credits": credits, "credits_exact": credits})
        else:
            ctx.line(f"{credits} credits")
        return 0
    from .params import Request

    records = create_jobs(ctx, Request(model=model, params=params, assigned=assigned, count=batch), faults)
    return answer_created(ctx, [str(r["id"]) for r in records], timeout_flag="timeout", default_timeout="5m")


# ---------------------------------------------------------------------- ad references
def _observe_ref(ctx: Ctx, record: JsonDict) -> JsonDict:
    step = phase(float(record["created_at"]), float(record.get("seconds", 0)))
    status = "completed" if step == "done" else step
    view = {k: v for k, v in record.items() if k != "seconds"}
    view["status"] = status
    if status != "completed":
        view["video_s3_url"] = None
        view["video_thumbnail_url"] = None
    else:
        view["updated_at"] = float(record["created_at"]) + float(record.get("seconds", 0))
    return view


def cmd_ad_references_create(ctx: Ctx) -> int:
    ctx.no_positionals()
    video_input = ctx.value("video_input")
    job_id = ctx.value("job")
    if bool(video_input) == bool(job_id):
        raise errors.usage("Exactly one of --video-input or --job is required.")
    for name in ("avatar", "product"):
        if len(ctx.values(name)) > 1:
            raise errors.usage(f"--{name} accepts at most 1 entry.")
    if video_input:
        upload = ctx.state.load("uploads", video_input.strip().lower())
        if upload is None:
            raise errors.not_found("upload", video_input)
        if upload.get("type") != "video":
            raise errors.usage(f'--video-input must be a video upload (got "{upload.get("type")}")')
        source_url, platform = str(upload["url"]), "upload"
    else:
        job, status = jobs.observe(ctx.state, ctx.settings, jobs.load(ctx.state, str(job_id).strip().lower()))
        if job.get("model_type") != "video":
            raise errors.usage(f"--job must be a video job (got {job['job_type']})")
        if status != "completed":
            raise errors.usage(f'Job {job_id} is not completed (status "{status}")')
        source_url, platform = str(job["result_url"]), "job"
    avatar = (ctx.value("avatar") or "").strip().lower() or None
    product = (ctx.value("product") or "").strip().lower() or None
    if avatar and marketing.find_avatar(ctx.state, ctx.settings, avatar) is None:
        raise errors.not_found("avatar", avatar)
    if product and marketing.find_product(ctx.state, product) is None:
        raise errors.not_found("product", product)
    ident = new_id()
    rel = f"marketing/adrefs/{ident}.jpg"
    ctx.state.write_bytes(
        rel, render.thumbnail_jpeg(title="Ad reference (sandbox)", body=source_url, seed_text=source_url)
    )
    now = time.time()
    record: JsonDict = {
        "id": ident,
        "source_platform": platform,
        "video_input_id": video_input.strip().lower() if video_input else None,
        "job_id": str(job_id).strip().lower() if job_id else None,
        "video_s3_url": source_url,
        "video_thumbnail_url": ctx.settings.cdn_url(rel),
        "avatar_id": avatar,
        "product_id": product,
        "created_at": now,
        "updated_at": now,
        "seconds": ctx.settings.job_seconds,
    }
    ctx.state.save("marketing/adrefs", record)
    _print_ref(ctx, _observe_ref(ctx, record))
    return 0


def _print_ref(ctx: Ctx, ref: JsonDict) -> None:
    if ctx.json:
        ctx.emit(ref)
    else:
        ctx.line(f"{ref['id']}  {ref['status']}")


def cmd_ad_references_get(ctx: Ctx) -> int:
    ident = ctx.positional("ad_reference_id").strip().lower()
    record = ctx.state.load("marketing/adrefs", ident)
    if record is None:
        raise errors.not_found("ad reference", ident)
    _print_ref(ctx, _observe_ref(ctx, record))
    return 0


def cmd_ad_references_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    records = sorted(ctx.state.load_all("marketing/adrefs"), key=lambda r: -float(r["created_at"]))
    size = ctx.int_flag("size", 50, 1, 100)
    cursor_text = ctx.value("cursor")
    if cursor_text:
        try:
            before = float(cursor_text)
        except ValueError as exc:
            raise errors.usage(f'invalid argument "{cursor_text}" for "--cursor" flag') from exc
        records = [r for r in records if float(r["created_at"]) < before]
    page = records[:size]
    out: dict[str, Any] = {
        "items": [_observe_ref(ctx, r) for r in page],
        "total_count": len(ctx.state.load_all("marketing/adrefs")),
        "cursor": page[-1]["created_at"] if len(records) > size else None,
    }
    if ctx.json:
        ctx.emit(out)
    else:
        for ref in out["items"]:
            ctx.line(f"{ref['id']}  {ref['status']}")
    return 0


def balance_covers(ctx: Ctx, credits: float) -> None:
    """Refuse before creating anything when the whole set cannot be paid for."""
    if account.balance(ctx.state, ctx.settings) < credits:
        raise errors.insufficient_credits()
