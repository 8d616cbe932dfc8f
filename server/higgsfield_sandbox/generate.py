"""``generate create|cost|get|wait|list``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from . import account, catalogue, errors, jobs
from .context import Ctx
from .faults import Faults
from .state import JsonDict, new_id

if TYPE_CHECKING:
    from . import params

BAD_END = ("failed", "nsfw", "ip_detected", "canceled")


def _model(ctx: Ctx) -> JsonDict:
    return catalogue.get(ctx.positional("job_type"))


def cost_of(request: params.Request) -> int:
    return catalogue.cost_per_job(request.model) * max(1, request.count)


def cmd_cost(ctx: Ctx) -> int:
    if ctx.args.positionals[:1] == ["workflow"]:
        from . import workflows

        return workflows.cmd_cost(ctx)
    from . import params

    model = _model(ctx)
    request = params.build(ctx, model)
    credits = cost_of(request)
    if ctx.json:
        ctx.emit({"credits": credits, "credits_exact": credits})
    else:
        ctx.line(f"{credits} credits")
    return 0


def create_jobs(ctx: Ctx, request: params.Request, faults: Faults) -> list[JsonDict]:
    """Charge, upload local media, and record the jobs (one file each). Returns the records."""
    from . import media

    model = request.model
    stuck = faults.stuck()
    per_job = catalogue.cost_per_job(model)
    batch = max(1, request.count)
    outputs_mode = ctx.settings.batch_mode == "outputs" and batch > 1
    n_jobs = 1 if outputs_mode else batch
    ids = [new_id() for _ in range(n_jobs)]
    job_cost = per_job * (batch if outputs_mode else 1)
    account.charge(ctx.state, ctx.settings, [(str(model["display_name"]), job_cost, i) for i in ids])
    try:
        medias = media.resolve(ctx.state, ctx.settings, request.assigned)
    except errors.SandboxError:
        for i in ids:
            account.refund(ctx.state, str(model["display_name"]), job_cost, i)
        raise
    job_params = dict(request.params)
    if "soul_id" in job_params:
        job_params["custom_reference_id"] = job_params.pop("soul_id")
    width, height = _dimensions(str(model["type"]), job_params)
    if width:
        job_params["width"], job_params["height"] = width, height
    if medias:
        job_params["medias"] = medias
    created_at = time.time()
    set_id = new_id()
    records = []
    for index, ident in enumerate(ids):
        record = jobs.new_record(
            ident=ident,
            model=model,
            params=job_params,
            created_at=created_at,
            seconds=ctx.settings.job_seconds,
            stuck=stuck,
            cost=job_cost,
            batch_index=index,
            batch_size=batch,
            outputs=batch if outputs_mode else 1,
            job_set_id=set_id,
        )
        ctx.state.save("jobs", record)
        records.append(record)
    for record in records:
        jobs.prerender(ctx.state, ctx.settings, record)
    return records


def _dimensions(kind: str, p: JsonDict) -> tuple[int, int]:
    from . import render

    if kind not in ("image", "video"):
        return 0, 0
    res = str(p.get("resolution") or p.get("quality") or "")
    aspect = p.get("aspect_ratio")
    aspect_text = aspect if isinstance(aspect, str) else None
    long_sides = {"1k": 1024, "1.5k": 1536, "2k": 2048, "4k": 4096}
    short_sides = {"480p": 480, "512": 512, "720p": 720, "768": 768, "1080p": 1080, "1080": 1080}
    if res in long_sides:
        return render.size_for(aspect_text, long_sides[res], video=kind == "video")
    short = short_sides.get(res, 720 if kind == "video" else 0)
    if short:
        w, h = render.size_for(aspect_text, 100_000, video=kind == "video")
        long = round(short * max(w, h) / min(w, h) / 2) * 2
        return (long, short) if w >= h else (short, long)
    return render.size_for(aspect_text, 1024, video=False)


def _report_outcome(ctx: Ctx, observed: list[tuple[JsonDict, str]]) -> None:
    bad = next((s for _, s in observed if s in BAD_END), None)
    if bad is not None:
        raise errors.usage(f'Job ended with status "{bad}"')


def _print_results(ctx: Ctx, observed: list[tuple[JsonDict, str]]) -> None:
    if ctx.json:
        return
    for job, status in observed:
        if status != "completed":
            continue
        if job["job_type"] == "brain_activity":
            from . import render

            report = render.virality_report(
                str(job["id"]), jobs.prompt_text(job["params"].get("prompt")) or str(job["job_type"])
            )
            ctx.line(f"Overall score: {report['overall_score']}/100")
            ctx.line(f"Peak hook: {report['peak_hook']['percent']}% at {report['peak_hook']['second']}s")
            ctx.line(f"Sustain: {report['sustain_percent']}%")
            ctx.line(f"Strongest region: {report['strongest_region']}")
            ctx.line("Risk: Default Mode is high, which can indicate mind-wandering. (sandbox placeholder)")
            ctx.line("")
            ctx.line(f"Open report: {report['report_url']}")
            continue
        for url in job.get("result_urls") or []:
            ctx.line(str(url))


def cmd_create(ctx: Ctx, faults: Faults) -> int:
    from . import params

    model = _model(ctx)
    request = params.build(ctx, model)
    records = create_jobs(ctx, request, faults)
    return answer_created(ctx, [str(r["id"]) for r in records], timeout_flag="wait_timeout", default_timeout="10m")


def answer_created(ctx: Ctx, ids: list[str], *, timeout_flag: str, default_timeout: str) -> int:
    """What a command that created jobs prints: their ids, or with --wait the finished jobs (shared by dtc-ads)."""
    if not ctx.flag("wait"):
        if ctx.json:
            ctx.emit(ids)
        else:
            for ident in ids:
                ctx.line(ident)
        return 0
    timeout_s, timeout_text = ctx.duration(timeout_flag, default_timeout)
    interval_s, _ = ctx.duration("wait_interval", "3s")
    observed = jobs.wait(ctx.state, ctx.settings, ids, timeout_s, timeout_text, interval_s)
    if ctx.json:
        ctx.emit([jobs.view(ctx.settings, j, s) for j, s in observed])
    _print_results(ctx, observed)
    _report_outcome(ctx, observed)
    return 0


def cmd_get(ctx: Ctx) -> int:
    job, status = jobs.observe(ctx.state, ctx.settings, jobs.load(ctx.state, ctx.positional("job_id").strip().lower()))
    if ctx.json:
        ctx.emit(jobs.view(ctx.settings, job, status))
    else:
        ctx.line(f"{job['id']}  {status}  {job.get('result_url') if status == 'completed' else '-'}")
    return 0


def cmd_wait(ctx: Ctx) -> int:
    ident = ctx.positional("job_id").strip().lower()
    jobs.load(ctx.state, ident)
    timeout_s, timeout_text = ctx.duration("timeout", ctx.value("wait_timeout") or "10m")
    interval_s, _ = ctx.duration("interval", ctx.value("wait_interval") or "3s")
    observed = jobs.wait(ctx.state, ctx.settings, [ident], timeout_s, timeout_text, interval_s)
    job, status = observed[0]
    if ctx.json:
        ctx.emit(jobs.view(ctx.settings, job, status))
    _print_results(ctx, observed)
    _report_outcome(ctx, observed)
    return 0


def cmd_list(ctx: Ctx) -> int:
    ctx.no_positionals()
    size = ctx.int_flag("size", 20, 1, 100)
    kinds = [k for k in ("image", "video", "audio", "text") if ctx.flag(k)]
    cursor_text = ctx.value("cursor")
    cursor: float | None = None
    if cursor_text:
        try:
            cursor = float(cursor_text)
        except ValueError as exc:
            raise errors.usage(f'invalid argument "{cursor_text}" for "--cursor" flag') from exc
    records = sorted(
        ctx.state.load_all("jobs"), key=lambda r: (-float(r.get("created_at", 0)), int(r.get("batch_index", 0)))
    )
    if kinds:
        records = [r for r in records if r.get("model_type") in kinds]
    if cursor is not None:
        records = [r for r in records if float(r.get("created_at", 0)) < cursor]
    items = [jobs.view(ctx.settings, *jobs.observe(ctx.state, ctx.settings, r)) for r in records[:size]]
    if ctx.json:
        ctx.emit(items)
    else:
        for item in items:
            ctx.line(f"{item['id']}  {item['status']}  {item[ctx.settings.model_key]}  {item['result_url'] or '-'}")
    return 0
