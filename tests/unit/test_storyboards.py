"""Storyboard scenes: validation, gaps filled from the moodboard, and the still and clip requests."""

from __future__ import annotations

import pytest

from higgsfield_mcp.domain.generation.submit import CharacterInputs
from higgsfield_mcp.domain.library.errors import LibraryRequestInvalid
from higgsfield_mcp.domain.library.moodboards import Moodboard
from higgsfield_mcp.domain.library.storyboards import (
    SceneDraft,
    Storyboard,
    Take,
    clip_request,
    fill_scenes,
    merged_cast,
    still_aspect,
    still_request,
)

CAST = {"Maya": ("maya", "Maya Chen"), "Tomas": ("tomas", "Tomas Reyes")}
BOARD = Moodboard(
    name="Night Ferry", slug="night-ferry", brief="A crossing at night", look="amber on teal", tone="tender"
)


def test_gaps_are_filled_from_the_moodboard_and_the_scene_before() -> None:
    scenes = fill_scenes(
        [
            SceneDraft(beat="Maya boards", characters=["Maya"], location="the gangway"),
            SceneDraft(beat="They meet", characters=["Maya", "Tomas", "Maya"], framing="two-shot", duration=6),
            SceneDraft(beat="Lights appear", aspect_ratio="9:16", clip_model="kling3_0"),
        ],
        characters=CAST,
        board=BOARD,
        aspect_ratio="16:9",
    )
    first, second, third = scenes
    assert first.framing == "wide establishing shot" and first.camera_move == "slow push-in"
    assert set(first.filled) == {"framing", "camera_move", "lighting", "tone"}
    assert second.location == "the gangway" and "location" in second.filled and second.framing == "two-shot"
    assert second.characters == ["Maya Chen", "Tomas Reyes"] and second.character_slugs == ["maya", "tomas"]
    assert third.aspect_ratio == "9:16" and third.clip_model == "kling3_0" and third.still_model == "soul_cinematic"
    assert all(s.lighting == "amber on teal" and s.tone == "tender" and s.state == "drafted" for s in scenes)
    assert all(s.note == "" for s in scenes)


def test_without_a_moodboard_the_world_is_generic_and_nothing_is_claimed_as_filled() -> None:
    (scene,) = fill_scenes([SceneDraft(beat="x")], characters={}, board=None, aspect_ratio="1:1")
    assert scene.lighting == "" and "lighting" not in scene.filled and scene.aspect_ratio == "1:1"


@pytest.mark.parametrize("drafts", [[], [SceneDraft(beat="  ")]])
def test_empty_storyboards_and_beats_are_refused_with_a_remedy(drafts: list[SceneDraft]) -> None:
    with pytest.raises(LibraryRequestInvalid) as caught:
        fill_scenes(drafts, characters={}, board=BOARD, aspect_ratio="16:9")
    assert caught.value.remedy


def _board(**scene: object) -> Storyboard:
    (filled,) = fill_scenes([SceneDraft(beat="Maya reads the letter", characters=["Maya"], **scene)], characters=CAST,
                            board=BOARD, aspect_ratio="16:9")  # fmt: skip
    return Storyboard(name="Night Ferry", slug="night-ferry", moodboard="night-ferry", scenes=[filled])


def test_still_request_names_subject_place_light_mood_and_framing() -> None:
    board = _board(framing="close-up")
    scene = board.scenes[0]
    scene.direction = "closer, rain on the rail."
    request = still_request(board, scene, None)
    assert request.model == "soul_cinematic" and request.aspect_ratio == "16:9" and request.character == "maya"
    for words in (
        "Close-up. Maya Chen: Maya reads the letter.",
        "Lighting and palette: amber on teal.",
        "Mood: tender.",
        "Closer, rain on the rail.",
    ):
        assert words in (request.prompt or "")


def test_clip_request_starts_from_the_still_and_keeps_its_shape() -> None:
    board = _board(camera_move="handheld follow", duration=7)
    scene = board.scenes[0]
    with pytest.raises(LibraryRequestInvalid, match="no finished still"):
        clip_request(board, scene, None)
    scene.still = Take(job_id="4f3c2a1e-0000-4000-8000-000000000001", state="ready", width=768, height=1365)
    request = clip_request(board, scene, None)
    assert request.start_image == scene.still.job_id and request.model == "seedance_2_0"
    assert request.aspect_ratio == "9:16" and request.duration == 7
    assert request.prompt == "Handheld follow. Maya reads the letter."


def test_still_aspect_snaps_to_the_nearest_named_ratio() -> None:
    assert still_aspect(Take(width=1344, height=768)) == "16:9"
    assert still_aspect(Take(width=1024, height=1024)) == "1:1"
    assert still_aspect(Take(width=1536, height=1024)) == "3:2"
    assert still_aspect(Take()) is None


def test_several_characters_merge_lead_first() -> None:
    maya = CharacterInputs(soul_ids={"soul_cinematic": "s-maya"}, reference_images=["m.png"], description="A woman.")
    tomas = CharacterInputs(soul_ids={"soul_cinematic": "s-tomas"}, reference_images=["t.png"], description="A man")
    merged = merged_cast([maya, tomas])
    assert merged is not None and merged.soul_ids == {"soul_cinematic": "s-maya"}
    assert merged.reference_images == ["m.png", "t.png"] and merged.description == "A woman. A man"
    assert merged_cast([]) is None


def test_pick_refuses_unknown_scene_numbers() -> None:
    board = _board()
    with pytest.raises(LibraryRequestInvalid, match="no scene 4"):
        board.pick([4])
    assert board.pick(None) == board.scenes
