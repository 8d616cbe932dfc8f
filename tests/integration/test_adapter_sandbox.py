"""The CLI adapter against the sandbox CLI through real subprocesses: every fault gives its typed
error and remedy, values reach the CLI verbatim, a hung CLI is killed within its timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from higgsfield_mcp.adapters.cli import errors as e
from higgsfield_mcp.adapters.cli import process
from higgsfield_mcp.adapters.cli.client import HiggsfieldCLI

from ..conftest import Sandbox
from ..support.processes import pids_with_env, wait_until_gone

FAULTS: list[tuple[str, type[e.HiggsfieldError], str]] = [
    ("not_authenticated", e.NotAuthenticated, "higgsfield auth login"),
    ("session_expired", e.SessionExpired, "higgsfield auth login"),
    ("older_auth_flow", e.OlderAuthFlow, "higgsfield auth logout"),
    ("no_workspace", e.NoWorkspace, "higgsfield workspace set"),
    ("workspace_membership", e.WorkspaceMembership, "higgsfield workspace set"),
    ("plan_required", e.PlanRequired, "upgrade"),
    ("insufficient_credits", e.InsufficientCredits, "credits"),
    ("rate_limit", e.RateLimited, "Wait"),
    ("anti_bot", e.AntiBotBlocked, "30 seconds"),
    ("server_error", e.ServerError, "Try again"),
    ("no_response", e.NoResponse, "Try again"),
    ("auth_error_exit0", e.NotAuthenticated, "higgsfield auth login"),
    ("garbled_json", e.GarbledOutput, "Update it"),
]


@pytest.mark.parametrize(("fault", "error", "remedy"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_fault_becomes_typed_error(
    sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI], fault: str, error: type[e.HiggsfieldError], remedy: str
) -> None:
    sandbox.fault(f"{fault}@account.status")
    cli = make_cli()
    with pytest.raises(e.HiggsfieldError) as info:
        await cli.account_status()
    assert type(info.value) is error, info.value
    assert remedy in info.value.remedy
    assert "hf " not in info.value.remedy
    # the fault was scoped to one command: everything else still works, so the adapter keeps serving
    assert (await cli.workspaces()) is not None


async def test_exit_zero_with_error_line_is_an_error(sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI]) -> None:
    sandbox.fault("auth_error_exit0@account.status")
    with pytest.raises(e.NotAuthenticated) as info:
        await make_cli().account_status()
    assert info.value.exit_code == 0


async def test_healthy_account_and_catalogue(sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI]) -> None:
    cli = make_cli()
    who = await cli.identity()
    assert who.is_sandbox and who.major == 1
    account = await cli.account_status()
    assert account.email and account.credits is not None and account.plan
    spaces = await cli.workspaces()
    assert any(w.is_selected for w in spaces)
    models = await cli.list_models()
    ids = {m.id for m in models}
    assert {"text2image_soul_v2", "seedance_2_0", "nano_banana_2", "nano_banana_flash", "z_image"} <= ids
    schema = await cli.get_model("veo3_1")
    assert schema.params["aspect_ratio"].enum and set(schema.params["aspect_ratio"].enum) == {"16:9", "9:16"}
    assert schema.media is not None and "start_image" in schema.media


async def test_0x_spellings_parse(sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI]) -> None:
    sandbox.set(HIGGSFIELD_SANDBOX_VERSION="0.1.40")
    cli = make_cli()
    assert (await cli.identity()).major == 0
    assert "z_image" in {m.id for m in await cli.list_models()}
    [job_id] = await cli.submit("z_image", prompt="a lighthouse at dusk")
    job = await cli.get_job(job_id)
    assert job.model == "z_image"


@pytest.mark.parametrize(
    "prompt",
    ["-rf --wait", 'she said "don\'t" twice', "first line\nsecond line", "$(rm -rf ~) `id`; echo pwned", "--json"],
)
async def test_values_reach_the_cli_verbatim(
    sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI], prompt: str
) -> None:
    cli = make_cli()
    [job_id] = await cli.submit("z_image", prompt=prompt, params={"aspect_ratio": "16:9"})
    [argv] = sandbox.argvs("generate", "create")
    assert argv[argv.index("--prompt") + 1] == prompt
    assert (await cli.get_job(job_id)).params["prompt"] == prompt


async def test_array_params_go_as_json_files_and_are_cleaned_up(
    sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI]
) -> None:
    cli = make_cli()
    avatar = (await cli.list_avatars())[0]
    product = await cli.fetch_product("https://shop.example.com/sneakers")
    avatars = [{"id": avatar.id, "type": avatar.type}]
    await cli.submit(
        "marketing_studio_video", prompt="ad", params={"avatars": avatars, "product_ids": [product.id], "mode": "ugc"}
    )
    [argv] = sandbox.argvs("generate", "create")
    avatar_arg = argv[argv.index("--avatars") + 1]
    assert avatar_arg.startswith("@") and avatar_arg.endswith(".json")
    assert not Path(avatar_arg[1:]).exists(), "temp array files are removed after the call"


async def test_validation_errors_carry_allowed_values(sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI]) -> None:
    cli = make_cli()
    with pytest.raises(e.InvalidValues) as info:
        await cli.submit("z_image", prompt="x", params={"aspect_ratio": "99:99"})
    assert "16:9" in info.value.allowed and "16:9" in info.value.remedy
    with pytest.raises(e.UnknownParams) as unknown:
        await cli.submit("z_image", prompt="x", params={"foo": "bar"})
    assert unknown.value.params == ["foo"]
    with pytest.raises(e.MissingParams):
        await cli.submit("z_image")
    with pytest.raises(e.UnknownModel):
        await cli.get_model("sync_so")
    with pytest.raises(e.MediaRoleError):
        await cli.submit("z_image", prompt="x", media=[("image", "0b8e6f5e-6a0e-4f4e-9d7e-2f3c1a2b3c4d")])
    assert not await cli.list_jobs(), "nothing was created by refused submits"


async def test_hung_cli_is_killed_within_timeout_leaving_nothing(
    sandbox: Sandbox, make_cli: Callable[[], HiggsfieldCLI], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.fault("hang@account.status")
    cli = make_cli()
    await cli.identity()
    monkeypatch.setattr("higgsfield_mcp.adapters.cli.client.READ_TIMEOUT", 2.0)
    started = time.monotonic()
    with pytest.raises(e.CLITimeout):
        await cli.run(["account", "status"], timeout=2.0)
    assert time.monotonic() - started < 2.0 + process.TERM_GRACE_SECONDS + 2
    assert sandbox.argvs("account", "status"), "the sandbox logged the hung call"
    assert wait_until_gone(lambda: _sandbox_pids(sandbox)), f"sandbox processes left behind: {_sandbox_pids(sandbox)}"


def _sandbox_pids(sandbox: Sandbox) -> list[int]:
    return pids_with_env(f"HIGGSFIELD_SANDBOX_HOME={sandbox.home}")


async def test_cli_missing_and_wrong_binary(tmp_path: Path) -> None:
    with pytest.raises(e.CLINotInstalled) as missing:
        await HiggsfieldCLI(str(tmp_path / "nope")).account_status()
    assert "HIGGSFIELD_BIN" in missing.value.message
    impostor = tmp_path / "higgsfield"
    impostor.write_text("#!/bin/sh\necho 'higgsfield-cli 0.1.0: cookie helper'\n")
    impostor.chmod(0o755)
    with pytest.raises(e.WrongBinary):
        await HiggsfieldCLI(str(impostor)).account_status()
