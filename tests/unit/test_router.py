"""pick_model routes natural requests to the model (or tool) the skill's routing facts call for."""

from __future__ import annotations

import json
from typing import Any

import pytest

from higgsfield_mcp.adapters.cli.errors import UnknownModel
from higgsfield_mcp.adapters.cli.models import ModelSchema, ModelSummary
from higgsfield_mcp.bundle import bundle_path
from higgsfield_mcp.domain.generation.catalogue import Catalogue
from higgsfield_mcp.domain.generation.router import Pick, RouteRequest, compile_rules, load_rules, pick_model

SOULS = {"soul_2": "soul-2-id", "soul_cinematic": "soul-cine-id"}
PHOTOSHOOT = "tool:product_photoshoot"
AD = "tool:marketing_ad"

# (request, extra RouteRequest fields, expected model id or "tool:<name>")
TABLE: list[tuple[str, dict[str, Any], str]] = [
    # Soul 2.0: fashion, portrait, UGC, editorial, lifestyle, photoreal people
    ("a woman of about thirty, navy blazer, studio light, for a lookbook", {}, "text2image_soul_v2"),
    ("editorial fashion shot of a man in a camel overcoat on a Paris rooftop", {}, "text2image_soul_v2"),
    ("a headshot for my LinkedIn profile, soft window light", {}, "text2image_soul_v2"),
    ("UGC-style selfie of a girl holding an iced coffee", {}, "text2image_soul_v2"),
    ("candid photo of an old fisherman mending nets, natural light", {}, "text2image_soul_v2"),
    ("photos of a model in streetwear", {}, "text2image_soul_v2"),
    # Soul Cinema, Soul Cast, Soul Location
    ("a cinematic still of a detective in a rain-soaked alley, 1940s noir", {}, "soul_cinematic"),
    ("previsualise the opening scene of my heist film: a crew walking into a bank vault", {}, "soul_cinematic"),
    ("storyboard frames for a sci-fi short", {}, "soul_cinematic"),
    ("invent a quirky persona: a retired circus strongman who now runs a flower shop", {}, "soul_cast"),
    ("an abandoned Soviet swimming pool, golden hour, no people", {}, "soul_location"),
    ("a minimalist Scandinavian living room interior, morning light", {}, "soul_location"),
    # Seedream, Z Image, Nano Banana, Recraft, GPT Image 2
    ("a flat vector illustration of a fox for a kids app", {}, "seedream_v4_5"),
    ("swap the background of my selfie for a beach in Bali, keep my face", {"reference_images": 1}, "seedream_v4_5"),
    ("quick cheap drafts of a mountain cabin, I just want to explore ideas", {}, "z_image"),
    ("a cute cartoon mascot for a bakery", {}, "nano_banana_flash"),
    ("an anime-style character sheet of a girl with a katana, front, side and back", {}, "nano_banana_flash"),
    ("a complex comic panel with five characters arguing in a spaceship", {}, "nano_banana_2"),
    ("a minimal logo for a coffee roastery called Ember", {}, "recraft_v4_1"),
    ("an app icon for a meditation app", {}, "recraft_v4_1"),
    ("a poster for a jazz night with the headline 'Blue Monday'", {}, "gpt_image_2"),
    ("a landing page hero section mockup for a fintech startup", {}, "gpt_image_2"),
    ("a packaging design concept for a new oat milk with the label text 'Oat Good'", {}, "gpt_image_2"),
    ("a photo of a golden retriever in a field of sunflowers", {}, "gpt_image_2"),
    ("a thumbnail for my YouTube video about sourdough", {}, "gpt_image_2"),
    ("cover art for my new single", {}, "gpt_image_2"),
    ("a dreamy watercolor landscape", {}, "gpt_image_2"),
    # brand product visuals → product photoshoot
    ("Pinterest pin of my candle on a kitchen counter", {}, PHOTOSHOOT),
    ("hero banner showing my product in use", {}, PHOTOSHOOT),
    ("lifestyle shots of our new serum on a bathroom shelf", {}, PHOTOSHOOT),
    ("virtual try-on of my denim jacket", {}, PHOTOSHOOT),
    ("a set of Instagram ad creatives for my skincare line", {}, PHOTOSHOOT),
    ("a product shot of my sneaker on a white background for my Shopify store", {}, PHOTOSHOOT),
    ("a Christmas version of my product photo", {}, PHOTOSHOOT),
    # utilities
    ("remove the background from this photo", {"reference_images": 1}, "image_background_remover"),
    ("extend this image to a wider 21:9 frame", {"reference_images": 1}, "outpaint"),
    # video
    ("a 10 second video of a surfer riding a huge wave at sunset", {}, "seedance_2_0"),
    ("a fight scene on a rooftop with multiple shots and fast camera moves", {}, "seedance_2_0"),
    ("cheap video of a coffee cup steaming on a table, static shot", {}, "kling3_0"),
    ("a budget-friendly clip, one continuous shot with no cuts, of a train passing", {}, "seedance1_5"),
    ("a cinema-grade video of a knight on horseback in fog", {}, "cinematic_studio_3_0"),
    ("glass shattering in slow motion, cheap, no audio needed", {}, "minimax_hailuo"),
    ("I need a batch of 20 short clips of different fruits falling, fast turnaround", {}, "veo3_1_lite"),
    ("animate this anime drawing of a samurai", {"start_image": True}, "grok_video_v15"),
    ("a music video for my song", {}, "seedance_2_0"),
    ("extend this clip by 5 seconds", {"reference_videos": 1}, "seedance_2_5"),
    # constraints: frames, reference counts, audio, video references
    ("make her lips sync to this song", {"start_image": True, "audio_references": 1}, "seedance_2_0"),
    ("a calm, slow pan between these two frames", {"start_image": True, "end_image": True}, "kling3_0"),
    (
        "a video that morphs from this sketch into the final painting",
        {"start_image": True, "end_image": True},
        "seedance_2_0",
    ),
    ("fast batch of clips of my character in Tokyo", {"reference_images": 3}, "seedance_2_0"),
    ("cheap clip using these reference images", {"reference_images": 4}, "seedance_2_0"),
    ("a video in the style of these two clips", {"reference_videos": 2}, "seedance_2_0"),
    ("a portrait using these 3 reference photos of me", {"reference_images": 3}, "nano_banana_flash"),
    ("a quirky persona, a retired clown", {"reference_images": 2}, "nano_banana_flash"),
    # analysis
    ("score this video and tell me if the hook works", {"reference_videos": 1}, "brain_activity"),
    ("will this TikTok go viral?", {"reference_videos": 1}, "brain_activity"),
    ("rate this reel", {}, "brain_activity"),
    # ads → marketing_ad
    ("a UGC ad for my sneakers with a young presenter", {}, AD),
    ("a TV commercial for our energy drink", {}, AD),
    ("an unboxing video for my headphones", {}, AD),
    ("a product promo video for my app", {}, AD),
    ("a try-on video of my new jacket", {}, AD),
    ("a teaser video for my perfume brand", {}, AD),
    ("an explainer video about our SaaS product", {}, AD),
    # audio and 3D
    ("background music for my yoga video, calm lo-fi", {}, "seed_audio"),
    ("a voiceover reading our welcome script in a warm British accent", {}, "text2speech_v2"),
    ("a whoosh sound effect for a transition", {}, "seed_audio"),
    ("make a track with Sonilo, 30 seconds of upbeat synthwave", {}, "sonilo_music"),
    ("turn these 3 photos of my sneaker into a 3D model", {"reference_images": 3}, "multi_image_to_3d"),
    ("a rigged 3D model of my game character from these photos", {"reference_images": 2}, "multi_image_to_3d"),
    ("give me a 3d render of a sneaker", {}, "gpt_image_2"),
    # named models and traps
    ("use Nano Banana Pro for a cat astronaut", {}, "nano_banana_2"),
    ("make it with Nano Banana 2, a robot reading a book", {}, "nano_banana_flash"),
    ("Soul Cinema still of a lighthouse in a storm", {}, "soul_cinematic"),
    ("a cat astronaut", {"model": "Nano Banana Pro"}, "nano_banana_2"),
    ("a poster with GPT Image 1.5", {}, "gpt_image_2"),
    ("use seedance_2_0 for a dancer on a beach", {}, "seedance_2_0"),
    ("use Kling 3.0 instead of Veo for a calm portrait video", {}, "kling3_0"),
    ("Grok Imagine video of a neon tiger", {}, "grok_video"),
    # library characters
    ("Mia at a cafe in Paris, editorial look", {"character_soul_ids": SOULS}, "text2image_soul_v2"),
    ("Mia in a cinematic night scene on a bridge", {"character_soul_ids": SOULS}, "soul_cinematic"),
    ("Mia drinking coffee by a window", {"character_has_references": True}, "nano_banana_flash"),
    ("Mia as an anime hero", {"character_soul_ids": SOULS, "character_has_references": True}, "nano_banana_flash"),
    ("Mia at the beach", {"character_soul_ids": {"soul_2": "soul-2-id"}}, "text2image_soul_v2"),
]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.bundled()


def route(catalogue: Catalogue, request: str, **fields: Any) -> Pick:
    return pick_model(RouteRequest(request=request, **fields), catalogue)


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 45
    assert len({(r, str(f)) for r, f, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("request_text", "fields", "expected"), TABLE, ids=[r[:50] for r, _, _ in TABLE])
def test_routing_table(catalogue: Catalogue, request_text: str, fields: dict[str, Any], expected: str) -> None:
    pick = route(catalogue, request_text, **fields)
    got = f"tool:{pick.tool}" if expected.startswith("tool:") else pick.model
    assert got == expected, f"{pick.rule}: {pick.why}"
    assert pick.why and "\n" not in pick.why
    assert 1 <= len(pick.alternatives) <= 2
    if pick.tool is None:  # a tool pick may offer its own model, called directly, as the alternative
        assert pick.model not in {a.model for a in pick.alternatives}
    assert pick.checklist
    assert pick.display_name == catalogue.get(pick.model).display_name


def test_every_rule_model_and_alternative_exists(catalogue: Catalogue) -> None:
    rules = load_rules()
    for rule in rules.all_rules():
        assert rule.model in catalogue, rule.id
        assert 1 <= len(rule.alternatives) <= 2, rule.id
        for alt in rule.alternatives:
            assert alt.model in catalogue, f"{rule.id} → {alt.model}"
            assert alt.when
        key = rule.checklist or catalogue.get(rule.model).checklist
        assert catalogue.checklist(key), f"{rule.id} has no checklist {key!r}"
        if rule.tool and rule.tool != "generate":  # "generate" is the direct path and needs no hint
            assert rule.tool in rules.tool_hints
    for models in rules.fallbacks.values():
        assert all(m in catalogue for m in models)
    ids = [r.id for r in rules.all_rules()]
    assert len(ids) == len(set(ids))
    assert set(rules.defaults) == {"image", "video", "audio", "3d"}


def test_rule_params_are_params_the_model_takes(catalogue: Catalogue) -> None:
    for rule in load_rules().all_rules():
        if rule.tool not in (None, "generate"):
            continue  # tool params (e.g. photoshoot modes) belong to the tool
        model = catalogue.get(rule.model)
        assert set(rule.params) <= set(model.params), rule.id


def test_soul_checklist_has_lighting_framing_and_texture(catalogue: Catalogue) -> None:
    for request in ("a woman in a navy blazer for a lookbook", "a cinematic film still of a samurai at dusk"):
        pick = route(catalogue, request)
        assert pick.model in ("text2image_soul_v2", "soul_cinematic")
        text = " ".join(pick.checklist).lower()
        assert "lighting" in text and "framing" in text and "texture" in text
    for model in catalogue:
        if model.id.startswith(("text2image_soul", "soul_")):
            assert catalogue.checklist(model.checklist), model.id


def test_named_trap_resolves_to_the_right_id(catalogue: Catalogue) -> None:
    pick = route(catalogue, "use Nano Banana Pro")
    assert pick.model == "nano_banana_2" and pick.rule == "named"
    assert "nano_banana_2" in pick.why
    assert route(catalogue, "use Nano Banana 2").model == "nano_banana_flash"
    assert route(catalogue, "x", model="nano_banana_2").model == "nano_banana_2"
    assert route(catalogue, "x", model="Nano Banana 2").model == "nano_banana_flash"
    assert route(catalogue, "x", model="soul_cinema_studio").model == "soul_cinematic"
    assert route(catalogue, "a logo for a bakery", model="auto").model == "recraft_v4_1"
    assert route(catalogue, "x", model="image_auto").model == "image_auto"


def test_named_model_wins_over_rules_and_reports_misfit_inputs(catalogue: Catalogue) -> None:
    pick = route(catalogue, "a UGC ad for my sneakers with Seedance 2.0")
    assert pick.model == "seedance_2_0" and pick.tool is None
    assert any(a.model == "marketing_studio_video" for a in pick.alternatives)
    veo = route(catalogue, "use Veo 3.1 for this", reference_images=3)
    assert veo.model == "veo3_1" and "Note:" in veo.why


def test_named_model_that_is_not_in_the_cli(catalogue: Catalogue) -> None:
    pick = route(catalogue, "x", model="GPT Image 1.5")
    assert pick.model == "gpt_image_2" and "not in the Higgsfield CLI" in pick.why
    with pytest.raises(UnknownModel) as err:
        route(catalogue, "x", model="Imaginary Model 9")
    assert "Imaginary Model 9" in err.value.message


def test_negated_model_mentions_do_not_count(catalogue: Catalogue) -> None:
    assert route(catalogue, "a calm portrait video, not Kling").rule != "named"


def test_character_soul_ids_set_soul_id_param(catalogue: Catalogue) -> None:
    still = route(catalogue, "Mia at a cafe, editorial", character_soul_ids=SOULS)
    assert still.params["soul_id"] == "soul-2-id"
    cine = route(catalogue, "Mia in a cinematic night scene", character_soul_ids=SOULS)
    assert cine.params["soul_id"] == "soul-cine-id"
    only_cine = route(catalogue, "Mia at the market", character_soul_ids={"soul_cinematic": "c"})
    assert only_cine.model == "soul_cinematic" and only_cine.params["soul_id"] == "c"
    spelled = route(catalogue, "Mia at the market", character_soul_ids={"Soul-2": "s"})
    assert spelled.model == "text2image_soul_v2" and spelled.params["soul_id"] == "s"
    refs = route(catalogue, "Mia drinking coffee", character_has_references=True)
    assert "soul_id" not in refs.params


def test_character_in_a_video_uses_references(catalogue: Catalogue) -> None:
    pick = route(catalogue, "a video of Mia walking in the rain", character_has_references=True)
    assert pick.model == "seedance_2_0" and "reference" in pick.why
    souls_only = route(catalogue, "a video of Mia walking in the rain", character_soul_ids=SOULS)
    assert "start_image" in souls_only.why


def test_constraint_substitution_explains_itself(catalogue: Catalogue) -> None:
    pick = route(catalogue, "fast batch of clips", reference_images=3)
    assert pick.model == "seedance_2_0"
    assert "Veo 3.1 Lite" in pick.why and pick.alternatives[0].model == "veo3_1_lite"
    missing = route(catalogue, "score this video")
    assert missing.model == "brain_activity" and "needs at least 1 video" in missing.why


def test_tool_picks_carry_mode_and_hint(catalogue: Catalogue) -> None:
    pin = route(catalogue, "Pinterest pin of my candle on a kitchen counter")
    assert pin.tool == "product_photoshoot" and pin.params == {"mode": "moodboard_pin"}
    assert pin.tool_hint and "marketing_ad" in pin.tool_hint
    ad = route(catalogue, "an unboxing video for my headphones")
    assert ad.tool == "marketing_ad" and ad.model == "marketing_studio_video" and ad.params["mode"] == "ugc_unboxing"
    named = route(catalogue, "make it in Marketing Studio")
    assert named.model == "marketing_studio_video" and named.tool == "marketing_ad"


def test_useful_params(catalogue: Catalogue) -> None:
    assert route(catalogue, "a logo for a bakery").params == {"model_type": "vector"}
    assert route(catalogue, "3D model from these photos", reference_images=2).params == {"should_texture": True}


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("a thumbnail for my video", "image"),
        ("background music for my video", "audio"),
        ("animate this photo", "video"),
        ("a 5s shot of waves", "video"),
        ("a 3D printable dragon", "3d"),
    ],
)
def test_kind_inference(catalogue: Catalogue, request_text: str, kind: str) -> None:
    assert route(catalogue, request_text).kind == kind


def test_explicit_kind_wins(catalogue: Catalogue) -> None:
    assert route(catalogue, "a fox in the snow", kind="video").model == "seedance_2_0"
    assert route(catalogue, "a fox in the snow", kind="audio").model == "seed_audio"


def test_models_the_live_cli_lacks_are_not_picked_unasked(catalogue: Catalogue) -> None:
    listed = [ModelSummary(id=m.id, display_name=m.display_name, kind=m.kind) for m in catalogue if m.id != "kling3_0"]
    live = catalogue.merged(listed, {})
    pick = route(live, "cheap video of a coffee cup steaming on a table, static shot")
    assert pick.model != "kling3_0" and "does not list" in pick.why
    assert route(live, "use Kling 3.0 please").model == "kling3_0"


def test_live_schema_changes_feed_the_fit_check(catalogue: Catalogue) -> None:
    schema = ModelSchema.model_validate(
        {"job_type": "veo3_1_lite", "parameters": {}, "medias": {"image": {"min": 0, "max": 5}}}
    )
    live = catalogue.merged([], {"veo3_1_lite": schema})
    assert route(live, "fast batch of clips", reference_images=3).model == "veo3_1_lite"


def test_deterministic(catalogue: Catalogue) -> None:
    """Same request, same pick; speed is measured by benchmarks/bench_router.py, not asserted here."""
    requests = [RouteRequest(request=r, **f) for r, f, _ in TABLE]
    first = [pick_model(r, catalogue) for r in requests]
    assert [pick_model(r, catalogue) for r in requests] == first


def test_custom_rules_with_prefix_words(catalogue: Catalogue) -> None:
    data = json.loads(bundle_path("skill", "routing.json").read_text())
    data["rules"] = [
        {"id": "cine", "kind": "image", "model": "soul_cinematic", "any": ["cinemat*"], "why": "w",
         "alternatives": [{"model": "gpt_image_2", "when": "x"}]},
        *[r for r in data["rules"] if r["id"].startswith("default_")],
    ]  # fmt: skip
    rules = compile_rules(data)
    assert pick_model(RouteRequest(request="cinematography test"), catalogue, rules=rules).model == "soul_cinematic"
    assert pick_model(RouteRequest(request="a cat"), catalogue, rules=rules).model == "gpt_image_2"
