"""The emulated spreadsheets: worksheets of cells as the Sheets v4 API models them, kept in one JSON file.

A cell is the API's CellData reduced to what the emulator needs: `userEnteredValue` (numberValue,
stringValue, boolValue or formulaValue) and `userEnteredFormat` (numberFormat, textFormat). Dates
are numbers (days since 1899-12-30) with a DATE number format, as in Sheets itself.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

EPOCH = date(1899, 12, 30)
DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
Cell = dict[str, Any]


class SheetsApiError(Exception):
    """An error the emulator answers with, in the API's {"error": {code, message, status}} shape."""

    def __init__(self, code: int, status: str, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.code, self.status, self.message, self.reason = code, status, message, reason

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.reason:
            error["details"] = [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": self.reason,
                 "domain": "googleapis.com"}
            ]
        return {"error": error}


def bad_request(message: str) -> SheetsApiError:
    return SheetsApiError(400, "INVALID_ARGUMENT", message)


@dataclass
class Worksheet:
    sheet_id: int
    title: str
    index: int
    rows: int = DEFAULT_ROWS
    cols: int = DEFAULT_COLS
    frozen_rows: int = 0
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def properties(self) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        return {"sheetId": self.sheet_id, "title": self.title, "index": self.index, "sheetType": "GRID",
                "gridProperties": grid}

    def row_data(self) -> list[dict[str, Any]]:
        """rowData as spreadsheets.get(includeGridData) answers: trailing empty rows and cells left out."""
        if not self.cells:
            return []
        last_row = max(r for r, _ in self.cells)
        out = []
        for r in range(last_row + 1):
            cols = [c for rr, c in self.cells if rr == r]
            out.append({"values": [dict(self.cells.get((r, c), {})) for c in range(max(cols) + 1)]} if cols else {})
        return out

    def resize(self, rows: int, cols: int) -> None:
        if rows < 1 or cols < 1:
            raise bad_request("Invalid grid size: a sheet needs at least one row and one column.")
        self.rows, self.cols = rows, cols
        self.cells = {(r, c): v for (r, c), v in self.cells.items() if r < rows and c < cols}

    def to_json(self) -> dict[str, Any]:
        return {**self.properties(), "frozen": self.frozen_rows,
                "cells": [[r, c, v] for (r, c), v in sorted(self.cells.items())]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Worksheet:
        grid = data["gridProperties"]
        return cls(data["sheetId"], data["title"], data["index"], grid["rowCount"], grid["columnCount"],
                   data.get("frozen", 0), {(r, c): v for r, c, v in data["cells"]})


@dataclass
class Spreadsheet:
    id: str
    title: str
    sheets: list[Worksheet]

    def sheet(self, title: str | None = None, sheet_id: int | None = None) -> Worksheet:
        for ws in self.sheets:
            if (title is not None and ws.title == title) or (sheet_id is not None and ws.sheet_id == sheet_id):
                return ws
        if title is not None:
            raise bad_request(f"Unable to parse range: {title}")
        raise bad_request(f"No grid with id: {sheet_id}")

    def reindex(self) -> None:
        self.sheets.sort(key=lambda ws: ws.index)
        for i, ws in enumerate(self.sheets):
            ws.index = i


class SheetsStore:
    """Every emulated spreadsheet of one sandbox; written to `path` after each change (atomically).

    A spreadsheet id seen for the first time is created with one empty worksheet, "Sheet1", the way a
    person creates a spreadsheet and shares it with the service account before the first push.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._books: dict[str, Spreadsheet] = {}
        if path is not None and path.exists():
            for book in json.loads(path.read_text()).get("spreadsheets", []):
                self._books[book["id"]] = Spreadsheet(
                    book["id"], book["title"], [Worksheet.from_json(s) for s in book["sheets"]]
                )

    @contextmanager
    def open(self, spreadsheet_id: str, *, write: bool = False) -> Iterator[Spreadsheet]:
        """The spreadsheet under the store's lock; saved afterwards when `write` and nothing raised."""
        with self._lock:
            book = self._books.get(spreadsheet_id)
            if book is None:
                book = Spreadsheet(spreadsheet_id, f"Spreadsheet {spreadsheet_id}", [Worksheet(0, "Sheet1", 0)])
                self._books[spreadsheet_id] = book
            if not write:
                yield book
                return
            snapshot = json.dumps(_book_json(book))
            try:
                yield book
            except BaseException:
                restored = json.loads(snapshot)
                book.sheets = [Worksheet.from_json(s) for s in restored["sheets"]]
                raise
            self._save()

    def ids(self) -> list[str]:
        with self._lock:
            return sorted(self._books)

    def snapshot(self) -> dict[str, Any]:
        """Everything, as JSON data (what the file holds)."""
        with self._lock:
            return {"spreadsheets": [_book_json(b) for _, b in sorted(self._books.items())]}

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.snapshot(), indent=1))
        tmp.replace(self.path)


def _book_json(book: Spreadsheet) -> dict[str, Any]:
    return {"id": book.id, "title": book.title, "sheets": [s.to_json() for s in book.sheets]}


# -- A1 notation ------------------------------------------------------------------------------------

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class GridRange:
    """Zero-based, end-exclusive; None = to the edge of the grid."""

    sheet: Worksheet
    start_row: int
    end_row: int | None
    start_col: int
    end_col: int | None

    def bounded(self) -> tuple[int, int, int, int]:
        return (self.start_row, self.end_row if self.end_row is not None else self.sheet.rows,
                self.start_col, self.end_col if self.end_col is not None else self.sheet.cols)

    def a1(self) -> str:
        r0, r1, c0, c1 = self.bounded()
        return f"'{self.sheet.title}'!{column_letters(c0)}{r0 + 1}:{column_letters(c1 - 1)}{r1}"


def parse_a1(book: Spreadsheet, text: str) -> GridRange:
    """'Sheet'!A1:C3, Sheet!A:C, Sheet!2:5, Sheet, A1:C3 (first sheet)."""
    if "!" in text:
        title, _, cells = text.rpartition("!")
    elif _looks_like_cells(text):
        title, cells = book.sheets[0].title, text
    else:
        title, cells = text, ""
    if title.startswith("'") and title.endswith("'"):
        title = title[1:-1].replace("''", "'")
    sheet = book.sheet(title=title)
    if not cells:
        return GridRange(sheet, 0, None, 0, None)
    first, _, last = cells.partition(":")
    m1, m2 = _CELL.match(first), _CELL.match(last or first)
    if m1 is None or m2 is None:
        raise bad_request(f"Unable to parse range: {text}")
    c0 = column_number(m1.group(1)) if m1.group(1) else 0
    r0 = int(m1.group(2)) - 1 if m1.group(2) else 0
    c1 = column_number(m2.group(1)) + 1 if m2.group(1) else None
    r1 = int(m2.group(2)) if m2.group(2) else None
    if not last and m1.group(2):  # a single cell
        r1, c1 = r0 + 1, c0 + 1
    return GridRange(sheet, r0, r1, c0, c1)


def _looks_like_cells(text: str) -> bool:
    return all(_CELL.match(part) and part for part in text.split(":")) and any(ch.isdigit() for ch in text)


def grid_range(book: Spreadsheet, data: dict[str, Any]) -> GridRange:
    """A GridRange object of a batchUpdate request."""
    sheet = book.sheet(sheet_id=int(data.get("sheetId", 0)))
    return GridRange(sheet, data.get("startRowIndex", 0), data.get("endRowIndex"),
                     data.get("startColumnIndex", 0), data.get("endColumnIndex"))


def check_limits(rng: GridRange) -> None:
    r0, r1, c0, c1 = rng.bounded()
    if r1 > rng.sheet.rows or c1 > rng.sheet.cols or r0 < 0 or c0 < 0 or r0 > r1 or c0 > c1:
        raise bad_request(
            f"Range ({rng.a1()}) exceeds grid limits. Max rows: {rng.sheet.rows}, max columns: {rng.sheet.cols}"
        )


# -- values: what a cell shows, and what a typed value becomes ---------------------------------------


def serial(day: date | datetime) -> float:
    if isinstance(day, datetime):
        delta = day.replace(tzinfo=None) - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((day - EPOCH).days)


def from_serial(number: float) -> datetime:
    return datetime(1899, 12, 30) + timedelta(days=number)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def user_entered(value: Any) -> Cell:
    """A value as valueInputOption=USER_ENTERED stores it: numbers, booleans, formulas, ISO dates, percents."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    text = str(value)
    if text.startswith("="):
        return {"userEnteredValue": {"formulaValue": text}}
    if text.upper() in ("TRUE", "FALSE"):
        return {"userEnteredValue": {"boolValue": text.upper() == "TRUE"}}
    if _NUMBER.match(text.replace(",", "")):
        return {"userEnteredValue": {"numberValue": float(text.replace(",", ""))}}
    if text.endswith("%") and _NUMBER.match(text[:-1]):
        return {"userEnteredValue": {"numberValue": float(text[:-1]) / 100},
                "userEnteredFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0.00%"}}}
    if _ISO_DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return {"userEnteredValue": {"numberValue": serial(day)},
                    "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}}
    return {"userEnteredValue": {"stringValue": text}}


def raw(value: Any) -> Cell:
    """valueInputOption=RAW: strings stay strings."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def formatted(cell: Cell) -> str:
    """The text a person sees in the cell (FORMATTED_VALUE), for the formats the emulator knows."""
    entered = cell.get("userEnteredValue") or {}
    if "stringValue" in entered:
        return str(entered["stringValue"])
    if "boolValue" in entered:
        return "TRUE" if entered["boolValue"] else "FALSE"
    if "formulaValue" in entered:
        return str(entered["formulaValue"])
    if "numberValue" not in entered:
        return ""
    number = float(entered["numberValue"])
    fmt = (cell.get("userEnteredFormat") or {}).get("numberFormat") or {}
    kind, pattern = fmt.get("type", ""), fmt.get("pattern", "")
    if kind in ("DATE", "DATE_TIME"):
        moment = from_serial(number)
        if kind == "DATE":
            return moment.strftime("%Y-%m-%d")
        return moment.strftime("%Y-%m-%d %H:%M" if "ss" not in pattern else "%Y-%m-%d %H:%M:%S")
    if not pattern:
        value = _plain_number(number)
        return str(value) if isinstance(value, int) else f"{value:.10g}"
    decimals = len(pattern.split(".", 1)[1].rstrip("%\" ").split('"')[0]) if "." in pattern else 0
    scaled = number * 100 if pattern.rstrip('" ').endswith("%") else number
    text = f"{scaled:,.{decimals}f}" if "," in pattern else f"{scaled:.{decimals}f}"
    return text + ("%" if pattern.rstrip('" ').endswith("%") else "")


def unformatted(cell: Cell, *, dates_as_serial: bool = True) -> Any:
    """UNFORMATTED_VALUE: numbers as numbers; dates as serial numbers unless FORMATTED_STRING is asked."""
    entered = cell.get("userEnteredValue") or {}
    if "numberValue" in entered:
        fmt = ((cell.get("userEnteredFormat") or {}).get("numberFormat") or {}).get("type")
        if fmt in ("DATE", "DATE_TIME") and not dates_as_serial:
            return formatted(cell)
        return _plain_number(entered["numberValue"])
    if "boolValue" in entered:
        return entered["boolValue"]
    if "stringValue" in entered:
        return entered["stringValue"]
    if "formulaValue" in entered:
        return entered["formulaValue"]
    return ""
