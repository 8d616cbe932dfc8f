"""MCP tool `account`: can generation work, and which workspace pays.

The report comes from `domain.account`; this layer adds the one thing only it can do, ask
the user. With several workspaces and none selected, a client that supports elicitation is
asked once which one bills (every name in the one question); any other client gets the
report with that question for the agent to ask. A single workspace is selected without a
question, and a workspace named in the call is selected at once.

No `from __future__ import annotations` here: the resolver is a closure over the services,
so the tool's annotations must be evaluated where it is defined.
"""

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from ..adapters.cli.errors import HiggsfieldError
from ..domain.account import AccountReport, check_account, settle_workspace
from ..views import account_text, tool_result
from .common import Services, fail, hints


class WorkspacePick(BaseModel):
    """The user's answer to "which workspace pays?"."""

    workspace: str = Field(description="The workspace's name, as listed in the question.")


def register(server: MCPServer, services: Services) -> None:
    async def ask_workspace(ctx: Context, workspace: str | None) -> WorkspacePick | Elicit[WorkspacePick]:
        """Ask only when several workspaces exist, none is selected, none was named and the client can ask."""
        nothing = WorkspacePick(workspace="")
        capabilities = ctx.client_capabilities
        if workspace or capabilities is None or capabilities.elicitation is None:
            return nothing
        try:
            spaces = await services.cli.workspaces()
        except HiggsfieldError:
            return nothing  # the report names the problem
        if len(spaces) < 2 or any(s.is_selected for s in spaces):
            return nothing
        names = ", ".join(s.name or "Private" for s in spaces)
        return Elicit(f"Which workspace should pay for generations: {names}?", WorkspacePick)

    @server.tool(
        title="Higgsfield account",
        annotations=hints(read_only=False, destructive=False, idempotent=True),
        structured_output=False,
    )
    async def account(
        ctx: Context,
        asked: Annotated[ElicitationResult[WorkspacePick], Resolve(ask_workspace)],
        workspace: Annotated[str | None, Field(description="Select the billing workspace by name or id.")] = None,
    ) -> Annotated[CallToolResult, AccountReport]:
        """Check the CLI, login, workspace, plan and credits; call it first when anything fails.
        Each problem comes with what the user must do. `workspace` selects the billing workspace."""
        wanted = workspace
        if not wanted and isinstance(asked, AcceptedElicitation):
            wanted = asked.data.workspace
        note = None
        try:
            note = await settle_workspace(services.cli, wanted)
        except HiggsfieldError as exc:
            if wanted:  # a workspace named that does not exist: say so with the names
                raise fail(exc) from exc
        report = await check_account(services.cli, services.settings)
        if note:
            report.summary = f"{note} {report.summary}"
        return tool_result(report, [TextContent(type="text", text=account_text(report))])
