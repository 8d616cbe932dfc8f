"""`higgsfield-mcp --sandbox`: the real server, backed by the offline sandbox, for any MCP client.

It sets up, for this process only, what the demo and the tests use: the sandbox CLI
(`higgsfield-sandbox`, installed beside this Python) and its result files served on a
loopback HTTPS server whose throwaway certificate authority only this process trusts
(`SSL_CERT_FILE` in this process's environment, inherited by the sandbox CLI it runs;
nothing is installed in the system's trust store). Results are then really downloaded,
previewed and kept, exactly as with a Higgsfield account, without one.

Everything lives in its own folder, `<HIGGSFIELD_MCP_HOME or the user data folder>/sandbox`,
so sandbox jobs never mix with a real account's journal, and it is kept between runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .config import Settings

LABEL = "Sandbox: an offline stand-in for Higgsfield answers here (placeholder images); no credits are spent."
"""Added to every tool result in sandbox mode, so nobody takes a placeholder for a real generation."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxMode:
    root: Path
    """The sandbox's own folder: `mcp/` (journal, library, media) and `cli/` (the sandbox CLI's state)."""
    cdn_url: str

    @property
    def mcp_home(self) -> Path:
        return self.root / "mcp"

    @property
    def cli_home(self) -> Path:
        return self.root / "cli"

    def startup_text(self) -> str:
        return (
            f"higgsfield-mcp SANDBOX MODE: the offline sandbox CLI stands in for Higgsfield (placeholder images, "
            f"nothing is spent, no account needed). Files are kept in {self.mcp_home / 'media'} and "
            f"{self.mcp_home / 'library'}; the sandbox's result files are served on {self.cdn_url} (loopback only)."
        )


def sandbox_root(environ: Mapping[str, str] | None = None) -> Path:
    """`sandbox/` inside the home the settings would use (HIGGSFIELD_MCP_HOME or the user data folder)."""
    return Settings.from_env(os.environ if environ is None else environ).home / "sandbox"


@contextmanager
def sandbox_mode() -> Iterator[SandboxMode]:
    """Point this process at the sandbox CLI and its loopback file server until the block ends."""
    from higgsfield_sandbox.cdn import LoopbackCDN

    from .demo import sandbox_binary

    root = sandbox_root()
    binary = sandbox_binary()
    saved = dict(os.environ)
    with LoopbackCDN(root / "cli" / "cdn") as cdn:
        os.environ.update(
            {
                "HIGGSFIELD_BIN": binary,
                "HIGGSFIELD_SANDBOX_HOME": str(root / "cli"),
                "HIGGSFIELD_MCP_HOME": str(root / "mcp"),
                **cdn.env(),
            }
        )
        os.environ.setdefault("HIGGSFIELD_MCP_POLL_SECONDS", "0.5")
        mode = SandboxMode(root=root, cdn_url=cdn.base_url)
        log.warning(mode.startup_text())
        try:
            yield mode
        finally:
            os.environ.clear()
            os.environ.update(saved)
