"""End-to-end tests of ``higgsfield-sandbox``: the console script run as a subprocess."""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.processes import alive

from higgsfield_mcp.demo import sandbox_binary
from higgsfield_mcp.domain.generation.previews import probe_video

BIN = sandbox_binary()
JOB_SECONDS = "0.2"

SECTION_6_1_IDS = [
    "cinematic_studio_2_5",
    "flux_2",
    "flux_kontext",
    "gpt_image_2",
    "grok_image",
    "image_auto",
    "image_background_remover",
    "kling_omni_image",
    "dtc_ads",
    "marketing_studio_image",
    "nano_banana",
    "nano_banana_2",
    "nano_banana_2_lite",
    "nano_banana_flash",
    "openai_hazel",
    "outpaint",
    "recraft_v4_1",
    "seedream_v4_5",
    "seedream_v5_lite",
    "soul_cinematic",
    "soul_location",
    "text2image_soul_v2",
    "z_image",
    "brain_activity",
    "cinematic_studio_3_0",
    "cinematic_studio_video",
    "cinematic_studio_video_v2",
    "grok_video",
    "grok_video_v15",
    "gemini_omni",
    "kling2_6",
    "kling3_0",
    "kling3_0_turbo",
    "marketing_studio_video",
    "minimax_hailuo",
    "seedance1_5",
    "seedance_2_0",
    "soul_cast",
    "video_background_remover",
    "veo3",
    "veo3_1",
    "veo3_1_lite",
    "wan2_6",
    "wan2_7",
    "multi_image_to_3d",
    "sonilo_music",
    "mirelo_text_to_audio",
    "text2speech_v2",
    "gpt_image_2_5",
    "seedance_2_5",
    "seed_audio",
    "inworld_text_to_speech",
]


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[:400]!r}, err={self.err[:400]!r})"


class Sandbox:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env: dict[str, str] = {k: v for k, v in os.environ.items() if not k.startswith("HIGGSFIELD_SANDBOX_")}
        self.env.update({"HIGGSFIELD_SANDBOX_HOME": str(home), "HIGGSFIELD_SANDBOX_JOB_SECONDS": JOB_SECONDS})

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**self.env, **(extra or {})}

    def run(
        self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 30
    ) -> Result:
        proc = subprocess.run(
            [BIN, *args],
            env=self.environ(env),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(proc)

    def ok(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Any:
        res = self.run(*args, "--json", env=env, stdin=stdin)
        assert res.code == 0, res
        return res.json()

    def calls(self) -> list[dict[str, Any]]:
        path = self.home / "calls.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def job_files(self) -> list[Path]:
        folder = self.home / "jobs"
        return sorted(folder.glob("*.json")) if folder.exists() else []

    def cdn_file(self, url: str) -> Path:
        base = self.env.get("HIGGSFIELD_SANDBOX_CDN", "https://d8j0ntlcm91z4.cloudfront.net")
        assert url.startswith(base + "/"), url
        return self.home / "cdn" / url[len(base) + 1 :]


@pytest.fixture
def sb(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path / "state")


@pytest.fixture
def media_files(tmp_path: Path) -> dict[str, Path]:
    from PIL import Image

    files: dict[str, Path] = {}
    for i in range(6):
        path = tmp_path / f"face{i}.png"
        Image.new("RGB", (64, 64), (40 * i, 80, 120)).save(path)
        files[f"img{i}"] = path
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32)
    files["video"] = clip
    return files


@pytest.fixture
def cdn_server(sb: Sandbox) -> Iterator[str]:
    cdn = sb.home / "cdn"
    cdn.mkdir(parents=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(cdn)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sb.env["HIGGSFIELD_SANDBOX_CDN"] = base
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------- version, account, models
def test_version_line(sb: Sandbox) -> None:
    for argv in (["version"], ["--version"], ["-v"]):
        res = sb.run(*argv)
        assert res.code == 0
        assert res.out == "higgsfield 1.1.26 (higgsfield-sandbox) built 2026-11-01T00:00:00Z\n"
    res = sb.run("version", env={"HIGGSFIELD_SANDBOX_VERSION": "0.1.40"})
    assert res.out.strip() == "higgsfield 0.1.40 (higgsfield-sandbox) built 2026-11-01T00:00:00Z"


def test_account_and_workspace_shapes(sb: Sandbox) -> None:
    assert sb.ok("account", "status") == {
        "credits": 1000,
        "email": "sandbox@example.invalid",
        "subscription_plan_type": "plus",
    }
    assert sb.run("account", "status").out.strip() == "sandbox@example.invalid — plus plan, 1000 credits"
    workspaces = sb.ok("workspace", "list")
    assert len(workspaces) == 1
    ws = workspaces[0]
    assert {"plan_type", "credits", "is_selected", "user_role", "id", "name"} <= set(ws)
    assert ws["name"] == "Sandbox workspace" and ws["is_selected"] is True

    assert sb.run("workspace", "unset").code == 0
    res = sb.run("account", "status", "--json")
    assert (res.code, res.err) == (4, "Error: No workspace selected.\nHint: Run: hf workspace set <workspace_id>\n")
    assert sb.run("model", "list", "--json").code == 0  # not workspace-scoped
    assert sb.run("workspace", "set", ws["id"]).out.strip() == f"Selected workspace: {ws['id']}"
    assert sb.run("account", "status").code == 0
    assert sb.run("workspace", "set", "nope").code == 3

    legacy = {"HIGGSFIELD_SANDBOX_VERSION": "0.1.40"}
    assert sb.run("workspace", "unset", env=legacy).code == 0
    assert sb.run("account", "status", env=legacy).code == 0  # 0.x falls back to the default workspace

    tx = sb.ok("account", "transactions")
    assert tx == {"items": [], "next_cursor": None}


def test_auth_login_logout(sb: Sandbox) -> None:
    assert sb.run("auth", "token").code == 0
    assert sb.run("auth", "logout").code == 0
    res = sb.run("generate", "list", "--json")
    assert (res.code, res.err) == (2, "Error: Not authenticated.\nHint: Run: hf auth login\n")
    login = sb.run("auth", "login")
    assert login.code == 0 and "sandbox" in login.out and "Successfully authenticated." in login.out
    assert sb.run("generate", "list", "--json").code == 0


def test_model_list_and_get(sb: Sandbox) -> None:
    models = sb.ok("model", "list")
    ids = {m["job_type"] for m in models}
    assert set(SECTION_6_1_IDS) <= ids
    assert all(set(m) == {"job_type", "display_name", "type"} for m in models)
    videos = sb.ok("model", "list", "--video")
    assert videos and all(m["type"] == "video" for m in videos)
    assert {m["job_type"] for m in sb.ok("model", "list", "--audio")} >= {"seed_audio", "sonilo_music"}

    legacy = sb.ok("model", "list", env={"HIGGSFIELD_SANDBOX_VERSION": "0.1.40"})
    assert all("job_set_type" in m and "job_type" not in m for m in legacy)

    veo = sb.ok("model", "get", "veo3_1")
    assert set(veo) == {"job_type", "display_name", "type", "aspect_ratios", "durations", "parameters", "medias"}
    assert veo["medias"] == {"start_image": {"min": 0, "max": 1}}
    assert veo["durations"] == [4, 6, 8] and veo["aspect_ratios"] == ["16:9", "9:16"]
    assert veo["parameters"]["prompt"]["required"] is True
    assert veo["parameters"]["variant"]["enum"] == ["veo-3-1-preview", "veo-3-1-fast"]
    for prompt_only in ("z_image", "soul_location", "recraft_v4_1"):
        assert sb.ok("model", "get", prompt_only)["medias"] == {}
    assert set(sb.ok("model", "get", "seedance_2_0")["medias"]) == {
        "image",
        "start_image",
        "end_image",
        "video",
        "audio",
    }
    assert sb.ok("model", "get", "gemini_omni")["medias"] == {
        "image_references": {"min": 0, "max": 7},
        "video_references": {"min": 0, "max": 1},
    }
    soul = sb.ok("model", "get", "text2image_soul_v2")
    assert "soul_id" in soul["parameters"]
    assert sb.ok("model", "get", "image_background_remover")["parameters"]["prompt"]["required"] is False
    flux_legacy = sb.ok("model", "get", "flux_2", env={"HIGGSFIELD_SANDBOX_VERSION": "0.1.40"})
    assert flux_legacy["job_set_type"] == "flux_2" and "model" in flux_legacy["parameters"]

    res = sb.run("model", "get", "sync_so")
    assert (res.code, res.err) == (1, 'Error: No model with job_type "sync_so".\n')


# ---------------------------------------------------------------------- jobs and results
def test_create_get_wait_completed_image(sb: Sandbox, cdn_server: str) -> None:
    from PIL import Image

    # The early statuses are read from a job with a long latency, so no assert hangs on how fast two CLI starts are.
    slow = sb.ok(
        "generate", "create", "z_image", "--prompt", "a slow fox", env={"HIGGSFIELD_SANDBOX_JOB_SECONDS": "600"}
    )
    early = sb.ok("generate", "get", slow[0])
    assert early["status"] == "queued" and early["result_url"] is None
    ids = sb.ok("generate", "create", "z_image", "--prompt", "a red fox in snow", "--aspect-ratio", "16:9")
    assert isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], str)
    job = sb.ok("generate", "get", ids[0])
    assert job["status"] == "completed" or job["result_url"] is None
    done = sb.ok("generate", "wait", ids[0], "--timeout", "10s", "--interval", "1s")
    assert done["status"] == "completed"
    assert set(done) >= {
        "id",
        "status",
        "display_name",
        "job_type",
        "result_url",
        "min_result_url",
        "created_at",
        "params",
    }
    assert isinstance(done["created_at"], float)
    assert done["params"]["prompt"] == "a red fox in snow" and done["params"]["aspect_ratio"] == "16:9"
    assert done["result_url"].startswith(cdn_server + "/") and done["result_urls"] == [done["result_url"]]
    with urllib.request.urlopen(done["result_url"], timeout=10) as resp:
        data = resp.read()
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (1024, 576)
    assert len(data) < 400_000
    preview = Image.open(sb.cdn_file(done["min_result_url"]))
    assert preview.format == "JPEG" and max(preview.size) <= 256

    other = sb.ok("generate", "create", "z_image", "--prompt", "a blue whale", "--wait")[0]
    a = img.convert("RGB").getpixel((1000, 300))
    b = Image.open(sb.cdn_file(other["result_url"])).convert("RGB").getpixel((1000, 300))
    assert a != b  # colour comes from the prompt

    listed = sb.ok("generate", "list", "--image")
    assert [j["id"] for j in listed] == [other["id"], ids[0], slow[0]]
    assert sb.ok("generate", "list", "--video") == []


def test_batch_outputs(sb: Sandbox) -> None:
    ids = sb.ok("generate", "create", "gpt_image_2", "--prompt", "three cats", "--batch_size", "3")
    assert len(set(ids)) == 3
    jobs = [sb.ok("generate", "wait", i) for i in ids]
    urls = {j["result_url"] for j in jobs}
    assert len(urls) == 3 and all(sb.cdn_file(u).is_file() for u in urls)

    outputs = sb.ok(
        "generate",
        "create",
        "gpt_image_2",
        "--prompt",
        "two dogs",
        "--batch-size",
        "2",
        "--wait",
        env={"HIGGSFIELD_SANDBOX_BATCH_MODE": "outputs"},
    )
    assert len(outputs) == 1 and len(outputs[0]["result_urls"]) == 2
    assert outputs[0]["result_url"] == outputs[0]["result_urls"][0]


def test_video_audio_3d_outputs(sb: Sandbox, media_files: dict[str, Path]) -> None:
    video = sb.ok(
        "generate",
        "create",
        "veo3_1",
        "--prompt",
        "waves at dusk",
        "--aspect_ratio",
        "9:16",
        "--start-image",
        str(media_files["img0"]),
        "--wait",
    )[0]
    assert video["status"] == "completed" and video["result_url"].endswith(".mp4")
    mp4 = sb.cdn_file(video["result_url"]).read_bytes()
    assert mp4[4:8] == b"ftyp" and 1000 < len(mp4) < 50_000
    assert sb.cdn_file(video["min_result_url"]).read_bytes()[:2] == b"\xff\xd8"
    medias = video["params"]["medias"]
    assert medias[0]["role"] == "start_image" and medias[0]["data"]["type"] == "media_input"
    assert (video["params"]["width"], video["params"]["height"]) == (720, 1280)

    audio = sb.ok("generate", "create", "seed_audio", "--prompt", "a chime", "--wait")[0]
    with wave.open(str(sb.cdn_file(audio["result_url"]))) as wav:
        assert wav.getnframes() > 0

    mesh = sb.ok("generate", "create", "multi_image_to_3d", "--image", str(media_files["img1"]), "--wait")[0]
    assert sb.cdn_file(mesh["result_url"]).read_bytes()[:4] == b"glTF"


VALIDATION_CASES: list[tuple[list[str], str]] = [
    (["z_image"], "Error: Missing required params: prompt\n"),
    (["z_image", "--prompt", "x", "--foo", "1"], "Error: Unknown params: foo\n"),
    (
        ["z_image", "--prompt", "x", "--aspect_ratio", "99:99"],
        "Error: Invalid values: aspect_ratio=99:99 (allowed: 1:1, 4:3, 3:4, 16:9, 9:16)\n",
    ),
    (["z_image", "--prompt", "x", "--image", "{img0}"], "Error: Model does not accept media inputs\n"),
    (
        ["veo3_1", "--prompt", "x", "--start-image", "{img0}", "--start-image", "{img1}"],
        "Error: Model accepts only one image reference\n",
    ),
    (["veo3_1", "--prompt", "x", "--end-image", "{img0}"], 'Error: Unknown media role "end_image"\n'),
    (["brain_activity"], "Error: Missing required params: medias\n"),
    (["kling3_0", "--prompt", "x", "--duration", "99"], "Error: Invalid values: duration=99 (allowed: 3..15)\n"),
    (["marketing_studio_video", "--prompt", "x", "--avatars", "ava"], "Error: avatars: Input should be a valid list\n"),
    (
        ["soul_cast", "--prompt", "hello", "--aspect_ratio", "16:9"],
        "Error: prompt: should be object|null, got string\n",
    ),
    (
        ["marketing_studio_video", "--prompt", "x", "--ad_reference_id", "r1", "--hook_id", "h1"],
        "Error: Ad_reference_id cannot be combined with hook_id or setting_id\n",
    ),
    (["z_image", "--prompt", "x", "--flux", "--image"], "Error: Unknown params: flux\n"),
    (
        ["nano_banana", "--prompt", "x", "--image", "/nonexistent/photo.png"],
        "Error: open /nonexistent/photo.png: no such file or directory\n",
    ),
    (["nope_model", "--prompt", "x"], 'Error: No model with job_type "nope_model".\n'),
]


@pytest.mark.parametrize("verb", ["create", "cost"])
def test_validation_errors_create_nothing(sb: Sandbox, media_files: dict[str, Path], verb: str) -> None:
    for argv, expected in VALIDATION_CASES:
        args = [a.format(**{k: str(v) for k, v in media_files.items()}) for a in argv]
        res = sb.run("generate", verb, *args, "--json")
        assert (res.code, res.err, res.out) == (1, expected, ""), (args, res)
    assert len(sb.calls()) == len(VALIDATION_CASES)
    assert sb.job_files() == []
    assert not (sb.home / "uploads").exists()
    assert sb.ok("generate", "list") == []
    assert sb.ok("account", "status")["credits"] == 1000


def test_cost_matches_debit_and_insufficient_credits(sb: Sandbox) -> None:
    cost = sb.ok("generate", "cost", "gpt_image_2", "--prompt", "x", "--batch_size", "2")
    assert cost == {"credits": 6, "credits_exact": 6}
    assert sb.run("generate", "cost", "gpt_image_2", "--prompt", "x").out == "3 credits\n"
    sb.ok("generate", "create", "gpt_image_2", "--prompt", "x", "--batch_size", "2")
    assert sb.ok("account", "status")["credits"] == 994
    tx = sb.ok("account", "transactions")["items"]
    assert len(tx) == 2 and all(t["credits"] == -3 and t["action"] == "spend" for t in tx)

    res = sb.run("generate", "create", "veo3_1", "--prompt", "x", env={"HIGGSFIELD_SANDBOX_CREDITS": "10"})
    assert (res.code, res.err) == (3, "Error: Insufficient credits\n")
    assert len(sb.job_files()) == 2


@pytest.mark.parametrize("marker", ["nsfw", "ip_detected", "failed", "canceled"])
def test_prompt_markers(sb: Sandbox, marker: str) -> None:
    res = sb.run("generate", "create", "z_image", "--prompt", f"oops [sandbox:{marker}]", "--wait", "--json")
    assert res.code == 1
    assert res.err == f'Error: Job ended with status "{marker}"\n'
    job = res.json()[0]
    assert job["status"] == marker and job["result_url"] is None
    assert ("fail_reason" in job) == (marker == "failed")


def test_timeout_text(sb: Sandbox) -> None:
    slow = {"HIGGSFIELD_SANDBOX_JOB_SECONDS": "60"}
    ident = sb.ok("generate", "create", "z_image", "--prompt", "slow", env=slow)[0]
    res = sb.run("generate", "wait", ident, "--timeout", "300ms", "--json")
    assert (res.code, res.err) == (1, 'Error: Timeout after 300ms; last status "queued"\n')
    res = sb.run("generate", "create", "z_image", "--prompt", "slow", "--wait", "--wait-timeout", "0.2s", env=slow)
    assert (res.code, res.err) == (1, 'Error: Timeout after 0.2s; last status "queued"\n')
    assert sb.run("generate", "get", "00000000-0000-4000-8000-000000000000").code == 3


# ---------------------------------------------------------------------- argv handling
def test_verbatim_prompt_and_calls_log(sb: Sandbox) -> None:
    prompt = '-rf "$(x)"\nnext'
    ident = sb.ok("generate", "create", "z_image", "--prompt", prompt)[0]
    job = sb.ok("generate", "get", ident)
    assert job["params"]["prompt"] == prompt
    call = sb.calls()[0]
    assert call["argv"] == ["generate", "create", "z_image", "--prompt", prompt, "--json"]
    assert call["stdin"] is None and isinstance(call["pid"], int) and isinstance(call["ts"], float)

    dash = sb.ok("generate", "create", "z_image", "--prompt", "-x", "--aspect_ratio=4:3")[0]
    job = sb.ok("generate", "get", dash)
    assert job["params"]["prompt"] == "-x" and job["params"]["aspect_ratio"] == "4:3"

    piped = sb.ok("generate", "create", "z_image", stdin="a piped prompt\n")[0]
    assert sb.ok("generate", "get", piped)["params"]["prompt"] == "a piped prompt"
    assert [c["stdin"] for c in sb.calls() if c["argv"][:3] == ["generate", "create", "z_image"]][
        -1
    ] == "a piped prompt\n"


def test_unknown_command_and_flags(sb: Sandbox) -> None:
    res = sb.run("frobnicate")
    assert (res.code, res.err) == (1, 'Error: unknown command "frobnicate" for "higgsfield"\n')
    res = sb.run("generate", "frob")
    assert (res.code, res.err) == (1, 'Error: unknown command "frob" for "higgsfield generate"\n')
    res = sb.run("account", "status", "--bogus")
    assert (res.code, res.err) == (1, "Error: unknown flag: --bogus\n")
    assert sb.run("preset", "list").code == 1


def test_arrays_via_file_for_marketing_video(sb: Sandbox, tmp_path: Path) -> None:
    avatar = sb.ok("marketing-studio", "avatars", "list")[0]
    product = sb.ok("ms", "products", "fetch", "--url", "https://shop.example.com/p/aero-run", "--wait")
    hook = sb.ok("ms", "hooks", "list")["items"][0]
    avatars_file = tmp_path / "avatars.json"
    avatars_file.write_text(json.dumps([{"id": avatar["id"], "type": "preset"}]))
    products_file = tmp_path / "products.json"
    products_file.write_text(json.dumps([product["id"]]))
    base = [
        "generate",
        "create",
        "marketing_studio_video",
        "--prompt",
        "ad",
        "--avatars",
        f"@{avatars_file}",
        "--product_ids",
        f"@{products_file}",
        "--hook_id",
        hook["id"],
    ]
    job = sb.ok(*base, "--mode", "ugc", "--duration", "15", "--wait")[0]
    assert job["params"]["avatars"] == [{"id": avatar["id"], "type": "preset"}]
    assert job["params"]["product_ids"] == [product["id"]]
    res = sb.run(*base, "--mode", "tv_spot")
    assert res.code == 1 and res.err.startswith("Error: Invalid values: mode=tv_spot")
    res = sb.run("generate", "create", "marketing_studio_video", "--product_ids", "@/nonexistent.json")
    assert (res.code, res.err) == (1, "Error: open /nonexistent.json: no such file or directory\n")
    click = sb.ok(
        "generate", "create", "marketing_studio_video", "--url", "https://shop.example.com/p/aero-run", "--mode", "ugc"
    )
    assert len(click) == 1


# ---------------------------------------------------------------------- faults
FAULTS: list[tuple[str, int, str]] = [
    ("not_authenticated", 2, "Error: Not authenticated.\nHint: Run: hf auth login\n"),
    ("session_expired", 2, "Error: Session expired.\nHint: Run: hf auth login\n"),
    ("older_auth_flow", 2, "Error: Stored credentials use an older auth flow.\nHint: Run: hf auth login\n"),
    ("no_workspace", 4, "Error: No workspace selected.\nHint: Run: hf workspace set <workspace_id>\n"),
    ("workspace_membership", 3, 'Error: {"error_type":"workspace_membership_required"}\n'),
    ("plan_required", 3, 'Error: "Pro" or "Ultimate" plan required\n'),
    ("insufficient_credits", 3, "Error: Insufficient credits\n"),
    ("rate_limit", 3, "Error: Higgsfield API error (HTTP 429)\n"),
    ("server_error", 3, "Error: Higgsfield API error (HTTP 502)\n"),
    ("no_response", 3, "Error: higgsfield: request failed (no response received)\nHint: Run: hf auth login\n"),
    ("auth_error_exit0", 0, "Error: Not authenticated.\nHint: Run: hf auth login\n"),
]


def test_each_error_fault(sb: Sandbox) -> None:
    for name, code, err in FAULTS:
        res = sb.run("account", "status", "--json", env={"HIGGSFIELD_SANDBOX_FAULT": name})
        assert (res.code, res.err, res.out) == (code, err, ""), name
    res = sb.run("generate", "create", "z_image", "--prompt", "x", env={"HIGGSFIELD_SANDBOX_FAULT": "anti_bot"})
    assert res.code == 3
    assert re.fullmatch(r"Error: Failed to decode response\. Body: <html>.*captcha-delivery.*</html>\n", res.err)
    assert sb.job_files() == []  # error faults fire before anything is created
    assert sb.run("version", env={"HIGGSFIELD_SANDBOX_FAULT": "rate_limit"}).code == 0
    res = sb.run("account", "status", env={"HIGGSFIELD_SANDBOX_FAULT": "bogus"})
    assert res.code == 1 and res.err.startswith('Error: sandbox: unknown fault "bogus"')


def test_fault_scope_and_count(sb: Sandbox) -> None:
    env = {"HIGGSFIELD_SANDBOX_FAULT": "rate_limit@generate.create#2,server_error@generate#1"}
    assert sb.run("account", "status", env=env).code == 0
    errs = [sb.run("generate", "create", "z_image", "--prompt", "x", env=env).err for _ in range(4)]
    assert errs == ["Error: Higgsfield API error (HTTP 429)\n"] * 2 + ["Error: Higgsfield API error (HTTP 502)\n", ""]
    assert sb.run("generate", "list", env=env).code == 0  # both budgets are spent
    env = {"HIGGSFIELD_SANDBOX_FAULT": "server_error@generate.list#1"}
    assert sb.run("generate", "list", env=env).code == 3
    assert sb.run("generate", "list", env=env).code == 0
    assert len(sb.job_files()) == 1
    ms_env = {"HIGGSFIELD_SANDBOX_FAULT": "anti_bot@ms.hooks.list"}
    assert sb.run("ms", "hooks", "list", env=ms_env).code == 3
    assert sb.run("ms", "settings", "list", env=ms_env).code == 0


def test_hang_dies_with_its_process_group(sb: Sandbox) -> None:
    proc = subprocess.Popen(
        [BIN, "generate", "create", "z_image", "--prompt", "hang me", "--json"],
        env=sb.environ({"HIGGSFIELD_SANDBOX_FAULT": "hang@generate.create"}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    record_path = sb.home / "hangs" / f"{proc.pid}.json"
    deadline = time.monotonic() + 15
    while not record_path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    record = json.loads(record_path.read_text())
    child = record["child_pid"]
    time.sleep(0.3)
    assert proc.poll() is None and alive(child)
    assert os.getpgid(child) == proc.pid
    os.killpg(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate(timeout=10)
    assert out == b""
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
    listed = sb.ok("generate", "list")  # the paid job exists even though the caller saw nothing
    assert [j["params"]["prompt"] for j in listed] == ["hang me"]


def test_garbled_json_create_still_listed(sb: Sandbox) -> None:
    res = sb.run(
        "generate",
        "create",
        "z_image",
        "--prompt",
        "garble",
        "--json",
        env={"HIGGSFIELD_SANDBOX_FAULT": "garbled_json@generate.create"},
    )
    assert res.code == 0 and res.out
    with pytest.raises(json.JSONDecodeError):
        json.loads(res.out)
    listed = sb.ok("generate", "list")
    assert len(listed) == 1 and listed[0]["params"]["prompt"] == "garble"
    assert sb.ok("account", "status")["credits"] == 999


def test_stuck_waiting(sb: Sandbox) -> None:
    ident = sb.ok(
        "generate", "create", "z_image", "--prompt", "stuck", env={"HIGGSFIELD_SANDBOX_FAULT": "stuck_waiting#1"}
    )[0]
    time.sleep(0.3)
    assert sb.ok("generate", "get", ident)["status"] == "waiting"
    res = sb.run("generate", "wait", ident, "--timeout", "0.4s")
    assert (res.code, res.err) == (1, 'Error: Timeout after 0.4s; last status "waiting"\n')
    other = sb.ok(
        "generate",
        "create",
        "z_image",
        "--prompt",
        "fine",
        "--wait",
        env={"HIGGSFIELD_SANDBOX_FAULT": "stuck_waiting#1"},
    )
    assert other[0]["status"] == "completed"


# ---------------------------------------------------------------------- marketing, soul, uploads
def test_marketing_studio(sb: Sandbox, media_files: dict[str, Path]) -> None:
    queued = sb.ok("ms", "products", "fetch", "--url", "https://shop.example.com/p/trail-shoe")
    assert queued["status"] in ("queued", "in_progress")
    assert set(queued) >= {"id", "title", "status", "scrape_url_domain", "medias", "fail_reason"}
    done = sb.ok("ms", "products", "fetch", "--url", "https://shop.example.com/p/trail-shoe", "--wait")
    assert done["id"] == queued["id"] and done["status"] == "completed" and done["medias"]
    assert done["scrape_url_domain"] == "shop.example.com"

    failed = sb.ok("marketing-studio", "products", "fetch", "--url", "https://shop.example.com/fail", "--wait")
    assert failed["status"] == "failed" and failed["fail_reason"] == "scrape blocked"

    app = sb.ok("ms", "products", "fetch", "--url", "https://apps.apple.com/us/app/thing/id1")
    assert "favicon_url" in app
    assert [w["id"] for w in sb.ok("ms", "webproducts", "list")] == [app["id"]]
    assert {p["id"] for p in sb.ok("ms", "products", "list")} == {done["id"], failed["id"]}

    res = sb.run("ms", "products", "create", "--title", "Thing", "--json")
    assert (res.code, res.err) == (3, "Error: Method Not Allowed\n")
    made = sb.ok("ms", "products", "create", "--title", "Thing", env={"HIGGSFIELD_SANDBOX_PRODUCTS_CREATE": "ok"})
    assert made["status"] == "completed" and made["title"] == "Thing"

    avatars = sb.ok("ms", "avatars", "list")
    presets = [a for a in avatars if a["type"] == "preset"]
    assert len(presets) >= 12 and all({"id", "name", "gender", "tags"} <= set(a) for a in presets)
    upload = sb.ok("upload", "create", str(media_files["img0"]))
    custom = sb.ok(
        "ms",
        "avatars",
        "create",
        "--name",
        "Founder",
        "--image",
        upload["id"],
        "--image-url",
        upload["url"],
        "--pinned",
    )
    assert custom["type"] == "custom" and custom["is_pinned"] is True
    assert custom["id"] in {a["id"] for a in sb.ok("ms", "avatars", "list")}

    hooks = sb.ok("ms", "hooks", "list", "--search", "scroll")
    assert set(hooks) == {"items", "cursor", "has_more"} and len(hooks["items"]) == 1
    assert sb.ok("ms", "settings", "list")["has_more"] is False


def test_product_photoshoot(sb: Sandbox) -> None:
    res = sb.run(
        "product-photoshoot", "create", "--mode", "hero_banner", "--prompt", "a perfume bottle", "--count", "2"
    )
    assert res.code == 0
    urls = res.out.split()
    assert len(urls) == 2 and all(u.endswith(".png") for u in urls)
    jobs = sb.ok("product-photoshoot", "create", "--mode", "product_shot", "--prompt", "a mug")
    assert len(jobs) == 1 and jobs[0]["job_type"] == "gpt_image_2" and jobs[0]["status"] == "completed"
    res = sb.run("product-photoshoot", "create", "--mode", "nope", "--prompt", "x")
    assert res.code == 1 and res.err.startswith("Error: Invalid values: mode=nope")


def test_soul_id_flows(sb: Sandbox, media_files: dict[str, Path]) -> None:
    uploaded = sb.ok("upload", "create", str(media_files["img0"]))
    assert set(uploaded) == {"id", "type", "url"} and uploaded["type"] == "image"
    images = [uploaded["id"], *(str(media_files[f"img{i}"]) for i in range(1, 5))]
    flags = [x for img in images for x in ("--image", img)]
    soul = sb.ok("soul-id", "create", "--name", "Alex", "--soul-2", *flags)
    assert set(soul) == {"id", "name", "type", "status", "created_at"} and soul["type"] == "soul_2"
    ready = sb.ok("soul-id", "wait", soul["id"])
    assert ready["status"] == "completed"

    job = sb.ok("generate", "create", "text2image_soul_v2", "--prompt", "portrait", "--soul-id", soul["id"], "--wait")[
        0
    ]
    assert job["params"]["custom_reference_id"] == soul["id"] and job["status"] == "completed"
    alias = sb.ok("generate", "create", "soul_cinematic", "--prompt", "p", "--custom-reference-id", soul["id"])
    assert len(alias) == 1

    few = sb.ok("soul-id", "create", "--name", "Few", "--soul-cinematic", "--image", uploaded["id"])
    res = sb.run("soul-id", "wait", few["id"], "--json")
    assert res.code == 1 and res.err == "Error: Training failed\n"
    assert res.json()["fail_reason"] == "Too many DatasetErrors encountered during preprocessing: 1/1"
    res = sb.run("generate", "create", "text2image_soul_v2", "--prompt", "p", "--soul-id", few["id"])
    assert res.code == 1 and res.err.startswith("Error: Invalid values: soul_id=")
    actions = [t["action"] for t in sb.ok("account", "transactions")["items"]]
    assert "refund" in actions

    res = sb.run("soul-id", "create", "--name", "X", "--image", uploaded["id"], env={"HIGGSFIELD_SANDBOX_PLAN": "free"})
    assert (res.code, res.err) == (3, "Error: Minimum Basic plan required\n")
    assert {s["id"] for s in sb.ok("soul-id", "list")} == {soul["id"], few["id"]}
    assert sb.ok("soul-id", "get", soul["id"])["status"] == "completed"
    assert [u["id"] for u in sb.ok("upload", "list")][-1] == uploaded["id"]


def test_media_by_upload_and_job_id(sb: Sandbox, media_files: dict[str, Path]) -> None:
    upload = sb.ok("upload", "create", str(media_files["img0"]))
    image_job = sb.ok("generate", "create", "z_image", "--prompt", "source", "--wait")[0]
    job = sb.ok(
        "generate",
        "create",
        "seedance_2_0",
        "--prompt",
        "move",
        "--image-references",
        upload["id"],
        "--image",
        image_job["id"],
        "--video",
        str(media_files["video"]),
        "--wait",
    )[0]
    roles = [(m["role"], m["data"]["type"]) for m in job["params"]["medias"]]
    assert roles == [("image", "media_input"), ("image", "image_job"), ("video", "video_input")]
    omni = sb.ok("generate", "create", "gemini_omni", "--prompt", "x", "--image", upload["id"])[0]
    omni_job = sb.ok("generate", "get", omni)
    assert omni_job["params"]["medias"][0]["role"] == "image_references"


# ---------------------------------------------------------------------- concurrency
@pytest.mark.slow
def test_twelve_concurrent_creates(sb: Sandbox) -> None:
    procs = [
        subprocess.Popen(
            [BIN, "generate", "create", "z_image", "--prompt", f"concurrent {i}", "--json"],
            env=sb.environ(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(12)
    ]
    ids: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        ids.extend(json.loads(out))
    assert len(set(ids)) == 12
    files = sb.job_files()
    assert len(files) == 12
    prompts = {json.loads(f.read_text())["params"]["prompt"] for f in files}
    assert prompts == {f"concurrent {i}" for i in range(12)}
    assert sb.ok("account", "status")["credits"] == 1000 - 12
    assert len(sb.ok("account", "transactions", "--size", "100")["items"]) == 12
    calls = sb.calls()
    assert sum(1 for c in calls if c["argv"][:2] == ["generate", "create"]) == 12
    listed = sb.ok("generate", "list", "--size", "50")
    assert len(listed) == 12


# ---------------------------------------------------------------------- workflows (§5.8) and voices (§5.9)
def _video_job(sb: Sandbox, aspect: str = "16:9") -> str:
    [job] = sb.ok("generate", "create", "seedance1_5", "--prompt", "a clip", "--aspect_ratio", aspect, "--wait")
    return str(job["id"])


def test_workflow_list_get_and_unknown(sb: Sandbox) -> None:
    names = [w["name"] for w in sb.ok("workflow", "list")]
    assert names == ["reframe", "dubbing", "voice-change", "draw_to_video"]
    spec = sb.ok("workflow", "get", "reframe")
    assert spec["parameters"]["mode"]["enum"] == ["std", "pro"] and spec["medias"]["video"] == {"min": 1, "max": 1}
    res = sb.run("workflow", "get", "nope")
    assert (res.code, res.err) == (1, 'Error: Unknown workflow "nope"\n')


def test_reframe_renders_target_aspect_and_reads_back(sb: Sandbox, cdn_server: str) -> None:
    source = _video_job(sb)
    [ident] = sb.ok("generate", "workflow", "reframe", "--video", source, "--aspect-ratio", "9:16")
    job = sb.ok("generate", "wait", ident)
    assert job["job_type"] == "reframe" and job["status"] == "completed"
    assert (job["params"]["width"], job["params"]["height"]) == (720, 1280)
    assert job["params"]["medias"][0]["data"]["id"] == source
    width, height, _ = probe_video(sb.cdn_file(job["result_url"]))
    assert width and height and height > width, (width, height)
    assert sb.ok("generate", "get", ident)["id"] == ident
    assert ident in [j["id"] for j in sb.ok("generate", "list", "--video")]


def test_dubbing_voice_change_draw_to_video(sb: Sandbox, media_files: dict[str, Path]) -> None:
    source = _video_job(sb)
    [dub] = sb.ok("generate", "workflow", "dubbing", "--video", source, "--target_language", "spa", "--wait")
    assert dub["job_type"] == "dubbing" and dub["params"]["target_language"] == "spa"
    voices = sb.ok("voices", "list")
    assert len(voices) >= 12 and {v["type"] for v in voices} == {"preset"}
    assert sb.ok("voices", "get", voices[0]["id"]) == voices[0]
    args = ["--video", source, "--voice_type", "preset", "--voice_id", voices[0]["id"], "--wait"]
    [changed] = sb.ok("generate", "workflow", "voice-change", *args)
    assert changed["status"] == "completed" and changed["params"]["voice_id"] == voices[0]["id"]
    args = ["--video", source, "--sketch", str(media_files["img0"]), "--timestamp", "1.5", "--prompt", "a kite"]
    [drawn] = sb.ok("generate", "workflow", "draw_to_video", *args, "--wait")
    assert [m["role"] for m in drawn["params"]["medias"]] == ["video", "sketch"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["reframe", "--aspect-ratio", "9:16", "--foo", "1"], "Unknown params: foo"),
        (["reframe"], "Missing required params: aspect_ratio"),
        (["reframe", "--aspect-ratio", "7:3"], "Invalid values: aspect_ratio=7:3 (allowed: "),
        (["reframe", "--aspect-ratio", "9:16"], "Missing required params: medias"),
        (["dubbing", "--target_language", "Spanish"], "Invalid values: target_language=Spanish"),
        (["voice-change", "--voice_type", "preset", "--voice_id", "x"], "Invalid values: voice_id=x"),
        (["nope"], 'Unknown workflow "nope"'),
    ],
)
def test_workflow_refusals_charge_nothing(sb: Sandbox, args: list[str], error: str) -> None:
    before = sb.ok("account", "status")["credits"]
    res = sb.run("generate", "workflow", *args, "--json")
    assert res.code == 1 and res.err.startswith(f"Error: {error}"), res
    assert sb.job_files() == [] and sb.ok("account", "status")["credits"] == before


def test_workflow_cost(sb: Sandbox) -> None:
    assert sb.ok("generate", "cost", "workflow", "reframe", "--duration", "7.1", "--resolution", "1080p") == {
        "credits": 16,
        "credits_exact": 16,
    }
    for name in ("dubbing", "voice-change"):
        res = sb.run("generate", "cost", "workflow", name, "--json")
        assert (res.code, res.err) == (1, f'Error: workflow "{name}" does not support cost estimation\n')
    source = _video_job(sb)
    spent = sb.ok("account", "status")["credits"]
    sb.ok("generate", "workflow", "reframe", "--video", source, "--aspect-ratio", "1:1", "--duration", "3")
    assert spent - sb.ok("account", "status")["credits"] == 3
