"""The MCP surface: tools, resources and prompts wired to the domain.

Thin on purpose: each tool parses its input, calls one domain function and shapes the
result. No subprocesses, SQL or file layout here; those live in `adapters/` and
`domain/`. `create_server()` builds a fresh server for one configuration, so tests can run
many side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server import MCPServer
from mcp.types import ToolAnnotations

from . import __version__
from .adapters.cli.client import HiggsfieldCLI
from .config import Settings
from .domain.account import AccountReport, check_account

INSTRUCTIONS = """\
Runs Higgsfield image, video and ad generation through the user's own `higgsfield` CLI.
Start with `account` if anything fails. Read the `higgsfield://skill` resource for the
UX rules: be concise, never show raw ids or JSON, answer in the user's language, ask one
question at a time, and deliver each result's URL with a one-line summary."""


@dataclass(frozen=True)
class Services:
    """What every tool needs, built once per server."""

    settings: Settings
    cli: HiggsfieldCLI


def create_server(settings: Settings | None = None, *, cli: HiggsfieldCLI | None = None) -> MCPServer:
    settings = settings or Settings.from_env()
    services = Services(settings=settings, cli=cli or HiggsfieldCLI(settings.bin))
    server = MCPServer(
        name="higgsfield",
        title="Higgsfield",
        instructions=INSTRUCTIONS,
        version=__version__,
        website_url="https://github.com/higgsfield-mcp/higgsfield-mcp",
    )

    @server.tool(
        title="Higgsfield account",
        annotations=ToolAnnotations(readOnlyHint=True, openWorldHint=True, idempotentHint=True),
    )
    async def account() -> AccountReport:
        """Check that generation can work: the CLI, the login, the workspace, plan and credits.

        Call it first when anything fails. Every problem comes with the one thing the user
        has to do about it (e.g. run `higgsfield auth login` in a terminal).
        """
        return await check_account(services.cli, services.settings)

    return server
