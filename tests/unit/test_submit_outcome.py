"""The one rule for what a failed `generate create` means: rejected (nothing spent) or ambiguous (look first)."""

from __future__ import annotations

import pytest

from higgsfield_mcp.adapters.cli import errors as e
from higgsfield_mcp.adapters.media_policy import MediaNotAllowed, MediaNotFound

REJECTED: list[BaseException] = [
    e.classify("Error: Missing required params: prompt"),
    e.classify("Error: Invalid values: aspect_ratio=99:99 (allowed: 1:1, 16:9)"),
    e.classify("Error: Unknown params: foo"),
    e.classify('Error: Unknown media role "sketch"'),
    e.classify("Error: model accepts only 1 entries for start_image"),
    e.classify('Error: No model with job_type "sync_so".'),
    e.classify("Error: Not authenticated.", exit_code=2),
    e.classify("Error: Session expired.", exit_code=2),
    e.classify("Error: No workspace selected.", exit_code=4),
    e.classify('Error: {"error_type":"workspace_membership_required"}', exit_code=3),
    e.classify("Error: Plan required for this model"),
    e.classify("Error: Insufficient credits"),
    e.classify("Error: unknown flag: --nope", exit_code=1),
    e.classify("Error: nsfw content detected in the prompt"),
    MediaNotAllowed("outside the allowed folders"),
    MediaNotFound("no such file"),
    e.CLINotInstalled("no higgsfield on PATH"),
    e.WrongBinary("not Higgsfield's CLI"),
]

AMBIGUOUS: list[BaseException] = [
    e.classify("", exit_code=-9),  # killed by a signal
    e.classify("", exit_code=1),  # a bare exit code with nothing known before it
    e.classify("Error: higgsfield: request failed (no response received)", exit_code=3),
    e.classify("Error: Higgsfield API error (HTTP 502)", exit_code=3),
    e.classify("Error: Method Not Allowed", exit_code=3),
    e.classify("Error: HTTP 429 Too Many Requests", exit_code=3),
    e.classify("Error: Failed to decode response. Body: <html>captcha</html>", exit_code=3),
    e.classify("panic: runtime error: invalid memory address", exit_code=2),
    e.CLITimeout("did not finish within 45 s and was stopped"),
    e.GarbledOutput("printed output that is not JSON"),
    e.GarbledOutput("Unexpected answer to generate create: empty"),
    e.classify('Error: Job ended with status "failed"'),
]


@pytest.mark.parametrize("error", REJECTED, ids=lambda x: type(x).__name__)
def test_refused_before_submit_is_rejected(error: BaseException) -> None:
    assert e.submit_outcome(error) == "rejected"


@pytest.mark.parametrize("error", AMBIGUOUS, ids=lambda x: type(x).__name__)
def test_everything_else_is_ambiguous(error: BaseException) -> None:
    assert e.submit_outcome(error) == "ambiguous"


def test_unexpected_exceptions_are_ambiguous() -> None:
    assert e.submit_outcome(RuntimeError("boom")) == "ambiguous"
    assert e.submit_outcome(e.HiggsfieldError("something")) == "ambiguous"
