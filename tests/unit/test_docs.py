"""Generated references stay in sync with the code, and the skill files ship where the server looks."""

from __future__ import annotations

import re

from higgsfield_mcp.bundle import bundle_path
from higgsfield_mcp.docs import GENERATED, render_troubleshooting


def test_generated_references_are_current() -> None:
    for name, render in GENERATED.items():
        committed = bundle_path("references", name).read_text(encoding="utf-8")
        assert committed == render(), f"references/{name} is stale: run `python -m higgsfield_mcp.docs references`"


def test_troubleshooting_covers_every_error_once() -> None:
    text = render_troubleshooting()
    codes = re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.M)
    assert len(codes) == len(set(codes)) >= 35
    assert {"session_expired", "invalid_values", "job_nsfw", "rate_limited", "media_not_allowed"} <= set(codes)


def test_skill_frontmatter_has_only_name_and_description() -> None:
    text = bundle_path("SKILL.md").read_text(encoding="utf-8")
    front = text.split("---")[1]
    keys = [line.split(":", 1)[0] for line in front.strip().splitlines()]
    assert keys == ["name", "description"]
    assert len(text.splitlines()) < 300
