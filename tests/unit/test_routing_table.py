"""pick_model against the seed-written routing table, and the scoring's honesty: unsure, overrides, data checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from higgsfield_mcp.bundle import bundle_path
from higgsfield_mcp.domain.generation.catalogue import Catalogue
from higgsfield_mcp.domain.generation.router import (
    Pick,
    RouteRequest,
    compile_rules,
    load_rules,
    pick_model,
)

from .routing_table import ASK, LIBRARY, ROWS, SOULS, outcome


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.bundled()


def route(catalogue: Catalogue, request: str, **fields: Any) -> Pick:
    return pick_model(RouteRequest(request=request, **fields), catalogue)


def test_table_is_big_and_covers_every_family(catalogue: Catalogue) -> None:
    assert len(ROWS) >= 150
    assert len({(r, str(f)) for r, f, _ in ROWS}) == len(ROWS)
    expected = {e for _, _, e in ROWS}
    families = {
        "text2image_soul_v2", "soul_cinematic", "soul_cast", "soul_location", "seedream_v4_5", "z_image",
        "nano_banana_flash", "nano_banana_2", "recraft_v4_1", "gpt_image_2", "seedance_2_0", "kling3_0",
        "seedance1_5", "cinematic_studio_3_0", "minimax_hailuo", "veo3_1_lite", "grok_video_v15", "seedance_2_5",
        "image_background_remover", "video_background_remover", "outpaint", "text2speech_v2", "seed_audio",
        "multi_image_to_3d", "brain_activity", "tool:product_photoshoot", "tool:marketing_ad", LIBRARY, ASK,
    }  # fmt: skip
    assert families <= expected, families - expected
    assert sum(e == ASK for _, _, e in ROWS) >= 6


@pytest.mark.parametrize(("request_text", "fields", "expected"), ROWS, ids=[r[:60] for r, _, _ in ROWS])
def test_routing_table(catalogue: Catalogue, request_text: str, fields: dict[str, Any], expected: str) -> None:
    pick = route(catalogue, request_text, **fields)
    assert outcome(pick) == expected, f"{pick.rule}: {pick.why}"
    assert pick.rule and pick.why and "\n" not in pick.why
    if expected == ASK:
        assert pick.unsure is not None and len(pick.unsure.options) == 2
        assert pick.unsure.question.endswith("?")
        assert all(o.when for o in pick.unsure.options)


def test_thin_request_asks_still_or_clip(catalogue: Catalogue) -> None:
    pick = route(catalogue, "make something cool")
    assert pick.unsure is not None
    assert "still" in pick.unsure.question and "clip" in pick.unsure.question
    assert {o.model for o in pick.unsure.options} == {"gpt_image_2", "seedance_2_0"}
    assert pick.model == "gpt_image_2", "the answer still names a model, for an agent that cannot ask"
    assert route(catalogue, "make something cool", kind="video").unsure is None
    assert route(catalogue, "make something cool", reference_images=1).unsure is None


def test_close_call_gives_both_candidates_and_the_deciding_question(catalogue: Catalogue) -> None:
    pick = route(catalogue, "a poster of a cartoon fox")
    assert pick.unsure is not None, pick.rule
    assert {o.model for o in pick.unsure.options} == {"gpt_image_2", "nano_banana_flash"}
    assert "lettering" in pick.unsure.question  # the question written for this pair in routing.json
    # one more word settles it, and then there is nothing to ask
    assert route(catalogue, "a poster of a cartoon fox with the headline 'Wild'").unsure is None


def test_close_call_without_a_written_question_uses_both_whens(catalogue: Catalogue) -> None:
    data = json.loads(bundle_path("skill", "routing.json").read_text())
    data["unsure"]["questions"] = []
    rules = compile_rules(data)
    pick = pick_model(RouteRequest(request="a poster of a cartoon fox"), catalogue, rules=rules)
    assert pick.unsure is not None
    first, second = pick.unsure.options
    assert first.when in pick.unsure.question and second.when in pick.unsure.question


def test_soul_cast_for_consistency_points_to_the_library(catalogue: Catalogue) -> None:
    pick = route(catalogue, "keep my detective the same across 12 scenes with Soul Cast")
    assert pick.tool == "character_library" and pick.rule == "character_consistency"
    assert "Soul Cast" in pick.why and "reference" in pick.why and "Soul id" in pick.why
    assert pick.tool_hint and "make_references" in pick.tool_hint and "train_soul" in pick.tool_hint
    # a persona, asked for by name, is still Soul Cast
    assert route(catalogue, "a quirky persona with Soul Cast").model == "soul_cast"
    # a character already in the library is generated with, not re-made
    mia = route(catalogue, "keep Mia the same across 12 scenes", character_soul_ids=SOULS)
    assert mia.tool is None and mia.params["soul_id"] == "soul-2-id"


def test_a_duration_means_video_unless_audio_is_named(catalogue: Catalogue) -> None:
    assert route(catalogue, "a fox in the snow").kind == "image"
    assert route(catalogue, "a fox in the snow", duration=True).kind == "video"
    assert route(catalogue, "a portrait of a fox in the snow", duration=True).kind == "video"
    assert route(catalogue, "calm piano music", duration=True).kind == "audio"


def test_negation_skips_an_article(catalogue: Catalogue) -> None:
    assert route(catalogue, "a photo of a teddy bear, not a cartoon").model == "gpt_image_2"
    assert route(catalogue, "a photo of a teddy bear, cartoon").model == "nano_banana_flash"


def test_other_languages_fold_accents(catalogue: Catalogue) -> None:
    assert route(catalogue, "un vídeo de una ola").kind == "video"
    assert route(catalogue, "música tranquila").kind == "audio"


def test_editing_rules_send_to_the_edit_tool_and_audio_to_generate() -> None:
    """Which tool a rule sends to is data: cut-outs, wider frames and upscales are `edit` actions."""
    rules = load_rules()
    by_id = {r.id: r for r in rules.rules}
    edits = ("remove_background_image", "remove_background_video", "remove_background_transparent", "outpaint")
    for rule_id in (*edits, "outpaint_widen", "upscale_image", "upscale_video"):
        assert by_id[rule_id].tool == "edit", rule_id
    assert "remove_background" in rules.tool_hints["edit"] and "upscale" in rules.tool_hints["edit"]
    for rule_id in ("audio_speech", "audio_music"):
        assert by_id[rule_id].tool == "generate", rule_id


def test_an_edit_request_names_the_edit_tool_and_generate_auto_still_runs_it(catalogue: Catalogue) -> None:
    from higgsfield_mcp.domain.generation.submit import GenerateRequest, choose_model
    from higgsfield_mcp.views import pick_text

    pick = route(catalogue, "remove the background from this photo", reference_images=1)
    assert (pick.tool, pick.model) == ("edit", "image_background_remover")
    assert pick_text(pick).startswith("Use `edit` for this: Call edit with action remove_background")
    request = GenerateRequest(prompt="remove the background from this photo", reference_images=["upload-1"])
    model, _ = choose_model(request, catalogue)  # the model is an ordinary one: generate runs it as it is
    assert model.id == "image_background_remover"


def test_scores_come_from_shared_features(catalogue: Catalogue) -> None:
    """The same two features move the pick the same way in different words."""
    cheap = route(catalogue, "a cheap video of a ball rolling")
    physics = route(catalogue, "a cheap video of a ball bouncing, no audio")
    clean = route(catalogue, "a cheap video of a ball rolling, one continuous take")
    assert (cheap.model, physics.model, clean.model) == ("seedance1_5", "minimax_hailuo", "seedance1_5")


def test_rules_naming_unknown_features_are_refused() -> None:
    data = json.loads(bundle_path("skill", "routing.json").read_text())
    data["rules"][0]["signals"] = {"no_such_feature": 3}
    with pytest.raises(ValueError, match="no_such_feature"):
        compile_rules(data)
