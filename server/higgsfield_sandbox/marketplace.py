"""``marketplace-cards create``: a marketplace listing set as ``nano_banana_2`` jobs (contract §5.12).

``--scope main|product-images|aplus|full-set`` or repeated ``--asset <name>`` picks the
assets; each becomes one job whose ``params`` carry the user's prompt verbatim (so a lost
answer can be found again in ``generate list``), the ``asset`` name and the backend's
"enhanced" prompt. ``--main-job <completed image job>`` reuses a main image instead of
making a new one. The whole set is paid for up front or not at all. ``--json`` prints the
jobs (queued); with ``--wait`` the finished jobs.
"""

from __future__ import annotations

from . import catalogue, errors, jobs, media
from .brand_ads import balance_covers
from .context import Ctx
from .faults import Faults
from .generate import create_jobs
from .params import Request
from .state import JsonDict

MAIN = "main_image"
SECONDARY = ("infographic", "multi_angle", "detail_shot", "lifestyle", "whats_in_box")
APLUS = (
    "aplus_hero_banner",
    "aplus_pain_points",
    "aplus_features",
    "aplus_ingredients",
    "aplus_efficacy",
    "aplus_how_to_use",
    "aplus_endorsement",
)
ASSETS = (MAIN, *SECONDARY, *APLUS)
SCOPES: dict[str, tuple[str, ...]] = {
    "main": (MAIN,),
    "product-images": (MAIN, *SECONDARY),
    "aplus": (MAIN, *APLUS),
    "full-set": (MAIN, *SECONDARY, *APLUS),
}
MODEL = "nano_banana_2"
CONTEXT_FLAGS = ("product_context", "brand_context", "category", "visual_style")


def _assets(ctx: Ctx) -> list[str]:
    scope = ctx.value("scope")
    named = ctx.values("asset")
    if scope and named:
        raise errors.usage("--scope and --asset cannot be used together")
    if not scope and not named:
        raise errors.usage("one of --scope or --asset is required")
    if scope:
        if scope not in SCOPES:
            raise errors.usage(f"Invalid values: scope={scope} (allowed: {', '.join(SCOPES)})")
        return list(SCOPES[scope])
    unknown = [a for a in named if a not in ASSETS]
    if unknown:
        raise errors.usage(f"Invalid values: asset={unknown[0]} (allowed: {', '.join(ASSETS)})")
    return list(dict.fromkeys(named))


def cmd_create(ctx: Ctx, faults: Faults) -> int:
    ctx.no_positionals()
    assets = _assets(ctx)
    prompt = ctx.value("prompt")
    if not prompt:
        raise errors.usage("Flag --prompt is required")
    main_job = ctx.value("main_job")
    if main_job:
        job, status = jobs.observe(ctx.state, ctx.settings, jobs.load(ctx.state, main_job.strip().lower()))
        if status != "completed" or job.get("model_type") != "image":
            raise errors.usage(f'--main-job must be a completed image job (got "{job["job_type"]}", "{status}")')
        assets = [a for a in assets if a != MAIN]
        if not assets:
            raise errors.usage("--main-job already is the main image: ask for secondary or A+ assets")
    model = catalogue.get(MODEL)
    assigned = media.assign(ctx.state, ctx.settings, model, {"image": ctx.values("image")})
    context = {name: ctx.value(name) for name in CONTEXT_FLAGS if ctx.value(name)}
    balance_covers(ctx, catalogue.cost_per_job(model) * len(assets))
    records: list[JsonDict] = []
    for asset in assets:
        aspect = "16:9" if asset.startswith("aplus_") else "1:1"
        params: JsonDict = {
            "prompt": prompt,
            "asset": asset,
            "aspect_ratio": aspect,
            "resolution": "2k",
            "enhanced_prompt": f"[higgsfield-sandbox listing enhancer] {asset.replace('_', ' ')}: {prompt}",
            **context,
        }
        if main_job:
            params["main_job_id"] = main_job.strip().lower()
        records += create_jobs(ctx, Request(model=model, params=params, assigned=assigned, count=1), faults)
    ids = [str(r["id"]) for r in records]
    if ctx.flag("wait"):
        timeout_s, timeout_text = ctx.duration("wait_timeout", "10m")
        interval_s, _ = ctx.duration("wait_interval", "3s")
        observed = jobs.wait(ctx.state, ctx.settings, ids, timeout_s, timeout_text, interval_s)
    else:
        observed = [jobs.observe(ctx.state, ctx.settings, r) for r in records]
    if ctx.json:
        ctx.emit([jobs.view(ctx.settings, j, s) for j, s in observed])
    else:
        for job, _ in observed:
            ctx.line(f"{job['params']['asset']}  {job['id']}")
    bad = next((s for _, s in observed if s in ("failed", "nsfw", "ip_detected", "canceled")), None)
    if ctx.flag("wait") and bad is not None:
        raise errors.usage(f'Job ended with status "{bad}"')
    return 0
