"""Domain results as MCP tool results: a short summary, previews and resource links.

The structured content carries every field for programs; the text block is what an
agent reads first, so it is short, has no ids or JSON, and always gives the result URL
(the skill's delivery rule). Images get a downscaled preview block every client can show,
videos a strip of their start, middle and end frames.
"""

from __future__ import annotations

import json
import mimetypes
import time
from pathlib import Path

import anyio
from mcp.types import CallToolResult, ContentBlock, ImageContent, ResourceLink, TextContent
from pydantic import BaseModel

from .config import Settings
from .domain.account import AccountReport
from .domain.generation.previews import cached_preview
from .domain.generation.production import JobView, Outcome
from .domain.generation.router import Pick

MEDIA_URI_PREFIX = "higgsfield://media/"
MAX_PREVIEWS = 6
"""Previews per result: enough for a batch, small enough for every client's message budget."""


def media_uri(settings: Settings, path: str) -> str | None:
    """The resource URI of a downloaded file, if it lies in the media folder."""
    try:
        relative = Path(path).resolve().relative_to(settings.media_dir.resolve())
    except ValueError:
        return None
    return MEDIA_URI_PREFIX + relative.as_posix()


def media_file(settings: Settings, relative: str) -> Path | None:
    """The file behind a media URI, refusing anything that escapes the media folder."""
    root = settings.media_dir.resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def summarize(outcome: Outcome) -> str:
    lines: list[str] = []
    finished = [j for j in outcome.jobs if j.state == "completed"]
    failed = [j for j in outcome.jobs if j.state not in ("completed", "pending")]
    pending = [j for j in outcome.jobs if j.state == "pending"]
    name = outcome.display_name or (outcome.jobs[0].display_name if outcome.jobs else None) or "Higgsfield"
    if finished:
        lines.append(f"Ready with {name}:" if outcome.display_name else "Ready:")
        for job in finished:
            for i, url in enumerate(job.urls):
                saved = f" (saved: {job.files[i]})" if i < len(job.files) else ""
                lines.append(f"- {url}{saved}")
            if job.note:
                lines.append(f"  note: {job.note}")
    for job in failed:
        lines.append(f"- {job.state.replace('_', ' ')}: {job.fail_reason or 'no reason given'}")
    if pending:
        lines.append(pending_text(pending))
    lines += outcome.unclear_notes
    if outcome.unclear_submissions and not outcome.unclear_notes:
        lines.append(
            f"{outcome.unclear_submissions} submission(s) had an unclear outcome: Higgsfield may have started them. "
            "They are being looked for and will never be re-sent; check `jobs` with action 'resume' before "
            "trying again."
        )
    if outcome.poll_problem:
        lines.append(f"Could not check on the jobs: {outcome.poll_problem}")
    if outcome.why:
        lines.append(f"Why {name}: {outcome.why}")
    return "\n".join(lines) or "No jobs."


def pending_text(pending: list[JobView]) -> str:
    """The jobs still running when the wait ended, and the exact call that collects them.

    Hosts cancel a tool call after about a minute, so a long job ends a call as pending;
    the agent keeps calling `jobs` wait (SKILL.md says so) and tells the user in a line.
    """
    call = json.dumps({"action": "wait", "job_ids": [j.job_id for j in pending]})
    return (
        f"Still generating: {len(pending)} job(s); they keep running on Higgsfield (nothing is lost or charged "
        f"twice). Next call: `jobs` with {call}. Repeat it until they are done, and tell the user briefly that "
        "it is still being made."
    )


async def content_for(outcome: Outcome, settings: Settings, *, previews: bool = True) -> list[ContentBlock]:
    """Summary text, then per saved file a preview (images, up to MAX_PREVIEWS) and a resource link."""
    blocks: list[ContentBlock] = [TextContent(type="text", text=summarize(outcome))]
    shown = 0
    for job in outcome.jobs:
        for path in job.files:
            blocks += await _file_blocks(job, path, settings, with_preview=previews and shown < MAX_PREVIEWS)
            shown += 1
    return blocks


def history_content(jobs: list[JobView], settings: Settings) -> list[ContentBlock]:
    """A past-jobs list: one line each, newest first, with links but no previews (cheap and short)."""
    if not jobs:
        return [TextContent(type="text", text="No jobs yet.")]
    lines = [f"{len(jobs)} job(s), newest first:"]
    blocks: list[ContentBlock] = []
    for job in jobs:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at)) if job.created_at else "?"
        what = (job.prompt or "").replace("\n", " ")
        what = what if len(what) <= 60 else what[:57] + "…"
        where = job.urls[0] if job.urls else job.fail_reason or job.status
        lines.append(f"- {when} {job.display_name or job.model}: {what!r} → {job.state}, {where}")
        for path in job.files:
            uri = media_uri(settings, path)
            if uri:
                blocks.append(_link(job, path, uri))
    return [TextContent(type="text", text="\n".join(lines)), *blocks]


async def _file_blocks(job: JobView, path: str, settings: Settings, *, with_preview: bool) -> list[ContentBlock]:
    blocks: list[ContentBlock] = []
    if with_preview and job.kind in (None, "image", "video", "other"):
        preview = await anyio.to_thread.run_sync(cached_preview, Path(path))
        if preview is not None:
            blocks.append(ImageContent(type="image", data=preview.base64, mime_type=preview.mime_type))
    uri = media_uri(settings, path)
    if uri:
        blocks.append(_link(job, path, uri))
    return blocks


def _link(job: JobView, path: str, uri: str) -> ResourceLink:
    return ResourceLink(
        type="resource_link",
        uri=uri,
        name=Path(path).name,
        title=f"{job.display_name or job.model or 'Result'} ({job.kind or 'file'})",
        mime_type=mimetypes.guess_type(path)[0] or "application/octet-stream",
    )


def account_text(report: AccountReport) -> str:
    """The account check in words: the summary, then any other problem with its fix (the JSON is structured content)."""
    lines = [report.summary]
    shown = report.summary
    for problem in report.problems:
        if problem.message.rstrip(".") not in shown:
            lines.append(f"- {problem.message.rstrip('.')}. Fix: {problem.remedy}")
    return "\n".join(lines)


def pick_text(pick: Pick) -> str:
    """A model pick as an agent passes it on: the model and why, the other choices, what to set and write."""
    if pick.tool:
        head = f"Use `{pick.tool}` for this" + (f": {pick.tool_hint}" if pick.tool_hint else ".")
        lines = [head, f"(As a plain generation: {pick.display_name} — {pick.why})"]
    else:
        lines = [f"{pick.display_name} (model {pick.model!r}, {pick.kind}): {pick.why}"]
    if pick.unsure:
        lines.append(f"Not sure: ask the user first: {pick.unsure.question}")
        lines += [f"  - {opt.display_name} ({opt.model!r}): {opt.when}" for opt in pick.unsure.options]
    lines += [f"- or {alt.display_name} ({alt.model!r}): {alt.when}" for alt in pick.alternatives]
    if pick.params:
        lines.append("Set: " + ", ".join(f"{k}={v}" for k, v in pick.params.items()))
    if pick.checklist:
        lines.append("The prompt should name: " + "; ".join(pick.checklist))
    return "\n".join(lines)


def tool_result(model: BaseModel, content: list[ContentBlock]) -> CallToolResult:
    return CallToolResult(content=content, structured_content=model.model_dump(mode="json"))
