"""One paid Marketing Studio command, journaled like `generate`: recorded before it is sent, settled after.

`dtc-ads generate` and `marketplace-cards create` are not `generate create`, but their jobs
are ordinary jobs (read back with `generate get|list`), so once their ids are journaled the
one poller waits for them, saves their files and `jobs` shows them. An answer that was lost
(timeout, garbled output) leaves the submission ambiguous: the poller looks for its jobs in
`generate list` (same model, same prompt); it is never sent again.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..generation.production import Outcome, Production, Progress
from ..generation.submit import send_once


async def send_journaled(
    production: Production,
    send: Callable[[], Awaitable[list[str]]],
    *,
    model: str,
    prompt: str,
    params: dict[str, Any],
    media: Sequence[tuple[str, str]] = (),
    wait_seconds: float,
    progress: Progress | None = None,
) -> Outcome:
    """Journal, send once (`send_once`: the one submit rule), then wait (bounded); what still runs is pending."""
    started = time.monotonic()
    ids, unclear, _why = await send_once(
        production.journal, send, model=model, kind="image", prompt=prompt, params=params, media=list(media)
    )
    if unclear:
        ids = await production.poller.wait_reconciled([unclear], timeout=wait_seconds)
    left = max(0.0, wait_seconds - (time.monotonic() - started))
    outcome = await production.wait(ids, wait_seconds=left, progress=progress)
    record = production.journal.get_submission(unclear) if unclear else None
    outcome.unclear_submissions = 1 if record is not None and record.open else 0
    return outcome
