"""Fault injection through ``HIGGSFIELD_SANDBOX_FAULT``.

The variable is a comma-separated list of entries ``name[@scope][#N]``:

* ``name``: one of :data:`FAULT_NAMES`;
* ``@scope``: only for that command, as ``group.verb`` (``generate.create``, ``account.status``,
  ``marketing-studio.products.fetch``); a prefix such as ``@generate`` matches every verb of
  the group. Without a scope the fault applies to every command except ``version``,
  ``auth login`` and ``auth logout`` (and ``--help``);
* ``#N``: only the first N matching invocations; counted per entry text in ``faults.json``
  in the state folder (delete it to reset).

When several entries match, the first one (in list order) that still has budget fires.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import NoReturn

from . import errors
from .state import State

ERROR_FAULTS: dict[str, Callable[[], errors.SandboxError]] = {
    "not_authenticated": errors.not_authenticated,
    "session_expired": errors.session_expired,
    "older_auth_flow": errors.older_auth_flow,
    "no_workspace": errors.no_workspace,
    "workspace_membership": errors.workspace_membership,
    "plan_required": errors.plan_required,
    "insufficient_credits": errors.insufficient_credits,
    "rate_limit": errors.rate_limited,
    "anti_bot": errors.anti_bot,
    "server_error": errors.server_error,
    "no_response": errors.no_response,
    "leaky_stderr": errors.leaky_stderr,
    "leaky_stdout": errors.leaky_stdout,
}
EXIT0_FAULTS = frozenset({"auth_error_exit0"})
POST_FAULTS = frozenset({"hang", "created_hang", "created_no_response", "garbled_json"})
"""Faults that strike after the command did its work (for `generate create`: the job exists and was charged).

``hang`` and its explicit alias ``created_hang`` never answer; ``created_no_response`` prints the CLI's
"no response received" error instead of the job ids, as a dropped connection after the backend accepted would."""
HANG_FAULTS = frozenset({"hang", "created_hang"})
JOB_FAULTS = frozenset({"stuck_waiting"})
FAULT_NAMES = tuple(sorted({*ERROR_FAULTS, *EXIT0_FAULTS, *POST_FAULTS, *JOB_FAULTS}))
PRE_FAULTS = frozenset({*ERROR_FAULTS, *EXIT0_FAULTS})

EXEMPT_WHEN_UNSCOPED = frozenset({"version", "auth.login", "auth.logout", "help"})


class Rule:
    def __init__(self, *, raw: str, name: str, scope: str | None, limit: int | None) -> None:
        self.raw = raw
        self.name = name
        self.scope = scope
        self.limit = limit

    def matches(self, command_key: str) -> bool:
        if self.scope is None:
            return command_key not in EXEMPT_WHEN_UNSCOPED
        return command_key == self.scope or command_key.startswith(self.scope + ".")


def parse_spec(spec: str) -> list[Rule]:
    rules: list[Rule] = []
    for raw_entry in spec.split(","):
        entry = raw_entry.strip()
        if not entry:
            continue
        body, _, count = entry.partition("#")
        name, _, scope = body.partition("@")
        name = name.strip()
        if name not in FAULT_NAMES:
            raise errors.usage(
                f'sandbox: unknown fault "{name}" in HIGGSFIELD_SANDBOX_FAULT (known: {", ".join(FAULT_NAMES)})'
            )
        limit: int | None = None
        if count.strip():
            try:
                limit = max(0, int(count.strip()))
            except ValueError as exc:
                raise errors.usage(f'sandbox: bad count "#{count}" in HIGGSFIELD_SANDBOX_FAULT') from exc
        scope_key = scope.strip().replace("ms.", "marketing-studio.") or None
        if scope_key == "ms":
            scope_key = "marketing-studio"
        rules.append(Rule(raw=entry, name=name, scope=scope_key, limit=limit))
    return rules


class Faults:
    def __init__(self, state: State, spec: str, command_key: str) -> None:
        self.state = state
        self.command_key = command_key
        self.rules = [r for r in parse_spec(spec) if r.matches(command_key)]

    def take(self, kinds: frozenset[str]) -> str | None:
        """The first matching fault of ``kinds`` with budget left (consuming one use), else None."""
        for rule in self.rules:
            if rule.name not in kinds:
                continue
            if rule.limit is None:
                return rule.name
            with self.state.update("faults") as doc:
                used = int(doc.get(rule.raw, 0))
                if used < rule.limit:
                    doc[rule.raw] = used + 1
                    return rule.name
        return None

    def pre(self) -> None:
        """Error faults, raised before the command does any work."""
        name = self.take(PRE_FAULTS)
        if name is None:
            return
        if name in EXIT0_FAULTS:
            err = errors.not_authenticated()
            raise errors.SandboxError(err.message, hint=err.hint, exit_code=errors.EXIT_OK)
        raise ERROR_FAULTS[name]()

    def stuck(self) -> bool:
        return self.take(JOB_FAULTS) is not None


def hang(state: State) -> NoReturn:
    """Never return: one sleeping child in our process group, then sleep about an hour."""
    import subprocess

    child = subprocess.Popen(  # fixed argv, no shell
        [sys.executable, "-c", "import time; time.sleep(3600)"],
        stdin=subprocess.DEVNULL,
    )
    record = state.path("hangs", f"{os.getpid()}.json")
    State.write_json(record, {"pid": os.getpid(), "child_pid": child.pid, "pgid": os.getpgid(0)})
    time.sleep(3600)
    os._exit(1)


def garble(text: str) -> str:
    """A strict prefix of the JSON output: never valid JSON, never empty."""
    body = text.strip()
    if len(body) < 2:
        return '{"'
    return body[: max(1, len(body) // 2)]
