"""Secrets out of the CLI's words before they leave the adapter.

The CLI's stderr ends up in tool results, logs and the journal. A debug line, a proxy error
or a failed HTTP dump can hold an access token, a cookie or an API key; each is replaced by
`[redacted]` here, the one place every CLI output passes through.
"""

from __future__ import annotations

import re

MARK = "[redacted]"

_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    # (words one of which must appear, lowercased, for the pattern to be tried: a cheap pre-check)
    # Authorization: [scheme] credential, whatever the scheme (Token, Key, Digest, none at all)
    (
        ("authorization",),
        re.compile(
            r"(?i)\b(authorization\s*[:=]\s*(?:(?:bearer|basic|token|key|apikey|digest|dpop)\s+)?)[^\s,;\"']{4,}"
        ),
        rf"\1{MARK}",
    ),
    # Bearer xyz / Basic xyz in prose
    (("bearer", "basic"), re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {MARK}"),
    # Cookie: a=b; c=d  /  Set-Cookie: session=...
    (("cookie",), re.compile(r"(?im)\b((?:set-)?cookie\s*[:=]\s*)[^\r\n]+"), rf"\1{MARK}"),
    # key=value / "key": "value" / key: value for secret-looking names
    (
        ("token", "secret", "key", "passw", "session", "credential"),
        re.compile(
            r"(?i)((?:token|secret|api[_-]?key|apikey|password|passwd|session[_-]?id|credential)s?"
            r"[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&}]{4,})"
        ),
        rf"\1{MARK}",
    ),
    # JSON Web Tokens anywhere
    (("eyj",), re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}"), MARK),
    # well-known key prefixes (sk-..., hf_..., ghp_..., xox..-, AKIA...)
    (("sk-", "pk-", "rk-"), re.compile(r"(?<![A-Za-z0-9])[spr]k-[A-Za-z0-9_-]{16,}"), MARK),
    (
        ("hf_", "ghp_", "gho_", "github_pat_"),
        re.compile(r"(?<![A-Za-z0-9])(?:hf|ghp|gho|github_pat)_[A-Za-z0-9_]{16,}"),
        MARK,
    ),
    (("xox",), re.compile(r"xox[abpr]-[A-Za-z0-9-]{10,}"), MARK),
    (("akia",), re.compile(r"AKIA[0-9A-Z]{16}"), MARK),
)


def redact(text: str) -> str:
    """`text` with anything shaped like a token, cookie, bearer header or API key replaced."""
    if not text:
        return text
    lowered = text.lower()
    for words, pattern, replacement in _PATTERNS:
        if any(word in lowered for word in words):
            text = pattern.sub(replacement, text)
    return text
