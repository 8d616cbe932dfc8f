"""Running one CLI process: argv only, bounded in time, never leaving anything behind.

The CLI is started in a session of its own so that on timeout or cancellation the whole
process group (the Node launcher of the npm install, the Go binary, anything they spawn)
is killed, not just the immediate child. Cleanup runs shielded from cancellation, so a
client that cancels a tool call cannot leak a process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import anyio
from anyio.abc import ByteReceiveStream, Process

from .errors import CLITimeout, ValidationError
from .redact import redact

log = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 32 * 1024 * 1024
"""Cap on what one call may print; a CLI that floods us is cut off rather than filling memory."""

TERM_GRACE_SECONDS = 1.0

MAX_ARG_BYTES = 128 * 1024 - 1
"""Linux's limit on one argv string (MAX_ARG_STRLEN, 32 pages, less the NUL); longer ones fail to spawn."""


@dataclass(frozen=True)
class Completed:
    """What one finished CLI run printed and returned."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    seconds: float


async def run_process(
    argv: Sequence[str],
    *,
    timeout: float,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Completed:
    """Run `argv` to completion and return its output.

    Raises `CLITimeout` after `timeout` seconds, once the process group is gone. On
    cancellation the group is killed the same way and the cancellation propagates.
    `FileNotFoundError`/`PermissionError` from a missing binary propagate for the caller to
    turn into an install hint.
    """
    args = [str(a) for a in argv]
    refuse_unsendable(args, stdin)
    started = time.monotonic()
    # shielded: a cancellation that lands while the spawn is being set up (the child already
    # runs, the handle is not ours yet) would otherwise leave the CLI and its children running;
    # it is delivered at the first await below, where the whole group is killed
    with anyio.CancelScope(shield=True):
        process = await anyio.open_process(
            args,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            start_new_session=sys.platform != "win32",
        )
    out = bytearray()
    err = bytearray()
    try:
        with anyio.fail_after(timeout):
            async with anyio.create_task_group() as tg:
                assert process.stdout is not None and process.stderr is not None
                tg.start_soon(_drain, process.stdout, out)
                tg.start_soon(_drain, process.stderr, err)
                if stdin is not None:
                    tg.start_soon(_feed, process, stdin)
            exit_code = await process.wait()
    except TimeoutError:
        with anyio.CancelScope(shield=True):
            await _kill_group(process)
        raise CLITimeout(
            f"`{_display(args)}` did not finish within {timeout:g} s and was stopped", command=args
        ) from None
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _kill_group(process)
        raise
    finally:
        # the pipes closed now, not when the handle is collected (perhaps after its event loop is gone)
        with anyio.CancelScope(shield=True):
            await process.aclose()
    return Completed(
        argv=tuple(args),
        exit_code=exit_code,
        stdout=out.decode("utf-8", "replace"),
        stderr=redact(err.decode("utf-8", "replace")),
        seconds=time.monotonic() - started,
    )


def refuse_unsendable(args: Sequence[str], stdin: str | None = None) -> None:
    """Refuse, before anything is spawned, what no process can receive: NUL bytes, broken text, over-long values.

    Raised as a `ValidationError` naming the field (the flag before the value), so callers
    know nothing was sent: a submit refused here is journaled as rejected, not ambiguous.
    """
    for index, arg in enumerate(args[1:], start=1):  # args[0] is the configured program, not a value
        check_text(_field_of(args, index), arg, MAX_ARG_BYTES)
    if stdin is not None:
        check_text("`prompt`", stdin, None)


def check_text(field: str, text: str, limit: int | None) -> None:
    """Refuse a NUL, an unpaired surrogate or (with `limit`) more UTF-8 bytes than one argument may carry."""
    if "\x00" in text:
        raise ValidationError(
            f"{field} contains a NUL character (\\0), which cannot be passed to the CLI",
            remedy=f"Remove the NUL character from {field} and try again; nothing was sent.",
        )
    try:
        size = len(text.encode("utf-8", "surrogateescape"))  # as the OS encoding of arguments does
    except UnicodeEncodeError:
        raise ValidationError(
            f"{field} contains a broken character (an unpaired UTF-16 surrogate) that is not valid text",
            remedy=f"Fix the text of {field} and try again; nothing was sent.",
        ) from None
    if limit is not None and size > limit:
        raise ValidationError(
            f"{field} is {size // 1024} KiB, more than the {(limit + 1) // 1024} KiB one command-line value can carry",
            remedy=f"Shorten {field} and try again; nothing was sent.",
        )


def _field_of(args: Sequence[str], index: int) -> str:
    """The flag a value belongs to (`--prompt` → `prompt`), for messages; never the value itself."""
    previous = args[index - 1] if index > 0 else ""
    if args[index].startswith("--"):
        return f"`{args[index].split('=', 1)[0].lstrip('-')}`"
    if previous.startswith("--"):
        return f"`{previous.lstrip('-')}`"
    return f"argument {index}"


async def _drain(stream: ByteReceiveStream, into: bytearray) -> None:
    async for chunk in stream:
        if len(into) < MAX_OUTPUT_BYTES:
            into.extend(chunk[: MAX_OUTPUT_BYTES - len(into)])


async def _feed(process: Process, text: str) -> None:
    assert process.stdin is not None
    try:
        await process.stdin.send(text.encode("utf-8", "surrogateescape"))
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        pass  # the CLI did not read its stdin; its exit status will say why
    finally:
        await process.stdin.aclose()


async def _kill_group(process: Process) -> None:
    """Terminate the process group, give it a moment, then kill whatever is left."""
    if sys.platform == "win32":  # pragma: no cover - no process groups
        if process.returncode is None:
            process.kill()
        await process.wait()
        return
    pgid = process.pid  # start_new_session: the child leads its own group
    _signal_group(pgid, signal.SIGTERM)
    with anyio.move_on_after(TERM_GRACE_SECONDS):
        await process.wait()
    _signal_group(pgid, signal.SIGKILL)  # stragglers in the group, even if the leader exited
    await process.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _display(args: Sequence[str]) -> str:
    """A short rendering of a command for messages: program and subcommand, never values."""
    words = [os.path.basename(args[0])] if args else []
    words += [a for a in args[1:4] if not a.startswith("-")][:2]
    return " ".join(words)
