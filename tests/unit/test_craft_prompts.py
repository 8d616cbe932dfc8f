"""Prompt craft that needs no CLI: lighting notes as positive phrases, moodboard slots that stay on their subject."""

from __future__ import annotations

import pytest

from higgsfield_mcp.domain.generation.submit import CharacterInputs
from higgsfield_mcp.domain.library.lighting import prompt_lighting
from higgsfield_mcp.domain.library.models import Character
from higgsfield_mcp.domain.library.moodboards import Moodboard
from higgsfield_mcp.domain.library.recipes import Cast, character_pipeline, plan_production
from higgsfield_mcp.domain.library.references import reference_requests


@pytest.mark.parametrize(
    ("notes", "kept", "gone"),
    [
        ("avoid flat frontal flash", ["directional light", "45 degrees to the side"], ["flash", "avoid", "flat"]),
        ("soft window light from the left; no overhead light", ["soft window light from the left"], ["overhead"]),
        ("Rembrandt key, warm practicals, avoid harsh direct sun.", ["Rembrandt key", "open shade"], ["harsh"]),
        ("never use a ring light", ["a large soft key light"], ["ring", "never"]),
    ],
)
def test_lighting_notes_become_positive_phrases(notes: str, kept: list[str], gone: list[str]) -> None:
    phrase = prompt_lighting(notes, "studio light")
    assert all(k in phrase for k in kept), phrase
    assert not any(g in phrase.lower() for g in gone), phrase


def test_a_note_with_nothing_positive_falls_back_to_the_default() -> None:
    assert prompt_lighting("don't underlight the eyes? no", "soft three-point light") != ""
    assert prompt_lighting("", "soft three-point light") == "soft three-point light"


def test_reference_prompts_carry_only_the_positive_lighting() -> None:
    character = Character(name="Ada", slug="ada", description="A woman, red curls.", lighting_notes="avoid flash")
    for _, request in reference_requests(character, "soul_2"):
        assert "flash" not in (request.prompt or "") and "soft continuous light" in (request.prompt or "")


BOARD = Moodboard(
    name="Harbour Lights",
    slug="harbour-lights",
    brief="Inspector Ruth Hale chases the forger Pim Okafor across a fishing port",
    look="cold blue dawn light",
    tone="quiet dread",
)


def test_each_slot_describes_only_its_own_subject() -> None:
    cast = [
        Cast(name="Ruth Hale", text="Ruth Hale, an inspector in her fifties, tweed coat"),
        Cast(name="Pim Okafor", text="Pim Okafor, a forger in his thirties, ink-stained hands"),
    ]
    planned = plan_production(BOARD, cast, environments=["a fish auction hall", "a harbour wall"], total=12)
    for image in planned:
        prompt = image.request.prompt or ""
        others = [c.name for c in cast if image.character is None or c.name != image.character.name]
        assert not any(name in prompt for name in others), (image.role, prompt)
        assert "chases" not in prompt, "the brief is never pasted into a slot"
    tone = [p.request.prompt or "" for p in planned if p.role == "tone"]
    assert tone and all("quiet dread" in t for t in tone)


def test_place_variations_stay_with_a_place_already_shown() -> None:
    places = ["a fish auction hall", "a harbour wall", "a net loft", "a lighthouse stair"]
    planned = plan_production(BOARD, [Cast(name="Ruth", text="Ruth")], environments=places, total=10)
    environment = [p.request.prompt or "" for p in planned if p.role == "environment"]
    assert all(e.startswith("Wide establishing shot of") for e in environment), "four places: four first looks"
    one_place = plan_production(BOARD, [Cast(name="Ruth", text="Ruth")], environments=places[:1], total=10)
    shots = [p.request.prompt or "" for p in one_place if p.role == "environment"]
    assert all(places[0] in s for s in shots) and any("different hour" in s for s in shots)


def test_without_locations_the_setting_leaves_out_the_characters() -> None:
    board = BOARD.model_copy(update={"brief": "Ruth Hale hunts a forger. A fishing port in winter, ice on the nets."})
    planned = plan_production(board, [Cast(name="Ruth Hale", text="Ruth Hale")], total=10)
    environment = [p.request.prompt or "" for p in planned if p.role == "environment"]
    assert all("A fishing port in winter" in e and "Ruth" not in e for e in environment)


def test_character_slots_pick_the_pipeline_that_keeps_the_likeness() -> None:
    souled = Cast(name="A", text="A", slug="a", inputs=CharacterInputs(soul_ids={"soul_2": "s1"}))
    referenced = Cast(name="B", text="B", slug="b", inputs=CharacterInputs(reference_images=["/x/front.png"]))
    bare = Cast(name="C", text="C", slug="c", inputs=CharacterInputs())
    assert character_pipeline("text2image_soul_v2", "nano_banana_flash", souled) == (
        "text2image_soul_v2",
        "kept by the Soul id",
    )
    assert character_pipeline("text2image_soul_v2", "nano_banana_flash", referenced) == (
        "nano_banana_flash",
        "kept by 1 reference image",
    )
    assert character_pipeline("text2image_soul_v2", "nano_banana_flash", bare)[1].startswith("from the description")
