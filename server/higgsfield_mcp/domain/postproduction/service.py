"""Post-production: what the `edit` tool does, without MCP.

Every edit works on a *source*: a job of this server (the newest fitting result when none
is named, so "make it vertical" needs no question), an upload id, or a file inside the
allowed folders. Workflows (`reframe`, `dubbing`, `voice-change`, `draw_to_video`) go
through `generate workflow`; cut-outs, outpaint and upscale are ordinary models and go
through `generate`. Either way everything is checked before anything is spent, the submit
is journaled first by the one `send_once`, and the jobs are followed, downloaded and listed
by `jobs` like any generation, with `source` linking each to what it was made from.
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field

from ...adapters.cli.errors import CLITimeout, HiggsfieldError, ValidationError
from ...adapters.cli.models import Voice
from ...adapters.media_policy import resolve_media_input
from ...bundle import bundle_path
from ..generation.catalogue import ModelInfo
from ..generation.production import JobView, Outcome, Production, Progress
from ..generation.submit import GenerateRequest, Submitted, send_once
from ..generation.validation import validate_request
from .languages import language_code
from .voices import VoiceInfo, choose_voice, search_voices

Action = Literal["reframe", "dub", "voice_change", "draw_to_video", "remove_background", "outpaint", "upscale"]
SourceKind = Literal["image", "video", "audio", "unknown"]

WORKFLOW_OF: dict[str, str] = {
    "reframe": "reframe",
    "dub": "dubbing",
    "voice_change": "voice-change",
    "draw_to_video": "draw_to_video",
}
"""Actions run as `generate workflow <name>`; the others are models."""

SOURCE_KINDS: dict[str, tuple[str, ...]] = {
    "reframe": ("video",),
    "dub": ("video",),
    "voice_change": ("video",),
    "draw_to_video": ("video",),
    "remove_background": ("image", "video"),
    "outpaint": ("image",),
    "upscale": ("image", "video"),
}

FIELDS_FOR: dict[str, frozenset[str]] = {
    "aspect_ratio": frozenset({"reframe", "outpaint"}),
    "resolution": frozenset({"reframe"}),
    "mode": frozenset({"reframe"}),
    "reference_images": frozenset({"reframe"}),
    "language": frozenset({"dub"}),
    "voice": frozenset({"voice_change"}),
    "sketch": frozenset({"draw_to_video"}),
    "timestamp": frozenset({"draw_to_video"}),
    "prompt": frozenset({"draw_to_video"}),
}
"""Which request fields each action takes; a field given to another action is refused, not ignored."""

OTHER_TOOL_FOR_KIND = {
    ("reframe", "image"): "For a still, use action `outpaint` with the new aspect_ratio.",
    ("outpaint", "video"): "For a video, use action `reframe` with the new aspect_ratio.",
}


class EditRequest(BaseModel):
    action: Action
    source: str | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    mode: str | None = None
    language: str | None = None
    voice: str | None = None
    sketch: str | None = None
    timestamp: float | None = None
    prompt: str | None = None
    reference_images: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)


class Source(BaseModel):
    """What an edit works on: the value the CLI gets (job id, upload id or absolute path) and its kind."""

    value: str
    kind: SourceKind
    job: JobView | None = None


class EditEstimate(BaseModel):
    name: str
    display_name: str
    credits: float | None = Field(description="None when Higgsfield cannot estimate this workflow in advance.")
    params: dict[str, Any]
    source: Source


class _Workflow(BaseModel):
    estimate: bool
    model: ModelInfo


class _Planned(BaseModel):
    """A checked edit: a workflow call (`workflow` set) or a model request (`generate` set)."""

    source: Source
    workflow: _Workflow | None = None
    prompt: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    media: list[tuple[str, str]] = Field(default_factory=list)
    generate: GenerateRequest | None = None


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(bundle_path("skill", "workflows.json").read_text(encoding="utf-8"))
    return loaded


def workflow(name: str) -> _Workflow:
    return _Workflow.model_validate(_data()["workflows"][name])


def upscale_candidates(kind: str) -> list[str]:
    return list(_data()["upscale_models"]["video" if kind == "video" else "image"])


class PostProduction:
    def __init__(self, production: Production) -> None:
        self.production = production
        self.settings = production.settings

    # -- voices ------------------------------------------------------------------------------------

    async def voice_library(self) -> list[Voice]:
        return await self.production.cli.list_voices()

    async def voices(self, query: str | None, *, limit: int = 10) -> list[VoiceInfo]:
        return [VoiceInfo.of(v) for v in search_voices(await self.voice_library(), query, limit=limit)]

    async def voice(self, wanted: str) -> Voice:
        return choose_voice(await self.voice_library(), wanted)

    # -- sources -------------------------------------------------------------------------------------

    async def find_source(self, action: str, given: str | None) -> Source:
        kinds = SOURCE_KINDS[action]
        if given is None or not given.strip():
            return await self._latest(action, kinds)
        text = given.strip()
        record = self.production.journal.get(text.lower()) or self.production.journal.get(text)
        if record is not None:
            view = JobView.of(record)
            if view.state == "pending":
                raise ValidationError(
                    f"That job is still running ({record.status})",
                    remedy="Wait for it with `jobs` (action wait), then edit it. Nothing was submitted.",
                )
            if view.state != "completed":
                raise ValidationError(
                    f"That job ended as {view.state.replace('_', ' ')} and has no result to edit",
                    remedy="Pick a completed result, or make a new one first. Nothing was submitted.",
                )
            source = Source(value=record.id, kind=_kind(record.kind), job=view)
        else:
            checked = resolve_media_input(text, self.settings.media_roots)
            if checked.media_type is not None:
                source = Source(value=checked.cli_value, kind=_kind(checked.media_type))
            else:
                source = Source(value=checked.cli_value, kind=await self._kind_of_id(checked.cli_value))
        if source.kind != "unknown" and source.kind not in kinds:
            hint = OTHER_TOOL_FOR_KIND.get((action, source.kind), f"It works on: {', '.join(kinds)}.")
            raise ValidationError(
                f"`{action}` cannot work on {'an' if source.kind == 'image' else 'a'} {source.kind}",
                remedy=f"{hint} Nothing was submitted.",
            )
        return source

    async def _kind_of_id(self, value: str) -> SourceKind:
        """What an id this server never made points at: a job's output (asked for) or an upload (listed).

        The CLI takes either kind of id in any media flag, so sending a video upload as an image
        would pick the image model; "unknown" only when neither lookup knows it.
        """
        cli = self.production.cli
        try:
            job = await cli.get_job(value)
        except HiggsfieldError:
            job = None
        if job is not None and job.model:
            info = (await self.production.catalogue()).find(job.model)
            if info is not None:
                return _kind(info.kind)
        for kind in ("video", "image", "audio"):
            try:
                uploads = await cli.list_uploads(kind)
            except HiggsfieldError:
                return "unknown"
            if any(upload.id == value for upload in uploads):
                return _kind(kind)
        return "unknown"

    async def _latest(self, action: str, kinds: tuple[str, ...]) -> Source:
        for view in await self.production.history(status="completed", limit=50):
            if view.kind in kinds and view.urls:
                return Source(value=view.job_id, kind=_kind(view.kind), job=view)
        raise ValidationError(
            f"There is no earlier {' or '.join(kinds)} result to {action.replace('_', ' ')}",
            remedy="Give source: a job id, an upload id, or a file path inside the allowed folders.",
        )

    # -- planning (everything before spending) ---------------------------------------------------

    async def plan(self, request: EditRequest) -> _Planned:
        misplaced = [
            name
            for name, actions in FIELDS_FOR.items()
            if request.action not in actions and getattr(request, name) not in (None, [], "")
        ]
        if misplaced:
            takes = sorted(n for n, actions in FIELDS_FOR.items() if request.action in actions)
            raise ValidationError(
                f"`{request.action}` does not take {', '.join(misplaced)}",
                remedy=f"It takes: source, {', '.join(takes) or 'nothing else'}. Nothing was submitted.",
            )
        source = await self.find_source(request.action, request.source)
        name = WORKFLOW_OF.get(request.action)
        if name is None:
            return _Planned(source=source, generate=await self._model_request(request, source))
        flow = workflow(name)
        params: dict[str, Any] = dict(request.params)
        media: list[tuple[str, str]] = [("video", source.value)]
        if request.action == "reframe":
            params.setdefault("aspect_ratio", request.aspect_ratio or "9:16")  # "make it vertical": no question
            for key in ("resolution", "mode"):
                if getattr(request, key) is not None:
                    params[key] = getattr(request, key)
            roots = self.settings.media_roots
            media += [("image", resolve_media_input(r, roots).cli_value) for r in request.reference_images]
            if request.reference_images and params.get("mode", "std") != "pro":
                raise ValidationError(
                    "Reference images for reframe need mode pro",
                    remedy="Set mode to pro (1-2 reference images) or leave them out. Nothing was submitted.",
                )
        elif request.action == "dub":
            if request.language:
                params["target_language"] = language_code(request.language)
            elif "target_language" not in params:
                raise ValidationError("Dubbing needs a language", remedy="Say which language to dub into.")
        elif request.action == "voice_change" and "voice_id" not in params:
            if not request.voice:
                raise ValidationError(
                    "Voice change needs a voice",
                    remedy="Name a voice or describe one (edit action voices lists them). Nothing was submitted.",
                )
            chosen = await self.voice(request.voice)
            params.update(voice_id=chosen.id, voice_type=chosen.type)
        elif request.action == "draw_to_video":
            if not request.sketch:
                raise ValidationError("Draw-to-video needs a sketch", remedy="Give sketch: the drawn-over frame.")
            media.append(("sketch", resolve_media_input(request.sketch, self.settings.media_roots).cli_value))
            if request.timestamp is not None:
                params["timestamp"] = request.timestamp
        checked = validate_request(flow.model, prompt=request.prompt, params=params, media=media)
        return _Planned(source=source, workflow=flow, prompt=request.prompt, params=checked, media=media)

    async def _model_request(self, request: EditRequest, source: Source) -> GenerateRequest:
        kind = "video" if source.kind == "video" else "image"
        if request.action == "remove_background":
            model = "video_background_remover" if kind == "video" else "image_background_remover"
        elif request.action == "outpaint":
            model = "outpaint"
        else:
            model = await self._upscaler(kind)
        return GenerateRequest(
            prompt=None,
            model=model,
            aspect_ratio=request.aspect_ratio,
            params=request.params,
            videos=[source.value] if kind == "video" else [],
            reference_images=[] if kind == "video" else [source.value],
            source=source.value,
        )

    async def _upscaler(self, kind: str) -> str:
        catalogue = await self.production.catalogue()
        for model_id in upscale_candidates(kind):
            info = catalogue.find(model_id)
            if info is not None and info.id == model_id and info.in_cli is not False:
                return model_id
        raise ValidationError(
            f"Your Higgsfield CLI's catalogue offers no {kind} upscale model ({', '.join(upscale_candidates(kind))})",
            remedy="Update the CLI if a newer one lists them (`model list`), or regenerate at a higher resolution. "
            "Nothing was submitted.",
        )

    # -- spending ----------------------------------------------------------------------------------

    async def estimate(self, request: EditRequest) -> EditEstimate:
        plan = await self.plan(request)
        if plan.generate is not None:
            est = await self.production.estimate(plan.generate)
            return EditEstimate(
                name=est.model.id,
                display_name=est.model.display_name,
                credits=est.credits,
                params=est.params,
                source=plan.source,
            )
        assert plan.workflow is not None
        model = plan.workflow.model
        credits: float | None = None
        if plan.workflow.estimate:
            cost = await self.production.cli.workflow_cost(
                model.id, prompt=plan.prompt, params=plan.params, media=plan.media
            )
            credits = cost.credits_exact or cost.credits
        return EditEstimate(
            name=model.id, display_name=model.display_name, credits=credits, params=plan.params, source=plan.source
        )

    async def run(
        self, request: EditRequest, *, wait_seconds: float | None = None, progress: Progress | None = None
    ) -> tuple[Outcome, Source]:
        plan = await self.plan(request)
        if plan.generate is not None:
            outcome = await self.production.generate(plan.generate, wait_seconds=wait_seconds, progress=progress)
            return outcome, plan.source
        assert plan.workflow is not None
        model, cli = plan.workflow.model, self.production.cli
        started = time.monotonic()
        ids, unclear, problem = await send_once(
            self.production.journal,
            lambda: cli.submit_workflow(model.id, prompt=plan.prompt, params=plan.params, media=plan.media),
            model=model.id,
            kind=model.kind,
            prompt=plan.prompt,
            params=plan.params,
            media=plan.media,
            source=plan.source.value,
        )
        sent = Submitted(
            model=model,
            job_ids=ids,
            unclear=[unclear] if unclear else [],
            params=plan.params,
            timed_out=isinstance(problem, CLITimeout),
            unclear_reason=problem.message if problem else None,
        )
        outcome = await self.production.follow(sent, started=started, wait_seconds=wait_seconds, progress=progress)
        return outcome, plan.source


def _kind(kind: str | None) -> SourceKind:
    return kind if kind in ("image", "video", "audio") else "unknown"  # type: ignore[return-value]
