"""Generation jobs: records, derived status, rendering while they run, job objects, waiting.

A job's status is derived from the time elapsed since ``created_at`` and the latency it was
created with (``HIGGSFIELD_SANDBOX_JOB_SECONDS`` at creation): ``queued`` for the first fifth,
then ``in_progress``, then its terminal outcome (``completed`` unless the prompt carries a
``[sandbox:<status>]`` marker). A job created under the ``stuck_waiting`` fault reports
``waiting`` forever. A job's files are rendered by the process that creates it, under the
job's own lock, while it "runs" (the real service also works during the latency); they are
published, and their URLs shown, only once the job reads as completed.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from . import errors
from .catalogue import param_name
from .config import Settings
from .state import JsonDict, State, phase

TERMINAL = frozenset({"completed", "failed", "nsfw", "ip_detected", "canceled"})
MARKERS = {
    "[sandbox:nsfw]": "nsfw",
    "[sandbox:ip_detected]": "ip_detected",
    "[sandbox:failed]": "failed",
    "[sandbox:canceled]": "canceled",
}
FAIL_REASON = "Generation failed (higgsfield-sandbox: prompt marker [sandbox:failed])"


def prompt_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def outcome_for(prompt: Any) -> str:
    text = prompt_text(prompt)
    for marker, status in MARKERS.items():
        if marker in text:
            return status
    return "completed"


def new_record(
    *,
    ident: str,
    model: JsonDict,
    params: JsonDict,
    created_at: float,
    seconds: float,
    stuck: bool,
    cost: float,
    batch_index: int,
    batch_size: int,
    outputs: int,
    job_set_id: str,
) -> JsonDict:
    outcome = outcome_for(params.get("prompt"))
    return {
        "id": ident,
        "job_type": model["job_type"],
        "display_name": model["display_name"],
        "model_type": model["type"],
        "created_at": created_at,
        "seconds": seconds,
        "params": params,
        "outcome": outcome,
        "fail_reason": FAIL_REASON if outcome == "failed" else None,
        "stuck": stuck,
        "cost": cost,
        "batch_index": batch_index,
        "batch_size": batch_size,
        "outputs": outputs,
        "job_set_id": job_set_id,
        "rendered": False,
        "result_url": None,
        "min_result_url": None,
        "result_urls": [],
    }


def status_of(job: JsonDict, now: float | None = None) -> str:
    if job.get("stuck"):
        return "waiting"
    step = phase(float(job["created_at"]), float(job.get("seconds", 0.0)), now)
    return str(job["outcome"]) if step == "done" else step


def load(state: State, ident: str) -> JsonDict:
    job = state.load("jobs", ident)
    if job is None:
        raise errors.not_found("job", ident)
    return job


def observe(state: State, settings: Settings, job: JsonDict) -> tuple[JsonDict, str]:
    """The job and its status now; its files are published (rendered if not yet) on completion."""
    status = status_of(job)
    if status == "completed" and (not job.get("rendered") or not job.get("completed_at")):
        with state.lock(f"job-{job['id']}"):
            fresh = state.load("jobs", str(job["id"])) or job
            if not fresh.get("rendered"):
                fresh.update(_render_outputs(state, settings, fresh))
                fresh["rendered"] = True
            if not fresh.get("completed_at"):
                fresh["completed_at"] = time.time()
                state.save("jobs", fresh)
            job = fresh
    return job, status


def prerender(state: State, settings: Settings, job: JsonDict) -> None:
    """Make a job's files while it "runs", as the real service does, so the poll that sees it
    complete returns at once instead of paying for Pillow; `view` still hides them until then."""
    if job.get("outcome") != "completed" or job.get("stuck") or job.get("rendered"):
        return
    with state.lock(f"job-{job['id']}"):
        fresh = state.load("jobs", str(job["id"])) or job
        if not fresh.get("rendered"):
            fresh.update(_render_outputs(state, settings, fresh))
            fresh["rendered"] = True
            state.save("jobs", fresh)


def _render_outputs(state: State, settings: Settings, job: JsonDict) -> JsonDict:
    from . import render

    params: JsonDict = job.get("params", {})
    text = prompt_text(params.get("prompt"))
    kind = job.get("model_type", "image")
    stamp = time.strftime("%Y%m%d_%H%M%S", time.gmtime(float(job["created_at"])))
    base = f"user_sandbox/hf_{stamp}_{job['id']}"
    count = max(1, int(job.get("outputs", 1)))
    batch_size = max(count, int(job.get("batch_size", 1)))
    aspect = params.get("aspect_ratio") or job.get("render_aspect")  # workflows keep their source's shape
    aspect = aspect if isinstance(aspect, str) else None
    urls: list[str] = []
    previews: list[str] = []
    for i in range(count):
        suffix = "" if count == 1 else f"_{i + 1}"
        index = int(job.get("batch_index", 0)) + i
        heading = f"{index + 1}/{batch_size}" if batch_size > 1 else ""
        subtitle = f"{job['display_name']} ({job['job_type']})"
        footer = f"placeholder, not a real generation - job {str(job['id'])[:8]}"
        seed = text or str(job["job_type"])
        if kind == "video" and job["job_type"] == "brain_activity":
            report = render.virality_report(str(job["id"]), seed)
            urls.append(_put(state, settings, f"{base}{suffix}.json", json.dumps(report, indent=2).encode()))
            continue
        if kind == "video":
            width, height = render.size_for(aspect, 640, video=True)
            poster = render.placeholder(
                width=width,
                height=height,
                heading=heading or "VIDEO",
                subtitle=subtitle,
                body=text or "(no prompt)",
                footer=footer,
                seed_text=seed,
                shift=index * 0.09,
            )
            clip = render.video_clip(poster, _clip_seconds(params.get("duration")))
            urls.append(_put(state, settings, f"{base}{suffix}.mp4", clip))
            previews.append(_put(state, settings, f"{base}{suffix}_poster.jpg", render.encode(poster, "JPEG")))
            continue
        if kind == "audio":
            urls.append(_put(state, settings, f"{base}{suffix}.wav", render.wav_tone(seed + str(index))))
            continue
        if kind == "3d":
            urls.append(_put(state, settings, f"{base}{suffix}.glb", render.glb_triangle()))
            _, jpg = render.image_pair(
                aspect_ratio="1:1",
                heading="3D",
                subtitle=subtitle,
                body=text or "(multi-image to 3D)",
                footer=footer,
                seed_text=seed,
                long_side=512,
            )
            previews.append(_put(state, settings, f"{base}{suffix}_min.jpg", jpg))
            continue
        png, jpg = render.image_pair(
            aspect_ratio=aspect,
            heading=heading,
            subtitle=subtitle,
            body=text or "(no prompt)",
            footer=footer,
            seed_text=seed,
            shift=index * 0.09,
        )
        urls.append(_put(state, settings, f"{base}{suffix}.png", png))
        previews.append(_put(state, settings, f"{base}{suffix}_min.jpg", jpg))
    return {
        "result_url": urls[0] if urls else None,
        "min_result_url": previews[0] if previews else None,
        "result_urls": urls,
        "min_result_urls": previews,
    }


def _put(state: State, settings: Settings, rel: str, data: bytes) -> str:
    state.write_bytes(rel, data)
    return settings.cdn_url(rel)


def view(settings: Settings, job: JsonDict, status: str) -> JsonDict:
    """The job object of contract §5.6 (``job_set_type`` instead of ``job_type`` on 0.x)."""
    params = {param_name(k, settings.legacy): v for k, v in job.get("params", {}).items()}
    done = status == "completed"
    obj: JsonDict = {
        "id": job["id"],
        "status": status,
        "display_name": job["display_name"],
        settings.model_key: job["job_type"],
        "result_url": job.get("result_url") if done else None,
        "min_result_url": job.get("min_result_url") if done else None,
        "created_at": job["created_at"],
        "params": params,
    }
    if done:
        obj["result_urls"] = list(job.get("result_urls") or [])
    if status == "failed":
        obj["fail_reason"] = job.get("fail_reason") or "Generation failed"
    return obj


def wait(
    state: State,
    settings: Settings,
    ids: list[str],
    timeout_s: float,
    timeout_text: str,
    interval_s: float,
) -> list[tuple[JsonDict, str]]:
    """Poll our own state until every job is terminal, or raise ``Timeout after <D>; last status``."""
    start = time.monotonic()
    while True:
        observed = [observe(state, settings, load(state, i)) for i in ids]
        pending = [(j, s) for j, s in observed if s not in TERMINAL]
        if not pending:
            return observed
        elapsed = time.monotonic() - start
        if elapsed >= timeout_s:
            raise errors.timeout(timeout_text, pending[0][1])
        now = time.time()
        changes = [float(j["created_at"]) + float(j.get("seconds", 0)) - now for j, _ in pending if not j.get("stuck")]
        next_change = max(0.0, min(changes)) + 0.01 if changes else math.inf
        time.sleep(max(0.005, min(interval_s, next_change, timeout_s - elapsed)))


def _clip_seconds(duration: object) -> float:
    """The clip length a video job asked for (its `duration`, defaults included), within what any model allows."""
    try:
        seconds = float(str(duration))
    except ValueError:
        seconds = 5.0
    return min(max(seconds, 1.0), 30.0) if math.isfinite(seconds) else 5.0
