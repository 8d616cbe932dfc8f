"""MCP tools for the character library and moodboards (issue: character library and moodboards)."""

from __future__ import annotations

from mcp.server import MCPServer

from .common import Services


def register(server: MCPServer, services: Services) -> None:
    """Nothing is registered yet: `character_library` and `moodboard` are being built."""
