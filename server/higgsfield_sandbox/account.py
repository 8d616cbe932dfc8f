"""Auth, workspace selection and the credit ledger, plus their commands.

The balance is ``HIGGSFIELD_SANDBOX_CREDITS`` minus what the ledger has spent (net of refunds),
so the knob can be changed between invocations. Every debit happens under the ``account``
lock, so concurrent creates never overspend or lose a transaction.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from . import errors
from .config import SANDBOX_EMAIL, WORKSPACE_ID, WORKSPACE_NAME, Settings
from .context import Ctx
from .state import JsonDict, State, new_id

SANDBOX_TOKEN = "sandbox-access-token.not-a-real-higgsfield-token"


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


# ---------------------------------------------------------------------- state helpers
def logged_in(state: State) -> bool:
    return bool(state.read_doc("account").get("logged_in", True))


def workspace_selected(state: State, settings: Settings) -> bool:
    if settings.legacy:  # 0.x: unselect falls back to the default workspace
        return True
    return bool(state.read_doc("account").get("workspace_selected", True))


def balance(state: State, settings: Settings) -> float:
    return settings.credits - float(state.read_doc("account").get("spent", 0.0))


def charge(state: State, settings: Settings, entries: list[tuple[str, float, str]]) -> None:
    """Debit ``(display_name, credits, job_id)`` entries at once, or raise ``Insufficient credits``."""
    total = sum(e[1] for e in entries)
    with state.update("account") as doc:
        spent = float(doc.get("spent", 0.0))
        if settings.credits - spent < total:
            raise errors.insufficient_credits()
        doc["spent"] = spent + total
        txs: list[JsonDict] = doc.setdefault("transactions", [])
        now = time.time()
        for display_name, credits, ref in entries:
            txs.append(
                {
                    "id": new_id(),
                    "display_name": display_name,
                    "credits": -credits,
                    "action": "spend",
                    "created_at": now,
                    "job_id": ref,
                }
            )


def refund(state: State, display_name: str, credits: float, ref: str) -> None:
    with state.update("account") as doc:
        doc["spent"] = float(doc.get("spent", 0.0)) - credits
        doc.setdefault("transactions", []).append(
            {
                "id": new_id(),
                "display_name": display_name,
                "credits": credits,
                "action": "refund",
                "created_at": time.time(),
                "job_id": ref,
            }
        )


def workspace_ids(settings: Settings) -> dict[str, str]:
    """Every workspace, id -> name: the default one, then ``HIGGSFIELD_SANDBOX_WORKSPACES``."""
    extra = {str(uuid.uuid5(uuid.UUID(WORKSPACE_ID), name)): name for name in settings.extra_workspaces}
    return {WORKSPACE_ID: WORKSPACE_NAME, **extra}


def selected_workspace(state: State, settings: Settings) -> str | None:
    if not workspace_selected(state, settings):
        return None
    chosen = str(state.read_doc("account").get("workspace_id") or WORKSPACE_ID)
    return chosen if chosen in workspace_ids(settings) else WORKSPACE_ID


def workspace_view(state: State, settings: Settings, ident: str | None = None) -> JsonDict:
    """One workspace (the selected one by default). All share the sandbox's one credit balance."""
    chosen = selected_workspace(state, settings)
    ident = ident or chosen or WORKSPACE_ID
    return {
        "id": ident,
        "name": workspace_ids(settings)[ident],
        "plan_type": settings.plan,
        "credits": number(balance(state, settings)),
        "is_selected": ident == chosen,
        "user_role": "owner" if ident == WORKSPACE_ID else "member",
    }


# ---------------------------------------------------------------------- auth
def cmd_auth_login(ctx: Ctx) -> int:
    with ctx.state.update("account") as doc:
        doc["logged_in"] = True
    if ctx.json:
        ctx.emit({"authenticated": True, "email": SANDBOX_EMAIL, "sandbox": True})
    else:
        ctx.line("higgsfield-sandbox: no browser or account needed; signed in as " + SANDBOX_EMAIL)
        ctx.line("Successfully authenticated.")
    return 0


def cmd_auth_logout(ctx: Ctx) -> int:
    with ctx.state.update("account") as doc:
        doc["logged_in"] = False
    if ctx.json:
        ctx.emit({"logged_out": True, "sandbox": True})
    else:
        ctx.line("Logged out of higgsfield-sandbox.")
    return 0


def cmd_auth_token(ctx: Ctx) -> int:
    if ctx.json:
        ctx.emit(
            {
                "access_token": SANDBOX_TOKEN,
                "token_type": "bearer",
                "expires_at": int(time.time()) + 86400,
                "sandbox": True,
            }
        )
    else:
        ctx.line(SANDBOX_TOKEN)
    return 0


# ---------------------------------------------------------------------- account
def cmd_account_status(ctx: Ctx) -> int:
    credits = number(balance(ctx.state, ctx.settings))
    if ctx.json:
        ctx.emit({"credits": credits, "email": SANDBOX_EMAIL, "subscription_plan_type": ctx.settings.plan})
    else:
        ctx.line(f"{SANDBOX_EMAIL} — {ctx.settings.plan} plan, {credits} credits")
    return 0


def cmd_account_transactions(ctx: Ctx) -> int:
    size = ctx.int_flag("size", 20, 1, 100)
    cursor_text = ctx.value("cursor") or "0"
    try:
        offset = max(0, int(cursor_text))
    except ValueError as exc:
        raise errors.usage(f'invalid argument "{cursor_text}" for "--cursor" flag') from exc
    txs = list(reversed(ctx.state.read_doc("account").get("transactions", [])))
    page = txs[offset : offset + size]
    more = offset + size < len(txs)
    next_cursor: Any = None
    if more:
        next_cursor = offset + size if ctx.settings.legacy else str(offset + size)
    items = [{k: (number(v) if k == "credits" else v) for k, v in t.items() if k != "id"} for t in page]
    if ctx.json:
        ctx.emit({"items": items, "next_cursor": next_cursor})
        return 0
    ctx.line(f"{'DATE':<17} {'MODEL':<28} {'CREDITS':<8} ACTION")
    for t in items:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(t["created_at"])))
        ctx.line(f"{when:<17} {t['display_name']:<28} {t['credits']!s:<8} {t['action']}")
    return 0


# ---------------------------------------------------------------------- workspace
def cmd_workspace_list(ctx: Ctx) -> int:
    spaces = [workspace_view(ctx.state, ctx.settings, ident) for ident in workspace_ids(ctx.settings)]
    if ctx.json:
        ctx.emit(spaces)
    for ws in spaces if not ctx.json else []:
        mark = "*" if ws["is_selected"] else " "
        ctx.line(f"{mark} {ws['id']}  {ws['name']}  {ws['plan_type']}  {ws['credits']} credits")
    return 0


def cmd_workspace_set(ctx: Ctx) -> int:
    ident = ctx.positional("workspace_id")
    if ident not in workspace_ids(ctx.settings):
        raise errors.not_found("workspace", ident)
    with ctx.state.update("account") as doc:
        doc["workspace_selected"] = True
        doc["workspace_id"] = ident
    if ctx.json:
        ctx.emit(workspace_view(ctx.state, ctx.settings))
    else:
        ctx.line(f"Selected workspace: {ident}")
    return 0


def cmd_workspace_status(ctx: Ctx) -> int:
    if not workspace_selected(ctx.state, ctx.settings):
        raise errors.no_workspace()
    ws = workspace_view(ctx.state, ctx.settings)
    if ctx.json:
        ctx.emit(ws)
    else:
        ctx.line(f"{ws['id']}  {ws['name']}  {ws['plan_type']}  {ws['credits']} credits")
    return 0


def cmd_workspace_unset(ctx: Ctx) -> int:
    if ctx.settings.legacy:  # 0.x: unselect falls back to the default workspace
        if ctx.json:
            ctx.emit(workspace_view(ctx.state, ctx.settings))
        else:
            ctx.line(f"Selected workspace: {WORKSPACE_ID} (default)")
        return 0
    with ctx.state.update("account") as doc:
        doc["workspace_selected"] = False
    if ctx.json:
        ctx.emit({"workspace_id": None, "unset": True})
    else:
        ctx.line("Workspace selection cleared.")
    return 0
