"""The sandbox's knobs, read once per process from the environment."""

from __future__ import annotations

import os
import sys

DEFAULT_VERSION = "1.1.26"
BUILD_DATE = "2026-11-01T00:00:00Z"
DEFAULT_CDN = "https://d8j0ntlcm91z4.cloudfront.net"
SANDBOX_EMAIL = "sandbox@example.invalid"
WORKSPACE_ID = "5a4db0c0-0000-4000-8000-00000000cafe"
WORKSPACE_NAME = "Sandbox workspace"


def default_home() -> str:
    """A ``higgsfield-sandbox`` folder in the user's cache dir (stdlib-only platformdirs logic)."""
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, "higgsfield-sandbox", "Cache")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "higgsfield-sandbox")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg and os.path.isabs(xdg) else os.path.join(home, ".cache")
    return os.path.join(base, "higgsfield-sandbox")


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return max(0.0, value)


class Settings:
    def __init__(
        self,
        *,
        home: str,
        version: str,
        job_seconds: float,
        soul_seconds: float,
        cdn_base: str,
        credits: float,
        plan: str,
        fault_spec: str,
        products_create_ok: bool,
        batch_mode: str,
        extra_workspaces: tuple[str, ...] = (),
    ) -> None:
        self.home = home
        self.version = version
        self.job_seconds = job_seconds
        self.soul_seconds = soul_seconds
        self.cdn_base = cdn_base
        self.credits = credits
        self.plan = plan
        self.fault_spec = fault_spec
        self.products_create_ok = products_create_ok
        self.batch_mode = batch_mode
        self.extra_workspaces = extra_workspaces
        """Names of further workspaces (``HIGGSFIELD_SANDBOX_WORKSPACES``), after the default one."""

    @property
    def legacy(self) -> bool:
        """0.x spellings: ``job_set_type`` keys and ``--model`` instead of ``--variant``."""
        return self.version.startswith("0.")

    @property
    def model_key(self) -> str:
        return "job_set_type" if self.legacy else "job_type"

    @property
    def version_line(self) -> str:
        return f"higgsfield {self.version} (higgsfield-sandbox) built {BUILD_DATE}"

    def cdn_url(self, rel_path: str) -> str:
        return f"{self.cdn_base}/{rel_path.lstrip('/')}"


def load_settings() -> Settings:
    env = os.environ
    home_raw = env.get("HIGGSFIELD_SANDBOX_HOME", "").strip()
    home = os.path.expanduser(home_raw) if home_raw else default_home()
    job_seconds = _float("HIGGSFIELD_SANDBOX_JOB_SECONDS", 2.0)
    soul_seconds = _float("HIGGSFIELD_SANDBOX_SOUL_SECONDS", job_seconds)
    credits = _float("HIGGSFIELD_SANDBOX_CREDITS", 1000.0)
    plan = env.get("HIGGSFIELD_SANDBOX_PLAN", "").strip().lower() or "plus"
    batch_mode = env.get("HIGGSFIELD_SANDBOX_BATCH_MODE", "").strip().lower() or "jobs"
    if batch_mode not in ("jobs", "outputs"):
        batch_mode = "jobs"
    return Settings(
        home=home,
        version=env.get("HIGGSFIELD_SANDBOX_VERSION", "").strip() or DEFAULT_VERSION,
        job_seconds=job_seconds,
        soul_seconds=soul_seconds,
        cdn_base=(env.get("HIGGSFIELD_SANDBOX_CDN", "").strip() or DEFAULT_CDN).rstrip("/"),
        credits=credits,
        plan=plan,
        fault_spec=env.get("HIGGSFIELD_SANDBOX_FAULT", ""),
        products_create_ok=env.get("HIGGSFIELD_SANDBOX_PRODUCTS_CREATE", "").strip().lower() == "ok",
        batch_mode=batch_mode,
        extra_workspaces=tuple(n.strip() for n in env.get("HIGGSFIELD_SANDBOX_WORKSPACES", "").split(",") if n.strip()),
    )
