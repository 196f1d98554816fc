"""Grids -> the one spreadsheets.batchUpdate that makes a spreadsheet show them (or none at all).

Sheets allows 60 write requests a minute per user, so a push is one read (spreadsheets.get with grid
data) and at most one write per spreadsheet: missing worksheets are added, each changed worksheet is
resized to its grid (which drops stale rows left by a longer earlier result), its header rows frozen
and every cell rewritten with `updateCells` over the whole grid, values and number formats together.
A worksheet that already shows its grid gets no request; a spreadsheet whose worksheets all do gets no
write. Numbers go as numbers and dates as serial numbers with a date format, so nothing is parsed
from text on the other side.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ads_sync.summaries import Cell, CellKind, Grid

EPOCH = datetime(1899, 12, 30)
#: the empty worksheet a new spreadsheet comes with
DEFAULT_SHEET = "Sheet1"
FIELDS = "userEnteredValue,userEnteredFormat"
NUMBER_FORMATS: dict[CellKind, dict[str, str]] = {
    "int": {"type": "NUMBER", "pattern": "#,##0"},
    "money": {"type": "NUMBER", "pattern": "#,##0.00"},
    "number": {"type": "NUMBER", "pattern": "#,##0.00"},
    "percent": {"type": "PERCENT", "pattern": "0.00%"},
    "ratio": {"type": "NUMBER", "pattern": "0.00"},
    "date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
    "datetime": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
}


def serial(value: date | datetime) -> float | int:
    """Sheets' date serial number: days since 1899-12-30 (the fraction is the time of day)."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return round(delta.days + delta.seconds / 86400, 8)
    return (value - EPOCH.date()).days


def cell_data(cell: Cell) -> dict[str, Any]:
    """A Sheets CellData; an empty dict is an empty cell."""
    if cell.value is None:
        return {}
    if cell.kind == "header":
        return {"userEnteredValue": {"stringValue": str(cell.value)},
                "userEnteredFormat": {"textFormat": {"bold": True}}}
    if cell.kind == "text":
        return {"userEnteredValue": {"stringValue": str(cell.value)}}
    value = cell.value
    number = serial(value) if isinstance(value, date) else value
    return {"userEnteredValue": {"numberValue": number},
            "userEnteredFormat": {"numberFormat": NUMBER_FORMATS[cell.kind]}}


def grid_size(grid: Grid) -> tuple[int, int]:
    """Rows (at least one beyond the frozen header: Sheets refuses to freeze every row) and columns."""
    return max(len(grid.rows), grid.frozen_rows + 1), grid.width


def _desired_cells(grid: Grid) -> dict[tuple[int, int], dict[str, Any]]:
    out = {}
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            data = cell_data(cell)
            if data:
                out[(r, c)] = data
    return out


def _current_cells(sheet: Mapping[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    out = {}
    for block in sheet.get("data", []):
        r0, c0 = block.get("startRow", 0), block.get("startColumn", 0)
        for r, row in enumerate(block.get("rowData", [])):
            for c, cell in enumerate(row.get("values", [])):
                kept = {k: v for k, v in cell.items() if k in ("userEnteredValue", "userEnteredFormat") and v}
                if kept:
                    out[(r0 + r, c0 + c)] = kept
    return out


def _rows(grid: Grid) -> list[dict[str, Any]]:
    return [{"values": [cell_data(c) for c in row]} for row in grid.rows]


def plan(metadata: Mapping[str, Any], grids: Sequence[Grid]) -> tuple[dict[str, Any] | None, list[str]]:
    """The batchUpdate body (None when nothing differs) and the titles of the worksheets it changes."""
    sheets = {s["properties"]["title"]: s for s in metadata.get("sheets", [])}
    next_id = max((s["properties"]["sheetId"] for s in sheets.values()), default=0) + 1
    requests: list[dict[str, Any]] = []
    changed: list[str] = []
    for grid in grids:
        rows, cols = grid_size(grid)
        wanted_props = {"rowCount": rows, "columnCount": cols, "frozenRowCount": grid.frozen_rows}
        existing = sheets.get(grid.title)
        if existing is None:
            sheet_id = next_id
            next_id += 1
            requests.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": grid.title, "gridProperties": wanted_props,
            }}})
            requests.append(_update_cells(sheet_id, grid, rows, cols))
            changed.append(grid.title)
            continue
        sheet_id = existing["properties"]["sheetId"]
        grid_props = existing["properties"].get("gridProperties", {})
        current_props = {k: grid_props.get(k, 0) for k in wanted_props}
        props_differ = current_props != wanted_props
        cells_differ = _current_cells(existing) != _desired_cells(grid)
        if props_differ:
            requests.append({"updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": wanted_props},
                "fields": "gridProperties(rowCount,columnCount,frozenRowCount)",
            }})
        if cells_differ or props_differ:
            requests.append(_update_cells(sheet_id, grid, rows, cols))
            changed.append(grid.title)
    default = sheets.get(DEFAULT_SHEET)
    if default is not None and DEFAULT_SHEET not in {g.title for g in grids} and grids and not _current_cells(default):
        # Sheets creates a new spreadsheet with an empty "Sheet1": removed in the write that adds ours (after
        # them, since a spreadsheet may never be left without a worksheet). One with content is left alone.
        requests.append({"deleteSheet": {"sheetId": default["properties"]["sheetId"]}})
    return ({"requests": requests} if requests else None), changed


def _update_cells(sheet_id: int, grid: Grid, rows: int, cols: int) -> dict[str, Any]:
    """Every cell of the grid: those `rows` does not cover are cleared (values and formats)."""
    return {"updateCells": {
        "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": rows,
                  "startColumnIndex": 0, "endColumnIndex": cols},
        "rows": _rows(grid),
        "fields": FIELDS,
    }}
