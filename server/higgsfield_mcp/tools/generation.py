"""MCP tools for the production path: `pick_model`, `generate`, `jobs`, and saved results as resources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from ..adapters.cli.errors import HiggsfieldError
from ..domain.generation.production import Outcome
from ..domain.generation.router import Pick, RouteRequest
from ..domain.generation.submit import GenerateRequest
from ..domain.library.service import Library
from ..views import content_for, history_content, media_file, pick_text, tool_result
from .common import Services, fail, hints, progress_to, raise_if_all_failed

Media = str  # a local path inside the allowed folders, an upload id or a job id (said once, in the description)


class GenerateResult(Outcome):
    """A generation: the jobs with their URLs and files, or the cost estimate when asked for one."""

    estimate_credits: float | None = Field(None, description="Set only for estimate_only calls; nothing was spent.")
    params: dict[str, Any] = Field(default_factory=dict, description="The parameters sent (or that would be sent).")


class JobsResult(Outcome):
    """Jobs from the journal: status, waited-for results, or history."""


def register(server: MCPServer, services: Services) -> None:
    production, settings = services.production, services.settings
    library = Library(settings, production)

    @server.tool(
        title="Pick a Higgsfield model",
        annotations=hints(read_only=True),
        structured_output=False,
    )
    async def pick_model(
        request: Annotated[str, Field(description="The request in the user's words.")],
        kind: Annotated[Literal["image", "video", "audio", "3d"] | None, Field(description="Force a kind.")] = None,
        start_image: Annotated[bool, Field(description="A first frame will be given.")] = False,
        end_image: Annotated[bool, Field(description="A last frame will be given.")] = False,
        reference_images: Annotated[int, Field(ge=0, le=50, description="Reference images to give.")] = 0,
        reference_videos: Annotated[int, Field(ge=0, le=10, description="Reference videos to give.")] = 0,
        audio_references: Annotated[int, Field(ge=0, le=10, description="Audio references to give.")] = 0,
        soul_id: Annotated[str | None, Field(description="A trained Soul id.")] = None,
        character: Annotated[str | None, Field(description="A library character.")] = None,
        model: Annotated[str | None, Field(description="A model the user named.")] = None,
    ) -> Annotated[CallToolResult, Pick]:
        """Pick the model for a request: why, alternatives, parameters to set, prompt checklist; may
        point to marketing_ad instead. Free: nothing is generated."""
        try:
            cast = library.cast(character)[1] if character else None
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        souls = dict(cast.soul_ids) if cast else {}
        if soul_id:
            souls["soul_2"] = soul_id
        route = RouteRequest(
            request=request,
            kind=kind,
            start_image=start_image,
            end_image=end_image,
            reference_images=reference_images,
            reference_videos=reference_videos,
            audio_references=audio_references,
            character_soul_ids=souls,
            character_has_references=bool(cast and cast.reference_images),
            model=model,
        )
        pick = await production.pick(route)
        return tool_result(pick, [TextContent(type="text", text=pick_text(pick))])

    @server.tool(
        title="Generate images, video or audio",
        annotations=hints(read_only=False, destructive=False),
        structured_output=False,
    )
    async def generate(
        ctx: Context,
        prompt: Annotated[str | None, Field(description="What to make, with lighting and framing.")],
        model: Annotated[str, Field(description="Model id or name; auto lets pick_model choose.")] = "auto",
        aspect_ratio: Annotated[str | None, Field(description="e.g. 16:9, 9:16, 1:1.")] = None,
        resolution: Annotated[str | None, Field(description="e.g. 720p, 1080p, 1k, 2k.")] = None,
        quality: Annotated[str | None, Field(description="Model quality tier, e.g. high or 2k.")] = None,
        duration: Annotated[int | None, Field(ge=1, le=60, description="Seconds, for video and audio.")] = None,
        count: Annotated[int | None, Field(ge=1, le=20, description="How many outputs.")] = None,
        reference_images: Annotated[list[Media] | None, Field(description="Reference images.")] = None,
        start_image: Annotated[Media | None, Field(description="First frame for image-to-video.")] = None,
        end_image: Annotated[Media | None, Field(description="Last frame.")] = None,
        videos: Annotated[list[Media] | None, Field(description="Reference or source videos.")] = None,
        audio: Annotated[list[Media] | None, Field(description="Reference audio.")] = None,
        voice: Annotated[str | None, Field(description="Speech models: a voice name or description.")] = None,
        soul_id: Annotated[str | None, Field(description="Trained Soul id (Soul models).")] = None,
        character: Annotated[str | None, Field(description="A library character to apply.")] = None,
        moodboard: Annotated[str | None, Field(description="A moodboard to add the results to.")] = None,
        params: Annotated[dict[str, Any] | None, Field(description="Any other model parameters.")] = None,
        estimate_only: Annotated[bool, Field(description="Only the credit cost, when asked.")] = False,
        wait_seconds: Annotated[float | None, Field(ge=0)] = None,
    ) -> Annotated[CallToolResult, GenerateResult]:
        """Make stills, clips or audio. Checked against the model before anything is spent, waited
        for (bounded, with progress), saved; each result has its URL, file and a preview. A job
        still running comes back pending: its text gives the `jobs` call that collects it. Media
        inputs: a path in the allowed folders, an upload id or a job id."""
        try:
            slug, cast = library.cast(character) if character else (None, None)
            board = library.boards.resolve(moodboard) if moodboard else None
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        request = GenerateRequest(
            prompt=prompt,
            model=model,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            quality=quality,
            duration=duration,
            count=count,
            reference_images=reference_images or [],
            start_image=start_image,
            end_image=end_image,
            videos=videos or [],
            audio=audio or [],
            voice=voice,
            soul_id=soul_id,
            params=params or {},
            character=slug,
            moodboard=board,
            cast=cast,
        )
        try:
            if estimate_only:
                est = await production.estimate(request)
                result = GenerateResult(
                    model=est.model.id,
                    display_name=est.model.display_name,
                    jobs=[],
                    estimate_credits=est.credits,
                    params=est.params,
                    why=est.pick.why if est.pick else None,
                    advice=est.notes,
                )
                text = f"{est.model.display_name}: about {est.credits:g} credits. Nothing was submitted."
                lines = [text, *est.notes]
                return tool_result(result, [TextContent(type="text", text=line) for line in lines])
            outcome = await production.generate(request, wait_seconds=wait_seconds, progress=progress_to(ctx))
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        unrecorded = await library.record_generation(outcome, character=slug, moodboard=board)
        raise_if_all_failed(outcome.jobs)
        result = GenerateResult(**outcome.model_dump())
        notes = [TextContent(type="text", text=note) for note in [*outcome.advice, *unrecorded]]
        return tool_result(result, [*await content_for(outcome, settings), *notes])

    @server.tool(
        title="Higgsfield jobs",
        annotations=hints(read_only=False, destructive=False, idempotent=True),
        structured_output=False,
    )
    async def jobs(
        ctx: Context,
        action: Annotated[
            Literal["status", "wait", "resume", "history"],
            Field(description="status/wait: job_ids; resume: all in flight; history: past jobs."),
        ] = "status",
        job_ids: Annotated[list[str] | None, Field(description="Jobs for status and wait.")] = None,
        model: Annotated[str | None, Field(description="history: only this model.")] = None,
        status: Annotated[str | None, Field(description="history: only this status, e.g. completed.")] = None,
        since: Annotated[datetime | None, Field(description="history: created at or after (ISO 8601).")] = None,
        until: Annotated[datetime | None, Field(description="history: created before (ISO 8601).")] = None,
        limit: Annotated[int, Field(ge=1, le=200, description="history: how many, newest first.")] = 20,
        wait_seconds: Annotated[float | None, Field(ge=0, description="wait/resume: at most this long.")] = None,
    ) -> Annotated[CallToolResult, JobsResult]:
        """Follow jobs: status, wait (bounded, with progress), resume all in flight after a restart,
        or the history."""
        try:
            if action == "history":
                views = await production.history(model=model, status=status, since=since, until=until, limit=limit)
                outcome = Outcome(jobs=views, pending=sum(1 for v in views if v.state == "pending"))
            elif action == "resume":
                outcome = await production.resume(wait_seconds=wait_seconds, progress=progress_to(ctx))
            else:
                if not job_ids:
                    raise ToolError("Give job_ids for status or wait (or use action 'resume' or 'history').")
                if action == "wait":
                    outcome = await production.wait(job_ids, wait_seconds=wait_seconds, progress=progress_to(ctx))
                else:
                    outcome = await production.status(job_ids)
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        result = JobsResult(**outcome.model_dump())
        if action == "history":
            return tool_result(result, history_content(outcome.jobs, settings))
        return tool_result(result, await content_for(outcome, settings))

    @server.resource(
        "higgsfield://media/{day}/{model}/{name}",
        name="media",
        title="Downloaded result",
        description="A generated file saved by this server (image, video or audio).",
        mime_type="application/octet-stream",
    )
    def media(day: str, model: str, name: str) -> bytes:
        path = media_file(settings, f"{day}/{model}/{name}")
        if path is None:
            raise ResourceNotFoundError(f"No saved result {day}/{model}/{name}")
        return path.read_bytes()
