"""MCP tools for Marketing Studio ads and product photoshoots (issue: marketing_ad)."""

from __future__ import annotations

from mcp.server import MCPServer

from .common import Services


def register(server: MCPServer, services: Services) -> None:
    """Nothing is registered yet: `marketing_ad` is being built."""
