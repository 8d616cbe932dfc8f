"""Soul ids: ``soul-id create|get|wait|list``.

Training needs a paid plan (``HIGGSFIELD_SANDBOX_PLAN`` ≠ ``free``, else ``Minimum Basic plan
required``, exit 3) and 1–20 images (more is refused at once). With fewer than 5 images the
training is accepted and later fails with the contract's DatasetErrors ``fail_reason``; the
credits are refunded when the failure is first observed. Training takes
``HIGGSFIELD_SANDBOX_SOUL_SECONDS`` (default: the job latency).
"""

from __future__ import annotations

import time

from . import account, errors, uploads
from .context import Ctx
from .state import JsonDict, State, new_id, phase

COSTS = {"soul_2": 20, "soul_cinematic": 30}
DISPLAY = {"soul_2": "Soul ID training (Soul 2.0)", "soul_cinematic": "Soul ID training (Soul Cinematic)"}
TERMINAL = frozenset({"completed", "failed"})


def status_of(soul: JsonDict) -> str:
    step = phase(float(soul["created_at"]), float(soul.get("seconds", 0.0)))
    return str(soul["outcome"]) if step == "done" else step


def view(soul: JsonDict, status: str) -> JsonDict:
    out: JsonDict = {
        "id": soul["id"],
        "name": soul["name"],
        "type": soul["type"],
        "status": status,
        "created_at": soul["created_at"],
    }
    if status == "failed":
        out["fail_reason"] = soul.get("fail_reason") or "Training failed"
    return out


def observe(state: State, soul: JsonDict) -> tuple[JsonDict, str]:
    status = status_of(soul)
    if status == "failed" and not soul.get("refunded"):
        with state.lock(f"soul-{soul['id']}"):
            fresh = state.load("souls", str(soul["id"])) or soul
            if not fresh.get("refunded"):
                account.refund(state, DISPLAY[str(fresh["type"])], float(fresh.get("cost", 0)), str(fresh["id"]))
                fresh["refunded"] = True
                state.save("souls", fresh)
            soul = fresh
    return soul, status


def _load(state: State, ident: str) -> JsonDict:
    soul = state.load("souls", ident.strip().lower())
    if soul is None:
        raise errors.not_found("soul id", ident)
    return soul


def cmd_create(ctx: Ctx) -> int:
    ctx.no_positionals()
    name = ctx.required("name")
    if ctx.flag("soul_2") and ctx.flag("soul_cinematic"):
        raise errors.usage("if any flags in the group [soul-2 soul-cinematic] are set none of the others can be")
    kind = "soul_cinematic" if ctx.flag("soul_cinematic") else "soul_2"
    images = ctx.values("image")
    if not images:
        raise errors.usage('required flag(s) "image" not set')
    if len(images) > 20:
        raise errors.usage(f"Too many images: {len(images)} (max 20)")
    checked: list[tuple[JsonDict | None, str]] = []
    for raw in images:
        upload = ctx.state.load("uploads", raw.strip().lower())
        if upload is not None:
            if upload.get("type") != "image":
                raise errors.usage("Upload type mismatch (must be image uploads, not video)")
            checked.append((upload, raw))
            continue
        _, file_kind = uploads.file_kind(raw)
        if file_kind != "image":
            raise errors.usage("Upload type mismatch (must be image uploads, not video)")
        checked.append((None, raw))
    if ctx.settings.plan == "free":
        raise errors.basic_plan_required()
    ident = new_id()
    cost = COSTS[kind]
    account.charge(ctx.state, ctx.settings, [(DISPLAY[kind], cost, ident)])
    input_images = []
    for upload, raw in checked:
        if upload is None:
            upload = uploads.create(ctx.state, ctx.settings, uploads.check_file(raw), "image")
        input_images.append({"id": upload["id"], "type": "media_input"})
    failing = len(images) < 5 or "[sandbox:failed]" in name
    soul: JsonDict = {
        "id": ident,
        "name": name,
        "type": kind,
        "created_at": time.time(),
        "seconds": ctx.settings.soul_seconds,
        "outcome": "failed" if failing else "completed",
        "fail_reason": (
            f"Too many DatasetErrors encountered during preprocessing: {len(images)}/{len(images)}" if failing else None
        ),
        "input_images": input_images,
        "cost": cost,
        "refunded": False,
    }
    ctx.state.save("souls", soul)
    soul, status = observe(ctx.state, soul)
    if ctx.json:
        ctx.emit(view(soul, status))
    else:
        ctx.line(ident)
    return 0


def cmd_get(ctx: Ctx) -> int:
    soul, status = observe(ctx.state, _load(ctx.state, ctx.positional("soul_id")))
    if ctx.json:
        ctx.emit(view(soul, status))
    else:
        ctx.line(f"{soul['id']}  {soul['name']}  {soul['type']}  {status}")
    return 0


def cmd_wait(ctx: Ctx) -> int:
    soul = _load(ctx.state, ctx.positional("soul_id"))
    timeout_s, timeout_text = ctx.duration("timeout", ctx.value("wait_timeout") or "30m")
    interval_s, _ = ctx.duration("interval", ctx.value("wait_interval") or "10s")
    start = time.monotonic()
    while True:
        soul, status = observe(ctx.state, _load(ctx.state, str(soul["id"])))
        if status in TERMINAL:
            break
        elapsed = time.monotonic() - start
        if elapsed >= timeout_s:
            raise errors.timeout(timeout_text, status)
        left = float(soul["created_at"]) + float(soul.get("seconds", 0)) - time.time()
        time.sleep(max(0.005, min(interval_s, max(0.0, left) + 0.01, timeout_s - elapsed)))
    if ctx.json:
        ctx.emit(view(soul, status))
    else:
        ctx.line(f"{soul['id']}  {status}")
    if status == "failed":
        raise errors.usage("Training failed")
    return 0


def cmd_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    souls = sorted(ctx.state.load_all("souls"), key=lambda s: -float(s.get("created_at", 0)))
    kind_filter = ctx.value("type")
    status_filter = ctx.value("status")
    items: list[JsonDict] = []
    for soul in souls:
        soul, status = observe(ctx.state, soul)
        if kind_filter and soul["type"] != kind_filter:
            continue
        if status_filter and status != status_filter:
            continue
        items.append(view(soul, status))
    items = items[: ctx.int_flag("size", 20, 1, 100)]
    if ctx.json:
        ctx.emit(items)
    else:
        for item in items:
            ctx.line(f"{item['id']}  {item['name']}  {item['type']}  {item['status']}")
    return 0
