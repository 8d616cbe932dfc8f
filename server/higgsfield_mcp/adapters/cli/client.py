"""The Higgsfield CLI as typed async calls.

Every call is an argv list run through `run_process` with `--json` and a timeout; the
answer is parsed into the models in `models.py`; any failure, including an `Error:` line
on a zero exit, becomes a typed error from `errors.py`. This is the only module that
knows flag spellings.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
from pydantic import BaseModel, ValidationError

from .discovery import CLIIdentity, identify, locate
from .errors import CLINotInstalled, GarbledOutput, MediaRoleError, classify, error_line
from .errors import ValidationError as Refused
from .models import (
    Account,
    Avatar,
    Cost,
    Job,
    ModelSchema,
    ModelSummary,
    Product,
    SetupItem,
    SoulReference,
    Upload,
    Voice,
    Workspace,
    parse_jobs,
    parse_submitted,
    unwrap_items,
)
from .process import Completed, run_process
from .redact import redact

log = logging.getLogger(__name__)

READ_TIMEOUT = 60.0
SUBMIT_TIMEOUT = 300.0
"""Submits upload local media first, which can take a while on a slow link."""
PRODUCT_FETCH_TIMEOUT = 150.0
"""`products fetch --wait` polls for up to its own default of 90 s (contract §5.11); leave room past that."""
PHOTOSHOOT_TIMEOUT = 11 * 60.0
"""`product-photoshoot create` waits for its images itself, up to the CLI's default `--wait-timeout` of 10m."""

MEDIA_FLAGS: dict[str, str] = {
    "image": "--image",
    "image_references": "--image-references",
    "start_image": "--start-image",
    "end_image": "--end-image",
    "video": "--video",
    "video_references": "--video-references",
    "audio": "--audio",
    "audio_references": "--audio-references",
    "sketch": "--sketch",
}
"""Media role → the CLI flag that carries it (0.x has the singular ones, 1.x adds `*_references`)."""

STDIN_PROMPT_BYTES = 16 * 1024
"""Prompts longer than this go on stdin, which the CLI reads when `--prompt` is absent (contract §5.1):
one argv string cannot exceed 128 KiB on Linux, and a long prompt in argv shows in every process list."""

W = TypeVar("W", bound=BaseModel)
T = TypeVar("T")

ParamValue = str | int | float | bool | list[Any] | dict[str, Any] | None


class HiggsfieldCLI:
    """One configured CLI binary. Cheap to create; it locates and identifies itself lazily, once."""

    def __init__(self, configured_bin: str | None = None, *, env: Mapping[str, str] | None = None) -> None:
        self._configured = configured_bin
        base = dict(os.environ if env is None else env)
        base.setdefault("NO_COLOR", "1")
        base.setdefault("HIGGSFIELD_NO_UPDATE_CHECK", "1")
        self._env = base
        self._identity: CLIIdentity | None = None
        self._lock = anyio.Lock()

    # -- identity ----------------------------------------------------------------------------

    async def identity(self) -> CLIIdentity:
        """Locate the binary and check its `version` line; cached after the first success."""
        async with self._lock:
            if self._identity is None:
                self._identity = await identify(locate(self._configured), env=self._env)
            return self._identity

    def forget_identity(self) -> None:
        """Look again on the next call (after the user installs or fixes the CLI)."""
        self._identity = None

    # -- running -------------------------------------------------------------------------------

    async def run(
        self, args: Sequence[str], *, timeout: float = READ_TIMEOUT, stdin: str | None = None, json_output: bool = True
    ) -> Completed:
        """Run one subcommand; raise the typed error if it failed in any way."""
        who = await self.identity()
        argv = [who.path, *args, *(["--json"] if json_output else [])]
        try:
            done = await run_process(argv, timeout=timeout, stdin=stdin, env=self._env)
        except OSError as exc:
            if exc.errno == errno.E2BIG:  # the arguments together exceed the system's limit
                raise Refused(
                    f"`{' '.join(args[:2])}` was given more text than a command line can carry",
                    remedy="Shorten the longest values (prompt, description, names) and try again; nothing was sent.",
                ) from exc
            # removed or replaced since it was identified
            self.forget_identity()
            raise CLINotInstalled(f"Cannot run {who.path}: {exc.strerror or exc}") from exc
        log.debug("cli %s exit=%s in %.2fs", " ".join(args[:2]), done.exit_code, done.seconds)
        if done.exit_code != 0 or error_line(done.stderr) is not None:
            raise classify(done.stderr or redact(done.stdout), exit_code=done.exit_code, command=argv)
        return done

    async def run_json(self, args: Sequence[str], *, timeout: float = READ_TIMEOUT, stdin: str | None = None) -> Any:
        done = await self.run(args, timeout=timeout, stdin=stdin)
        return parse_json(done)

    # -- account ---------------------------------------------------------------------------------

    async def account_status(self) -> Account:
        return _model(Account, await self.run_json(["account", "status"]))

    async def workspaces(self) -> list[Workspace]:
        return [_model(Workspace, w) for w in _items(await self.run_json(["workspace", "list"]))]

    async def select_workspace(self, workspace_id: str) -> None:
        await self.run(["workspace", "set", workspace_id])

    # -- models ----------------------------------------------------------------------------------

    async def list_models(self, kind: str | None = None) -> list[ModelSummary]:
        args = ["model", "list", *([f"--{kind}"] if kind else [])]
        return [_model(ModelSummary, m) for m in _items(await self.run_json(args))]

    async def get_model(self, model_id: str) -> ModelSchema:
        return _model(ModelSchema, await self.run_json(["model", "get", _positional(model_id, "model")]))

    # -- generation ----------------------------------------------------------------------------------

    async def submit(
        self,
        model_id: str,
        *,
        prompt: str | None = None,
        params: Mapping[str, ParamValue] | None = None,
        media: Sequence[tuple[str, str]] = (),
        timeout: float = SUBMIT_TIMEOUT,
    ) -> list[str]:
        """Create the job(s) without waiting and return their ids; the CLI is stopped after `timeout` seconds.

        Raises as usual on a clear refusal. Any other outcome where a job may exist but its
        id is unknown (timeout, garbled answer) surfaces as `CLITimeout`/`GarbledOutput`;
        callers treat those as "maybe submitted" and reconcile, never re-send.
        """
        command = ["generate", "create", _positional(model_id, "model")]
        return await self._create(command, prompt, params or {}, media, timeout=timeout)

    async def cost(
        self,
        model_id: str,
        *,
        prompt: str | None = None,
        params: Mapping[str, ParamValue] | None = None,
        media: Sequence[tuple[str, str]] = (),
    ) -> Cost:
        with generation_args(prompt, params or {}, media) as (flags, stdin):
            payload = await self.run_json(
                ["generate", "cost", _positional(model_id, "model"), *flags], timeout=SUBMIT_TIMEOUT, stdin=stdin
            )
        return _model(Cost, payload)

    async def submit_workflow(
        self,
        name: str,
        *,
        prompt: str | None = None,
        params: Mapping[str, ParamValue],
        media: Sequence[tuple[str, str]],
    ) -> list[str]:
        """`generate workflow <name>` without waiting: the job ids, read back later with `generate get`."""
        return await self._create(["generate", "workflow", _positional(name, "workflow")], prompt, params, media)

    async def _create(
        self,
        command: list[str],
        prompt: str | None,
        params: Mapping[str, ParamValue],
        media: Sequence[tuple[str, str]],
        *,
        timeout: float = SUBMIT_TIMEOUT,
    ) -> list[str]:
        with generation_args(prompt, params, media) as (flags, stdin):
            payload = await self.run_json([*command, *flags], timeout=timeout, stdin=stdin)
        try:
            return parse_submitted(payload)
        except ValueError as exc:
            raise GarbledOutput(f"Unexpected answer to {' '.join(command[:2])}: {exc}") from exc

    async def workflow_cost(
        self,
        name: str,
        *,
        prompt: str | None = None,
        params: Mapping[str, ParamValue],
        media: Sequence[tuple[str, str]],
    ) -> Cost:
        """`generate cost workflow <name>` (not `generate workflow cost`, contract §5.8)."""
        with generation_args(prompt, params, media) as (flags, stdin):
            payload = await self.run_json(
                ["generate", "cost", "workflow", _positional(name, "workflow"), *flags],
                timeout=SUBMIT_TIMEOUT,
                stdin=stdin,
            )
        return _model(Cost, payload)

    async def list_voices(self) -> list[Voice]:
        return [_model(Voice, v) for v in _items(await self.run_json(["voices", "list"]))]

    async def get_job(self, job_id: str) -> Job:
        jobs = _parsed(parse_jobs, await self.run_json(["generate", "get", _positional(job_id, "job id")]))
        if not jobs:
            raise GarbledOutput(f"generate get returned no job for {job_id}")
        return jobs[0]

    async def list_jobs(self, *, kind: str | None = None, size: int = 20, cursor: float | None = None) -> list[Job]:
        """Newest jobs first; `cursor` (a `created_at`) pages to the jobs created before it."""
        args = ["generate", "list", *([f"--{kind}"] if kind else []), "--size", str(size)]
        if cursor is not None:
            args += ["--cursor", repr(float(cursor))]
        return _parsed(parse_jobs, await self.run_json(args))

    # -- uploads ----------------------------------------------------------------------------------

    async def upload(self, path: Path, *, video: bool = False) -> Upload:
        args = ["upload", "create", str(path), *(["--video"] if video else [])]
        done = await self.run(args, timeout=SUBMIT_TIMEOUT)
        text = done.stdout.strip()
        if text and not text.startswith(("{", "[")):  # a bare id, as without --json
            return Upload(id=text.splitlines()[-1].strip())
        return _model(Upload, parse_json(done))

    async def list_uploads(self, kind: str, *, size: int = 100) -> list[Upload]:
        """This account's recent uploads of one kind (`image`, `video` or `audio`), newest first."""
        payload = await self.run_json(["upload", "list", f"--{kind}", "--size", str(size)])
        return [_model(Upload, item) for item in _items(payload)]

    # -- soul ids ----------------------------------------------------------------------------------

    async def create_soul(self, name: str, images: Sequence[str], *, variant: str = "soul_2") -> SoulReference:
        flag = "--soul-cinematic" if variant == "soul_cinematic" else "--soul-2"
        args = ["soul-id", "create", "--name", name, flag]
        for image in images:
            args += ["--image", image]
        return _model(SoulReference, await self.run_json(args, timeout=SUBMIT_TIMEOUT))

    async def get_soul(self, soul_id: str) -> SoulReference:
        return _model(SoulReference, await self.run_json(["soul-id", "get", _positional(soul_id, "Soul id")]))

    async def list_souls(self) -> list[SoulReference]:
        return [_model(SoulReference, s) for s in _items(await self.run_json(["soul-id", "list"]))]

    # -- marketing studio -----------------------------------------------------------------------------

    async def list_avatars(self) -> list[Avatar]:
        return [_model(Avatar, a) for a in _items(await self.run_json(["marketing-studio", "avatars", "list"]))]

    async def create_avatar(self, name: str, *, upload_id: str, upload_url: str) -> Avatar:
        args = ["marketing-studio", "avatars", "create", "--name", name]
        args += ["--image", upload_id, "--image-url", upload_url]
        payload = await self.run_json(args)
        created = _items(payload) if isinstance(payload, list) or "items" in payload else [payload]
        if not created:
            raise GarbledOutput("avatars create answered with no avatar")
        return _model(Avatar, created[0])

    async def list_products(self) -> list[Product]:
        return [_model(Product, p) for p in _items(await self.run_json(["marketing-studio", "products", "list"]))]

    async def fetch_product(self, url: str, *, wait: bool = False) -> Product:
        """Import a product from its page. With `wait`, the CLI polls until it is completed or failed.

        The backend dedupes by URL, so fetching the same page again returns the same product.
        """
        args = ["marketing-studio", "products", "fetch", "--url", url, *(["--wait"] if wait else [])]
        return _model(Product, await self.run_json(args, timeout=PRODUCT_FETCH_TIMEOUT if wait else READ_TIMEOUT))

    async def fetch_webproduct(self, url: str, *, wait: bool = False) -> Product:
        """An App Store (or other web product) page, which Marketing Studio keeps apart from shop products."""
        args = ["marketing-studio", "webproducts", "fetch", "--url", url, *(["--wait"] if wait else [])]
        return _model(Product, await self.run_json(args, timeout=PRODUCT_FETCH_TIMEOUT if wait else READ_TIMEOUT))

    async def list_webproducts(self) -> list[Product]:
        payload = await self.run_json(["marketing-studio", "webproducts", "list"])
        return [_model(Product, p) for p in _items(payload)]

    async def create_product(self, title: str, *, description: str | None, upload_ids: Sequence[str]) -> Product:
        args = ["marketing-studio", "products", "create", "--title", title]
        if description:
            args += ["--description", description]
        for upload_id in upload_ids:
            args += ["--image", upload_id]
        return _model(Product, await self.run_json(args))

    async def list_setup_items(self, which: str, *, search: str | None = None) -> list[SetupItem]:
        """Marketing Studio `hooks` or `settings`."""
        args = ["marketing-studio", which, "list", *(["--search", search] if search else [])]
        return [_model(SetupItem, i) for i in _items(await self.run_json(args))]

    # -- product photoshoot ---------------------------------------------------------------------------

    async def product_photoshoot(
        self,
        mode: str,
        prompt: str,
        *,
        images: Sequence[str] = (),
        count: int | None = None,
        aspect_ratio: str | None = None,
    ) -> list[Job]:
        """Run `product-photoshoot create`, which enhances the prompt, submits `gpt_image_2` jobs and waits for them.

        It returns the finished job objects; a job that did not complete makes the CLI fail
        (`Job ended with status ...`), which surfaces as the matching `JobError`.
        """
        args = ["product-photoshoot", "create", "--mode", mode, "--prompt", prompt]
        for image in images:
            args += ["--image", image]
        if count is not None:
            args += ["--count", str(count)]
        if aspect_ratio is not None:
            args += ["--aspect_ratio", aspect_ratio]
        jobs = _parsed(parse_jobs, await self.run_json(args, timeout=PHOTOSHOOT_TIMEOUT))
        if not jobs:
            raise GarbledOutput("product-photoshoot create answered with no jobs")
        return jobs


# --- helpers ---------------------------------------------------------------------------------------


def _positional(value: str, field: str) -> str:
    """A value in a positional slot: one starting with `-` would be read as a flag (`--help`), so it is refused."""
    if not value.strip() or value.lstrip().startswith("-"):
        raise Refused(
            f"{value[:40]!r} is not a valid {field}",
            remedy=f"Give a real {field} (as `pick_model`, `jobs` or the library show it); nothing was sent.",
        )
    return value


def parse_json(done: Completed) -> Any:
    text = done.stdout.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        snippet = redact(text[:80]).replace("\n", " ")
        raise GarbledOutput(
            f"`{' '.join(done.argv[1:3])}` printed output that is not JSON ({snippet!r}…)", command=done.argv
        ) from exc


def _items(payload: Any) -> list[Any]:
    try:
        return unwrap_items(payload)
    except ValueError as exc:
        raise GarbledOutput(f"Unexpected list answer from the CLI: {exc}") from exc


def _model(cls: type[W], payload: Any) -> W:
    try:
        return cls.model_validate(payload)
    except (ValidationError, TypeError, ValueError) as exc:
        raise GarbledOutput(f"Unexpected {cls.__name__} answer from the CLI: {redact(str(exc))[:300]}") from exc


def _parsed(parser: Callable[[Any], T], payload: Any) -> T:
    try:
        return parser(payload)
    except (ValidationError, TypeError, ValueError) as exc:
        raise GarbledOutput(f"Unexpected job answer from the CLI: {redact(str(exc))[:300]}") from exc


@contextmanager
def generation_args(
    prompt: str | None, params: Mapping[str, ParamValue], media: Sequence[tuple[str, str]]
) -> Iterator[tuple[list[str], str | None]]:
    """argv flags for `generate create|cost` and the stdin to send, with array values in temp `@file.json`s.

    Arrays must go as files: a bare value fails with `Input should be a valid list`
    (contract §5.1). The files live only for the duration of the `with` block. A prompt
    over `STDIN_PROMPT_BYTES` is sent on stdin instead of as `--prompt`.
    """
    flags: list[str] = []
    stdin: str | None = None
    with ExitStack() as stack:
        if prompt is not None and len(prompt.encode("utf-8", "surrogateescape")) > STDIN_PROMPT_BYTES:
            stdin = prompt
        elif prompt is not None:
            flags += ["--prompt", prompt]
        for name, value in params.items():
            if value is None:
                continue
            if isinstance(value, list):
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="higgsfield-mcp-")))
                array_file = folder / f"{name}.json"
                array_file.write_text(json.dumps(value), encoding="utf-8")
                flags += [f"--{name}", f"@{array_file}"]
            else:
                flags += [f"--{name}", _flag_value(value)]
        for role, ref in media:
            flag = MEDIA_FLAGS.get(role)
            if flag is None:
                raise MediaRoleError(f"Unknown media role {role!r}", remedy=f"Use one of: {', '.join(MEDIA_FLAGS)}.")
            flags += [flag, ref]
        yield flags, stdin


def _flag_value(value: ParamValue) -> str:
    """A scalar or object as the CLI wants it: booleans as true/false, objects as JSON text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
