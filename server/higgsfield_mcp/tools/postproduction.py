"""MCP tool for post-production: `edit` (reframe, dub, voice change, draw-to-video, cut-outs,
outpaint, upscale) and the voice library lookup. The work is in `domain/postproduction`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from ..adapters.cli.errors import HiggsfieldError
from ..domain.generation.production import Outcome
from ..domain.postproduction.service import EditRequest, PostProduction, Source
from ..domain.postproduction.voices import VoiceInfo
from ..views import content_for, tool_result
from .common import Services, fail, hints, progress_to, raise_if_all_failed


class EditResult(Outcome):
    """An edit's jobs (linked to their source), its cost estimate, or the voices found."""

    source: Source | None = None
    estimate_credits: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    voices: list[VoiceInfo] = Field(default_factory=list)


def register(server: MCPServer, services: Services) -> None:
    post = PostProduction(services.production)
    settings = services.settings

    @server.tool(
        title="Edit an earlier result or a file",
        annotations=hints(read_only=False, destructive=False),
    )
    async def edit(
        ctx: Context,
        action: Annotated[
            Literal[
                "reframe",
                "dub",
                "voice_change",
                "draw_to_video",
                "remove_background",
                "outpaint",
                "upscale",
                "voices",
            ],
            Field(description="What to do; `voices` lists voices, searched by `voice` words."),
        ],
        source: Annotated[
            str | None, Field(description="Job id, upload id or file path; default: newest result.")
        ] = None,
        aspect_ratio: Annotated[str | None, Field(description="reframe (default 9:16), outpaint.")] = None,
        resolution: Annotated[str | None, Field(description="reframe: 720p or 1080p.")] = None,
        mode: Annotated[Literal["std", "pro"] | None, Field(description="reframe: pro takes references.")] = None,
        reference_images: Annotated[list[str] | None, Field(description="reframe pro: 1-2 images.")] = None,
        language: Annotated[str | None, Field(description="dub: a language name or ISO 639-3 code.")] = None,
        voice: Annotated[str | None, Field(description="voice_change, voices: a voice name or description.")] = None,
        sketch: Annotated[str | None, Field(description="draw_to_video: the drawn-over frame.")] = None,
        timestamp: Annotated[float | None, Field(ge=0, description="draw_to_video: second of the frame.")] = None,
        prompt: Annotated[str | None, Field(description="draw_to_video: what happens next.")] = None,
        params: Annotated[dict[str, Any] | None, Field(description="Other parameters.")] = None,
        estimate_only: Annotated[bool, Field(description="Only report the credit cost.")] = False,
        wait_seconds: Annotated[float | None, Field(ge=0)] = None,
    ) -> CallToolResult:
        """Post-production on an earlier job or a local file: reframe, dub, voice change, draw-to-video,
        remove background, outpaint, upscale. Checked before anything is spent; results are saved
        and listed by `jobs`, linked to their source. See the post-production reference."""
        if action == "voices":
            try:
                found = await post.voices(voice)
            except HiggsfieldError as exc:
                raise fail(exc) from exc
            lines = [
                f"- {v.name}: {v.gender or '?'}, {v.language or '?'}, {v.description or ''}".rstrip(", ") for v in found
            ]
            text = "\n".join(lines) if found else f"No voice matches {voice!r}; try fewer words."
            return tool_result(EditResult(jobs=[], voices=found), [TextContent(type="text", text=text)])
        request = EditRequest(
            action=action,
            source=source,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            mode=mode,
            reference_images=reference_images or [],
            language=language,
            voice=voice,
            sketch=sketch,
            timestamp=timestamp,
            prompt=prompt,
            params=params or {},
        )
        try:
            if estimate_only:
                est = await post.estimate(request)
                result = EditResult(
                    model=est.name, display_name=est.display_name, jobs=[], source=est.source, params=est.params
                )
                result.estimate_credits = est.credits
                if est.credits is None:
                    text = f"Higgsfield gives no estimate for {est.display_name} in advance. Nothing was spent."
                else:
                    text = f"{est.display_name}: about {est.credits:g} credits. Nothing was submitted."
                return tool_result(result, [TextContent(type="text", text=text)])
            outcome, used = await post.run(request, wait_seconds=wait_seconds, progress=progress_to(ctx))
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        raise_if_all_failed(outcome.jobs, what=action.replace("_", " "))
        result = EditResult(**outcome.model_dump(), source=used)
        return tool_result(result, await content_for(outcome, settings))
