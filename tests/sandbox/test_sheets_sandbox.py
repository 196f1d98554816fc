"""The Sheets emulator through the real gspread client: tokens from a service account's JWT grant,
values in and out, clearing, worksheets, faults, the request counter, the file and the HTML rendering."""
from __future__ import annotations

import json
import os

import pytest


@pytest.fixture
def client(sandbox):
    from ads_sync import local
    from ads_sync.hooks.sheets import SheetsHook

    os.environ["AIRFLOW_CONN_GOOGLE_SHEETS_DEFAULT"] = local.sheets_connection(sandbox)
    return SheetsHook().get_client()


def test_values_round_trip_with_types(client, sandbox) -> None:
    ws = client.open_by_key("sandbox-sheet-one").sheet1
    ws.update([["Date", "Spend", "Note"], ["2026-01-02", "12.5", "x"], ["2026-01-03", 7, "y"]], "A1",
              value_input_option="USER_ENTERED")
    assert ws.get_values("A1:C3") == [["Date", "Spend", "Note"], ["2026-01-02", "12.5", "x"], ["2026-01-03", "7", "y"]]
    raw = ws.get_values("A2:B3", value_render_option="UNFORMATTED_VALUE")
    assert raw == [[46024, 12.5], [46025, 7]]
    client.http_client.values_batch_clear("sandbox-sheet-one", body={"ranges": ["Sheet1!A3:C3"]})
    assert ws.get_values() == [["Date", "Spend", "Note"], ["2026-01-02", "12.5", "x"]]
    tokens = [e for e in sandbox.requests.entries if e["service"] == "oauth"]
    assert [t["grant_type"] for t in tokens] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]


def test_worksheets_add_rename_and_grid_limits(client) -> None:
    from gspread.exceptions import APIError

    book = client.open_by_key("sandbox-sheet-two")
    ws = book.add_worksheet("Daily", rows=3, cols=2)
    ws.update_title("Daily data")
    assert [w.title for w in book.worksheets()] == ["Sheet1", "Daily data"]
    with pytest.raises(APIError, match="exceeds grid limits"):
        ws.update([[1, 2, 3]], "A1:C1")


def test_faults_are_counted_and_answered_like_sheets(client, sandbox) -> None:
    from gspread.exceptions import APIError

    from sandbox import Fault

    sandbox.faults.add(Fault(service="sheets", error="RATE_LIMIT", customer_id="sandbox-sheet-three", times=1))
    with pytest.raises(APIError) as caught:
        client.open_by_key("sandbox-sheet-three")
    assert caught.value.response.status_code == 429 and caught.value.error["status"] == "RESOURCE_EXHAUSTED"
    client.open_by_key("sandbox-sheet-three")
    assert [e["status"] for e in sandbox.requests.filter(service="sheets")] == ["RESOURCE_EXHAUSTED", "OK"]


def test_requests_without_a_token_are_refused(sandbox) -> None:
    import requests

    answer = requests.get(f"{sandbox.sheets_endpoint}/v4/spreadsheets/sandbox-sheet-four", timeout=5)
    assert answer.status_code == 401


def test_spreadsheets_are_kept_in_a_file_and_render_to_html(client, sandbox, tmp_path) -> None:
    from sandbox.sheets_html import render_all
    from sandbox.sheets_store import SheetsStore

    client.open_by_key("sandbox-sheet-five").sheet1.update([["Spend", 1234.5]], "A1")
    again = SheetsStore(sandbox.state_dir / "sheets.json")
    assert again.snapshot() == json.loads((sandbox.state_dir / "sheets.json").read_text())
    [page] = render_all(again.snapshot(), tmp_path)
    assert "1234.5" in page.read_text() and "<h2>Sheet1</h2>" in page.read_text()
