"""Errors the sandbox reports, with the contract's stderr texts and the §10 exit codes.

Every failure leaves the process as ``Error: <message>`` on stderr, optionally followed by
``Hint: <hint>`` (hints name the binary ``hf``, as the real CLI does), and an exit code:

* 0 success (and the ``auth_error_exit0`` fault)
* 1 validation, unknown model / param / command, timeouts, jobs ending badly
* 2 not authenticated / session expired / older auth flow
* 3 HTTP and server errors (405, 404, 429, 5xx, anti-bot body, workspace membership, plan, credits)
* 4 no workspace selected
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_AUTH = 2
EXIT_API = 3
EXIT_WORKSPACE = 4

HINT_LOGIN = "Run: hf auth login"
HINT_WORKSPACE = "Run: hf workspace set <workspace_id>"

ANTI_BOT_BODY = (
    "<html><head><title>higgsfield.ai</title></head><body>"
    '<script>var dd={"rt":"c","cid":"sandbox","hsh":"sandbox","t":"fe","host":"geo.captcha-delivery.com"}'
    "</script>"
    '<script src="https://ct.captcha-delivery.com/c.js"></script></body></html>'
)


class SandboxError(Exception):
    """A failure printed as ``Error:``/``Hint:`` lines with an exit code."""

    def __init__(
        self, message: str, *, hint: str | None = None, exit_code: int = EXIT_USAGE, on_stdout: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
        self.on_stdout = on_stdout
        """Printed on stdout with stderr empty, as a misbehaving build might (the `leaky_stdout` fault)."""

    def render(self) -> str:
        text = f"Error: {self.message}\n"
        if self.hint:
            text += f"Hint: {self.hint}\n"
        return text


def usage(message: str) -> SandboxError:
    return SandboxError(message, exit_code=EXIT_USAGE)


def api(message: str) -> SandboxError:
    return SandboxError(message, exit_code=EXIT_API)


def not_found(kind: str, ident: str) -> SandboxError:
    return SandboxError(f"Higgsfield API error (HTTP 404): {kind} {ident} not found", exit_code=EXIT_API)


def not_authenticated() -> SandboxError:
    return SandboxError("Not authenticated.", hint=HINT_LOGIN, exit_code=EXIT_AUTH)


def session_expired() -> SandboxError:
    return SandboxError("Session expired.", hint=HINT_LOGIN, exit_code=EXIT_AUTH)


def older_auth_flow() -> SandboxError:
    return SandboxError("Stored credentials use an older auth flow.", hint=HINT_LOGIN, exit_code=EXIT_AUTH)


def no_workspace() -> SandboxError:
    return SandboxError("No workspace selected.", hint=HINT_WORKSPACE, exit_code=EXIT_WORKSPACE)


def workspace_membership() -> SandboxError:
    return SandboxError('{"error_type":"workspace_membership_required"}', exit_code=EXIT_API)


def plan_required() -> SandboxError:
    return SandboxError('"Pro" or "Ultimate" plan required', exit_code=EXIT_API)


def basic_plan_required() -> SandboxError:
    return SandboxError("Minimum Basic plan required", exit_code=EXIT_API)


def insufficient_credits() -> SandboxError:
    return SandboxError("Insufficient credits", exit_code=EXIT_API)


def rate_limited() -> SandboxError:
    return SandboxError("Higgsfield API error (HTTP 429)", exit_code=EXIT_API)


def server_error() -> SandboxError:
    return SandboxError("Higgsfield API error (HTTP 502)", exit_code=EXIT_API)


def anti_bot() -> SandboxError:
    return SandboxError(f"Failed to decode response. Body: {ANTI_BOT_BODY}", exit_code=EXIT_API)


def no_response() -> SandboxError:
    return SandboxError("higgsfield: request failed (no response received)", hint=HINT_LOGIN, exit_code=EXIT_API)


LEAKED_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzYW5kYm94LXVzZXIifQ.c2FuZGJveC1zaWduYXR1cmU"
"""A fake access token the `leaky_stderr` fault prints, so tests can check it never leaves the adapter."""


def leaky_stderr() -> SandboxError:
    """A failure whose text carries secrets, as a verbose HTTP client dump would (sandbox only)."""
    return SandboxError(
        f"Higgsfield API error (HTTP 502) request Authorization: Bearer {LEAKED_TOKEN} "
        "Cookie: __session=sb-cookie-value-123456; api_key=sk-sandbox0123456789abcdef",
        exit_code=EXIT_API,
    )


def leaky_stdout() -> SandboxError:
    """The same secrets, printed on stdout with nothing on stderr (sandbox only)."""
    leaked = leaky_stderr()
    return SandboxError(leaked.message, exit_code=leaked.exit_code, on_stdout=True)


def method_not_allowed() -> SandboxError:
    return SandboxError("Method Not Allowed", exit_code=EXIT_API)


def timeout(duration_text: str, last_status: str) -> SandboxError:
    return SandboxError(f'Timeout after {duration_text}; last status "{last_status}"', exit_code=EXIT_USAGE)
