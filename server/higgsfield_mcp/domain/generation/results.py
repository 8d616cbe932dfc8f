"""Saving a finished job's outputs locally, under the download policy.

Called by the poller's download workers once per completed job (off the poll round), so
files land whether or not a tool call is still waiting, and a slow one delays nobody
else. Each output goes to `media/<date>/<model>/<job>[-n].<ext>`; the download adapter
enforces https, the allowed hosts, the size cap and the overall deadline.
"""

from __future__ import annotations

from pathlib import Path

import anyio

from ...adapters.cli.models import Job
from ...adapters.downloads import download, media_path_for
from ...adapters.journal import JobRecord
from ...config import Settings
from .previews import cached_preview


class OutputSaver:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def __call__(self, job: Job, record: JobRecord) -> list[str]:
        saved: list[str] = []
        urls = job.outputs
        for index, url in enumerate(urls):
            dest = media_path_for(
                self._settings.media_dir,
                model=record.model or job.model or "unknown",
                job_id=job.id,
                index=index if len(urls) > 1 else 0,
                url=url,
                kind=record.kind,
            )
            path = await download(url, dest, allowed_hosts=self._settings.download_hosts)
            saved.append(str(path))
        return saved

    async def previews(self, record: JobRecord, files: list[str]) -> None:
        """Make the previews of saved images, once the job already counts as saved (ready before anyone asks)."""
        if record.kind not in ("image", "other"):
            return
        for file in files:
            await anyio.to_thread.run_sync(cached_preview, Path(file))  # off the event loop
