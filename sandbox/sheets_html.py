"""Render emulated spreadsheets to static HTML files: what a person would see in Google Sheets.

One file per spreadsheet, a section per worksheet, values formatted by their number formats, the
frozen header rows kept in view while scrolling. `python -m sandbox.sheets_html STATE_DIR OUT_DIR`
renders a sandbox's sheets.json from the command line.
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any

from .sheets_store import Worksheet, column_letters, formatted

STYLE = """
body { font: 13px system-ui, sans-serif; margin: 1.5em; color: #202124; }
h1 { font-size: 18px; } h2 { font-size: 15px; margin-top: 1.8em; }
.grid { max-height: 32em; overflow: auto; border: 1px solid #dadce0; display: inline-block; }
table { border-collapse: collapse; }
td, th { border: 1px solid #e2e3e3; padding: 2px 6px; white-space: nowrap; }
th.idx { background: #f8f9fa; color: #5f6368; font-weight: normal; }
td.num { text-align: right; } tr.frozen td { background: #f1f3f4; position: sticky; top: 0; }
td.bold { font-weight: bold; }
"""


def render_spreadsheet(book: dict[str, Any]) -> str:
    parts = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(book['title'])}</title>",
             f"<style>{STYLE}</style><h1>{html.escape(book['title'])} <small>({html.escape(book['id'])})</small></h1>"]
    for data in book["sheets"]:
        ws = Worksheet.from_json(data)
        parts.append(f"<h2>{html.escape(ws.title)}</h2>{_table(ws)}")
    return "\n".join(parts) + "\n"


def _table(ws: Worksheet) -> str:
    if not ws.cells:
        return "<p><em>empty</em></p>"
    rows = max(r for r, _ in ws.cells) + 1
    cols = max(c for _, c in ws.cells) + 1
    head = "".join(f"<th class='idx'>{column_letters(c)}</th>" for c in range(cols))
    out = [f"<div class='grid'><table><tr><th class='idx'></th>{head}</tr>"]
    for r in range(rows):
        frozen = " class='frozen'" if r < ws.frozen_rows else ""
        cells = []
        for c in range(cols):
            cell = ws.cells.get((r, c), {})
            classes = []
            if "numberValue" in (cell.get("userEnteredValue") or {}):
                classes.append("num")
            if ((cell.get("userEnteredFormat") or {}).get("textFormat") or {}).get("bold"):
                classes.append("bold")
            attr = f" class='{' '.join(classes)}'" if classes else ""
            cells.append(f"<td{attr}>{html.escape(formatted(cell))}</td>")
        out.append(f"<tr{frozen}><th class='idx'>{r + 1}</th>{''.join(cells)}</tr>")
    out.append("</table></div>")
    return "\n".join(out)


def render_all(snapshot: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write one HTML file per spreadsheet of a SheetsStore snapshot; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for book in snapshot.get("spreadsheets", []):
        path = out_dir / f"{book['id']}.html"
        path.write_text(render_spreadsheet(book))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    state_dir, out_dir = Path(argv[0]), Path(argv[1])
    for path in render_all(json.loads((state_dir / "sheets.json").read_text()), out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
