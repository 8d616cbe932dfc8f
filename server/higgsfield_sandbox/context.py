"""What a command handler gets: settings, state, parsed flags, stdin, and an output buffer."""

from __future__ import annotations

import json
import sys
from typing import Any

from .argv import Parsed
from .config import Settings
from .durations import parse_duration
from .errors import usage
from .state import State


class Ctx:
    def __init__(
        self, *, settings: Settings, state: State, path: tuple[str, ...], args: Parsed, stdin_text: str | None = None
    ) -> None:
        self.settings = settings
        self.state = state
        self.path = path
        self.args = args
        self.stdin_text = stdin_text
        self.stdout: list[str] = []

    # ------------------------------------------------------------------ flags
    @property
    def json(self) -> bool:
        return self.args.flag("json")

    @property
    def command_key(self) -> str:
        return ".".join(self.path)

    def value(self, name: str) -> str | None:
        return self.args.value(name)

    def values(self, name: str) -> list[str]:
        return self.args.all(name)

    def flag(self, name: str) -> bool:
        return self.args.flag(name)

    def required(self, name: str) -> str:
        value = self.args.value(name)
        if value is None or value == "":
            raise usage(f'required flag(s) "{name.replace("_", "-")}" not set')
        return value

    def positional(self, what: str) -> str:
        if not self.args.positionals:
            raise usage(f"accepts 1 arg(s), received 0 (missing <{what}>)")
        if len(self.args.positionals) > 1:
            raise usage(f"accepts 1 arg(s), received {len(self.args.positionals)}")
        return self.args.positionals[0]

    def no_positionals(self) -> None:
        if self.args.positionals:
            first = self.args.positionals[0]
            raise usage(f'unknown command "{first}" for "higgsfield {" ".join(self.path)}"')

    def duration(self, name: str, default_text: str) -> tuple[float, str]:
        """Seconds and the text to quote in ``Timeout after <text>``."""
        text = self.args.value(name)
        if text is None:
            text = default_text
        return parse_duration(text, name.replace("_", "-")), text

    def int_flag(self, name: str, default: int, lo: int, hi: int) -> int:
        text = self.args.value(name)
        if text is None:
            return default
        try:
            number = int(text)
        except ValueError as exc:
            raise usage(
                f'invalid argument "{text}" for "--{name.replace("_", "-")}" flag: strconv.ParseInt: '
                f'parsing "{text}": invalid syntax'
            ) from exc
        return max(lo, min(hi, number))

    # ------------------------------------------------------------------ output
    def emit(self, obj: Any) -> None:
        self.stdout.append(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")

    def line(self, text: str) -> None:
        self.stdout.append(text + "\n")

    @staticmethod
    def note(text: str) -> None:
        """A non-fatal message on stderr (never an ``Error:`` line)."""
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
