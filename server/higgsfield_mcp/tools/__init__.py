"""MCP tool modules, one per area; each has `register(server, services)`, called by `server.create_server`."""
