"""The character library and moodboards: production assets kept as plain files.

Layout under `HIGGSFIELD_MCP_HOME/library/`:

```
characters/<slug>/character.json   the character (see `models.Character`) + its images
moodboards/<slug>/moodboard.json   the board (see `moodboards.Moodboard`) + images,
                                   contact-sheet.jpg and index.html
exports/                           zips made by `export`
```

`service.Library` is the one entry point the tools use; the other modules are its parts:
`documents` (JSON files, slugs, plain file names, locks), `folders` (one folder per
document, atomic and locked changes), `index` (fast listing), `errors`; for characters
`models` and `store`, `casting` (a character applied to a generation), `references`
(three-angle sets, references, test shots), `souls` (Soul id training), `transfer` (zip
export and import); for moodboards `moodboards` (document and store), `recipes` (what to
generate) and `boards` (building, contact sheet and gallery); and `generations` (many
requests submitted at once, a job's files).
"""
