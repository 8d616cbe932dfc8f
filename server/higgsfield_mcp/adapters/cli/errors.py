"""Typed errors for everything the `higgsfield` CLI can say went wrong.

The CLI reports failures as stderr lines (`Error: <msg>` then `Hint: <hint>`) and an exit
code that is undocumented and not always non-zero. This module owns the one mapping from
that text to an exception class; each class carries a remedy a person can act on, so no
caller has to know the CLI's wording.

The CLI's own hints name the binary `hf`, which collides with the Hugging Face CLI; our
remedies always say `higgsfield`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar, Literal, TypedDict, Unpack


class ErrorContext(TypedDict, total=False):
    """Where an error came from; shared by every error class's constructor."""

    remedy: str | None
    hint: str | None
    exit_code: int | None
    command: Sequence[str]


class HiggsfieldError(Exception):
    """Base of every error the adapter raises.

    `message` says what happened, `remedy` what the user can do about it. `retryable`
    tells callers whether the same call may succeed later without any change.
    """

    code: ClassVar[str] = "higgsfield_error"
    summary: ClassVar[str] = "Something went wrong running the Higgsfield CLI."
    default_remedy: ClassVar[str] = "Check the message above; run `higgsfield-mcp doctor` for a full check."
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        remedy: str | None = None,
        hint: str | None = None,
        exit_code: int | None = None,
        command: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy or self.default_remedy
        self.hint = hint
        self.exit_code = exit_code
        self.command = tuple(command)

    def __str__(self) -> str:
        return f"{self.message} — {self.remedy}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-safe description for tool results and `doctor --json`."""
        return {"code": self.code, "message": self.message, "remedy": self.remedy, "retryable": self.retryable}


# --- the binary itself -------------------------------------------------------------------


class CLINotInstalled(HiggsfieldError):
    code = "cli_not_installed"
    summary = "No Higgsfield CLI was found (or HIGGSFIELD_BIN points nowhere)."
    default_remedy = (
        "Install the Higgsfield CLI (`npm install -g @higgsfield/cli`, or "
        "`brew install higgsfield-ai/tap/higgsfield`), or set HIGGSFIELD_BIN to its path."
    )


class WrongBinary(HiggsfieldError):
    code = "wrong_binary"
    summary = "The program found is not Higgsfield's CLI: its `version` line does not match."
    default_remedy = (
        "The program found is not Higgsfield's CLI (the PyPI package `higgsfield-cli` is an unrelated tool). "
        "Install the official CLI with `npm install -g @higgsfield/cli` and point HIGGSFIELD_BIN at it."
    )


class CLITimeout(HiggsfieldError):
    code = "cli_timeout"
    summary = "The CLI did not answer in time and was stopped."
    default_remedy = (
        "The CLI did not answer in time and was stopped. Try again; if it keeps hanging, check your network."
    )
    retryable = True


class StillWorking(HiggsfieldError):
    """A free step (a brand site being read) outlasted the call's wait; it goes on and the next call finds it."""

    code = "still_working"
    summary = "A free step (reading a brand's site) was still running when the call's wait ended; it goes on."
    default_remedy = "Nothing was spent. Call again in a minute with the same arguments; what was read is kept."
    retryable = True


class GarbledOutput(HiggsfieldError):
    code = "garbled_output"
    summary = "The CLI printed something other than the JSON expected."
    default_remedy = (
        "The CLI printed something other than the expected JSON. Update it: `npm update -g @higgsfield/cli`."
    )
    retryable = True


class CLIFailed(HiggsfieldError):
    """A failure whose text matches nothing more specific; the CLI's own words are kept."""

    code = "cli_failed"
    summary = "The CLI failed with a message nothing more specific matches; its words are kept."


# --- auth and account ------------------------------------------------------------------------

LOGIN = "Run `higgsfield auth login` in a terminal (it opens a browser), then try again."


class NotAuthenticated(HiggsfieldError):
    code = "not_authenticated"
    summary = "The CLI is not signed in."
    default_remedy = LOGIN


class SessionExpired(NotAuthenticated):
    code = "session_expired"
    summary = "The login has expired (tokens last about a day)."
    default_remedy = "Your Higgsfield session has expired. " + LOGIN


class OlderAuthFlow(NotAuthenticated):
    code = "older_auth_flow"
    summary = "The stored login was made by an older CLI version."
    default_remedy = (
        "The stored login comes from an older CLI. Run `higgsfield auth logout`, then `higgsfield auth login`."
    )


class CredentialsMismatch(NotAuthenticated):
    code = "credentials_mismatch"
    summary = "The stored login belongs to another Higgsfield environment."
    default_remedy = "The stored login is for another Higgsfield environment. " + LOGIN


class NoWorkspace(HiggsfieldError):
    code = "no_workspace"
    summary = "No billing workspace is selected (CLI 1.x)."
    default_remedy = (
        "No billing workspace is selected. Run `higgsfield workspace list`, then "
        "`higgsfield workspace set <workspace_id>`."
    )


class WorkspaceMembership(HiggsfieldError):
    code = "workspace_membership_required"
    summary = "The account is not a member of the selected workspace."
    default_remedy = (
        "Your account is not a member of the selected workspace. Run `higgsfield workspace list` and "
        "`higgsfield workspace set <workspace_id>` with one you belong to."
    )


class PlanRequired(HiggsfieldError):
    code = "plan_required"
    summary = "The model or feature needs a higher plan."
    default_remedy = "This needs a higher Higgsfield plan; upgrade at higgsfield.ai/pricing or pick another model."


class InsufficientCredits(HiggsfieldError):
    code = "insufficient_credits"
    summary = "The account does not have enough credits."
    default_remedy = "Not enough credits. Top up at higgsfield.ai, or choose a cheaper model or fewer outputs."


# --- validation (nothing was submitted) ----------------------------------------------------


class ValidationError(HiggsfieldError):
    """The request was refused before anything was created; no credits were spent."""

    code = "validation"
    summary = "The request was refused before anything was created."
    default_remedy = "Fix the parameters and try again; nothing was submitted."


class UnknownModel(ValidationError):
    code = "unknown_model"
    summary = "No model has that id or name."
    default_remedy = "Use `pick_model` or the model catalogue to find a valid model id."


class MissingParams(ValidationError):
    code = "missing_params"
    summary = "A required parameter (often the prompt) is missing."

    def __init__(self, message: str, *, params: Sequence[str] = (), **kw: Unpack[ErrorContext]) -> None:
        self.params = list(params)
        if "prompt" in self.params:  # never invent one: the words are the user's
            kw.setdefault(
                "remedy",
                "Ask the user what they want to see (subject, setting, light, framing, and the motion for a clip), "
                "then call again with their words as the prompt; nothing was submitted.",
            )
        kw.setdefault("remedy", f"Provide {', '.join(self.params) or 'the missing parameters'}; nothing was submitted.")
        super().__init__(message, **kw)


class InvalidValues(ValidationError):
    code = "invalid_values"
    summary = "A parameter value is outside the model's allowed list or range."

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        value: str | None = None,
        allowed: Sequence[str] = (),
        **kw: Unpack[ErrorContext],
    ) -> None:
        self.param, self.value, self.allowed = param, value, list(allowed)
        if self.allowed and "remedy" not in kw:
            kw["remedy"] = f"Use one of: {', '.join(self.allowed)} for {param}; nothing was submitted."
        elif "remedy" not in kw:
            kw["remedy"] = f"Change {param or 'the value'}: it was refused. Nothing was submitted."
        super().__init__(message, **kw)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "param": self.param, "value": self.value, "allowed": self.allowed}


class UnknownParams(ValidationError):
    code = "unknown_params"
    summary = "The model does not take that parameter."

    def __init__(self, message: str, *, params: Sequence[str] = (), **kw: Unpack[ErrorContext]) -> None:
        self.params = list(params)
        kw.setdefault(
            "remedy",
            f"The model does not take {', '.join(self.params) or 'these parameters'}; drop them or pick another "
            "model. Nothing was submitted.",
        )
        super().__init__(message, **kw)


class MediaRoleError(ValidationError):
    code = "media_role"
    summary = "The model takes other media inputs, or fewer of them."
    default_remedy = (
        "This model takes different media inputs; check its accepted roles and counts with `pick_model`. "
        "Nothing was submitted."
    )


class InputShapeError(ValidationError):
    code = "input_shape"
    summary = "A list or object parameter reached the CLI in the wrong form."
    default_remedy = "A list or object parameter was passed in the wrong form; this is a bug in higgsfield-mcp."


# --- upstream --------------------------------------------------------------------------------


class RateLimited(HiggsfieldError):
    code = "rate_limited"
    summary = "Higgsfield is rate limiting requests (HTTP 429)."
    default_remedy = "Higgsfield is rate limiting requests (HTTP 429). Wait a minute, then try again."
    retryable = True


class AntiBotBlocked(HiggsfieldError):
    code = "anti_bot"
    summary = "Higgsfield's bot protection answered instead of the API."
    default_remedy = "Higgsfield's bot protection answered instead of the API. Wait about 30 seconds and try again."
    retryable = True


class ServerError(HiggsfieldError):
    code = "server_error"
    summary = "Higgsfield's servers returned an error."
    default_remedy = "Higgsfield's servers returned an error. Try again in a few minutes."
    retryable = True


class NoResponse(ServerError):
    code = "no_response"
    summary = "A request got no response at all."
    default_remedy = (
        "The request got no response (often a network blip). Try again; if it persists, run `higgsfield auth login`."
    )


class MethodNotAllowed(ServerError):
    code = "method_not_allowed"
    summary = "Higgsfield refused the operation (HTTP 405), a known server-side limitation."
    default_remedy = "Higgsfield refused this operation (HTTP 405); it is a known server-side limitation."
    retryable = False


class NSFWInput(ValidationError):
    code = "nsfw_input"
    summary = "An input was flagged by Higgsfield's safety filter."
    default_remedy = "The input was flagged by Higgsfield's safety filter. Rephrase the prompt or use other images."


# --- job outcomes ---------------------------------------------------------------------------


class JobError(HiggsfieldError):
    """A job reached a terminal status other than completed. It was charged (or refunded by Higgsfield)."""

    code = "job_failed"
    summary = "The job finished as failed."
    status: ClassVar[str] = "failed"
    default_remedy = "Change the prompt or inputs and generate again; nothing was retried."

    def __init__(self, message: str, *, job_id: str, reason: str | None = None, **kw: Unpack[ErrorContext]) -> None:
        self.job_id = job_id
        self.reason = reason
        super().__init__(message, **kw)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "status": self.status, "reason": self.reason}


class JobFailed(JobError):
    pass


class JobNSFW(JobError):
    code = "job_nsfw"
    summary = "The result was blocked by the content filter."
    status = "nsfw"
    default_remedy = (
        "The result was blocked by the content filter. Rephrase without sexual or graphic content and try again."
    )


class JobIPDetected(JobError):
    code = "job_ip_detected"
    summary = "The result was blocked for resembling protected intellectual property."
    status = "ip_detected"
    default_remedy = (
        "The result was blocked for resembling protected IP (a brand, character or real public figure). "
        "Describe an original subject instead; nothing was retried."
    )


class JobCanceled(JobError):
    code = "job_canceled"
    summary = "The job was canceled on Higgsfield's side."
    status = "canceled"
    default_remedy = "The job was canceled on Higgsfield's side. Generate again if you still need it."


JOB_ERRORS: dict[str, type[JobError]] = {cls.status: cls for cls in (JobFailed, JobNSFW, JobIPDetected, JobCanceled)}


# --- the classifier ------------------------------------------------------------------------

_ERROR_LINE = re.compile(r"^\s*Error:\s*(?P<msg>.*)$", re.MULTILINE)
_HINT_LINE = re.compile(r"^\s*Hint:\s*(?P<hint>.*)$", re.MULTILINE)
_INVALID = re.compile(
    r"Invalid values?:\s*(?P<param>[\w-]+)=(?P<value>.*?)\s*(?:\(allowed:\s*(?P<allowed>.*)\)|\((?P<why>[^)]*)\)|$)"
)
_LIST_SPLIT = re.compile(r"\s*,\s*")


def error_line(stderr: str) -> str | None:
    """The message of the first `Error:` line, if any."""
    match = _ERROR_LINE.search(stderr)
    return match.group("msg").strip() if match else None


def hint_line(stderr: str) -> str | None:
    match = _HINT_LINE.search(stderr)
    return match.group("hint").strip() if match else None


def _names(text: str) -> list[str]:
    return [n for n in _LIST_SPLIT.split(text.strip().rstrip(".")) if n]


# Plain substring matches on the lower-cased message, in order; first wins. Specific
# auth texts come before the generic ones they contain.
_BY_TEXT: tuple[tuple[str, type[HiggsfieldError]], ...] = (
    ("not authenticated", NotAuthenticated),
    ("session expired", SessionExpired),
    ("older auth flow", OlderAuthFlow),
    ("stored credentials are for", CredentialsMismatch),
    ("cannot reach token endpoint", NotAuthenticated),
    ("authorization failed", NotAuthenticated),
    ("no workspace selected", NoWorkspace),
    ("workspace_membership_required", WorkspaceMembership),
    ("plan required", PlanRequired),
    ("insufficient credits", InsufficientCredits),
    ("not enough credits", InsufficientCredits),
    ("no model with job_type", UnknownModel),
    ("unknown model", UnknownModel),
    ("unknown media role", MediaRoleError),
    ("model accepts only", MediaRoleError),
    ("model accepts a single", MediaRoleError),
    ("model does not accept media", MediaRoleError),
    ("input should be a valid list", InputShapeError),
    ("should be object|null", InputShapeError),
    ("nsfw content detected", NSFWInput),
    ("http 429", RateLimited),
    ("rate limit", RateLimited),
    ("too many requests", RateLimited),
    ("captcha", AntiBotBlocked),
    ("failed to decode response", AntiBotBlocked),
    ("<html", AntiBotBlocked),
    ("method not allowed", MethodNotAllowed),
    ("no response received", NoResponse),
    ("timeout after", CLITimeout),
)
_SERVER = re.compile(r"HTTP 5\d\d|internal server error|bad gateway|service unavailable|gateway timeout", re.I)
_MISSING = re.compile(r"Missing required params?:\s*(.*)")
_UNKNOWN_PARAMS = re.compile(r"Unknown params?:\s*(.*)")
_MEDIA_COUNT = re.compile(r"accepts at most \d+ entr")
_JOB_ENDED = re.compile(r'Job ended with status "(\w+)"')


def classify(stderr: str, *, exit_code: int | None = None, command: Sequence[str] = ()) -> HiggsfieldError:
    """Turn the CLI's stderr (and exit code) into the most specific typed error.

    Matching is on the message text, since exit codes differ between CLI versions and an
    auth error has been seen with exit 0; the code is kept only for diagnostics.
    """
    message = error_line(stderr) or _last_line(stderr) or f"the CLI exited with code {exit_code}"
    ctx: ErrorContext = {"hint": hint_line(stderr), "exit_code": exit_code, "command": command}

    if match := _MISSING.search(message):
        return MissingParams(message, params=_names(match.group(1)), **ctx)
    if match := _INVALID.search(message):
        allowed = _names(match.group("allowed") or "")
        return InvalidValues(message, param=match.group("param"), value=match.group("value"), allowed=allowed, **ctx)
    if match := _UNKNOWN_PARAMS.search(message):
        return UnknownParams(message, params=_names(match.group(1)), **ctx)
    if match := _JOB_ENDED.search(message):
        return JOB_ERRORS.get(match.group(1), JobFailed)(message, job_id="", **ctx)
    if _MEDIA_COUNT.search(message):
        return MediaRoleError(message, **ctx)
    low = message.lower()
    for needle, cls in _BY_TEXT:
        if needle in low:
            if cls is AntiBotBlocked:  # the raw body is an HTML page: never echo it to a user
                message = "Higgsfield's bot protection answered instead of the API"
            return cls(message, **ctx)
    if _SERVER.search(message):
        return ServerError(message, **ctx)
    return CLIFailed(message, **ctx)


def _last_line(text: str) -> str | None:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else None


# --- what a failed submit means -------------------------------------------------------------

SubmitOutcome = Literal["rejected", "ambiguous"]

REFUSED_BEFORE_SUBMIT: tuple[type[HiggsfieldError], ...] = (
    ValidationError,  # the CLI's own checks, media roles, our media policy (MediaInputError), argument shapes
    NotAuthenticated,
    NoWorkspace,
    WorkspaceMembership,
    PlanRequired,
    InsufficientCredits,
    CLINotInstalled,
    WrongBinary,
)
"""Failures that provably happen before Higgsfield accepts a job: nothing was created or charged."""

_USAGE_REFUSAL = re.compile(
    r"^(unknown (shorthand )?flag|unknown command|invalid argument .* for .* flag|required flag)", re.IGNORECASE
)
"""The CLI's argument parser refusing the command line, which happens before any request is made."""


def submit_outcome(exc: BaseException) -> SubmitOutcome:
    """What a failed `generate create` means for money: `rejected` only when nothing can have been created.

    Everything else (killed by a signal, timed out, no response, garbled or empty output, an
    exit code without a known pre-submit message, server errors) is `ambiguous`: the job may
    exist and be charged, so it must be looked for in `generate list` before anyone resends.
    """
    if isinstance(exc, REFUSED_BEFORE_SUBMIT):
        return "rejected"
    if type(exc) is CLIFailed and _USAGE_REFUSAL.match(exc.message.strip()):
        return "rejected"
    return "ambiguous"
