"""What a library character brings to a generation, per model: Soul id, references, canonical prompt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from higgsfield_mcp.domain.generation.catalogue import Catalogue
from higgsfield_mcp.domain.generation.production import JobView
from higgsfield_mcp.domain.generation.submit import CharacterInputs, GenerateRequest, choose_model, with_character
from higgsfield_mcp.domain.library.casting import history_entries, inputs_for
from higgsfield_mcp.domain.library.models import Character, Reference, SoulState
from higgsfield_mcp.domain.library.store import CharacterStore

CATALOGUE = Catalogue.bundled()
REFS = ["/lib/maya/front.png", "/lib/maya/three_quarter.png", "/lib/maya/profile.png"]
DESCRIPTION = "A woman of about thirty, dark bob."


def apply(model: str, cast: CharacterInputs, **request: Any) -> GenerateRequest:
    base = GenerateRequest(prompt="walking in the rain", model=model, cast=cast, character="maya", **request)
    return with_character(base, CATALOGUE.get(model))


def test_a_trained_soul_goes_to_its_own_soul_model() -> None:
    cast = CharacterInputs(soul_ids={"soul_2": "s2", "soul_cinematic": "sc"}, reference_images=REFS)
    assert apply("text2image_soul_v2", cast).soul_id == "s2"
    assert apply("soul_cinematic", cast).soul_id == "sc"
    assert apply("text2image_soul_v2", cast).reference_images == [], "a Soul id replaces the references"


def test_without_that_variant_the_references_go_as_far_as_the_model_takes_them() -> None:
    cast = CharacterInputs(soul_ids={"soul_cinematic": "sc"}, reference_images=REFS)
    soul = apply("text2image_soul_v2", cast)
    assert soul.soul_id is None and soul.reference_images == REFS[:1], "Soul 2.0 takes one reference: the front"
    assert apply("nano_banana_2", cast).reference_images == REFS
    assert apply("z_image", cast).reference_images == [], "a model without media gets only the description"


def test_references_the_user_gave_come_first_and_count_against_the_limit() -> None:
    cast = CharacterInputs(reference_images=REFS)
    request = apply("text2image_soul_v2", cast, reference_images=["/mine.png"])
    assert request.reference_images == ["/mine.png"]
    assert apply("nano_banana_2", cast, reference_images=["/mine.png"]).reference_images == ["/mine.png", *REFS]


def test_an_explicit_soul_id_wins() -> None:
    cast = CharacterInputs(soul_ids={"soul_2": "library"}, reference_images=REFS)
    assert apply("text2image_soul_v2", cast, soul_id="given").soul_id == "given"


def test_the_canonical_description_leads_the_prompt_once() -> None:
    cast = CharacterInputs(description=DESCRIPTION)
    assert apply("z_image", cast).prompt == "A woman of about thirty, dark bob. walking in the rain"
    again = GenerateRequest(prompt=f"{DESCRIPTION} On a ferry", model="z_image", cast=cast)
    assert with_character(again, CATALOGUE.get("z_image")).prompt == f"{DESCRIPTION} On a ferry"
    assert with_character(GenerateRequest(prompt="x", model="z_image"), CATALOGUE.get("z_image")).prompt == "x"


def test_auto_routing_knows_the_character_has_a_soul_or_references() -> None:
    souls = GenerateRequest(prompt="portrait in a cafe", cast=CharacterInputs(soul_ids={"soul_2": "s2"}))
    model, pick = choose_model(souls, CATALOGUE)
    assert model.id == "text2image_soul_v2" and pick is not None and pick.params.get("soul_id") == "s2"
    refs = GenerateRequest(prompt="a watercolour illustration of her", cast=CharacterInputs(reference_images=REFS))
    model, _ = choose_model(refs, CATALOGUE)
    assert model.media and any(slot.max is None or slot.max >= 1 for slot in model.media.values())


def test_inputs_come_from_the_library_folder(tmp_path: Path) -> None:
    store = CharacterStore(tmp_path)
    store.create(Character(name="Maya", slug="-", canonical_prompt=DESCRIPTION))
    (store.folder("maya") / "front.png").write_bytes(b"png")
    store.change(
        "maya",
        lambda c: c.references.extend(
            [Reference(angle="front", file="front.png"), Reference(angle="free", upload_id="u-1")]
        ),
    )
    store.change("maya", lambda c: c.souls.update(soul_2=SoulState(variant="soul_2", id="s", status="in_progress")))
    inputs = inputs_for(store.load("maya"), store)
    assert inputs.reference_images == [str(store.folder("maya") / "front.png"), "u-1"]
    assert inputs.soul_ids == {}, "a Soul still training is not used"
    assert inputs.description == DESCRIPTION


@pytest.mark.parametrize("state", ["completed", "pending"])
def test_history_entries_keep_what_the_job_made(state: str) -> None:
    job = JobView(
        job_id="j1",
        state=state,
        status=state,
        model="z_image",
        prompt="p",
        urls=["https://x/a.png"],
        files=["/m/a.png"],
    )
    [entry] = history_entries([job], moodboard="night-ferry")
    assert (entry.job_id, entry.state, entry.files, entry.moodboard) == ("j1", state, ["/m/a.png"], "night-ferry")
    character = Character(name="M", slug="m")
    character.add_history(entry)
    character.add_history(entry.model_copy(update={"state": "completed"}))
    assert len(character.history) == 1 and character.history[0].state == "completed"
