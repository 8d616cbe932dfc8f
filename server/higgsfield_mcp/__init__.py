"""higgsfield-mcp: run a whole Higgsfield production from chat."""

__version__ = "0.1.0"
