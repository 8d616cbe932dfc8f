"""The server-wide edge every tool call passes: strict arguments and plain-worded errors.

One place, so no tool module has to repeat it:

- an argument name the tool does not have is refused, with the valid names, before the tool
  runs (a typo must never run a paid job with defaults); `params` stays the free-form place;
- a string argument reaches the tool exactly as the client sent it: the SDK's JSON
  pre-parsing is kept only for fields that cannot hold a string (a list sent as JSON text);
- an invalid argument is reported as field, problem and allowed values, in plain words;
- an expected failure is the tool error with its cause and remedy, without the SDK's
  "Error executing tool" prefix; anything unexpected says it is a bug in higgsfield-mcp and
  where its details were written, never a traceback.
"""

from __future__ import annotations

import difflib
import errno
import logging
import traceback
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError, ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools.base import Tool
from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata
from mcp.types import CallToolResult, InputRequiredResult
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from ..adapters.cli.errors import HiggsfieldError
from ..adapters.cli.process import check_text
from .common import fail

log = logging.getLogger(__name__)

FREE_FORM_ARGUMENT = "params"
ERROR_LOG_NAME = "errors.log"
MAX_SHOWN_VALUE = 60


class HiggsfieldMCPServer(MCPServer):
    """`MCPServer` whose every tool call goes through this module's edge."""

    error_log: Path | None = None
    """Where unexpected errors are written in full (set by `create_server`)."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        tool = self._tool_manager.get_tool(name)
        if tool is None:
            known = ", ".join(sorted(t.name for t in self._tool_manager.list_tools()))
            raise ToolError(f"There is no tool named {name!r}. The tools are: {known}.")
        check_argument_names(tool, arguments)
        check_argument_text(arguments)
        keep_strings_verbatim(tool)
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            raise ToolError(self._explain_unexpected(tool.name, exc)) from None
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                raise ToolError(plain_validation(tool.name, cause)) from None
            if isinstance(cause, ToolError | ResourceError):
                raise ToolError(str(cause)) from cause  # the tool's own words, without the SDK's prefix
            raise

    def _explain_unexpected(self, tool_name: str, exc: UnexpectedToolError) -> str:
        cause = _root_cause(exc)
        if isinstance(cause, HiggsfieldError):
            return str(fail(cause))
        if isinstance(cause, ValidationError):  # a domain model refused a value the schema let through
            return plain_validation(tool_name, cause)
        if isinstance(cause, OSError) and cause.errno is not None:
            return plain_os_error(cause)
        where = self._record(tool_name, cause)
        return (
            f"This is a bug in higgsfield-mcp: `{tool_name}` failed unexpectedly ({type(cause).__name__}). "
            f"Nothing was wrong with the request as far as the server can tell. {where} "
            "Please report it with that file; trying again with other wording may work around it."
        )

    def _record(self, tool_name: str, cause: BaseException) -> str:
        """Write the full details where the user can find them; the result only says where."""
        log.error("tool %s failed unexpectedly", tool_name, exc_info=cause)
        if self.error_log is None:
            return "Details are in the server's log (the MCP client's log of this server)."
        try:
            self.error_log.parent.mkdir(parents=True, exist_ok=True)
            with self.error_log.open("a", encoding="utf-8") as fh:
                stamp = datetime.now(UTC).isoformat(timespec="seconds")
                fh.write(f"--- {stamp} tool {tool_name}\n")
                fh.write("".join(traceback.format_exception(cause)))
        except OSError:
            return "Details are in the server's log (the MCP client's log of this server)."
        return f"Details are in {self.error_log} and the server's log."


def _root_cause(exc: BaseException) -> BaseException:
    cause: BaseException = exc
    while isinstance(cause, UnexpectedToolError) and cause.__cause__ is not None:
        cause = cause.__cause__
    return cause


# --- argument names --------------------------------------------------------------------------------


def check_argument_names(tool: Tool, arguments: dict[str, Any]) -> None:
    """Refuse names the tool does not take, naming the valid ones (and the closest, for a typo)."""
    valid = list(tool.parameters.get("properties", {}))
    unknown = [key for key in arguments if key not in valid]
    if not unknown:
        return
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
        parts.append(f"`{key[:MAX_SHOWN_VALUE]}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
    free = (
        f' Other model parameters go inside `{FREE_FORM_ARGUMENT}`, e.g. {{"seed": 7}}.'
        if FREE_FORM_ARGUMENT in valid
        else ""
    )
    names = ", ".join(valid) if valid else "none"
    raise ToolError(
        f"`{tool.name}` has no argument {', '.join(parts)}; nothing was run. Its arguments are: {names}.{free}"
    )


# --- text no process can receive ---------------------------------------------------------------------


def check_argument_text(arguments: dict[str, Any]) -> None:
    """Refuse a NUL or a broken character in any string argument before the tool runs.

    The CLI adapter refuses them too, but only when it spawns the paid call; by then a
    tool may have read the catalogue or written a library file with the bad text in it.
    """
    for name, value in arguments.items():
        for text in _strings(value):
            try:
                check_text(f"`{name}`", text, None)
            except HiggsfieldError as exc:
                raise ToolError(f"{exc.message}. {exc.remedy}") from None


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


# --- strings stay strings ---------------------------------------------------------------------------


class VerbatimArgs(FuncMetadata):
    """The SDK's argument metadata, minus JSON pre-parsing of fields that accept a string.

    The SDK turns a string that looks like JSON into the parsed value for any field not
    annotated exactly `str`, so a prompt `null` became "no prompt" and `{"style": "noir"}`
    an object. Fields that cannot hold a string (lists, objects) keep the pre-parsing,
    since some clients send those as JSON text.
    """

    def pre_parse_json(self, data: dict[str, Any]) -> dict[str, Any]:
        fields = self.arg_model.model_fields
        by_key = {(f.alias or n): f for n, f in fields.items()} | dict(fields)
        verbatim = {k: v for k, v in data.items() if k in by_key and _accepts_str(by_key[k])}
        parsed = super().pre_parse_json({k: v for k, v in data.items() if k not in verbatim})
        return {k: verbatim[k] if k in verbatim else parsed[k] for k in data}


def keep_strings_verbatim(tool: Tool) -> None:
    meta = tool.fn_metadata
    if isinstance(meta, VerbatimArgs):
        return
    tool.fn_metadata = VerbatimArgs(
        arg_model=meta.arg_model,
        output_schema=meta.output_schema,
        output_model=meta.output_model,
        wrap_output=meta.wrap_output,
    )


def _accepts_str(field: FieldInfo) -> bool:
    return _annotation_accepts_str(field.annotation)


def _annotation_accepts_str(annotation: Any) -> bool:
    if annotation is str or annotation is Any:
        return True
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return any(_annotation_accepts_str(a) for a in get_args(annotation))
    if str(origin) == "typing.Annotated" or getattr(annotation, "__metadata__", None) is not None:
        return _annotation_accepts_str(get_args(annotation)[0])
    if str(origin) == "typing.Literal":
        return any(isinstance(a, str) for a in get_args(annotation))
    return False


# --- plain words ------------------------------------------------------------------------------------


def plain_validation(tool_name: str, exc: ValidationError) -> str:
    """Field, problem and allowed values for each error; no class names, no documentation links."""
    problems = [_plain_error(e) for e in exc.errors(include_url=False)]
    head = f"`{tool_name}` was called with invalid arguments; nothing was run."
    return head + " " + " ".join(problems) + " Fix them and call again."


def _plain_error(err: Any) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    field = ".".join(p for p in loc if not p.startswith(("function-", "json-or-python", "lax-", "strict-")))
    field = field or "(the arguments)"
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    given = err.get("input")
    shown = f" (got {_shown(given)})" if kind != "missing" and isinstance(given, str | int | float | bool) else ""
    if kind == "missing":
        return f"`{field}` is required."
    if kind == "extra_forbidden":
        return f"`{field}` is not an argument here."
    if kind == "literal_error" and "expected" in ctx:
        return f"`{field}` must be one of {ctx['expected']}{shown}."
    if kind == "string_too_long":
        return f"`{field}` is too long: at most {ctx.get('max_length')} characters{shown}."
    if kind == "string_too_short":
        return f"`{field}` is too short: at least {ctx.get('min_length')} characters."
    message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
    message = message.replace("Input should be", "must be").replace("Input", "the value")
    return f"`{field}`: {message}{shown}."


def plain_os_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk is full{where}; nothing more could be written. Free some space, then try again."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"The server may not write or read there{where}. Fix the folder's permissions or pick another one."
    return f"A file operation failed{where}: {exc.strerror or exc}. Check the file or folder, then try again."


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"
