"""Post-production on earlier results or local files: reframe, dub, voice change, draw-to-video,
background removal, outpaint, upscale; and the voice library for speech. No MCP imports."""
