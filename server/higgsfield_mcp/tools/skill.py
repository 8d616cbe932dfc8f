"""The skill as MCP resources and prompts: SKILL.md, every reference doc, the workflow prompts.

Resources are read on demand, so an agent's context holds only what it pulled. This module
also installs the server's single completion handler, which dispatches to the completers
each tool module registers on `Services`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import UserMessage
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import Completion, PromptReference, ResourceTemplateReference
from pydantic import Field

from ..domain.skill_files import reference, references, skill_text
from .common import Services

REFERENCE_TEMPLATE = "higgsfield://references/{name}"


def _reader(path: Path) -> Callable[[], str]:
    def read() -> str:
        return path.read_text(encoding="utf-8")

    return read


def register(server: MCPServer, services: Services) -> None:
    @server.resource(
        "higgsfield://skill",
        name="skill",
        title="Higgsfield skill (read first)",
        description="How to use these tools well: UX rules, which tool for which request, workflows, errors.",
        mime_type="text/markdown",
    )
    def skill() -> str:
        return skill_text()

    @server.resource(
        REFERENCE_TEMPLATE,
        name="reference",
        title="Higgsfield reference doc",
        description="One reference doc by name: "
        + ", ".join(f"{r.name} ({r.title})" for r in references())
        + ". Read one only when the task needs it.",
        mime_type="text/markdown",
    )
    def reference_doc(name: str) -> str:
        found = reference(name)
        if found is None:
            known = ", ".join(r.name for r in references())
            raise ResourceNotFoundError(f"No reference called {name!r}; there are: {known}")
        return found.path.read_text(encoding="utf-8")

    for ref in references():  # listed one by one too, so clients that only list static resources see them
        server.resource(
            ref.uri,
            name=f"reference-{ref.name}",
            title=ref.title,
            description=ref.description,
            mime_type="text/markdown",
        )(_reader(ref.path))

    services.completers[("resource", REFERENCE_TEMPLATE, "name")] = lambda prefix: [
        r.name for r in references() if r.name.startswith(prefix)
    ]

    @server.completion()  # type: ignore[no-untyped-call, untyped-decorator]  # the SDK leaves it untyped
    async def complete(ref: Any, argument: Any, context: Any) -> Completion | None:
        if isinstance(ref, ResourceTemplateReference):
            key = ("resource", ref.uri, argument.name)
        elif isinstance(ref, PromptReference):
            key = ("prompt", ref.name, argument.name)
        else:
            return None
        completer = services.completers.get(key)
        if completer is None:
            return None
        values = completer(argument.value or "")
        return Completion(values=values[:100], total=len(values), has_more=len(values) > 100)

    @server.prompt(
        name="compare_pipelines",
        title="Compare Soul 2.0, Soul Cinema and Soul Cast",
        description="One subject through the three image pipelines side by side, to learn which fits the project.",
    )
    def compare_pipelines(
        subject: Annotated[str, Field(description="One person to depict, e.g. 'a woman in her late twenties'.")],
    ) -> list[UserMessage]:
        return [
            UserMessage(
                f"Put one subject through the three Higgsfield image pipelines so I can compare them: {subject}. "
                "Make one Soul 2.0 image (medium shot, name the studio light), one Soul Cinema film frame at "
                "aspect_ratio 16:9 (21:9 if I asked for widescreen; shallow depth of field) and one Soul Cast "
                "persona. Then tell me in one line each where that pipeline would earn its place in my project."
            )
        ]

    @server.prompt(
        name="moodboard_before_video",
        title="Moodboard before video",
        description="Fix a production's look with 10-15 stills before spending video credits, then plan the clips.",
    )
    def moodboard_before_video(
        production: Annotated[str, Field(description="The production's name.")],
        brief: Annotated[str, Field(description="What it is about: story, tone, setting, characters.")],
    ) -> list[UserMessage]:
        return [
            UserMessage(
                f"No video for '{production}' yet: first fix its look in a moodboard built from this brief: "
                f"{brief}. Use `moodboard` generate (it creates the board): per main character two or three "
                "images, then three or four places, a palette-and-light frame and one or two mood frames, 10 to "
                "15 stills overall. Show me the contact sheet and ask what to change; then the key scenes as wide "
                "Soul Cinema stills (a storyboard), and only after that the first clips, each starting from its "
                "still."
            )
        ]

    @server.prompt(
        name="quick_ad",
        title="Quick ad video",
        description="A Marketing Studio ad from a product: product, presenter, style, then one finished video.",
    )
    def quick_ad(
        product: Annotated[str, Field(description="A product page URL, or a short description with photos.")],
        style: Annotated[str, Field(description="e.g. phone-filmed UGC, unboxing, TV spot, try-on.")] = "UGC",
    ) -> list[UserMessage]:
        return [
            UserMessage(
                f"Make a short ad for this product: {product}. Style: {style}. Use the Marketing Studio tool: set up "
                "the product first, pick a fitting presenter unless the style needs none, then make one vertical "
                "video. Ask me only if something essential is missing, one question at a time."
            )
        ]

    @server.prompt(
        name="click_to_ad",
        title="Click to ad",
        description="A product URL straight to a finished UGC video with sensible defaults.",
    )
    def click_to_ad(url: Annotated[str, Field(description="The product page URL.")]) -> list[UserMessage]:
        return [UserMessage(f"Turn {url} into a 15-second vertical UGC ad with the defaults, and give me the link.")]
