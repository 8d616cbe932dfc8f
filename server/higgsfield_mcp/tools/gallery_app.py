"""The MCP App view: a moodboard or character sheet as a gallery inside the chat.

Clients that support MCP Apps (`io.modelcontextprotocol/ui`) render `ui://higgsfield/gallery.html`
beside the `show_gallery` result: the page receives the result over postMessage and loads
each image through the host with `resources/read`, so it needs no network access at all.
Every other client gets the same result as a real text summary with the contact sheet as a
preview image, so nothing is lost without apps.
"""

from __future__ import annotations

import io
from typing import Annotated, Literal

import anyio
from mcp.server.apps import Apps, client_supports_apps
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ContentBlock, ImageContent
from PIL import Image
from pydantic import BaseModel, Field

from ..adapters.cli.errors import HiggsfieldError
from ..domain.generation.previews import Preview
from ..domain.library.errors import LibraryRequestInvalid
from ..domain.library.service import Library
from ..domain.library.transfer import character_sheet
from .common import Services, fail, hints
from .library_views import (
    ANGLE_WORDS,
    board_links,
    board_text,
    character_files,
    character_text,
    character_uri,
    link,
    sheet_preview,
    text,
)

GALLERY_URI = "ui://higgsfield/gallery.html"


class GalleryCard(BaseModel):
    number: int
    label: str
    detail: str = ""
    caption: str = ""
    uri: str | None = Field(default=None, description="Resource URI of the image (read it for the bytes).")
    file: str | None = Field(default=None, description="Absolute path of the image.")


class GalleryView(BaseModel):
    """What the gallery page shows; also readable on its own."""

    kind: Literal["moodboard", "character"]
    title: str
    subtitle: str = ""
    folder: str
    cards: list[GalleryCard]
    contact_sheet_uri: str | None = None
    gallery_file: str | None = Field(default=None, description="The static index.html, for moodboards.")


def gallery_app(services: Services) -> Apps:
    """The Apps extension with the gallery page and its tool; passed to `MCPServer(extensions=[...])`."""
    apps = Apps()
    apps.add_html_resource(
        GALLERY_URI,
        GALLERY_HTML,
        name="gallery",
        title="Moodboard and character gallery",
        description="Shows a moodboard or a character sheet as a gallery of labelled images.",
        prefers_border=True,
    )
    library = Library(services.settings, services.production)

    @apps.tool(
        resource_uri=GALLERY_URI,
        visibility=["model", "app"],
        name="show_gallery",
        title="Show a moodboard or character sheet",
        annotations=hints(read_only=True),
        structured_output=False,
    )
    async def show_gallery(
        ctx: Context,
        moodboard: Annotated[str | None, Field(description="A moodboard's production name.")] = None,
        character: Annotated[str | None, Field(description="A library character's name.")] = None,
    ) -> Annotated[CallToolResult, GalleryView]:
        """Show a moodboard (contact sheet, each image with its role) or a character sheet
        (references by angle, test shots) as a gallery. Give one of the two names."""
        if (moodboard is None) == (character is None):
            raise fail(_one_name())
        try:
            if moodboard is not None:
                view, blocks = await _board_view(library, moodboard)
            else:
                assert character is not None
                view, blocks = await _character_view(library, character)
        except HiggsfieldError as exc:
            raise fail(exc) from exc
        if client_supports_apps(ctx):  # the page shows the images; keep the chat light
            blocks = [b for b in blocks if b.type != "image"]
        return CallToolResult(content=blocks, structured_content=view.model_dump(mode="json"))

    return apps


def _one_name() -> HiggsfieldError:
    return LibraryRequestInvalid("Give either moodboard or character", remedy="Name one moodboard or one character.")


async def _board_view(library: Library, name: str) -> tuple[GalleryView, list[ContentBlock]]:
    board = await library.show_board(name)
    folder = library.boards.folder(board.slug)
    cards = [
        GalleryCard(
            number=item.number,
            label=item.label,
            detail=" · ".join(x for x in (item.character or "", item.note) if x),
            caption=item.prompt or "",
            uri=f"higgsfield://library/moodboards/{board.slug}/{item.file}" if item.file else None,
            file=str(folder / item.file) if item.file else None,
        )
        for item in board.items
        if item.state != "failed"
    ]
    view = GalleryView(
        kind="moodboard",
        title=board.name,
        subtitle=board.brief,
        folder=str(folder),
        cards=cards,
        contact_sheet_uri=f"higgsfield://library/moodboards/{board.slug}/contact-sheet.jpg",
        gallery_file=str(folder / "index.html"),
    )
    blocks: list[ContentBlock] = [text(board_text(board, folder))]
    blocks += await sheet_preview(folder / "contact-sheet.jpg")
    blocks += board_links(board, folder)
    return view, blocks


async def _character_view(library: Library, name: str) -> tuple[GalleryView, list[ContentBlock]]:
    shown = await library.show_character(name)
    character = shown.character
    folder = library.characters.folder(character.slug)
    base = character_uri(character.slug)
    cards = [
        GalleryCard(
            number=0,
            label=ANGLE_WORDS[r.angle].capitalize(),
            detail=character.name,
            caption=r.prompt or "",
            uri=f"{base}/{r.file}",
            file=str(folder / r.file),
        )
        for r in character.current_references()
        if r.file
    ]
    cards += [
        GalleryCard(
            number=0,
            label="Test shot",
            detail=character.name,
            caption=t.lighting_notes or t.notes,
            uri=f"{base}/{t.file}",
            file=str(folder / t.file),
        )
        for t in character.test_shots
        if t.file and t.state == "ready"
    ]
    cards = [card.model_copy(update={"number": n}) for n, card in enumerate(cards, start=1)]
    view = GalleryView(
        kind="character",
        title=f"{character.name} — character sheet",
        subtitle=character.identity_text,
        folder=str(folder),
        cards=cards,
    )
    blocks: list[ContentBlock] = [text(character_text(character, folder, shown.notes))]
    if cards:
        sheet = await anyio.to_thread.run_sync(character_sheet, character, library.characters)
        preview = await anyio.to_thread.run_sync(_jpeg_preview, sheet)
        blocks.append(ImageContent(type="image", data=preview.base64, mime_type=preview.mime_type))
    blocks += [link(uri, path.name, title) for path, uri, title in character_files(character, folder)]
    blocks.append(link(base, "character.json", f"{character.name}: character.json", "application/json"))
    return view, blocks


def _jpeg_preview(data: bytes, max_side: int = 1280) -> Preview:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((max_side, max_side))
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="JPEG", quality=80)
        return Preview(data=buffer.getvalue(), width=image.width, height=image.height)


GALLERY_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gallery</title>
<style>
:root { color-scheme: light dark; }
body { margin: 0; padding: 16px; font: 14px/1.4 system-ui, sans-serif; }
h1 { font-size: 18px; margin: 0 0 4px; }
#subtitle { margin: 0 0 12px; opacity: .75; }
#grid { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); }
figure { margin: 0; border: 1px solid rgba(128,128,128,.3); border-radius: 6px; overflow: hidden; }
.frame { aspect-ratio: 1 / 1; background: rgba(128,128,128,.15); display: grid; place-items: center; }
.frame img { width: 100%; height: 100%; object-fit: cover; display: block; }
figcaption { padding: 6px 8px 8px; }
figcaption span { display: block; opacity: .75; }
figcaption small { display: block; opacity: .6; margin-top: 2px; }
#empty { opacity: .7; }
</style>
</head>
<body>
<h1 id="title">Gallery</h1>
<p id="subtitle"></p>
<div id="grid"></div>
<p id="empty" hidden>Nothing to show yet.</p>
<script>
(() => {
  let nextId = 1;
  const waiting = new Map();
  const post = (message) => window.parent.postMessage(message, "*");
  const request = (method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    post({ jsonrpc: "2.0", id, method, params });
  });
  const notify = (method, params) => post({ jsonrpc: "2.0", method, params: params || {} });
  const el = (tag, text) => {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    return node;
  };

  function resize() {
    const body = document.body;
    notify("ui/notifications/size-changed", { width: body.scrollWidth, height: body.scrollHeight });
  }

  function render(view) {
    if (!view || !Array.isArray(view.cards)) return;
    document.getElementById("title").textContent = view.title || "Gallery";
    document.getElementById("subtitle").textContent = view.subtitle || "";
    const grid = document.getElementById("grid");
    grid.replaceChildren();
    document.getElementById("empty").hidden = view.cards.length > 0;
    for (const card of view.cards) {
      const figure = el("figure");
      const frame = el("div");
      frame.className = "frame";
      const caption = el("figcaption");
      caption.append(el("strong", card.number + ". " + card.label));
      if (card.detail) caption.append(el("span", card.detail));
      const note = card.caption && card.caption.length > 160 ? card.caption.slice(0, 157) + "…" : card.caption;
      if (note) caption.append(el("small", note));
      figure.append(frame, caption);
      grid.append(figure);
      if (!card.uri) { frame.textContent = "still generating"; continue; }
      request("resources/read", { uri: card.uri }).then((result) => {
        const content = result && result.contents && result.contents[0];
        if (!content || !content.blob) return;
        const img = el("img");
        img.alt = card.label;
        img.src = "data:" + (content.mimeType || "image/png") + ";base64," + content.blob;
        img.onload = resize;
        frame.replaceChildren(img);
      }).catch(() => { frame.textContent = "image unavailable"; });
    }
    resize();
  }

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (!message || message.jsonrpc !== "2.0") return;
    if (message.id !== undefined && waiting.has(message.id) && !message.method) {
      const handlers = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) handlers.reject(message.error); else handlers.resolve(message.result);
      return;
    }
    if (message.method === "ui/notifications/tool-result") {
      const params = message.params || {};
      render(params.structuredContent || params.structured_content);
    }
  });

  request("ui/initialize", {
    appInfo: { name: "higgsfield-gallery", version: "1.0.0" },
    appCapabilities: {},
    protocolVersion: "2026-01-26",
  }).then(() => notify("ui/notifications/initialized")).catch(() => {});
})();
</script>
</body>
</html>
"""
