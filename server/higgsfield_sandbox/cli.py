"""``higgsfield-sandbox``: argv dispatch, the calls log, faults, auth/workspace gates, output.

``higgsfield-sandbox <group> <verb> [positional] [--flags]``; see README.md in this package.
"""

from __future__ import annotations

import contextlib
import os
import select
import stat
import sys
from collections.abc import Callable
from typing import TextIO

from . import account, argv, brand_commands, errors, faults
from .config import Settings, load_settings
from .context import Ctx
from .durations import parse_duration
from .state import State

Handler = Callable[[Ctx, faults.Faults], int]

GLOBAL_BOOLS = frozenset({"json", "wait", "no_color", "help"})
GLOBAL_VALUES = frozenset({"wait_timeout", "wait_interval"})
MEDIA_VALUES = frozenset(
    {"image", "image_references", "start_image", "end_image", "video", "video_references", "audio", "audio_references"}
)
STDIN_COMMANDS = frozenset({"generate.create", "generate.cost", "product-photoshoot.create"})
UNAVAILABLE = frozenset(
    {
        "preset",
        "game",
        "website",
    }
)
ALIASES = {"ms": "marketing-studio", **brand_commands.ALIASES}


class Command:
    def __init__(
        self,
        handler: Handler,
        summary: str,
        *,
        bools: frozenset[str] = frozenset(),
        values: frozenset[str] = frozenset(),
        shorts: tuple[tuple[str, str], ...] = (),
        free_form: bool = False,
        auth: bool = True,
        workspace: bool = True,
    ) -> None:
        self.handler = handler
        self.summary = summary
        self.bools = bools
        self.values = values
        self.shorts = shorts
        self.free_form = free_form
        self.auth = auth
        self.workspace = workspace

    def spec(self, bool_params: frozenset[str] = frozenset()) -> argv.FlagSpec:
        return argv.FlagSpec(
            bools=GLOBAL_BOOLS | self.bools,
            values=GLOBAL_VALUES | self.values,
            shorts=(("h", "help"), *self.shorts),
            free_form=self.free_form,
            bool_params=bool_params,
        )


Tree = dict[str, "Tree | Command"]


def _plain(fn: Callable[[Ctx], int]) -> Handler:
    def run(ctx: Ctx, _faults: faults.Faults) -> int:
        return fn(ctx)

    return run


def _lazy(module: str, name: str, with_faults: bool = False) -> Handler:
    """Import command modules only when their command runs (fast start-up)."""

    def run(ctx: Ctx, flt: faults.Faults) -> int:
        import importlib

        fn = getattr(importlib.import_module(f"higgsfield_sandbox.{module}"), name)
        result: int = fn(ctx, flt) if with_faults else fn(ctx)
        return result

    return run


def _version(ctx: Ctx) -> int:
    ctx.no_positionals()
    if ctx.json:
        ctx.emit(
            {
                "version": ctx.settings.version,
                "commit": "higgsfield-sandbox",
                "built": ctx.settings.version_line.rsplit(" ", 1)[-1],
                "sandbox": True,
            }
        )
    else:
        ctx.line(ctx.settings.version_line)
    return 0


LIST_PAGING = frozenset({"size", "cursor"})
KIND_BOOLS = frozenset({"image", "video", "audio", "text"})

TREE: Tree = {
    "version": Command(_plain(_version), "Print version information", auth=False, workspace=False),
    "auth": {
        "login": Command(
            _plain(account.cmd_auth_login),
            "Sign in (sandbox: instant)",
            values=frozenset({"port"}),
            bools=frozenset({"no_browser"}),
            auth=False,
            workspace=False,
        ),
        "logout": Command(_plain(account.cmd_auth_logout), "Sign out", auth=False, workspace=False),
        "token": Command(_plain(account.cmd_auth_token), "Print the access token", workspace=False),
    },
    "account": {
        "status": Command(_plain(account.cmd_account_status), "Show account email, plan, and available credits"),
        "transactions": Command(
            _plain(account.cmd_account_transactions), "List credit transactions", values=LIST_PAGING
        ),
    },
    "workspace": {
        "list": Command(_plain(account.cmd_workspace_list), "List workspaces", workspace=False),
        "set": Command(_plain(account.cmd_workspace_set), "Select billing workspace", workspace=False),
        "status": Command(_plain(account.cmd_workspace_status), "Show the selected workspace", workspace=False),
        "unset": Command(_plain(account.cmd_workspace_unset), "Clear the workspace selection", workspace=False),
    },
    "model": {
        "list": Command(
            _lazy("catalogue", "cmd_model_list"), "List models", bools=KIND_BOOLS | {"3d"}, workspace=False
        ),
        "get": Command(_lazy("catalogue", "cmd_model_get"), "Show a model's parameters", workspace=False),
    },
    "generate": {
        "create": Command(
            _lazy("generate", "cmd_create", True), "Create generation job(s)", free_form=True, values=MEDIA_VALUES
        ),
        "cost": Command(
            _lazy("generate", "cmd_cost"),
            "Estimate credits without creating a job",
            free_form=True,
            values=MEDIA_VALUES,
        ),
        "get": Command(_lazy("generate", "cmd_get"), "Show one job"),
        "wait": Command(
            _lazy("generate", "cmd_wait"),
            "Wait for a job to finish",
            values=frozenset({"timeout", "interval"}),
            bools=frozenset({"quiet"}),
            shorts=(("q", "quiet"),),
        ),
        "list": Command(_lazy("generate", "cmd_list"), "List jobs", bools=KIND_BOOLS, values=LIST_PAGING),
        "workflow": Command(
            _lazy("workflows", "cmd_create", True), "Run a workflow", free_form=True, values=MEDIA_VALUES | {"sketch"}
        ),
    },
    "workflow": {
        "list": Command(_lazy("workflows", "cmd_list"), "List workflows", workspace=False),
        "get": Command(_lazy("workflows", "cmd_get"), "Show a workflow's parameters", workspace=False),
    },
    "voices": {
        "list": Command(_lazy("voices", "cmd_list"), "List voices"),
        "get": Command(_lazy("voices", "cmd_get"), "Show one voice"),
    },
    "upload": {
        "create": Command(
            _lazy("uploads", "cmd_upload_create"), "Upload a file", bools=frozenset({"image", "video", "audio"})
        ),
        "list": Command(
            _lazy("uploads", "cmd_upload_list"),
            "List uploads",
            bools=frozenset({"image", "video", "audio"}),
            values=LIST_PAGING,
        ),
    },
    "soul-id": {
        "create": Command(
            _lazy("souls", "cmd_create"),
            "Train a Soul id",
            values=frozenset({"name", "image"}),
            bools=frozenset({"soul_2", "soul_cinematic"}),
        ),
        "get": Command(_lazy("souls", "cmd_get"), "Show a Soul id"),
        "wait": Command(
            _lazy("souls", "cmd_wait"),
            "Wait for training",
            values=frozenset({"timeout", "interval"}),
            bools=frozenset({"quiet"}),
            shorts=(("q", "quiet"),),
        ),
        "list": Command(_lazy("souls", "cmd_list"), "List Soul ids", values=LIST_PAGING | {"type", "status"}),
    },
    "marketing-studio": {
        "avatars": {
            "list": Command(
                _lazy("marketing", "cmd_avatars_list"),
                "List avatars",
                values=LIST_PAGING | {"search", "user_cursor", "preset_cursor"},
            ),
            "create": Command(
                _lazy("marketing", "cmd_avatars_create"),
                "Create a custom avatar",
                values=frozenset({"name", "image", "image_url"}),
                bools=frozenset({"pinned"}),
            ),
        },
        "products": {
            "list": Command(
                _lazy("marketing", "cmd_products_list"), "List products", values=LIST_PAGING | {"limit", "offset"}
            ),
            "fetch": Command(
                _lazy("marketing", "cmd_products_fetch"),
                "Fetch a product from a URL",
                values=frozenset({"url", "timeout"}),
            ),
            "create": Command(
                _lazy("marketing", "cmd_products_create"),
                "Create a product manually",
                values=frozenset({"title", "description", "image"}),
            ),
        },
        "webproducts": {
            "list": Command(
                _lazy("marketing", "cmd_webproducts_list"),
                "List web products",
                values=LIST_PAGING | {"limit", "offset"},
            ),
            "fetch": Command(
                _lazy("marketing", "cmd_webproducts_fetch"),
                "Fetch a web product from a URL",
                values=frozenset({"url", "timeout"}),
            ),
            "create": Command(
                _lazy("marketing", "cmd_webproducts_create"),
                "Create a web product manually",
                values=frozenset({"url", "title", "subtitle", "description", "favicon_url", "desktop", "mobile"}),
            ),
        },
        "hooks": {
            "list": Command(_lazy("marketing", "cmd_hooks_list"), "List hooks", values=LIST_PAGING | {"search"}),
        },
        "settings": {
            "list": Command(_lazy("marketing", "cmd_settings_list"), "List settings", values=LIST_PAGING | {"search"}),
        },
    },
    "product-photoshoot": {
        "create": Command(
            _lazy("photoshoot", "cmd_create", True),
            "Product photoshoot (waits internally)",
            values=frozenset({"mode", "prompt", "image", "count", "aspect_ratio"}),
        ),
    },
}

TREE["marketing-studio"].update(brand_commands.marketing(Command, _lazy))  # type: ignore[union-attr]
TREE["marketplace-cards"] = brand_commands.marketplace(Command, _lazy)


class Resolved:
    def __init__(self) -> None:
        self.path: tuple[str, ...] = ()
        self.command: Command | None = None
        self.rest: list[str] = []
        self.group: Tree | None = None  # a group named without a verb: print its help
        self.version = False
        self.help = False


def resolve(tokens: list[str]) -> Resolved:
    """Find the command path; flags may appear before or between the command words."""
    out = Resolved()
    node: Tree = TREE
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok == "--":
            out.rest.extend(tokens[i - 1 :])
            break
        if tok.startswith("-") and len(tok) > 1:
            name = argv.norm(tok.lstrip("-").partition("=")[0])
            if not out.path and tok in ("-v", "--version"):
                out.version = True
                continue
            if tok in ("-h", "--help"):
                out.help = True
            out.rest.append(tok)
            if name in GLOBAL_VALUES and "=" not in tok and tok.startswith("--") and i < len(tokens):
                out.rest.append(tokens[i])
                i += 1
            continue
        word = ALIASES.get(tok, tok)
        if word in UNAVAILABLE:
            raise errors.usage(f'"{tok}" is not available in higgsfield-sandbox (sandbox stand-in for higgsfield)')
        child = node.get(word)
        if child is None:
            where = " ".join(("higgsfield", *out.path))
            if not out.path and word == "help":
                out.help = True
                continue
            raise errors.usage(f'unknown command "{tok}" for "{where}"')
        out.path = (*out.path, word)
        if isinstance(child, Command):
            out.command = child
            out.rest.extend(tokens[i:])
            return out
        node = child
    if out.path:
        out.group = node
    return out


def _bool_params(path: tuple[str, ...], rest: list[str], settings: Settings) -> frozenset[str]:
    """Boolean parameters of the model named in ``generate create|cost <model>`` (may be bare flags)."""
    if path not in (("generate", "create"), ("generate", "cost")):
        return frozenset()
    model_id: str | None = None
    skip = False
    for tok in rest:
        if skip:
            skip = False
            continue
        if tok == "--":
            break
        if tok.startswith("-"):
            skip = tok.startswith("--") and "=" not in tok and argv.norm(tok[2:]) not in GLOBAL_BOOLS
            continue
        model_id = tok
        break
    if model_id is None:
        return frozenset()
    from . import catalogue

    model = catalogue.find(model_id)
    if model is None:
        return frozenset()
    names = catalogue.user_param_names(model, settings.legacy)
    return frozenset(u for u, c in names.items() if model["parameters"][c].get("type") == "boolean")


def read_stdin() -> str | None:
    """Stdin when it is not a terminal and holds data (waits at most 0.5 s for a pipe)."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    try:
        if os.isatty(fd):
            return None
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)):
            return None
        if not stat.S_ISREG(mode):
            ready, _, _ = select.select([fd], [], [], 0.5 if not stat.S_ISCHR(mode) else 0)
            if not ready:
                return None
        chunks: list[bytes] = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    except (OSError, ValueError):
        return None
    data = b"".join(chunks)
    return data.decode("utf-8", "replace") if data else None


def _help_text(path: tuple[str, ...], node: Tree | Command) -> str:
    lines = ["higgsfield-sandbox: an offline stand-in for the higgsfield CLI (no account, no credits).", ""]
    if isinstance(node, Command):
        lines.append(f"Usage: higgsfield {' '.join(path)} [flags]")
        lines.append(f"  {node.summary}")
        flags = sorted({*node.bools, *node.values} - {"help"})
        if flags:
            lines.append("Flags: " + ", ".join("--" + argv.dash(f) for f in flags))
        if node.free_form:
            lines.append("Model parameters: --<param> <value> (see: model get <id>)")
    else:
        prefix = " ".join(("higgsfield", *path))
        lines.append(f"Usage: {prefix} <command> [flags]")
        lines.append("Commands:")
        for name, child in node.items():
            desc = child.summary if isinstance(child, Command) else ", ".join(child)
            lines.append(f"  {name:<20} {desc}")
    lines.append("Global flags: --json, --wait, --wait-timeout D, --wait-interval D, --no-color, -v/--version")
    return "\n".join(lines) + "\n"


def _write(stream: TextIO, text: str) -> None:
    if not text:
        return
    with contextlib.suppress(BrokenPipeError, ValueError):
        stream.write(text)
        stream.flush()


def main(args: list[str] | None = None) -> int:
    tokens = list(sys.argv[1:] if args is None else args)
    try:
        settings = load_settings()
        state = State(settings.home)
    except OSError as exc:
        _write(sys.stderr, f"Error: higgsfield-sandbox cannot use its state folder: {exc}\n")
        return errors.EXIT_USAGE
    try:
        return _run(tokens, settings, state)
    except KeyboardInterrupt:
        return 130


def _run(tokens: list[str], settings: Settings, state: State) -> int:
    resolved: Resolved | None = None
    parsed: argv.Parsed | None = None
    early: errors.SandboxError | None = None
    try:
        resolved = resolve(tokens)
        if resolved.command is not None:
            spec = resolved.command.spec(_bool_params(resolved.path, resolved.rest, settings))
            parsed = argv.parse(resolved.rest, spec)
    except errors.SandboxError as exc:
        early = exc
    stdin_text: str | None = None
    if (
        resolved is not None
        and parsed is not None
        and ".".join(resolved.path) in STDIN_COMMANDS
        and "prompt" not in parsed.values
        and not parsed.flag("help")
    ):
        stdin_text = read_stdin()
    state.log_call(tokens, stdin_text)
    if early is not None:
        _write(sys.stderr, early.render())
        return early.exit_code
    assert resolved is not None
    if resolved.version and resolved.command is None:
        _write(sys.stdout, settings.version_line + "\n")
        return 0
    if resolved.command is None or parsed is None:
        _write(sys.stdout, _help_text(resolved.path, resolved.group or TREE))
        return 0
    if parsed.flag("help"):
        _write(sys.stdout, _help_text(resolved.path, resolved.command))
        return 0
    command = resolved.command
    ctx = Ctx(settings=settings, state=state, path=resolved.path, args=parsed, stdin_text=stdin_text)
    try:
        for name in ("wait_timeout", "wait_interval", "timeout", "interval"):
            text = parsed.value(name)
            if text is not None:  # pflag parses durations up front, used or not
                parse_duration(text, argv.dash(name))
        flt = faults.Faults(state, settings.fault_spec, ctx.command_key)
        flt.pre()
        if command.auth and not account.logged_in(state):
            raise errors.not_authenticated()
        if command.workspace and not account.workspace_selected(state, settings):
            raise errors.no_workspace()
        code = command.handler(ctx, flt)
    except errors.SandboxError as exc:
        _write(sys.stdout, "".join(ctx.stdout))
        _write(sys.stdout if exc.on_stdout else sys.stderr, exc.render())
        return exc.exit_code
    post = flt.take(faults.POST_FAULTS)
    if post in faults.HANG_FAULTS:
        faults.hang(state)
    if post == "created_no_response":
        lost = errors.no_response()
        _write(sys.stderr, lost.render())
        return lost.exit_code
    if post == "garbled_json":
        _write(sys.stdout, faults.garble("".join(ctx.stdout)))
        return 0
    _write(sys.stdout, "".join(ctx.stdout))
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
