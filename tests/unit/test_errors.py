"""stderr text → typed error: the contract's exact texts, each with a remedy a user can act on."""

from __future__ import annotations

import pytest

from higgsfield_mcp.adapters.cli import errors as e

CASES: list[tuple[str, type[e.HiggsfieldError]]] = [
    ("Error: Not authenticated.\nHint: Run: hf auth login", e.NotAuthenticated),
    ("Error: Session expired.\nHint: Run: hf auth login", e.SessionExpired),
    ("Error: Stored credentials use an older auth flow.", e.OlderAuthFlow),
    ("Error: Stored credentials are for https://a but current environment is https://b", e.CredentialsMismatch),
    ("Error: Cannot reach token endpoint.", e.NotAuthenticated),
    ("Error: No workspace selected.\nHint: Run: hf workspace set <workspace_id>", e.NoWorkspace),
    ('Error: {"error_type":"workspace_membership_required"}', e.WorkspaceMembership),
    ('Error: "Pro" or "Ultimate" plan required', e.PlanRequired),
    ("Error: Minimum Basic plan required", e.PlanRequired),
    ("Error: Insufficient credits", e.InsufficientCredits),
    ("Error: Missing required params: prompt", e.MissingParams),
    ("Error: Invalid values: aspect_ratio=99:99 (allowed: 1:1, 4:3, 16:9)", e.InvalidValues),
    ("Error: Unknown params: foo, bar", e.UnknownParams),
    ('Error: No model with job_type "sync_so".', e.UnknownModel),
    ('Error: Unknown model "nope"', e.UnknownModel),
    ("Error: Model accepts only --image (no roles)", e.MediaRoleError),
    ("Error: Model does not accept media inputs", e.MediaRoleError),
    ('Error: Unknown media role "mask"', e.MediaRoleError),
    ("Error: Model accepts only one image reference", e.MediaRoleError),
    ("Error: --media accepts at most 14 entries.", e.MediaRoleError),
    ("Error: avatars: Input should be a valid list", e.InputShapeError),
    ("Error: enhancement: should be object|null, got string", e.InputShapeError),
    ("Error: NSFW content detected", e.NSFWInput),
    ("Error: Higgsfield API error (HTTP 429)", e.RateLimited),
    (
        "Error: Failed to decode response. Body: <html><script src=captcha-delivery.com></script></html>",
        e.AntiBotBlocked,
    ),
    ("Error: Method Not Allowed", e.MethodNotAllowed),
    ("Error: higgsfield: request failed (no response received)\nHint: Run: hf auth login", e.NoResponse),
    ("Error: Higgsfield API error (HTTP 502)", e.ServerError),
    ('Error: Job ended with status "failed"', e.JobFailed),
    ('Error: Job ended with status "nsfw"', e.JobNSFW),
    ('Error: Job ended with status "ip_detected"', e.JobIPDetected),
    ('Error: Timeout after 10m; last status "in_progress"', e.CLITimeout),
    ("Error: something nobody has seen before", e.CLIFailed),
]


@pytest.mark.parametrize(("stderr", "expected"), CASES, ids=[c[1].__name__ + str(i) for i, c in enumerate(CASES)])
def test_classify_maps_contract_texts(stderr: str, expected: type[e.HiggsfieldError]) -> None:
    error = e.classify(stderr, exit_code=1)
    assert type(error) is expected
    assert (error.remedy and error.remedy != e.HiggsfieldError.default_remedy) or expected is e.CLIFailed
    assert "hf " not in error.remedy, "our remedies name `higgsfield`, never the ambiguous `hf`"


def test_invalid_values_carries_allowed_list() -> None:
    error = e.classify("Error: Invalid values: aspect_ratio=99:99 (allowed: 1:1, 4:3, 16:9)")
    assert isinstance(error, e.InvalidValues)
    assert (error.param, error.value, error.allowed) == ("aspect_ratio", "99:99", ["1:1", "4:3", "16:9"])
    assert "1:1, 4:3, 16:9" in error.remedy
    assert error.to_dict()["allowed"] == ["1:1", "4:3", "16:9"]


def test_invalid_values_without_allowed_list() -> None:
    error = e.classify("Error: Invalid values: avatars=a1 (unknown avatar)")
    assert isinstance(error, e.InvalidValues) and error.param == "avatars" and error.allowed == []
    assert "avatars" in error.remedy


def test_missing_and_unknown_params_are_named() -> None:
    missing = e.classify("Error: Missing required params: prompt, medias")
    assert isinstance(missing, e.MissingParams) and missing.params == ["prompt", "medias"]
    unknown = e.classify("Error: Unknown params: hook_id")
    assert isinstance(unknown, e.UnknownParams) and unknown.params == ["hook_id"]
    assert "hook_id" in unknown.remedy


def test_hint_and_exit_code_are_kept() -> None:
    error = e.classify("Error: Session expired.\nHint: Run: hf auth login\n", exit_code=2)
    assert error.hint == "Run: hf auth login" and error.exit_code == 2
    assert "higgsfield auth login" in error.remedy


def test_anti_bot_never_echoes_the_html_body() -> None:
    error = e.classify("Error: Failed to decode response. Body: <html>secret-ish captcha-delivery page</html>")
    assert "<html" not in error.message and "<html" not in str(error)


def test_no_error_line_falls_back_to_last_line() -> None:
    error = e.classify("panic: runtime error\ngoroutine 1 [running]:\nmain.main()", exit_code=2)
    assert isinstance(error, e.CLIFailed) and error.message == "main.main()"
    assert e.classify("", exit_code=7).message == "the CLI exited with code 7"


def test_retryable_flags() -> None:
    assert e.RateLimited("x").retryable and e.AntiBotBlocked("x").retryable and e.ServerError("x").retryable
    assert not e.NotAuthenticated("x").retryable and not e.InvalidValues("x").retryable
    assert not e.MethodNotAllowed("x").retryable


def test_a_missing_prompt_from_the_cli_says_to_ask_the_user() -> None:
    from higgsfield_mcp.adapters.cli.errors import MissingParams, classify

    error = classify("Error: Missing required params: prompt\n", exit_code=1)
    assert isinstance(error, MissingParams) and "Ask the user what they want to see" in (error.remedy or "")
    other = classify("Error: Missing required params: style_id\n", exit_code=1)
    assert "Provide style_id" in (other.remedy or "")
