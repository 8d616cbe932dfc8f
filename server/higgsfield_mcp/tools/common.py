"""What every tool module shares: the server's services and the error and progress plumbing."""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from ..adapters.cli.client import HiggsfieldCLI
from ..adapters.cli.errors import HiggsfieldError
from ..config import Settings
from ..domain.production import Production, Progress


@dataclass(frozen=True)
class Services:
    """The long-lived objects of one server, built once in `create_server`."""

    settings: Settings
    cli: HiggsfieldCLI
    production: Production


def fail(exc: HiggsfieldError) -> ToolError:
    """A domain error as the tool error the client shows: what happened, then what to do."""
    return ToolError(f"{exc.message.rstrip('.')}. {exc.remedy}")


def progress_to(ctx: Context) -> Progress:
    """Forward domain progress as MCP progress notifications (a no-op when the caller asked for none)."""

    async def report(progress: float, total: float | None, message: str) -> None:
        await ctx.report_progress(progress, total, message)

    return report
