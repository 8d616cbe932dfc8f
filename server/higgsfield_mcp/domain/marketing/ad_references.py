"""Ad references (`ad-references create`): an existing video ad, from a job or a file, to model a new ad on.

Exactly one source: a job id (ours, or any Higgsfield video job) goes as `--job`; a local
video is checked by the media policy, uploaded as a video and goes as `--video-input`.
The reference then runs `queued` → `in_progress` → `completed`; there is no `--wait`, so
it is polled here (bounded), and one still running comes back with its id to use later.
Making a reference costs no credits.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path

import anyio
from pydantic import BaseModel

from ...adapters.cli.brand import AdReference, create_ad_reference, get_ad_reference
from ...adapters.cli.client import HiggsfieldCLI
from ...adapters.cli.errors import InvalidValues, MissingParams, ValidationError
from ...adapters.media_policy import resolve_media_input
from .products import NOTHING_SPENT

_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE)
DONE = frozenset({"completed", "failed", "canceled", "cancelled"})


class AdReferenceView(BaseModel):
    id: str
    status: str
    job_id: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    fail_reason: str | None = None

    @classmethod
    def of(cls, ref: AdReference) -> AdReferenceView:
        return cls(
            id=ref.id,
            status=ref.status,
            job_id=ref.job_id,
            video_url=ref.video_url,
            thumbnail_url=ref.thumbnail_url,
            fail_reason=ref.fail_reason,
        )


def check_source(source: str | None, roots: Sequence[Path]) -> tuple[str | None, Path | None]:
    """(job id, None) or (None, video file): exactly one source, checked before anything is called."""
    if not source or not source.strip():
        raise MissingParams(
            "An ad reference needs its source: the video ad to model on",
            params=["source"],
            remedy="Give source: the job id of a video made earlier, or the path of a video file. " + NOTHING_SPENT,
        )
    text = source.strip()
    if _UUID.fullmatch(text):
        return text, None
    media = resolve_media_input(text, roots, allow_ids=False)
    if media.path is None or media.media_type != "video":
        raise InvalidValues(
            f"Invalid values: source={text} (not a video)",
            param="source",
            value=text,
            remedy="Give a video file (mp4, mov, webm) or the job id of a video. " + NOTHING_SPENT,
        )
    return None, media.path


async def make_reference(
    cli: HiggsfieldCLI,
    *,
    job_id: str | None,
    video: Path | None,
    avatar_id: str | None,
    product_id: str | None,
    wait_seconds: float,
    poll_seconds: float,
) -> AdReferenceView:
    video_input = (await cli.upload(video, video=True)).id if video is not None else None
    ref = await create_ad_reference(cli, video_input=video_input, job=job_id, avatar=avatar_id, product=product_id)
    deadline = time.monotonic() + wait_seconds
    while ref.status not in DONE and time.monotonic() < deadline:
        await anyio.sleep(min(poll_seconds, max(0.0, deadline - time.monotonic())))
        ref = await get_ad_reference(cli, ref.id)
    if ref.status in ("failed", "canceled", "cancelled"):
        raise ValidationError(
            f"Marketing Studio could not read that video as an ad reference: {ref.fail_reason or ref.status}",
            remedy="Try another video ad (a finished video with a clear structure). " + NOTHING_SPENT,
        )
    return AdReferenceView.of(ref)
