"""Moodboard recipes from the shot lists: counts, models and prompts; and the board document itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from higgsfield_mcp.bundle import bundle_path
from higgsfield_mcp.domain.generation.catalogue import Catalogue
from higgsfield_mcp.domain.generation.prompt_shape import wire_prompt
from higgsfield_mcp.domain.generation.submit import CharacterInputs
from higgsfield_mcp.domain.library.errors import LibraryRequestInvalid, MoodboardExists
from higgsfield_mcp.domain.library.models import Character
from higgsfield_mcp.domain.library.moodboards import BoardItem, Moodboard, MoodboardStore
from higgsfield_mcp.domain.library.recipes import Cast, plan_counts, plan_lookbook, plan_production
from higgsfield_mcp.domain.library.references import reference_requests
from higgsfield_mcp.domain.library.shot_lists import fill, placeholders, shot_lists

RECIPE = shot_lists().moodboard
BOARD = Moodboard(
    name="Night Ferry", slug="night-ferry", brief="A ferry crossing at night", look="teal and amber", tone="hope"
)
MAYA = Cast(name="Maya", text="A woman, dark bob", slug="maya", inputs=CharacterInputs(soul_ids={"soul_2": "s"}))
CAPTAIN = Cast(name="the captain", text="an old ferry captain")


@pytest.mark.parametrize(
    ("characters", "total", "per_character", "environment", "tone"),
    [
        (1, None, [3], 4, 2),  # 9 by default, grown to the recipe's minimum of 10: characters first
        (2, None, [2, 2], 4, 2),  # 11
        (2, 12, [3, 2], 4, 2),
        (2, 10, [2, 2], 4, 1),  # shrunk: tone first
        (3, 15, [3, 3, 2], 4, 2),
        (4, 13, [2, 2, 2, 2], 3, 1),  # shrunk: tone, then environment
    ],
)
def test_counts_follow_the_recipe(
    characters: int, total: int | None, per_character: list[int], environment: int, tone: int
) -> None:
    counts = plan_counts(RECIPE, characters, total)
    assert (counts.per_character, counts.environment, counts.color_lighting, counts.tone) == (
        per_character,
        environment,
        1,
        tone,
    )
    assert RECIPE.total.min <= counts.total <= RECIPE.total.max


@pytest.mark.parametrize(
    ("characters", "total", "words"),
    [(0, None, "at least one"), (6, None, "cannot be planned"), (4, 10, "main characters only"), (1, 16, "10 to 15")],
)
def test_impossible_plans_say_why(characters: int, total: int | None, words: str) -> None:
    with pytest.raises(LibraryRequestInvalid, match=words):
        plan_counts(RECIPE, characters, total)


def test_production_plan_uses_the_right_models_and_carries_the_library_character() -> None:
    planned = plan_production(BOARD, [MAYA, CAPTAIN], environments=["the ferry deck"], total=12)
    assert [p.role for p in planned] == ["character"] * 5 + ["environment"] * 4 + ["color_lighting"] + ["tone"] * 2
    assert {p.request.model for p in planned if p.role == "character"} == {"text2image_soul_v2"}
    assert {p.request.model for p in planned if p.role != "character"} == {"soul_cinematic"}
    maya = [p for p in planned if p.character is MAYA]
    assert len(maya) == 3 and all(p.request.cast == MAYA.inputs and p.request.character == "maya" for p in maya)
    assert all(p.request.moodboard == "night-ferry" for p in planned)
    assert all("teal and amber" in (p.request.prompt or "") for p in planned)
    assert len({p.request.prompt for p in planned}) == 12, "every image asks for something different"
    location = plan_production(BOARD, [MAYA], environment_model="soul_location")
    assert {p.request.model for p in location if p.role == "environment"} == {"soul_location"}
    assert all(set(p.request.params) == {"aspect_ratio"} for p in location if p.role == "environment")


def test_lookbook_is_the_trio_with_material_lighting_and_framing() -> None:
    planned = plan_lookbook(BOARD, "a navy wool peacoat", material="dense textured wool", wearer=MAYA)
    assert [p.role for p in planned] == ["texture", "lifestyle", "studio"]
    assert {p.request.model for p in planned} == {"text2image_soul_v2"}
    texture, lifestyle, studio = (p.request.prompt or "" for p in planned)
    assert "dense textured wool" in texture and "light" in texture and "close-up" in texture.lower()
    assert "a woman, dark bob" in lifestyle and "full-body" in lifestyle.lower()
    assert "neutral grey background" in studio
    assert planned[0].character is None and planned[0].request.cast is None, "the close-up shows fabric, not her"
    with pytest.raises(LibraryRequestInvalid, match="fashion item"):
        plan_lookbook(BOARD, " ")


def test_reference_prompts_share_one_description_and_soul_cast_gets_an_object_prompt() -> None:
    character = Character(name="Maya", slug="maya", canonical_prompt="A woman, dark bob.", lighting_notes="")
    planned = reference_requests(character, "soul_2")
    assert [shot.angle for shot, _ in planned] == ["front", "three_quarter", "profile"]
    assert all((r.prompt or "").startswith("A woman, dark bob. Character reference photo") for _, r in planned)
    assert all("three-point studio lighting" in (r.prompt or "") for _, r in planned)
    cast = reference_requests(character, "soul_cast", ["profile"])
    [(_, request)] = cast
    assert request.model == "soul_cast" and request.params == {"aspect_ratio": "16:9"}
    assert (request.prompt or "").startswith("A woman, dark bob. Character reference photo")
    wire = wire_prompt(Catalogue.bundled().get("soul_cast"), request.prompt)
    assert (wire or "").startswith('{"prompt": "A woman, dark bob. Character reference photo'), "one home: generate"
    with pytest.raises(LibraryRequestInvalid, match="no description"):
        reference_requests(Character(name="X", slug="x"), "soul_2")


def test_every_template_uses_only_the_values_it_is_given() -> None:
    lists = shot_lists()
    for shot in lists.reference_angles.angles:
        assert placeholders(shot.prompt) <= {"description", "lighting"}
    for slot in lists.moodboard.slots:
        for prompt in slot.prompts:
            assert placeholders(prompt) <= {"production", "brief", "look", "tone", "character", "environment"}
    for look in lists.lookbook.shots:
        assert placeholders(look.prompt) <= {"item", "material", "mood", "setting", "wearer"}
    assert fill("{a} and {b}", {"a": "{b}", "b": "x"}) == "{b} and x", "values are never re-read as templates"
    assert bundle_path("skill", "shot_lists.json").is_file()


def test_board_numbers_are_stable_and_never_reused(tmp_path: Path) -> None:
    store = MoodboardStore(tmp_path)
    store.create(Moodboard(name="Night Ferry", slug="-"))
    with pytest.raises(MoodboardExists):
        store.create(Moodboard(name="night ferry", slug="-"))

    def add(board: Moodboard) -> list[int]:
        return [board.add(BoardItem(number=1, role="tone")).number for _ in range(3)]

    _, numbers = store.change("night-ferry", add)
    assert numbers == [1, 2, 3]
    store.change("night-ferry", lambda b: setattr(b, "items", b.items[:1]))
    _, again = store.change("night-ferry", add)
    assert again == [4, 5, 6]
    assert [s.images for s in store.list()] == [0], "items without files are not counted as images"
