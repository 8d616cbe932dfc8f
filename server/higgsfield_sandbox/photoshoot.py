"""``product-photoshoot create``: a stand-in for the backend prompt enhancer.

It submits ``--count`` ``gpt_image_2`` jobs (resolution 2k) with an "enhanced" prompt that
keeps the user's text, waits for them internally (``--wait-timeout``, default 10m) and prints
one image URL per line; with ``--json`` it prints the array of job objects.
"""

from __future__ import annotations

from . import catalogue, errors, jobs, media, params
from .context import Ctx
from .faults import Faults
from .generate import create_jobs

MODES: dict[str, str] = {
    "product_shot": "1:1",
    "lifestyle_scene": "4:5",
    "closeup_product_with_person": "4:5",
    "moodboard_pin": "2:3",
    "hero_banner": "16:9",
    "social_carousel": "4:5",
    "ad_creative_pack": "1:1",
    "virtual_model_tryout": "3:4",
    "conceptual_product": "1:1",
    "restyle": "1:1",
}
ASPECTS = ("1:1", "4:5", "5:4", "3:4", "4:3", "2:3", "3:2", "9:16", "16:9")
MODEL = "gpt_image_2"


def cmd_create(ctx: Ctx, faults: Faults) -> int:
    ctx.no_positionals()
    mode = ctx.required("mode")
    prompt = ctx.value("prompt")
    if prompt is None and ctx.stdin_text:
        prompt = ctx.stdin_text.strip()
    if not prompt:
        raise errors.usage('required flag(s) "prompt" not set')
    invalid = []
    if mode not in MODES:
        invalid.append(f"mode={mode} (allowed: {', '.join(MODES)})")
    aspect = ctx.value("aspect_ratio") or MODES.get(mode, "1:1")
    if aspect not in ASPECTS:
        invalid.append(f"aspect_ratio={aspect} (allowed: {', '.join(ASPECTS)})")
    count_text = ctx.value("count") or "1"
    count = int(count_text) if count_text.isdigit() else 0
    if not 1 <= count <= 10:
        invalid.append(f"count={count_text} (allowed: 1..10)")
    if invalid:
        raise errors.usage(f"Invalid values: {'; '.join(invalid)}")
    model = catalogue.get(MODEL)
    assigned = media.assign(ctx.state, ctx.settings, model, {"image": ctx.values("image")})
    enhanced = (
        f"{prompt}\n\n[higgsfield-sandbox photoshoot enhancer] mode={mode}; studio-grade product photography, "
        f"one consistent visual system across {count} frame(s)."
    )
    request = params.Request(
        model=model,
        params={
            "prompt": enhanced,
            "aspect_ratio": aspect,
            "resolution": "2k",
            "quality": "high",
            "background": "auto",
            "batch_size": count,
            "is_inpaint": False,
        },
        assigned=assigned,
        count=count,
    )
    records = create_jobs(ctx, request, faults)
    timeout_s, timeout_text = ctx.duration("wait_timeout", "10m")
    interval_s, _ = ctx.duration("wait_interval", "3s")
    observed = jobs.wait(ctx.state, ctx.settings, [str(r["id"]) for r in records], timeout_s, timeout_text, interval_s)
    if ctx.json:
        ctx.emit([jobs.view(ctx.settings, j, s) for j, s in observed])
    else:
        for job, status in observed:
            if status == "completed":
                for url in job.get("result_urls") or []:
                    ctx.line(str(url))
    bad = next((s for _, s in observed if s != "completed"), None)
    if bad is not None:
        raise errors.usage(f'Job ended with status "{bad}"')
    return 0
