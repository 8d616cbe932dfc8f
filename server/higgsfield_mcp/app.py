"""`higgsfield-mcp`: the console entry point.

    higgsfield-mcp                      serve MCP on stdio (what MCP clients launch)
    higgsfield-mcp --http [--host H] [--port P]   serve streamable HTTP, loopback by default
    higgsfield-mcp --sandbox [--http ...]   serve against the offline sandbox: no account, nothing spent
    higgsfield-mcp doctor [--json]      check the CLI, login, workspace and credits
    higgsfield-mcp demo [--home DIR]    a scripted session against the offline sandbox
    higgsfield-mcp install-skill [--host claude|codex|cursor] [--dest DIR] [--force]

Logging goes to stderr only: on stdio, stdout belongs to the protocol.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from . import __version__
from .adapters.cli.client import HiggsfieldCLI
from .config import Settings
from .domain.account import AccountReport, check_account
from .exposure import ExposureRefused, HttpExposure, exposure_summary

if TYPE_CHECKING:
    from mcp.server import MCPServer

log = logging.getLogger("higgsfield_mcp")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = Settings.from_env()
    if args.command == "doctor":
        return doctor(settings, as_json=args.json)
    if args.command == "install-skill":
        return install_skill_command(host=args.host, dest=args.dest, force=args.force)
    if args.command == "demo":
        from .demo import main as demo_main

        return demo_main(args.home)

    exposure = None
    if args.http:
        try:
            exposure = HttpExposure.plan(args.host, args.port, os.environ)
        except ExposureRefused as exc:
            print(f"higgsfield-mcp: {exc}", file=sys.stderr)
            return 2
    if args.sandbox:
        return serve_sandbox(exposure)

    from .server import create_server  # the MCP stack is only imported to serve

    server = create_server(settings)
    if exposure is not None:
        serve_http(server, exposure)
    else:
        server.run()
    return 0


def serve_http(server: MCPServer, exposure: HttpExposure) -> None:
    """Streamable HTTP with the exposure's Host/Origin allow-list, its bearer token when set, resumable streams."""
    import uvicorn

    from .event_store import RETRY_MILLISECONDS, BoundedEventStore

    app = server.streamable_http_app(
        host=exposure.host,
        transport_security=exposure.transport_security(),
        # resumable streams: a client whose connection drops mid-call reconnects and gets the result
        event_store=BoundedEventStore(),
        retry_interval=RETRY_MILLISECONDS,
    )
    log.warning("%s", exposure.describe())  # WARNING: shown at the default log level
    config = uvicorn.Config(exposure.wrap(app), host=exposure.host, port=exposure.port, log_level="warning")
    anyio.run(uvicorn.Server(config).serve)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="higgsfield-mcp",
        description="MCP server for Higgsfield: images, video, ads, characters and moodboards from chat.",
    )
    parser.add_argument("--version", action="version", version=f"higgsfield-mcp {__version__}")
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    parser.add_argument(
        "--host", default="127.0.0.1", help="HTTP bind address (default: loopback; others need HIGGSFIELD_MCP_TOKEN)"
    )
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (default: 8000)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    parser.add_argument(
        "--sandbox", action="store_true", help="serve against the offline sandbox CLI: no account, nothing is spent"
    )
    sub = parser.add_subparsers(dest="command")
    doc = sub.add_parser("doctor", help="check that generation can work, and say what to fix")
    doc.add_argument("--json", action="store_true", help="print the report as JSON")
    inst = sub.add_parser("install-skill", help="copy SKILL.md and references/ where an agent host looks for skills")
    inst.add_argument("--host", choices=["claude", "codex", "cursor"], default="claude", help="default: claude")
    inst.add_argument("--dest", help="install into this folder instead (a `higgsfield` folder is made inside)")
    inst.add_argument("--force", action="store_true", help="overwrite files you changed or did not install")
    demo = sub.add_parser("demo", help="run a real MCP session against the offline sandbox and show what happens")
    demo.add_argument("--home", help="keep the demo's files in this folder (default: a fresh temporary one)")
    return parser


def serve_sandbox(exposure: HttpExposure | None) -> int:
    """`--sandbox`: the sandbox CLI and its loopback HTTPS file server, set up for this process, then serve."""
    from .sandbox_mode import LABEL, sandbox_mode
    from .server import create_server

    try:
        with sandbox_mode():
            server = create_server(Settings.from_env(), result_label=LABEL)
            if exposure is not None:
                serve_http(server, exposure)
            else:
                server.run()
    except FileNotFoundError as exc:  # the sandbox CLI is not installed beside this Python
        print(f"higgsfield-mcp --sandbox: {exc}", file=sys.stderr)
        return 1
    return 0


def doctor(settings: Settings, *, as_json: bool = False) -> int:
    """Print the account report; exit non-zero when generation cannot work."""
    from .install_check import command_owner

    report = anyio.run(check_account, HiggsfieldCLI(settings.bin), settings)
    owner = command_owner()
    if as_json:
        data = report.model_dump(mode="json")
        data["command"] = {"path": str(owner.path) if owner.path else None, "ours": owner.ours, "text": owner.text()}
        print(json.dumps(data, indent=2))
    else:
        print(render_report(report) + "\n" + install_lines(report, owner.ours, owner.text()))
    return 0 if report.ready else 1


def install_lines(report: AccountReport, ours: bool, owner: str) -> str:
    """doctor's last lines: which `higgsfield-mcp` PATH finds, and the sandbox when there is no CLI to try."""
    lines = [f"{'ok ' if ours else '!! '}Command    {owner}"]
    if any(p.code == "cli_not_installed" for p in report.problems):
        lines.append(
            "   No CLI yet? Try everything offline first: `higgsfield-mcp --sandbox` (no account, nothing spent; "
            "see the README's client configs)."
        )
    return "\n".join(lines)


def install_skill_command(*, host: str, dest: str | None, force: bool) -> int:
    from .domain.skill_files import InstallRefused, install_skill

    try:
        report = install_skill(
            host=host,  # type: ignore[arg-type]  # argparse choices guarantee a Host
            dest=Path(dest).expanduser() if dest else None,
            force=force,
        )
    except InstallRefused as exc:
        print(f"install-skill: {exc}", file=sys.stderr)
        return 1
    print(f"Skill installed in {report.target}")
    if report.written:
        print(f"  written:   {', '.join(report.written)}")
    if report.unchanged:
        print(f"  unchanged: {len(report.unchanged)} file(s)")
    for name in report.kept:
        newer = f"; a newer version is beside it as {name}.new" if name in report.offered else ""
        print(f"  kept your edited {name}{newer}")
    return 0


def render_report(report: AccountReport) -> str:
    ok, bad = "ok ", "!! "
    lines = ["higgsfield-mcp doctor", ""]
    if report.cli.found:
        label = " (offline sandbox: nothing is spent)" if report.cli.sandbox else ""
        lines.append(f"{ok}CLI        {report.cli.path} — version {report.cli.version}{label}")
    else:
        lines.append(f"{bad}CLI        not usable")
    auth_text = {
        "authenticated": "signed in" + (f" as {report.email}" if report.email else ""),
        "not_authenticated": "not signed in",
        "session_expired": "session expired",
        "unknown": "unknown",
    }[report.auth]
    lines.append(f"{ok if report.auth == 'authenticated' else bad}Login      {auth_text}")
    if report.workspace:
        ws = report.workspace
        lines.append(f"{ok}Workspace  {ws.name}" + (f" ({ws.role})" if ws.role else ""))
    if report.plan or report.credits is not None:
        credits = f"{report.credits:g} credits" if report.credits is not None else "credits unknown"
        lines.append(f"{ok}Plan       {report.plan or 'unknown'} plan, {credits}")
    for problem in report.problems:
        lines += ["", f"{bad}{problem.message}", f"   fix: {problem.remedy}"]
    lines += ["", f"{ok}Exposure   {exposure_summary(os.environ)}"]
    if report.media_inputs:
        lines.append(f"{ok}Media      local inputs may come from {report.media_inputs}")
    verdict = report.summary if report.ready else "Not ready: fix the problem above, then run doctor again."
    lines += ["", verdict]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
