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
from mcp.server.mcpserver import Context
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, CallToolResult, GetPromptResult, InputRequiredResult, TextContent
from mcp.types import Tool as MCPTool

from . import __version__
from .adapters.cli.client import HiggsfieldCLI
from .config import Settings
from .domain.generation.production import Production
from .tools import account, generation, library, marketing, postproduction, skill, storyboard
from .tools.common import Services
from .tools.edge import ERROR_LOG_NAME, HiggsfieldMCPServer
from .tools.gallery_app import gallery_app
from .tools.schemas import compact_schema

INSTRUCTIONS = """\
Runs Higgsfield image, video and ad generation through the user's own `higgsfield` CLI.
Start with `account` if anything fails. Read the `higgsfield://skill` resource for the
UX rules: be concise, never show raw ids or JSON, answer in the user's language, ask one
question at a time, and deliver each result's URL with a one-line summary."""


class HiggsfieldServer(HiggsfieldMCPServer):
    """MCPServer whose `tools/list` carries compact input schemas (`tools/schemas.py`): same rules, fewer bytes.

    `result_label`, when set (sandbox mode), ends every tool result so it cannot pass for a real one.
    """

    result_label: str | None = None

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        result = await super().call_tool(name, arguments, context)
        if self.result_label and isinstance(result, CallToolResult):
            result.content.append(TextContent(type="text", text=self.result_label))
        return result

    async def list_tools(self) -> list[MCPTool]:
        return [
            tool.model_copy(
                update={
                    "input_schema": compact_schema(tool.input_schema),
                    # a docstring's line breaks and indentation are bytes the model reads and gains nothing from
                    "description": " ".join((tool.description or "").split()) or None,
                }
            )
            for tool in await super().list_tools()
        ]

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[Any, Any] | None = None
    ) -> GetPromptResult | InputRequiredResult:
        """An unknown prompt or a missing argument is the caller's mistake: JSON-RPC -32602 with what to send.

        The SDK raises a plain ValueError for both, which reaches the client as code 0 or as
        -32603 "Internal server error" with a traceback on stderr, depending on the protocol era.
        """
        prompts = {p.name: p for p in await self.list_prompts()}
        prompt = prompts.get(name)
        if prompt is None:
            raise MCPError(INVALID_PARAMS, f"Unknown prompt {name!r}; the prompts are: {', '.join(sorted(prompts))}.")
        given = {k for k, v in (arguments or {}).items() if v is not None}
        missing = [a.name for a in prompt.arguments or [] if a.required and a.name not in given]
        if missing:
            raise MCPError(
                INVALID_PARAMS, f"Prompt {name!r} needs the argument(s) {', '.join(missing)}; call it again with them."
            )
        return await super().get_prompt(name, arguments, context)


def create_server(
    settings: Settings | None = None, *, cli: HiggsfieldCLI | None = None, result_label: str | None = None
) -> MCPServer:
    settings = settings or Settings.from_env()
    cli = cli or HiggsfieldCLI(settings.bin)
    services = Services(settings=settings, cli=cli, production=Production(settings, cli))

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[dict[str, Any]]:
        async with services.production.running():
            yield {}

    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one INFO line per download is noise on stderr
    server = HiggsfieldServer(
        name="higgsfield",
        title="Higgsfield",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        extensions=[gallery_app(services)],  # MCP Apps: the moodboard / character gallery view
    )
    server.result_label = result_label

    server.error_log = settings.home / "logs" / ERROR_LOG_NAME
    account.register(server, services)
    generation.register(server, services)
    library.register(server, services)
    marketing.register(server, services)
    storyboard.register(server, services)
    postproduction.register(server, services)
    skill.register(server, services)  # last: installs the one completion handler for every module's completers
    return server
