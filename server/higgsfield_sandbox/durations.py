"""Go ``time.ParseDuration`` syntax for ``--wait-timeout``, ``--timeout`` and friends."""

from __future__ import annotations

import re

from .errors import usage

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str, flag: str) -> float:
    """Seconds for a Go duration such as ``10m``, ``1h30m``, ``90s``, ``1.5s`` or ``0``."""
    raw = text.strip()
    body = raw.lstrip("+-")
    negative = raw.startswith("-")
    if body == "0":
        return 0.0
    pos = 0
    total = 0.0
    if not body:
        raise _invalid(text, flag, "invalid duration")
    while pos < len(body):
        match = _PART.match(body, pos)
        if match is None:
            reason = "missing unit in duration" if re.fullmatch(r"[\d.]+", body[pos:]) else "invalid duration"
            raise _invalid(text, flag, reason)
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if negative:
        total = -total
    return max(0.0, total)


def _invalid(text: str, flag: str, reason: str) -> Exception:
    return usage(f'invalid argument "{text}" for "--{flag}" flag: time: {reason} "{text}"')
