"""The Connections page against `make airflow`'s stack: its form knows the three ads-sync connection types
(labels, secret fields, hidden standard fields), and its Test button, `POST /api/v2/connections/test`, runs
each hook's test_connection() in the api-server against the sandbox: the configured connections pass, a
wrong token fails with the fix and without the token."""
from __future__ import annotations

import json
from typing import Any

import pytest

from ads_sync import provider
from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.timeout(300)


def test_the_form_knows_the_three_connection_types(local_airflow: Deployment) -> None:
    metas = {m["connection_type"]: m for m in local_airflow.api.ok("GET", "/ui/connections/hook_meta")}
    for conn_type, fields in provider.CONN_FIELDS.items():
        meta = metas[conn_type]
        assert meta["hook_name"] == provider.HOOK_NAMES[conn_type]
        assert {k: v["schema"]["title"] for k, v in meta["extra_fields"].items()} == {
            k: v["label"] for k, v in fields.items()}
        assert meta["standard_fields"]["host"]["hidden"] and meta["standard_fields"]["password"]["hidden"]
    assert metas[provider.META]["extra_fields"]["access_token"]["schema"]["format"] == "password"


@pytest.mark.parametrize("conn_id, conn_type, says", [
    ("google_ads_default", provider.GOOGLE_ADS, "Google Ads answered: 3 accessible customer(s): "),
    ("facebook_default", provider.META, "Meta answered: the token belongs to user "),
    ("google_sheets_default", provider.GOOGLE_SHEETS, "Google issued a Sheets token to service account "),
])
def test_the_test_button_passes_for_the_configured_connections(
    local_airflow: Deployment, conn_id: str, conn_type: str, says: str
) -> None:
    answer = local_airflow.api.ok("POST", "/api/v2/connections/test",
                                  {"connection_id": conn_id, "conn_type": conn_type})
    assert answer["status"] is True, answer
    assert answer["message"].startswith(says), answer


def test_the_test_button_fails_a_wrong_token_with_the_fix(local_airflow: Deployment) -> None:
    from sandbox import meta

    wrong = "EAAB-wrong-token-3c9d71"
    extra = {"app_id": meta.APP_ID, "app_secret": meta.APP_SECRET, "access_token": wrong,
             "graph_url": json.loads(local_airflow.env["AIRFLOW_CONN_FACEBOOK_DEFAULT"])["extra"]["graph_url"]}
    answer: Any = local_airflow.api.ok("POST", "/api/v2/connections/test", {
        "connection_id": "meta_being_edited", "conn_type": provider.META, "extra": json.dumps(extra)})
    assert answer["status"] is False
    assert answer["message"].startswith("AuthFailure: Meta refused the request: (#190) Invalid OAuth access token")
    assert wrong not in answer["message"] and meta.APP_SECRET not in answer["message"]
