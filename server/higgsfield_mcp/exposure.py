"""Who can reach the HTTP transport, decided once before it starts.

On a loopback address (127.0.0.0/8, ::1, `localhost`) only this machine can connect, so no
token is needed; Host and Origin are still checked against the loopback names, which stops
DNS rebinding. Any other address serves every tool to the network, so the server refuses to
start unless `HIGGSFIELD_MCP_TOKEN` is set: every request must then carry
`Authorization: Bearer <token>`, compared in constant time and never written to a log. Host
and Origin checking stays on off loopback too, with an explicit allow-list
(`HIGGSFIELD_MCP_ALLOWED_HOSTS`, `HIGGSFIELD_MCP_ALLOWED_ORIGINS`).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_VAR = "HIGGSFIELD_MCP_TOKEN"
HOSTS_VAR = "HIGGSFIELD_MCP_ALLOWED_HOSTS"
ORIGINS_VAR = "HIGGSFIELD_MCP_ALLOWED_ORIGINS"
MIN_TOKEN_LENGTH = 16
LOOPBACK_NAMES = ("localhost",)
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")


class ExposureRefused(Exception):
    """The HTTP transport must not start as configured; the message says what to set."""


def is_loopback(host: str) -> bool:
    """Only this machine can connect to `host`: any 127.x.y.z, ::1 or `localhost`; never a wildcard."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def _host_pattern(host: str) -> str:
    name = host.strip().strip("[]")
    return f"[{name}]" if ":" in name else name


def _split(raw: str) -> list[str]:
    return [part for part in re.split(r"[,\s]+", raw.strip()) if part]


@dataclass(frozen=True)
class HttpExposure:
    """The checks the HTTP transport runs, and one line saying what is exposed."""

    host: str
    port: int
    loopback: bool
    token: str | None = field(repr=False)
    allowed_hosts: tuple[str, ...]
    allowed_origins: tuple[str, ...]

    @classmethod
    def plan(cls, host: str, port: int, env: Mapping[str, str]) -> HttpExposure:
        """The exposure for binding `host:port`, or `ExposureRefused` naming the variable to set."""
        loopback = is_loopback(host)
        token = env.get(TOKEN_VAR, "").strip() or None
        if not loopback and token is None:
            raise ExposureRefused(
                f"Refusing to serve on {host}: it is not a loopback address, so every tool (and your credits) "
                f"would be open to the network. Set {TOKEN_VAR} to a long random secret (e.g. the output of "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`) and give clients "
                f"`Authorization: Bearer <token>`, or serve on 127.0.0.1."
            )
        if token is not None and len(token) < MIN_TOKEN_LENGTH:
            raise ExposureRefused(
                f"{TOKEN_VAR} is shorter than {MIN_TOKEN_LENGTH} characters; use a long random secret "
                "(e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
        hosts = [f"{_host_pattern(n)}:*" for n in ("127.0.0.1", "localhost", "::1")]
        if host.strip() not in WILDCARD_ADDRESSES:
            hosts.append(f"{_host_pattern(host)}:*")
        extra = _split(env.get(HOSTS_VAR, ""))
        if not loopback and host.strip() in WILDCARD_ADDRESSES and not extra:
            raise ExposureRefused(
                f"Serving on every address ({host or '0.0.0.0'}) needs {HOSTS_VAR}: the host names or addresses "
                "clients use to reach this machine (comma separated, e.g. `studio.local,192.168.1.20`), so "
                "requests naming any other host are refused."
            )
        for entry in extra:
            hosts.append(entry if ":" in entry.lstrip("[").split("]")[-1] else f"{entry}:*")
        hosts = list(dict.fromkeys(hosts))
        origins = _split(env.get(ORIGINS_VAR, "")) or [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
        return cls(
            host=host,
            port=port,
            loopback=loopback,
            token=token,
            allowed_hosts=tuple(hosts),
            allowed_origins=tuple(dict.fromkeys(origins)),
        )

    def transport_security(self) -> TransportSecuritySettings:
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=list(self.allowed_hosts),
            allowed_origins=list(self.allowed_origins),
        )

    def describe(self) -> str:
        """What is exposed, for the startup log and `doctor`; never the token itself."""
        where = f"http://{_host_pattern(self.host)}:{self.port}/mcp"
        reach = "this machine only (loopback)" if self.loopback else "THE NETWORK (not loopback)"
        auth = f"bearer token required ({TOKEN_VAR} is set)" if self.token else f"no token ({TOKEN_VAR} unset)"
        hosts = ", ".join(h.removesuffix(":*") for h in self.allowed_hosts)
        return f"HTTP on {where}: reachable from {reach}; {auth}; Host header must be one of {hosts}."

    def wrap(self, app: ASGIApp) -> ASGIApp:
        return BearerGate(app, self.token) if self.token else app


class BearerGate:
    """ASGI middleware: every HTTP request needs `Authorization: Bearer <token>` (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorized(scope):
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"www-authenticate", b"Bearer")],
                }
            )
            await send({"type": "http.response.body", "body": f"Missing or wrong bearer token ({TOKEN_VAR}).".encode()})
            return
        await self._app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        values = [v for k, v in scope.get("headers", ()) if k.lower() == b"authorization"]
        if len(values) != 1:
            return False
        scheme, _, given = values[0].partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self._token)


def exposure_summary(env: Mapping[str, str]) -> str:
    """For `doctor`: what `--http` would expose with today's environment (default loopback bind)."""
    token = f"{TOKEN_VAR} is set" if env.get(TOKEN_VAR, "").strip() else f"{TOKEN_VAR} is not set"
    extra = _split(env.get(HOSTS_VAR, ""))
    hosts = f"; extra allowed hosts: {', '.join(extra)}" if extra else ""
    return (
        "stdio serves only the client that started it. `--http` binds 127.0.0.1 (this machine only) by default; "
        f"any other address requires a bearer token ({token}){hosts}."
    )
