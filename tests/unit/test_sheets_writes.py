"""Pure logic of a push: typed cells, the one batchUpdate, error classification from recorded payloads."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import requests

from ads_sync.sheet_writes import cell_data, plan
from ads_sync.summaries import Cell, Grid, change, kpis


def grid(*rows: tuple) -> Grid:
    return Grid("Daily", (tuple(Cell(h, "header") for h in ("Date", "Spend")),
                          *((Cell(d, "date"), Cell(v, "money")) for d, v in rows)))


def test_numbers_stay_numbers_and_dates_become_serials_with_a_date_format() -> None:
    assert cell_data(Cell(date(2026, 1, 2), "date")) == {
        "userEnteredValue": {"numberValue": 46024},
        "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
    }
    assert cell_data(Cell(datetime(2026, 1, 2, 12), "datetime"))["userEnteredValue"] == {"numberValue": 46024.5}
    assert cell_data(Cell(1234.5, "money"))["userEnteredValue"] == {"numberValue": 1234.5}
    assert cell_data(Cell("0012", "text")) == {"userEnteredValue": {"stringValue": "0012"}}
    assert cell_data(Cell(None, "money")) == {}


def test_new_spreadsheet_gets_one_batch_adding_frozen_sheets_and_cells() -> None:
    empty = {"sheets": [{"properties": {"sheetId": 0, "title": "Sheet1"}}]}
    body, changed = plan(empty, [grid((date(2026, 1, 2), 3.0))])
    assert changed == ["Daily"]
    # the empty default Sheet1 goes in the same write, after ours were added (a spreadsheet needs one)
    [add, cells, drop] = body["requests"]
    assert drop == {"deleteSheet": {"sheetId": 0}}
    assert add["addSheet"]["properties"] == {
        "sheetId": 1, "title": "Daily", "gridProperties": {"rowCount": 2, "columnCount": 2, "frozenRowCount": 1},
    }
    assert cells["updateCells"]["range"] == {"sheetId": 1, "startRowIndex": 0, "endRowIndex": 2,
                                             "startColumnIndex": 0, "endColumnIndex": 2}


def _as_read_back(g: Grid, rows: int) -> dict:
    return {"sheets": [{"properties": {"sheetId": 7, "title": "Daily", "gridProperties": {
        "rowCount": rows, "columnCount": 2, "frozenRowCount": 1}},
        "data": [{"rowData": [{"values": [cell_data(c) for c in r]} for r in g.rows]}]}]}


def test_unchanged_worksheets_get_no_request_and_a_shorter_grid_shrinks() -> None:
    long = grid((date(2026, 1, 1), 1.0), (date(2026, 1, 2), 2.0))
    assert plan(_as_read_back(long, 3), [long]) == (None, [])
    short = grid((date(2026, 1, 2), 2.0))
    body, _ = plan(_as_read_back(long, 3), [short])
    props, cells = body["requests"]
    assert props["updateSheetProperties"]["properties"]["gridProperties"]["rowCount"] == 2
    assert len(cells["updateCells"]["rows"]) == 2


def test_kpis_and_changes_never_divide_by_zero() -> None:
    k = kpis({"cost": 10, "impressions": 0, "clicks": 0, "conversions": 0, "conversion_value": 5})
    assert (k["ctr"], k["cpc"], k["cpa"], k["roas"]) == (None, None, None, 0.5)
    assert change(12, 10) == pytest.approx(0.2) and change(5, 0) is None


def _api_error(status: int, body: dict) -> Exception:
    from gspread.exceptions import APIError

    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return APIError(response)


@pytest.mark.parametrize(("status", "body", "kind", "words"), [
    (403, {"error": {"code": 403, "message": "The caller does not have permission",
                     "status": "PERMISSION_DENIED"}},
     "SheetsError", ["share the spreadsheet", "sa@p.iam.gserviceaccount.com"]),
    (403, {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Google Sheets API has not been used in "
     "project 1 before or it is disabled.", "details": [{"reason": "SERVICE_DISABLED"}]}},
     "SheetsError", ["enable it"]),
    (404, {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}},
     "SheetsError", ["accounts.yaml", "sheet-id-123"]),
    (429, {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}},
     "TransientApiError", ["429"]),
    (503, {"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}},
     "TransientApiError", ["503"]),
])
def test_classification(status, body, kind, words) -> None:
    from ads_sync.hooks.sheets import classify_error

    error = classify_error(_api_error(status, body), spreadsheet_id="sheet-id-123",
                           email="sa@p.iam.gserviceaccount.com", conn_id="google_sheets_default")
    assert type(error).__name__ == kind
    for word in words:
        assert word in str(error)


def test_a_sheet1_with_content_is_left_alone() -> None:
    used = {"sheets": [{"properties": {"sheetId": 0, "title": "Sheet1"},
                        "data": [{"rowData": [{"values": [{"userEnteredValue": {"stringValue": "mine"}}]}]}]}]}
    body, _ = plan(used, [grid((date(2026, 1, 2), 3.0))])
    assert not any("deleteSheet" in r for r in body["requests"])
