"""Google Sheets API v4 over HTTP: the endpoints gspread uses, on the sandbox's shared Router.

Served: spreadsheets.get (metadata, optionally with grid data), spreadsheets.batchUpdate (addSheet,
deleteSheet, updateSheetProperties (rename, grid size, frozen rows), updateCells, repeatCell), and
values get / batchGet / update / batchUpdate / clear / batchClear. Every call needs a bearer token the
sandbox's /token endpoint issued (a service account's JWT-bearer grant, see oauth.py), is counted in
the request log (service "sheets", customer_id = the spreadsheet id, resource = the method) and may be
failed by a scripted fault: PERMISSION_DENIED and SERVICE_DISABLED (403), NOT_FOUND (404),
RATE_LIMIT (429) or INTERNAL (500).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .httpd import Request, Response, Router
from .sheets_store import (
    GridRange,
    SheetsApiError,
    SheetsStore,
    Spreadsheet,
    Worksheet,
    bad_request,
    check_limits,
    grid_range,
    parse_a1,
    raw,
    unformatted,
    user_entered,
)
from .sheets_store import formatted as formatted_value

if TYPE_CHECKING:
    from .state import SandboxState

PREFIX = "/v4/spreadsheets"

FAULTS: dict[str, SheetsApiError] = {
    "PERMISSION_DENIED": SheetsApiError(403, "PERMISSION_DENIED", "The caller does not have permission"),
    "SERVICE_DISABLED": SheetsApiError(
        403, "PERMISSION_DENIED",
        "Google Sheets API has not been used in project 123456789012 before or it is disabled. Enable it by "
        "visiting https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project="
        "123456789012 then retry.",
        reason="SERVICE_DISABLED",
    ),
    "NOT_FOUND": SheetsApiError(404, "NOT_FOUND", "Requested entity was not found."),
    "RATE_LIMIT": SheetsApiError(
        429, "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of "
        "service 'sheets.googleapis.com' for consumer 'project_number:123456789012'.",
        reason="RATE_LIMIT_EXCEEDED",
    ),
    "INTERNAL": SheetsApiError(500, "INTERNAL", "Internal error encountered."),
}

Handler = Callable[[Request, Spreadsheet], dict[str, Any]]


def mount(router: Router, state: SandboxState, store: SheetsStore) -> None:
    def route(method: str, name: str, handler: Handler, *, write: bool) -> Callable[[Request], Response]:
        def serve(request: Request) -> Response:
            spreadsheet_id = unquote(request.params["id"])
            # the log and the faults compare ids without dashes (they were made for Google Ads
            # customer ids): a spreadsheet id is logged and matched that way too
            key = spreadsheet_id.replace("-", "")
            entry = state.requests.record("sheets", name, customer_id=key, resource=name)
            try:
                _authorize(request, state)
                fault = state.faults.check("sheets", key, name)
                if fault is not None:
                    state.sleep(fault.delay_s)
                    if fault.error != "SLOW":
                        raise FAULTS[fault.error]
                if ":" in spreadsheet_id or "/" in spreadsheet_id:
                    raise SheetsApiError(404, "NOT_FOUND", "Requested entity was not found.")
                with store.open(spreadsheet_id, write=write) as book:
                    body = handler(request, book)
            except SheetsApiError as exc:
                state.requests.update(entry, status=exc.status)
                headers = {"WWW-Authenticate": "Bearer"} if exc.code == 401 else None
                return Response.json(exc.body(), exc.code, headers)
            state.requests.update(entry, status="OK")
            return Response.json(body)

        return serve

    # the ":verb" routes first: "{id}" alone would also match "abc:batchUpdate"
    router.add("POST", f"{PREFIX}/{{id}}:batchUpdate", route("POST", "batchUpdate", _batch_update, write=True))
    router.add("GET", f"{PREFIX}/{{id}}/values:batchGet", route("GET", "values.batchGet", _values_batch_get,
                                                                write=False))
    router.add("POST", f"{PREFIX}/{{id}}/values:batchUpdate",
               route("POST", "values.batchUpdate", _values_batch_update, write=True))
    router.add("POST", f"{PREFIX}/{{id}}/values:batchClear",
               route("POST", "values.batchClear", _values_batch_clear, write=True))
    router.add("POST", f"{PREFIX}/{{id}}/values/{{range}}:clear",
               route("POST", "values.clear", _values_clear, write=True))
    router.add("GET", f"{PREFIX}/{{id}}/values/{{range}}", route("GET", "values.get", _values_get, write=False))
    router.add("PUT", f"{PREFIX}/{{id}}/values/{{range}}", route("PUT", "values.update", _values_update,
                                                                 write=True))
    router.add("GET", f"{PREFIX}/{{id}}", route("GET", "get", _get, write=False))


def _authorize(request: Request, state: SandboxState) -> None:
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else ""
    verdict = state.tokens.check(token) if token else "missing"
    if verdict != "valid":
        raise SheetsApiError(
            401, "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
            "other valid authentication credential.",
        )


# -- spreadsheets.get / batchUpdate -------------------------------------------------------------------


def _get(request: Request, book: Spreadsheet) -> dict[str, Any]:
    with_data = (request.arg("includeGridData") or "false").lower() == "true"
    sheets = []
    for ws in book.sheets:
        entry: dict[str, Any] = {"properties": ws.properties()}
        if with_data:
            entry["data"] = [{"startRow": 0, "startColumn": 0, "rowData": ws.row_data()}]
        sheets.append(entry)
    return {
        "spreadsheetId": book.id,
        "properties": {"title": book.title, "locale": "en_US", "timeZone": "Etc/UTC"},
        "sheets": sheets,
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.id}/edit",
    }


def _batch_update(request: Request, book: Spreadsheet) -> dict[str, Any]:
    body = request.json() or {}
    replies = []
    for item in body.get("requests", []):
        if len(item) != 1:
            raise bad_request("Invalid requests: each request must set exactly one kind")
        [(kind, data)] = item.items()
        apply = _REQUESTS.get(kind)
        if apply is None:
            raise bad_request(f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[0]'")
        replies.append(apply(book, data))
    return {"spreadsheetId": book.id, "replies": replies}


def _add_sheet(book: Spreadsheet, data: dict[str, Any]) -> dict[str, Any]:
    props = data.get("properties", {})
    title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
    if any(ws.title == title for ws in book.sheets):
        raise bad_request(f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists. '
                          "Please enter another name.")
    ids = {ws.sheet_id for ws in book.sheets}
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = max(ids, default=0) + 1
    elif sheet_id in ids:
        raise bad_request(f"Invalid requests[0].addSheet: Sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties", {})
    ws = Worksheet(int(sheet_id), title, props.get("index", len(book.sheets)) - 0.5)  # type: ignore[arg-type]
    ws.resize(grid.get("rowCount", ws.rows), grid.get("columnCount", ws.cols))
    _freeze(ws, grid.get("frozenRowCount", 0))
    book.sheets.append(ws)
    book.reindex()
    return {"addSheet": {"properties": ws.properties()}}


def _delete_sheet(book: Spreadsheet, data: dict[str, Any]) -> dict[str, Any]:
    ws = book.sheet(sheet_id=int(data["sheetId"]))
    if len(book.sheets) == 1:
        raise bad_request("Invalid requests[0].deleteSheet: You can't remove all the sheets in a document.")
    book.sheets.remove(ws)
    book.reindex()
    return {}


def _freeze(ws: Worksheet, rows: int) -> None:
    if rows and rows >= ws.rows:
        raise bad_request("Invalid requests[0].updateSheetProperties: You can't freeze all visible rows on the "
                          "sheet.")
    ws.frozen_rows = rows


def _update_sheet_properties(book: Spreadsheet, data: dict[str, Any]) -> dict[str, Any]:
    props = data.get("properties", {})
    ws = book.sheet(sheet_id=int(props.get("sheetId", 0)))
    fields = field_mask(data.get("fields", ""))
    if not fields:
        raise bad_request("At least one field must be updated, but 'fields' is empty")
    grid = props.get("gridProperties", {})

    def wants(name: str) -> bool:
        return "*" in fields or name in fields or any(f.startswith(name + ".") or name.startswith(f + ".")
                                                      for f in fields)

    if wants("title") and "title" in props:
        if any(o.title == props["title"] and o is not ws for o in book.sheets):
            raise bad_request(f'A sheet with the name "{props["title"]}" already exists. Please enter another name.')
        ws.title = props["title"]
    if wants("index") and "index" in props:
        ws.index = props["index"] - 0.5 if props["index"] < ws.index else props["index"] + 0.5  # type: ignore[assignment]
        book.reindex()
    rows = grid.get("rowCount", ws.rows) if wants("gridProperties.rowCount") else ws.rows
    cols = grid.get("columnCount", ws.cols) if wants("gridProperties.columnCount") else ws.cols
    ws.resize(rows, cols)
    if wants("gridProperties.frozenRowCount"):
        _freeze(ws, grid.get("frozenRowCount", 0))
    return {}


def field_mask(text: str) -> set[str]:
    """'a,b(c,d),e.f' -> {'a', 'b.c', 'b.d', 'e.f'}."""
    out: set[str] = set()

    def walk(s: str, prefix: str) -> None:
        depth, start = 0, 0
        parts = []
        for i, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if ch == "," and depth == 0:
                parts.append(s[start:i])
                start = i + 1
        parts.append(s[start:])
        for part in (p.strip() for p in parts):
            if not part:
                continue
            if "(" in part and part.endswith(")"):
                head, inner = part[: part.index("(")], part[part.index("(") + 1 : -1]
                walk(inner, prefix + head + ".")
            else:
                out.add(prefix + part)

    walk(text, "")
    return out


def _masked(cell: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """The parts of `cell` that `fields` names (the rest of the target cell is left alone)."""
    if "*" in fields:
        return {k: v for k, v in cell.items() if k in ("userEnteredValue", "userEnteredFormat")}
    out: dict[str, Any] = {}
    for name in ("userEnteredValue", "userEnteredFormat"):
        if name in fields and name in cell:
            out[name] = cell[name]
    return out


def _write_cell(ws: Worksheet, r: int, c: int, cell: dict[str, Any], fields: set[str]) -> None:
    current = dict(ws.cells.get((r, c), {}))
    top = {"*"} if "*" in fields else {f.split(".")[0] for f in fields}
    for name in ("userEnteredValue", "userEnteredFormat"):
        if "*" in top or name in top:
            if name in cell:
                current[name] = cell[name]
            else:
                current.pop(name, None)
    if current:
        ws.cells[(r, c)] = current
    else:
        ws.cells.pop((r, c), None)


def _update_cells(book: Spreadsheet, data: dict[str, Any]) -> dict[str, Any]:
    fields = field_mask(data.get("fields", ""))
    if not fields:
        raise bad_request("At least one field must be updated, but 'fields' is empty")
    rows = data.get("rows", [])
    if "range" in data:
        rng = grid_range(book, data["range"])
        clear_rest = True
    else:
        start = data.get("start", {})
        height = len(rows)
        width = max((len(r.get("values", [])) for r in rows), default=0)
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        rng = GridRange(book.sheet(sheet_id=int(start.get("sheetId", 0))), r0, r0 + height, c0, c0 + width)
        clear_rest = False
    check_limits(rng)
    r0, r1, c0, c1 = rng.bounded()
    for i, row in enumerate(rows):
        for j, cell in enumerate(row.get("values", [])):
            if r0 + i >= r1 or c0 + j >= c1:
                raise bad_request(f"Invalid requests[0].updateCells: data exceeds the range {rng.a1()}")
            _write_cell(rng.sheet, r0 + i, c0 + j, _masked(cell, fields), fields)
    if clear_rest:
        for r in range(r0, r1):
            written = len(rows[r - r0].get("values", [])) if r - r0 < len(rows) else 0
            for c in range(c0 + written, c1):
                _write_cell(rng.sheet, r, c, {}, fields)
    return {}


def _repeat_cell(book: Spreadsheet, data: dict[str, Any]) -> dict[str, Any]:
    rng = grid_range(book, data["range"])
    check_limits(rng)
    fields = field_mask(data.get("fields", ""))
    r0, r1, c0, c1 = rng.bounded()
    cell = _masked(data.get("cell", {}), fields)
    for r in range(r0, r1):
        for c in range(c0, c1):
            _write_cell(rng.sheet, r, c, cell, fields)
    return {}


_REQUESTS: dict[str, Callable[[Spreadsheet, dict[str, Any]], dict[str, Any]]] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateCells": _update_cells,
    "repeatCell": _repeat_cell,
}


# -- values ---------------------------------------------------------------------------------------------


def _render(rng: GridRange, request: Request | dict[str, Any]) -> dict[str, Any]:
    def option(name: str, default: str) -> str:
        if isinstance(request, Request):
            return request.arg(name) or default
        return str(request.get(name) or default)

    how = option("valueRenderOption", "FORMATTED_VALUE")
    serial_dates = option("dateTimeRenderOption", "SERIAL_NUMBER") == "SERIAL_NUMBER"
    major = option("majorDimension", "ROWS")
    r0, r1, c0, c1 = rng.bounded()
    r1, c1 = min(r1, rng.sheet.rows), min(c1, rng.sheet.cols)
    grid: list[list[Any]] = []
    for r in range(r0, r1):
        row = []
        for c in range(c0, c1):
            cell = rng.sheet.cells.get((r, c), {})
            if how == "FORMATTED_VALUE":
                row.append(formatted_value(cell))
            elif how == "FORMULA" and "formulaValue" in cell.get("userEnteredValue", {}):
                row.append(cell["userEnteredValue"]["formulaValue"])
            else:
                row.append(unformatted(cell, dates_as_serial=serial_dates))
        while row and row[-1] == "":
            row.pop()
        grid.append(row)
    while grid and not grid[-1]:
        grid.pop()
    if major == "COLUMNS":
        width = max((len(r) for r in grid), default=0)
        grid = [[r[i] if i < len(r) else "" for r in grid] for i in range(width)]
    out: dict[str, Any] = {"range": rng.a1(), "majorDimension": major}
    if grid:
        out["values"] = grid
    return out


def _values_get(request: Request, book: Spreadsheet) -> dict[str, Any]:
    return _render(parse_a1(book, unquote(request.params["range"])), request)


def _values_batch_get(request: Request, book: Spreadsheet) -> dict[str, Any]:
    ranges = request.query.get("ranges", [])
    return {"spreadsheetId": book.id, "valueRanges": [_render(parse_a1(book, r), request) for r in ranges]}


def _write_values(book: Spreadsheet, range_text: str, values: list[list[Any]], option: str) -> dict[str, Any]:
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request(f"Invalid valueInputOption: {option!r}")
    convert = user_entered if option == "USER_ENTERED" else raw
    rng = parse_a1(book, range_text)
    r0, _, c0, _ = rng.bounded()
    height = len(values)
    width = max((len(r) for r in values), default=0)
    target = GridRange(rng.sheet, r0, r0 + height, c0, c0 + width)
    anchor = rng.end_row == r0 + 1 and rng.end_col == c0 + 1  # one cell: where the values start
    if not anchor and (rng.end_row is not None and r0 + height > rng.end_row
                       or rng.end_col is not None and c0 + width > rng.end_col):
        raise bad_request(f"Requested writing within range [{range_text}], but tried writing to more cells")
    check_limits(target)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is None:
                continue  # null leaves the cell as it is
            cell = convert(value)
            current = dict(rng.sheet.cells.get((r0 + i, c0 + j), {}))
            current.pop("userEnteredValue", None)
            if "userEnteredFormat" in cell:
                current["userEnteredFormat"] = cell["userEnteredFormat"]
            if "userEnteredValue" in cell:
                current["userEnteredValue"] = cell["userEnteredValue"]
            if current:
                rng.sheet.cells[(r0 + i, c0 + j)] = current
            else:
                rng.sheet.cells.pop((r0 + i, c0 + j), None)
    return {"spreadsheetId": book.id, "updatedRange": target.a1(), "updatedRows": height,
            "updatedColumns": width, "updatedCells": sum(len(r) for r in values)}


def _values_update(request: Request, book: Spreadsheet) -> dict[str, Any]:
    body = request.json() or {}
    return _write_values(book, unquote(request.params["range"]), body.get("values", []),
                         request.arg("valueInputOption") or "")


def _values_batch_update(request: Request, book: Spreadsheet) -> dict[str, Any]:
    body = request.json() or {}
    option = body.get("valueInputOption", "")
    responses = [_write_values(book, d["range"], d.get("values", []), option) for d in body.get("data", [])]
    return {"spreadsheetId": book.id, "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
            "responses": responses}


def _clear(book: Spreadsheet, range_text: str) -> str:
    rng = parse_a1(book, range_text)
    r0, r1, c0, c1 = rng.bounded()
    for key in [k for k in rng.sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
        cell = dict(rng.sheet.cells[key])
        cell.pop("userEnteredValue", None)  # clearing keeps formats, as in Sheets
        if cell:
            rng.sheet.cells[key] = cell
        else:
            del rng.sheet.cells[key]
    return rng.a1()


def _values_clear(request: Request, book: Spreadsheet) -> dict[str, Any]:
    return {"spreadsheetId": book.id, "clearedRange": _clear(book, unquote(request.params["range"]))}


def _values_batch_clear(request: Request, book: Spreadsheet) -> dict[str, Any]:
    ranges = (request.json() or {}).get("ranges", [])
    return {"spreadsheetId": book.id, "clearedRanges": [_clear(book, r) for r in ranges]}
