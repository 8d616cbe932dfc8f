"""Marketing Studio (``marketing-studio``, alias ``ms``): avatars, products, webproducts,
hooks and settings.

* ``avatars list``: a bare array of 12 presets plus created custom avatars.
* ``products fetch --url U [--wait]``: a product that is ``queued``, then ``in_progress``, then
  ``completed`` after ``HIGGSFIELD_SANDBOX_JOB_SECONDS``; a URL containing ``fail`` ends
  ``failed`` with ``fail_reason`` "scrape blocked"; App Store URLs (``apps.apple.com``) are
  routed to webproducts; the same URL returns the same product (dedupe).
* ``products create`` answers ``Error: Method Not Allowed`` (exit 3) unless
  ``HIGGSFIELD_SANDBOX_PRODUCTS_CREATE=ok``.
* ``hooks list`` / ``settings list``: ``{items, cursor, has_more}`` with ``--search``.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any
from urllib.parse import urlparse

from . import errors, render, uploads
from .config import Settings
from .context import Ctx
from .state import JsonDict, State, new_id, phase

_NS = uuid.UUID("9b7a3c1e-5d2f-4a61-8e0b-5a4db0c0cafe")

PRESET_AVATARS: list[tuple[str, str, list[str]]] = [
    ("Ava", "female", ["casual", "ugc", "young adult"]),
    ("Marcus", "male", ["business", "presenter"]),
    ("Lena", "female", ["fitness", "outdoor"]),
    ("Kenji", "male", ["tech", "studio"]),
    ("Sofia", "female", ["beauty", "closeup"]),
    ("Diego", "male", ["street", "ugc"]),
    ("Priya", "female", ["professional", "explainer"]),
    ("Noah", "male", ["lifestyle", "home"]),
    ("Chloe", "female", ["fashion", "try-on"]),
    ("Omar", "male", ["food", "kitchen"]),
    ("Mei", "female", ["travel", "vlog"]),
    ("Elliot", "non-binary", ["gaming", "energetic"]),
]

HOOKS: list[tuple[str, str]] = [
    ("Stop scrolling", "Open with a direct address to camera: 'Stop scrolling, you need to see this.'"),
    ("POV: you finally found it", "POV framing, the presenter reveals the product with relief."),
    ("I was today years old", "Surprised discovery, quick cut to the product in hand."),
    ("Three reasons why", "Presenter counts three reasons on their fingers."),
    ("Before and after", "Split before/after reveal in the first two seconds."),
    ("Don't buy this until", "Contrarian warning that turns into a recommendation."),
    ("Unpopular opinion", "Presenter leans in with an unpopular opinion about the category."),
    ("Watch this", "Immediate product demo with no introduction."),
]

SETTINGS_LIST: list[tuple[str, str]] = [
    ("Cozy kitchen", "Warm morning light in a cozy home kitchen, wooden counters."),
    ("Sunlit bedroom", "Soft daylight through sheer curtains in a tidy bedroom."),
    ("Urban street", "Busy city sidewalk at golden hour, shallow depth of field."),
    ("Bathroom vanity", "Bright bathroom vanity with a mirror and ring light."),
    ("Home office", "Minimal desk setup with a laptop and plants."),
    ("Gym floor", "Modern gym with rubber flooring and dumbbells."),
    ("Car interior", "Front seat of a car, daylight, phone-filmed feel."),
    ("Studio backdrop", "Seamless pastel studio backdrop with softbox lighting."),
]

HOOK_MODES = ("ugc", "ugc_how_to", "ugc_unboxing", "product_review", "ugc_virtual_try_on")


def _sid(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}/{name}"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _ensure_thumb(state: State, settings: Settings, rel: str, title: str, body: str) -> str:
    if not state.cdn_exists(rel):
        state.write_bytes(rel, render.thumbnail_jpeg(title=title, body=body, seed_text=title + body))
    return settings.cdn_url(rel)


# ---------------------------------------------------------------------- avatars
def preset_avatars(state: State, settings: Settings, with_images: bool) -> list[JsonDict]:
    out: list[JsonDict] = []
    for name, gender, tags in PRESET_AVATARS:
        ident = _sid("avatar", name)
        rel = f"marketing/avatars/{ident}.jpg"
        url = (
            _ensure_thumb(state, settings, rel, f"Preset avatar: {name}", f"{gender}, {', '.join(tags)}")
            if with_images
            else settings.cdn_url(rel)
        )
        out.append(
            {
                "id": ident,
                "name": f"{name} (sandbox)",
                "type": "preset",
                "gender": gender,
                "tags": tags,
                "image_url": url,
                "is_pinned": False,
            }
        )
    return out


def find_avatar(state: State, settings: Settings, ident: str) -> JsonDict | None:
    for avatar in preset_avatars(state, settings, with_images=False):
        if avatar["id"] == ident:
            return avatar
    return state.load("marketing/avatars", ident)


def cmd_avatars_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    custom = sorted(ctx.state.load_all("marketing/avatars"), key=lambda a: -float(a.get("created_at", 0)))
    items = custom + preset_avatars(ctx.state, ctx.settings, with_images=True)
    search = (ctx.value("search") or "").strip().lower()
    if search:
        items = [a for a in items if search in a["name"].lower() or any(search in t for t in a.get("tags", []))]
    items = items[: ctx.int_flag("size", 50, 1, 100)]
    if ctx.json:
        ctx.emit(items)
    else:
        for a in items:
            ctx.line(f"{a['id']}  {a['type']}  {a['name']}")
    return 0


def cmd_avatars_create(ctx: Ctx) -> int:
    ctx.no_positionals()
    name = ctx.required("name")
    image = ctx.required("image")
    image_url = ctx.required("image_url")
    upload = ctx.state.load("uploads", image.strip().lower())
    if upload is None:
        job = ctx.state.load("jobs", image.strip().lower())
        if job is None:
            raise errors.usage(f'--image must be an upload id or an image job id (got "{image}")')
        media = {"id": job["id"], "url": image_url, "type": "image_job"}
    else:
        media = {"id": upload["id"], "url": image_url, "type": "media_input"}
    avatar: JsonDict = {
        "id": new_id(),
        "name": name,
        "type": "custom",
        "gender": None,
        "tags": [],
        "image_url": image_url,
        "media": media,
        "is_pinned": ctx.flag("pinned"),
        "created_at": time.time(),
    }
    ctx.state.save("marketing/avatars", avatar)
    if ctx.json:
        ctx.emit(avatar)
    else:
        ctx.line(avatar["id"])
    return 0


# ---------------------------------------------------------------------- products / webproducts
def _check_url(url: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise errors.usage("url: Input should be a valid URL, relative URL without a base")
    return url.strip()


def _same_url(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def _title_from(url: str) -> str:
    parsed = urlparse(url)
    parts = [p for p in parsed.path.split("/") if p]
    words = re.sub(r"[-_+]+", " ", parts[-1]).rsplit(".", 1)[0] if parts else parsed.netloc
    return f"{words.strip().title() or parsed.netloc} (sandbox)"


def _observe_product(ctx: Ctx, kind: str, record: JsonDict) -> JsonDict:
    """Derived status; renders the product image on first observed completion."""
    if record.get("status_fixed"):
        return record
    step = phase(float(record["created_at"]), float(record.get("seconds", 0)))
    status = str(record["outcome"]) if step == "done" else step
    if status == "completed" and not record.get("rendered"):
        with ctx.state.lock(f"{kind}-{record['id']}"):
            fresh = ctx.state.load(f"marketing/{kind}", str(record["id"])) or record
            if not fresh.get("rendered"):
                rel = f"marketing/{kind}/{fresh['id']}.jpg"
                url = _ensure_thumb(ctx.state, ctx.settings, rel, str(fresh["title"]), str(fresh["url"]))
                media_type = "desktop" if kind == "webproducts" else "image"
                fresh["medias"] = [{"url": url, "type": media_type}]
                fresh["rendered"] = True
                ctx.state.save(f"marketing/{kind}", fresh)
            record = fresh
    record = dict(record)
    record["status"] = status
    return record


def _product_view(record: JsonDict, kind: str) -> JsonDict:
    done = record["status"] == "completed"
    if kind == "webproducts":
        return {
            "id": record["id"],
            "url": record["url"],
            "title": record["title"] if done else None,
            "subtitle": record.get("subtitle") if done else None,
            "description": record.get("description") if done else None,
            "favicon_url": record.get("favicon_url"),
            "medias": record.get("medias", []) if done else [],
            "status": record["status"],
            "fail_reason": record.get("fail_reason") if record["status"] == "failed" else None,
            "created_at": record["created_at"],
        }
    return {
        "id": record["id"],
        "title": record["title"] if done else None,
        "status": record["status"],
        "scrape_url_domain": urlparse(str(record.get("url") or "")).netloc or None,
        "medias": record.get("medias", []) if done else [],
        "fail_reason": record.get("fail_reason") if record["status"] == "failed" else None,
        "url": record.get("url"),
        "description": record.get("description") if done else None,
        "created_at": record["created_at"],
    }


def _fetch(ctx: Ctx, kind: str) -> int:
    ctx.no_positionals()
    url = _check_url(ctx.required("url"))
    if kind == "products" and urlparse(url).netloc.lower().endswith("apps.apple.com"):
        kind = "webproducts"  # App Store URLs auto-route to webproducts
    folder = f"marketing/{kind}"
    with ctx.state.lock("marketing"):
        existing = next((r for r in ctx.state.load_all(folder) if _same_url(str(r.get("url", "")), url)), None)
        if existing is None:
            failing = "fail" in url.lower()
            existing = {
                "id": new_id(),
                "url": url,
                "title": _title_from(url),
                "subtitle": "Placeholder web product (higgsfield-sandbox)",
                "description": f"Placeholder product scraped by higgsfield-sandbox from {url}",
                "favicon_url": None,
                "medias": [],
                "outcome": "failed" if failing else "completed",
                "fail_reason": "scrape blocked" if failing else None,
                "created_at": time.time(),
                "seconds": ctx.settings.job_seconds,
                "rendered": False,
            }
            ctx.state.save(folder, existing)
    record = _observe_product(ctx, kind, existing)
    if ctx.flag("wait"):
        timeout_s, timeout_text = ctx.duration("timeout", ctx.value("wait_timeout") or "90s")
        interval_s, _ = ctx.duration("wait_interval", "2s")
        start = time.monotonic()
        while record["status"] not in ("completed", "failed"):
            elapsed = time.monotonic() - start
            if elapsed >= timeout_s:
                raise errors.timeout(timeout_text, str(record["status"]))
            left = float(record["created_at"]) + float(record.get("seconds", 0)) - time.time()
            time.sleep(max(0.005, min(interval_s, max(0.0, left) + 0.01, timeout_s - elapsed)))
            record = _observe_product(ctx, kind, ctx.state.load(folder, str(record["id"])) or record)
    view = _product_view(record, kind)
    if ctx.json:
        ctx.emit(view)
    else:
        ctx.line(f"{view['id']}  {view['status']}" + (f"  {view['fail_reason']}" if view["fail_reason"] else ""))
    return 0


def cmd_products_fetch(ctx: Ctx) -> int:
    return _fetch(ctx, "products")


def cmd_webproducts_fetch(ctx: Ctx) -> int:
    return _fetch(ctx, "webproducts")


def _list(ctx: Ctx, kind: str) -> int:
    ctx.no_positionals()
    records = sorted(ctx.state.load_all(f"marketing/{kind}"), key=lambda r: -float(r.get("created_at", 0)))
    offset = ctx.int_flag("offset", 0, 0, 1_000_000)
    limit = ctx.int_flag("limit", ctx.int_flag("size", 20, 1, 100), 1, 100)
    items = [_product_view(_observe_product(ctx, kind, r), kind) for r in records[offset : offset + limit]]
    if ctx.json:
        ctx.emit(items)
    else:
        for item in items:
            ctx.line(f"{item['id']}  {item['status']}  {item.get('title') or item.get('url')}")
    return 0


def cmd_products_list(ctx: Ctx) -> int:
    return _list(ctx, "products")


def cmd_webproducts_list(ctx: Ctx) -> int:
    return _list(ctx, "webproducts")


def cmd_products_create(ctx: Ctx) -> int:
    if not ctx.settings.products_create_ok:
        raise errors.method_not_allowed()
    ctx.no_positionals()
    title = ctx.required("title")
    medias: list[JsonDict] = []
    for raw in ctx.values("image"):
        upload = ctx.state.load("uploads", raw.strip().lower())
        if upload is None:
            path, kind = uploads.file_kind(raw)
            upload = uploads.create(ctx.state, ctx.settings, path, kind)
        medias.append({"url": upload["url"], "type": "image", "id": upload["id"]})
    record: JsonDict = {
        "id": new_id(),
        "url": None,
        "title": title,
        "description": ctx.value("description") or "",
        "medias": medias,
    }
    return _emit_created(ctx, record, "products")


def cmd_webproducts_create(ctx: Ctx) -> int:
    ctx.no_positionals()
    url = _check_url(ctx.required("url"))
    medias = [{"url": u, "type": "desktop"} for u in ctx.values("desktop")]
    medias += [{"url": u, "type": "mobile"} for u in ctx.values("mobile")]
    record: JsonDict = {
        "id": new_id(),
        "url": url,
        "title": ctx.value("title") or _title_from(url),
        "subtitle": ctx.value("subtitle"),
        "description": ctx.value("description"),
        "favicon_url": ctx.value("favicon_url"),
        "medias": medias,
    }
    return _emit_created(ctx, record, "webproducts")


def _emit_created(ctx: Ctx, fields: JsonDict, kind: str) -> int:
    """Save a product made by hand (complete at once, unlike a fetch) and print it."""
    record: JsonDict = {
        **fields,
        "outcome": "completed",
        "fail_reason": None,
        "created_at": time.time(),
        "seconds": 0.0,
        "rendered": True,
        "status_fixed": True,
        "status": "completed",
    }
    ctx.state.save(f"marketing/{kind}", record)
    view = _product_view(record, kind)
    if ctx.json:
        ctx.emit(view)
    else:
        ctx.line(view["id"])
    return 0


def find_product(state: State, ident: str, kind: str = "products") -> JsonDict | None:
    return state.load(f"marketing/{kind}", ident)


# ---------------------------------------------------------------------- hooks / settings
def _setup_items(state: State, settings: Settings, kind: str, with_images: bool) -> list[JsonDict]:
    source = HOOKS if kind == "hook" else SETTINGS_LIST
    items: list[JsonDict] = []
    for name, prompt in source:
        ident = _sid(kind, name)
        rel = f"marketing/{kind}s/{_slug(name)}.jpg"
        url = (
            _ensure_thumb(state, settings, rel, f"{kind.title()}: {name}", prompt)
            if with_images
            else settings.cdn_url(rel)
        )
        items.append(
            {
                "id": ident,
                "name": f"{name} (sandbox)",
                "prompt": prompt,
                "source": "preset",
                "type": kind,
                "media": {"thumbnail_url": url},
                "is_pinned": False,
                "status": "active",
            }
        )
    return items


def setup_item_exists(state: State, settings: Settings, kind: str, ident: str) -> bool:
    return any(item["id"] == ident for item in _setup_items(state, settings, kind, with_images=False))


def _cmd_setup_list(ctx: Ctx, kind: str) -> int:
    ctx.no_positionals()
    items = _setup_items(ctx.state, ctx.settings, kind, with_images=True)
    search = (ctx.value("search") or "").strip().lower()
    if search:
        items = [i for i in items if search in i["name"].lower() or search in i["prompt"].lower()]
    size = ctx.int_flag("size", 20, 1, 100)
    cursor_text = ctx.value("cursor") or "0"
    offset = int(cursor_text) if cursor_text.isdigit() else 0
    page = items[offset : offset + size]
    has_more = offset + size < len(items)
    out: dict[str, Any] = {"items": page, "cursor": str(offset + size) if has_more else None, "has_more": has_more}
    if ctx.json:
        ctx.emit(out)
    else:
        for item in page:
            ctx.line(f"{item['id']}  {item['name']}")
    return 0


def cmd_hooks_list(ctx: Ctx) -> int:
    return _cmd_setup_list(ctx, "hook")


def cmd_settings_list(ctx: Ctx) -> int:
    return _cmd_setup_list(ctx, "setting")
