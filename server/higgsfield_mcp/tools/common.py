"""What every tool module shares: the server's services and the error and progress plumbing."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from ..adapters.cli.client import HiggsfieldCLI
from ..adapters.cli.errors import JOB_ERRORS, HiggsfieldError, JobFailed
from ..config import Settings
from ..domain.generation.production import JobView, Production, Progress


def hints(*, read_only: bool, destructive: bool = True, idempotent: bool = False) -> ToolAnnotations:
    """A tool's annotations with only what differs from the spec's defaults, plus `destructiveHint` always.

    Absent hints mean the defaults (not read-only, destructive, not idempotent, open world),
    and every byte of `tools/list` is read on every turn; whether a tool can destroy is kept
    explicit because hosts ask before running one that can. Only read-only tools are closed
    world here (the rest all call Higgsfield).
    """
    if read_only:
        return ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False)
    return ToolAnnotations(destructiveHint=destructive, idempotentHint=True if idempotent else None)


@dataclass(frozen=True)
class Services:
    """The long-lived objects of one server, built once in `create_server`."""

    settings: Settings
    cli: HiggsfieldCLI
    production: Production
    completers: dict[tuple[str, str, str], Callable[[str], list[str]]] = field(default_factory=dict)
    """(`prompt`|`resource`, prompt name or URI template, argument) → values for a typed prefix.

    MCP allows one completion handler per server; each tool module adds its completers here
    and `tools/skill.py` installs the one handler that dispatches to them."""


LONG_RUN = re.compile(r"\S{201,}")
"""An unbroken run this long in an error is an echoed value (a pasted file, a runaway param), not words."""


def fail(exc: HiggsfieldError) -> ToolError:
    """A domain error as the tool error the client shows: what happened, then what to do.

    Values echoed back are clipped: a 200 KB `aspect_ratio` must not become a 200 KB error
    the agent pays to read on every later turn.
    """
    text = f"{exc.message.rstrip('.')}. {exc.remedy}"
    return ToolError(LONG_RUN.sub(lambda m: f"{m.group()[:60]}… ({len(m.group()):,} characters)", text))


def raise_if_all_failed(jobs: Sequence[JobView], what: str = "generation") -> None:
    """Every job ended without a result: an error the user must act on, with the job error's own remedy."""
    if not jobs or any(j.state in ("completed", "pending") for j in jobs):
        return
    job = jobs[0]
    reason = f" ({job.fail_reason})" if job.fail_reason else ""
    error = JOB_ERRORS.get(job.state, JobFailed)
    raise fail(error(f"The {what} ended as {job.state.replace('_', ' ')}{reason}", job_id=job.job_id))


def progress_to(ctx: Context) -> Progress:
    """Forward domain progress as MCP progress notifications (a no-op when the caller asked for none)."""

    async def report(progress: float, total: float | None, message: str) -> None:
        await ctx.report_progress(progress, total, message)

    return report
