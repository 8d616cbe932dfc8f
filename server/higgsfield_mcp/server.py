"""The MCP surface: tools, resources and prompts wired to the domain.

Thin on purpose: each tool parses its input, calls one domain function and shapes the
result. No subprocesses, SQL or file layout here; those live in `adapters/` and
`domain/`. Each area's tools live in a module of `tools/` with a `register()`; this module
assembles them. `create_server()` builds a fresh server for one configuration, so tests can
run many side by side.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server import MCPServer
from mcp.types import ToolAnnotations

from . import __version__
from .adapters.cli.client import HiggsfieldCLI
from .config import Settings
from .domain.account import AccountReport, check_account
from .domain.generation.production import Production
from .tools import generation, library, marketing, skill
from .tools.common import Services
from .tools.edge import ERROR_LOG_NAME, HiggsfieldMCPServer
from .tools.gallery_app import gallery_app

INSTRUCTIONS = """\
Runs Higgsfield image, video and ad generation through the user's own `higgsfield` CLI.
Start with `account` if anything fails. Read the `higgsfield://skill` resource for the
UX rules: be concise, never show raw ids or JSON, answer in the user's language, ask one
question at a time, and deliver each result's URL with a one-line summary."""


def create_server(settings: Settings | None = None, *, cli: HiggsfieldCLI | None = None) -> MCPServer:
    settings = settings or Settings.from_env()
    cli = cli or HiggsfieldCLI(settings.bin)
    services = Services(settings=settings, cli=cli, production=Production(settings, cli))

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[dict[str, Any]]:
        async with services.production.running():
            yield {}

    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per download is noise on stderr
    server = HiggsfieldMCPServer(
        name="higgsfield",
        title="Higgsfield",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        extensions=[gallery_app(services)],  # MCP Apps: the moodboard / character gallery view
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

    server.error_log = settings.home / "logs" / ERROR_LOG_NAME
    generation.register(server, services)
    library.register(server, services)
    marketing.register(server, services)
    skill.register(server, services)  # last: installs the one completion handler for every module's completers
    return server
