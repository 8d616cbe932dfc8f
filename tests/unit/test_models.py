"""The CLI's JSON in every spelling the contract lists parses into one shape."""

from __future__ import annotations

import pytest

from higgsfield_mcp.adapters.cli.models import (
    Account,
    Job,
    ModelSchema,
    ModelSummary,
    SoulReference,
    Upload,
    Workspace,
    parse_jobs,
    parse_submitted,
    unwrap_items,
)

JOB_0X = {
    "id": "af2b2bdb-7616-4ad2-8575-340f761b985f",
    "status": "completed",
    "display_name": "Seedance 1.5 Pro",
    "job_set_type": "seedance1_5",
    "result_url": "https://d8j0ntlcm91z4.cloudfront.net/user_x/hf_1.mp4",
    "created_at": 1781213652.169595,
    "params": {"prompt": "cat", "duration": 4},
}


def test_job_0x_and_1x_spellings() -> None:
    old = Job.model_validate(JOB_0X)
    new = Job.model_validate({**{k: v for k, v in JOB_0X.items() if k != "job_set_type"}, "job_type": "seedance1_5"})
    assert old.model == new.model == "seedance1_5"
    assert old.terminal and old.outputs == [JOB_0X["result_url"]]


def test_job_iso_timestamp_unknown_status_and_multiple_outputs() -> None:
    job = Job.model_validate(
        {
            "id": "j",
            "status": "Waiting",
            "created_at": "2026-08-01T10:00:00Z",
            "result_urls": ["https://a/1.png", "https://a/2.png"],
            "result_url": "https://a/1.png",
        }
    )
    assert job.status == "waiting" and not job.terminal
    assert job.created_at == pytest.approx(1785578400.0)
    assert job.outputs == ["https://a/1.png", "https://a/2.png"]


def test_parse_submitted_variants() -> None:
    assert parse_submitted(["a", "b"]) == ["a", "b"]
    assert parse_submitted("a") == ["a"]
    assert parse_submitted([JOB_0X]) == [JOB_0X["id"]]
    assert parse_submitted(JOB_0X) == [JOB_0X["id"]]
    with pytest.raises(ValueError):
        parse_submitted([])
    with pytest.raises(ValueError):
        parse_submitted([42])


def test_parse_jobs_variants() -> None:
    assert [j.id for j in parse_jobs(JOB_0X)] == [JOB_0X["id"]]
    assert [j.id for j in parse_jobs([JOB_0X])] == [JOB_0X["id"]]
    assert [j.id for j in parse_jobs({"items": [JOB_0X], "next_cursor": None})] == [JOB_0X["id"]]


def test_list_envelopes() -> None:
    assert unwrap_items([1]) == [1]
    assert unwrap_items({"items": [1], "cursor": None, "has_more": False}) == [1]
    with pytest.raises(ValueError):
        unwrap_items({"nothing": 1})


def test_account_and_workspace() -> None:
    account = Account.model_validate({"credits": 0, "email": "a@b", "subscription_plan_type": "plus"})
    assert account.plan == "plus" and account.credits == 0
    ws = Workspace.model_validate({"plan_type": "plus", "credits": 0, "is_selected": True, "user_role": "owner"})
    assert ws.is_selected and ws.role == "owner" and ws.id is None


def test_model_summary_spellings() -> None:
    assert (
        ModelSummary.model_validate({"job_set_type": "z_image", "display_name": "Z", "type": "image"}).id == "z_image"
    )
    assert ModelSummary.model_validate({"job_type": "z_image", "name": "Z"}).display_name == "Z"


def test_model_schema_flat_table_1x() -> None:
    schema = ModelSchema.model_validate(
        {
            "job_type": "veo3_1",
            "display_name": "Google Veo 3.1",
            "type": "video",
            "aspect_ratios": ["16:9", "9:16"],
            "durations": [4, 6, 8],
            "parameters": {
                "quality": {"type": "string", "default": "basic", "enum": ["basic", "high", "ultra"]},
                "prompt": {"type": "string", "required": True},
            },
            "medias": {"start_image": {"min": 0, "max": 1}},
        }
    )
    assert schema.params["aspect_ratio"].enum == ["16:9", "9:16"]
    assert schema.params["duration"].enum == ["4", "6", "8"]
    assert schema.params["quality"].default == "basic" and schema.params["prompt"].required
    assert schema.media is not None and schema.media["start_image"].max == 1


def test_model_schema_json_schema_0x_with_refs() -> None:
    schema = ModelSchema.model_validate(
        {
            "job_set_type": "z_image",
            "display_name": "Z Image",
            "type": "image",
            "params": {
                "properties": {"aspect_ratio": {"$ref": "#/$defs/AR", "default": "1:1"}, "prompt": {"type": "string"}},
                "required": ["prompt"],
                "$defs": {"AR": {"enum": ["1:1", "16:9"], "type": "string"}},
            },
        }
    )
    assert schema.id == "z_image"
    assert schema.params["aspect_ratio"].enum == ["1:1", "16:9"] and schema.params["aspect_ratio"].default == "1:1"
    assert schema.params["prompt"].required
    assert schema.media is None, "no media section: unknown, not 'none accepted'"


def test_model_schema_duration_range() -> None:
    schema = ModelSchema.model_validate({"job_type": "kling3_0_turbo", "durations": {"min": 3, "max": 15}})
    assert (schema.params["duration"].minimum, schema.params["duration"].maximum) == (3, 15)


def test_upload_and_soul_spellings() -> None:
    assert Upload.model_validate({"id": "u", "url": "https://x"}).type is None
    soul = SoulReference.model_validate(
        {"reference_id": "s", "name": "Ana", "type": "soul_cinematic", "status": "failed", "created_at": ""}
    )
    assert soul.id == "s" and soul.variant == "soul_cinematic" and soul.terminal and soul.created_at is None
