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

from ...adapters.cli.errors import CLITimeout, GarbledOutput, HiggsfieldError
from ..generation.production import Outcome, Production, Progress


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
    """Journal, send once, then wait (bounded) for the jobs; what still runs comes back pending."""
    started = time.monotonic()
    journal = production.journal
    submission = journal.begin_submission(model=model, prompt=prompt, params=params, media=list(media), kind="image")
    unclear = False
    ids: list[str] = []
    try:
        ids = await send()
    except (CLITimeout, GarbledOutput) as exc:
        journal.ambiguous(submission, exc.message)
        unclear = True
    except HiggsfieldError as exc:
        journal.rejected(submission, exc.message)
        raise
    except BaseException:
        journal.ambiguous(submission, "the call was interrupted while submitting")
        raise
    if unclear:
        ids = await production.poller.wait_reconciled([submission], timeout=wait_seconds)
    else:
        journal.submitted(submission, ids, kind="image", prompt=prompt, params=params)
    left = max(0.0, wait_seconds - (time.monotonic() - started))
    outcome = await production.wait(ids, wait_seconds=left, progress=progress)
    record = journal.get_submission(submission)
    outcome.unclear_submissions = 1 if record is not None and record.open else 0
    return outcome
