"""Can generation work right now, and if not, what should the user do?

One report feeds both the `account` tool and `higgsfield-mcp doctor`, so the agent and
the person at the terminal see the same diagnosis. Each step is tried even when an
earlier one failed where that still tells something (a broken workspace does not hide
the plan), and every problem carries its remedy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from ..adapters.cli.client import HiggsfieldCLI
from ..adapters.cli.errors import (
    CLINotInstalled,
    CLITimeout,
    HiggsfieldError,
    InvalidValues,
    NotAuthenticated,
    SessionExpired,
    WrongBinary,
)
from ..adapters.cli.models import Workspace
from ..config import Settings

AuthState = Literal["authenticated", "not_authenticated", "session_expired", "unknown"]


class Problem(BaseModel):
    code: str
    message: str
    remedy: str

    @classmethod
    def of(cls, error: HiggsfieldError) -> Problem:
        return cls(code=error.code, message=error.message, remedy=error.remedy)


class CLIInfo(BaseModel):
    found: bool = Field(description="A working Higgsfield CLI was found and identified.")
    path: str | None = None
    version: str | None = None
    sandbox: bool = Field(False, description="The offline sandbox stands in for the real CLI: nothing is spent.")


class WorkspaceInfo(BaseModel):
    id: str | None = None
    name: str | None = None
    plan: str | None = None
    credits: float | None = None
    role: str | None = None
    selected: bool = False

    @classmethod
    def of(cls, space: Workspace) -> WorkspaceInfo:
        return cls(
            id=space.id,
            name=space.name or "Private",
            plan=space.plan,
            credits=space.credits,
            role=space.role,
            selected=space.is_selected,
        )


class AccountReport(BaseModel):
    """Everything a user needs to know before generating, each problem with its fix."""

    ready: bool = Field(description="True when generation can work right now.")
    summary: str = Field(description="One or two sentences for the user.")
    cli: CLIInfo
    auth: AuthState
    email: str | None = None
    plan: str | None = None
    credits: float | None = None
    workspace: WorkspaceInfo | None = None
    workspaces: list[WorkspaceInfo] = Field(default_factory=list, description="Every workspace that can bill.")
    problems: list[Problem] = Field(default_factory=list)
    media_inputs: str = Field(default="", description="Which folders local media inputs may come from.")


async def check_account(cli: HiggsfieldCLI, settings: Settings) -> AccountReport:
    problems = [
        Problem(code="config", message=p, remedy="Fix the variable named and restart the server.")
        for p in settings.problems
    ]
    try:
        who = await cli.identity()
    except (CLINotInstalled, WrongBinary, CLITimeout) as exc:
        cli.forget_identity()  # look again next time: the user may install it meanwhile
        problems.insert(0, Problem.of(exc))
        return AccountReport(
            ready=False,
            summary=f"Not ready: {exc.message.rstrip('.')}. {exc.remedy}",
            cli=CLIInfo(found=False),
            auth="unknown",
            problems=problems,
            media_inputs=settings.roots_note,
        )
    info = CLIInfo(found=True, path=who.path, version=who.version, sandbox=who.is_sandbox)

    auth: AuthState = "unknown"
    account = None
    try:
        account = await cli.account_status()
        auth = "authenticated"
    except SessionExpired as exc:
        auth = "session_expired"
        problems.append(Problem.of(exc))
    except NotAuthenticated as exc:
        auth = "not_authenticated"
        problems.append(Problem.of(exc))
    except HiggsfieldError as exc:
        problems.append(Problem.of(exc))

    workspace = None
    listed: list[WorkspaceInfo] = []
    if auth not in ("not_authenticated", "session_expired"):
        try:
            spaces = await cli.workspaces()
            chosen = next((w for w in spaces if w.is_selected), None)
            if chosen is not None:
                workspace = WorkspaceInfo.of(chosen)
            listed = [WorkspaceInfo.of(w) for w in spaces]
            if chosen is None and len(spaces) > 1:
                problems = [p for p in problems if p.code != "no_workspace"]
                problems.append(choice_problem(listed))
            auth = "authenticated"  # the workspace call got through, so the login works
        except NotAuthenticated as exc:
            auth = "session_expired" if isinstance(exc, SessionExpired) else "not_authenticated"
            problems.append(Problem.of(exc))
        except HiggsfieldError as exc:
            if exc.code not in {p.code for p in problems}:
                problems.append(Problem.of(exc))

    blocking = [p for p in problems if p.code != "config"]
    ready = auth == "authenticated" and not blocking
    report = AccountReport(
        ready=ready,
        summary="",
        cli=info,
        auth=auth,
        email=account.email if account else None,
        plan=(account.plan if account else None) or (workspace.plan if workspace else None),
        credits=account.credits
        if account and account.credits is not None
        else (workspace.credits if workspace else None),
        workspace=workspace,
        workspaces=listed,
        problems=problems,
        media_inputs=settings.roots_note,
    )
    report.summary = _summary(report)
    return report


# --- choosing the billing workspace ---------------------------------------------------------------


def _names(spaces: Sequence[WorkspaceInfo]) -> str:
    return ", ".join(s.name or s.id or "?" for s in spaces)


def choice_problem(spaces: Sequence[WorkspaceInfo]) -> Problem:
    """Several workspaces and none selected: the user picks one, asked once with every name."""
    return Problem(
        code="workspace_choice",
        message=f"No billing workspace is selected and there are {len(spaces)}: {_names(spaces)}.",
        remedy="Ask the user which one should pay (one question, listing them), then call `account` with "
        "workspace set to its name.",
    )


def match_workspace(spaces: Sequence[Workspace], query: str) -> Workspace:
    """A workspace by id or by name (case and spacing aside); else an error listing them."""
    text = " ".join(query.split()).lower()
    for space in spaces:
        if space.id and space.id.lower() == text:
            return space
    named = [s for s in spaces if " ".join((s.name or "Private").split()).lower() == text]
    if not named:
        named = [s for s in spaces if text and text in (s.name or "Private").lower()]
    if len(named) == 1:
        return named[0]
    names = [s.name or "Private" for s in spaces]
    raise InvalidValues(
        f"Invalid values: workspace={query.strip()} ({'several match' if named else 'no workspace has that name'})",
        param="workspace",
        value=query.strip(),
        allowed=names,
        remedy=f"Use one of: {', '.join(names) or '(none)'}. Nothing was changed.",
    )


async def settle_workspace(cli: HiggsfieldCLI, wanted: str | None) -> str | None:
    """Select the workspace asked for, or the only one when none is selected; say what changed.

    With several workspaces and none asked for, nothing is chosen on the user's behalf:
    the report then carries the one question to ask.
    """
    spaces = await cli.workspaces()
    if wanted and wanted.strip():
        space = match_workspace(spaces, wanted)
    elif len(spaces) == 1 and not spaces[0].is_selected:
        space = spaces[0]
    else:
        return None
    if space.id is None:
        raise InvalidValues(
            "The CLI lists that workspace without an id",
            param="workspace",
            remedy="Run `higgsfield workspace list` and `higgsfield workspace set <workspace_id>` in a terminal.",
        )
    if not space.is_selected:
        await cli.select_workspace(space.id)
    return f"Billing workspace: {space.name or 'Private'}."


def _summary(report: AccountReport) -> str:
    where = "the offline sandbox (nothing is spent)" if report.cli.sandbox else f"Higgsfield CLI {report.cli.version}"
    if report.ready:
        parts = [f"Ready: {where}"]
        if report.email:
            parts.append(f"signed in as {report.email}")
        if report.plan:
            parts.append(f"{report.plan} plan")
        if report.credits is not None:
            parts.append(f"{report.credits:g} credits")
        text = ", ".join(parts) + "."
        if report.problems:
            text += " Note: " + " ".join(p.message for p in report.problems)
        return text
    blocking = [p for p in report.problems if p.code != "config"]
    if not blocking:
        return f"Not ready: {where} could not confirm the login. Run `higgsfield account status` in a terminal."
    return f"Not ready: {blocking[0].message.rstrip('.')}. {blocking[0].remedy}"
