"""The bundled catalogue, name resolution (traps included), the live merge and the cached live catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from higgsfield_mcp.adapters.cli.errors import CLINotInstalled, HiggsfieldError, NotAuthenticated, UnknownModel
from higgsfield_mcp.adapters.cli.models import ModelSchema, ModelSummary
from higgsfield_mcp.bundle import bundle_path
from higgsfield_mcp.domain.generation.catalogue import CACHE_FILE, Catalogue, LiveCatalogue, ModelInfo

IMAGE_61 = [
    "cinematic_studio_2_5", "flux_2", "flux_kontext", "gpt_image_2", "grok_image", "image_auto",
    "image_background_remover", "kling_omni_image", "dtc_ads", "marketing_studio_image", "nano_banana",
    "nano_banana_2", "nano_banana_2_lite", "nano_banana_flash", "openai_hazel", "outpaint", "recraft_v4_1",
    "seedream_v4_5", "seedream_v5_lite", "soul_cinematic", "soul_location", "text2image_soul_v2", "z_image",
]  # fmt: skip
VIDEO_61 = [
    "brain_activity", "cinematic_studio_3_0", "cinematic_studio_video", "cinematic_studio_video_v2", "grok_video",
    "grok_video_v15", "gemini_omni", "kling2_6", "kling3_0", "kling3_0_turbo", "marketing_studio_video",
    "minimax_hailuo", "seedance1_5", "seedance_2_0", "soul_cast", "video_background_remover", "veo3", "veo3_1",
    "veo3_1_lite", "wan2_6", "wan2_7",
]  # fmt: skip
OTHER_61 = ["multi_image_to_3d", "sonilo_music", "mirelo_text_to_audio", "text2speech_v2"]
KNOWN_63 = ["gpt_image_2_5", "seedance_2_5", "seed_audio"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.bundled()


# --- bundled ---------------------------------------------------------------------------------


def test_bundled_has_every_contract_model(catalogue: Catalogue) -> None:
    for model_id in [*IMAGE_61, *VIDEO_61, *OTHER_61, *KNOWN_63]:
        assert model_id in catalogue, model_id
    assert catalogue.source == "bundled" and catalogue.error is None
    assert {m.kind for m in catalogue} == {"image", "video", "audio", "3d"}
    assert catalogue.get("soul_cast").kind == "image"  # §6.3 moved it; the conflict is in its notes
    assert "Conflict" in (catalogue.get("soul_cast").notes or "")
    assert all(m.kind == "3d" for m in catalogue.models("3d")) and len(catalogue.models("3d")) >= 1
    assert Catalogue.bundled() is catalogue  # parsed once


def test_bundled_entries_are_complete_and_consistent(catalogue: Catalogue) -> None:
    assert catalogue.conflicts == []
    for model in catalogue:
        assert model.display_name and model.strengths, model.id
        assert catalogue.checklist(model.checklist), f"{model.id}: no checklist {model.checklist!r}"
        for name, spec in model.params.items():
            assert spec.name == name
            if spec.enum and spec.default is not None:
                assert str(spec.default) in spec.enum or spec.type == "boolean", f"{model.id}.{name}"
        if model.media:
            for role in model.media:
                assert role in {
                    "image", "image_references", "start_image", "end_image",
                    "video", "video_references", "audio", "audio_references",
                }, f"{model.id}: {role}"  # fmt: skip


def test_compact_json_spellings_become_param_specs(catalogue: Catalogue) -> None:
    duration = catalogue.get("seedance_2_0").params["duration"]
    assert (duration.minimum, duration.maximum, duration.default) == (4, 15, 5)
    assert catalogue.get("veo3_1").params["duration"].enum == ["4", "6", "8"]
    media = catalogue.get("text2image_soul_v2").media
    assert media is not None and media["image"].role == "image" and media["image"].max == 1
    assert catalogue.get("z_image").media == {}
    assert catalogue.get("seedance_2_0_mini").media is None


def test_bundle_path_finds_the_skill_data() -> None:
    assert bundle_path("skill", "models.json").name == "models.json"
    with pytest.raises(FileNotFoundError, match="not bundled"):
        bundle_path("skill", "no-such-file.json")


# --- names and traps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("Nano Banana Pro", "nano_banana_2"),
        ("nano-banana-pro", "nano_banana_2"),
        ("Nano Banana 2", "nano_banana_flash"),
        ("nano banana 2", "nano_banana_flash"),
        ("nano_banana_2", "nano_banana_2"),
        ("NANO_BANANA_2", "nano_banana_2"),
        ("Soul 2.0", "text2image_soul_v2"),
        ("Higgsfield Soul V2", "text2image_soul_v2"),
        ("Soul Cinema", "soul_cinematic"),
        ("soul_cinema_studio", "soul_cinematic"),
        ("Cinema Studio Video 3.0", "cinematic_studio_3_0"),
        ("Kling 3.0", "kling3_0"),
        ("Kling v3.0", "kling3_0"),
        ("Grok Imagine", "grok_image"),
        ("Grok Imagine Video", "grok_video"),
        ("Virality Predictor", "brain_activity"),
        ("seedance 1.5 pro", "seedance1_5"),
        ("FLUX.2", "flux_2"),
        ("Flux 2.0", "flux_2"),
    ],
)
def test_names_resolve(catalogue: Catalogue, name: str, model_id: str) -> None:
    assert catalogue.get(name).id == model_id


def test_every_trap_with_an_id_resolves_to_it(catalogue: Catalogue) -> None:
    traps = catalogue.traps
    assert any(t.name == "Nano Banana Pro" for t in traps)
    for trap in traps:
        if trap.id is not None:
            assert catalogue.get(trap.name).id == trap.id, trap.name
        else:
            assert trap.instead is not None and trap.instead in catalogue


def test_names_not_in_any_cli(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownModel) as err:
        catalogue.get("GPT Image 1.5")
    assert "gpt_image_2" in err.value.remedy
    with pytest.raises(UnknownModel) as err:
        catalogue.get("seedanse 2.0")
    assert "seedance_2_0" in err.value.remedy
    assert catalogue.find("nope") is None and "nope" not in catalogue


# --- the live merge ----------------------------------------------------------------------------------


def summaries(catalogue: Catalogue, *, without: tuple[str, ...] = ()) -> list[ModelSummary]:
    return [
        ModelSummary.model_validate({"job_type": m.id, "display_name": m.display_name, "type": m.kind})
        for m in catalogue
        if m.id not in without
    ]


def test_merge_live_enum_default_and_media_win(catalogue: Catalogue) -> None:
    schema = ModelSchema.model_validate(
        {
            "job_type": "z_image",
            "display_name": "Z Image",
            "parameters": {
                "prompt": {"type": "string", "required": True},
                "aspect_ratio": {"type": "string", "default": "16:9", "enum": ["16:9", "1:1", "7:3"]},
                "steps": {"type": "integer", "default": 8, "min": 1, "max": 50},
            },
            "medias": {"image": {"min": 0, "max": 2}},
        }
    )
    merged = catalogue.merged(summaries(catalogue), {"z_image": schema})
    z = merged.get("z_image")
    assert z.params["aspect_ratio"].enum == ["16:9", "1:1", "7:3"] and z.params["aspect_ratio"].default == "16:9"
    assert z.params["aspect_ratio"].description == "Aspect ratio"  # bundled knowledge kept where live says nothing
    assert z.params["steps"].maximum == 50
    assert z.media is not None and z.media["image"].max == 2
    assert z.verified and z.in_cli and z.prompt == "required"
    assert z.strengths == catalogue.get("z_image").strengths
    assert merged.source == "live" and "prompt" not in z.params


def test_merge_new_live_model_appears_and_bundled_model_is_kept(catalogue: Catalogue) -> None:
    live = [
        *summaries(catalogue, without=("wan2_6",)),
        ModelSummary(id="flux_video", display_name="Flux Video", kind="video"),
    ]
    merged = catalogue.merged(live, {})
    new = merged.get("Flux Video")
    assert new.id == "flux_video" and new.kind == "video" and new.in_cli and new.media is None
    assert not new.params_known and new.checklist == "video"
    kept = merged.get("wan2_6")
    assert kept.in_cli is False and kept.params == catalogue.get("wan2_6").params
    assert merged.get("seedance_2_0").in_cli is True
    assert catalogue.get("flux_2").in_cli is None  # the bundled catalogue itself is untouched


def test_merge_renamed_display_name_keeps_old_name(catalogue: Catalogue) -> None:
    live = [ModelSummary(id="kling3_0", display_name="Kling 3.0 Omni", kind="video")]
    merged = catalogue.merged(live, {})
    assert merged.get("Kling 3.0 Omni").id == "kling3_0" and merged.get("Kling v3.0").id == "kling3_0"


def test_merge_drops_media_rules_whose_roles_are_gone(catalogue: Catalogue) -> None:
    schema = ModelSchema.model_validate({"job_type": "seedance_2_0", "medias": {"image_references": {"max": 9}}})
    merged = catalogue.merged([], {"seedance_2_0": schema})
    assert merged.get("seedance_2_0").media_rules == []
    assert catalogue.get("seedance_2_0").media_rules


def test_merge_schema_for_an_unlisted_model(catalogue: Catalogue) -> None:
    schema = ModelSchema.model_validate({"job_type": "sync_lipsync_4", "type": "video", "parameters": {"x": {}}})
    model = catalogue.merged([], {"sync_lipsync_4": schema}).get("sync_lipsync_4")
    assert isinstance(model, ModelInfo) and model.kind == "video" and model.params_known


# --- the live, cached catalogue ------------------------------------------------------------------


class FakeCLI:
    """Stands in for HiggsfieldCLI: counts calls, answers from dicts, or raises what it is told to."""

    def __init__(self, listed: list[dict[str, Any]], schemas: dict[str, dict[str, Any]] | None = None) -> None:
        self.listed = listed
        self.schemas = schemas or {}
        self.list_calls = 0
        self.get_calls: list[str] = []
        self.list_error: HiggsfieldError | None = None
        self.get_error: HiggsfieldError | None = None

    async def list_models(self, kind: str | None = None) -> list[ModelSummary]:
        self.list_calls += 1
        if self.list_error is not None:
            raise self.list_error
        return [ModelSummary.model_validate(m) for m in self.listed]

    async def get_model(self, model_id: str) -> ModelSchema:
        self.get_calls.append(model_id)
        if self.get_error is not None:
            raise self.get_error
        if model_id not in self.schemas:
            raise UnknownModel(f'No model with job_type "{model_id}".')
        return ModelSchema.model_validate(self.schemas[model_id])


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


LISTED = [
    {"job_type": "seedance_2_0", "display_name": "Seedance 2.0", "type": "video"},
    {"job_type": "z_image", "display_name": "Z Image", "type": "image"},
    {"job_type": "flux_video", "display_name": "Flux Video", "type": "video"},
]
SCHEMAS = {
    "seedance_2_0": {
        "job_type": "seedance_2_0",
        "display_name": "Seedance 2.0",
        "type": "video",
        "parameters": {
            "prompt": {"type": "string", "required": True},
            "duration": {"type": "integer", "default": 6, "min": 4, "max": 20},
            "resolution": {"type": "string", "default": "720p", "enum": ["480p", "720p", "1080p"]},
        },
        "medias": {"image": {"min": 0, "max": 9}, "start_image": {"min": 0, "max": 1}},
    },
}


def live(tmp_path: Path, clock: Clock, **kw: Any) -> LiveCatalogue:
    return LiveCatalogue(tmp_path, clock=clock, **kw)


async def test_live_list_is_fetched_once_and_cached_to_disk(tmp_path: Path) -> None:
    clock, cli = Clock(), FakeCLI(LISTED, SCHEMAS)
    cat = await live(tmp_path, clock).get(cli)
    assert cat.source == "live" and cat.fetched_at == clock.now and cat.error is None
    assert cat.get("flux_video").in_cli and cat.get("wan2_7").in_cli is False
    assert cli.list_calls == 1 and cli.get_calls == []  # schemas are not fetched up front
    data = json.loads((tmp_path / CACHE_FILE).read_text())
    assert data["fetched_at"] == clock.now and len(data["models"]) == 3


async def test_live_list_refreshes_after_the_ttl(tmp_path: Path) -> None:
    clock, cli = Clock(), FakeCLI(LISTED)
    catalogue = live(tmp_path, clock, ttl=3600)
    await catalogue.get(cli)
    clock.now += 3599
    await catalogue.get(cli)
    assert cli.list_calls == 1
    clock.now += 2
    refreshed = await catalogue.get(cli)
    assert cli.list_calls == 2 and refreshed.fetched_at == clock.now
    await catalogue.get(cli, refresh=True)
    assert cli.list_calls == 3


async def test_cache_file_is_reused_by_a_new_instance(tmp_path: Path) -> None:
    clock, cli = Clock(), FakeCLI(LISTED, SCHEMAS)
    first = live(tmp_path, clock)
    await first.get(cli)
    await first.model(cli, "Seedance 2.0")
    clock.now += 60
    again = FakeCLI(LISTED, SCHEMAS)
    second = live(tmp_path, clock)
    cat = await second.get(again)
    assert cat.source == "cache" and again.list_calls == 0
    seedance = await second.model(again, "seedance_2_0")
    assert again.get_calls == []  # the cached schema round-trips through the CLI's own parser
    assert seedance.verified and seedance.params["duration"].maximum == 20
    assert seedance.media is not None and set(seedance.media) == {"image", "start_image"}


async def test_schemas_are_fetched_lazily_per_model_and_cached(tmp_path: Path) -> None:
    clock, cli = Clock(), FakeCLI(LISTED, SCHEMAS)
    catalogue = live(tmp_path, clock, ttl=100)
    seedance = await catalogue.model(cli, "Seedance 2")
    assert seedance.params["duration"].default == 6 and seedance.params["duration"].maximum == 20
    assert seedance.params["genre"].enum  # bundled-only param kept
    assert (await catalogue.get(cli)).get("seedance_2_0").verified
    await catalogue.model(cli, "seedance_2_0")
    assert cli.get_calls == ["seedance_2_0"]
    clock.now += 101
    await catalogue.model(cli, "seedance_2_0")
    assert cli.get_calls == ["seedance_2_0", "seedance_2_0"]


async def test_model_unknown_to_the_cli_raises(tmp_path: Path) -> None:
    cli = FakeCLI(LISTED, SCHEMAS)
    catalogue = live(tmp_path, Clock())
    with pytest.raises(UnknownModel):
        await catalogue.model(cli, "wan2_7")  # bundled, but this CLI says no such job type
    with pytest.raises(UnknownModel):
        await catalogue.model(cli, "made up model")


async def test_model_get_failure_serves_the_bundled_schema(tmp_path: Path) -> None:
    cli = FakeCLI(LISTED, SCHEMAS)
    cli.get_error = NotAuthenticated("Not authenticated.")
    catalogue = live(tmp_path, Clock())
    info = await catalogue.model(cli, "seedance_2_0")
    assert not info.verified and info.params["duration"].maximum == 15


async def test_cli_failure_falls_back_to_bundled_and_says_so(tmp_path: Path) -> None:
    clock, cli = Clock(), FakeCLI(LISTED)
    cli.list_error = CLINotInstalled("higgsfield was not found on PATH")
    catalogue = live(tmp_path, clock, retry_after=60)
    cat = await catalogue.get(cli)
    assert cat.source == "bundled" and cat.error == "higgsfield was not found on PATH"
    assert len(cat) == len(Catalogue.bundled())
    info = await catalogue.model(cli, "Nano Banana Pro")
    assert info.id == "nano_banana_2" and cli.get_calls == []
    await catalogue.get(cli)
    assert cli.list_calls == 1  # not asked again within retry_after
    clock.now += 61
    cli.list_error = None
    recovered = await catalogue.get(cli)
    assert recovered.source == "live" and recovered.error is None and cli.list_calls == 2


async def test_cli_failure_with_a_stale_cache_serves_the_cache(tmp_path: Path) -> None:
    clock, cli = Clock(), FakeCLI(LISTED)
    await live(tmp_path, clock).get(cli)
    clock.now += 2 * 24 * 3600
    cli.list_error = NotAuthenticated("Session expired.")
    cat = await live(tmp_path, clock).get(cli)
    assert cat.source == "cache" and cat.error == "Session expired."
    assert cat.get("flux_video").in_cli


async def test_unreadable_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE).write_text("{not json")
    cli = FakeCLI(LISTED)
    cat = await live(tmp_path, Clock()).get(cli)
    assert cat.source == "live" and cli.list_calls == 1
    assert json.loads((tmp_path / CACHE_FILE).read_text())["version"] == 1
