"""The Connections page's Test button: each hook's test_connection() makes one cheap real request against the
sandbox (ListAccessibleCustomers over gRPC, GET /me?fields=id, the service account's token exchange), says
True with what it saw, and on a failing credential says False with how to fix it and no secret."""
from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox import Fault

pytestmark = pytest.mark.integration


def secrets_of(env_var: str) -> list[str]:
    """Every credential value of a connection in the environment, the key's private key included."""
    import os

    extra = json.loads(os.environ[env_var])["extra"]
    values = [str(extra[k]) for k in ("developer_token", "client_secret", "refresh_token", "app_secret",
                                      "access_token") if k in extra]
    if "keyfile_dict" in extra:
        key = json.loads(extra["keyfile_dict"])
        values += [key["private_key"], key["private_key"].splitlines()[1]]
    return values


def assert_no_secret(message: str, secrets: list[str]) -> None:
    leaked = [s[:12] + "..." for s in secrets if s and s in message]
    assert not leaked, f"secrets in the test message: {leaked}"


def requests_of(sandbox: Any, service: str) -> list[dict[str, Any]]:
    return list(sandbox.requests.filter(service=service))


def test_google_ads_lists_accessible_customers(fresh_sandbox: Any) -> None:
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    ok, message = GoogleAdsApiHook().test_connection()
    assert ok, message
    assert message == ("Google Ads answered: 3 accessible customer(s): 1234567890, 2345678901, 9990001112")
    calls = [(e["service"], e["method"]) for e in fresh_sandbox.requests.entries]
    assert calls == [("oauth", "token"), ("google_ads", "ListAccessibleCustomers")]
    assert_no_secret(message, secrets_of("AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"))


def test_google_ads_revoked_refresh_token_fails_with_the_fix(fresh_sandbox: Any) -> None:
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    fresh_sandbox.faults.add(Fault(service="oauth", error="invalid_grant", times=-1))
    ok, message = GoogleAdsApiHook().test_connection()
    assert not ok
    assert message.startswith("AuthFailure: Google OAuth refused the refresh token of connection 'google_ads_default'")
    assert "update the connection's refresh_token extra" in message
    assert not requests_of(fresh_sandbox, "google_ads"), "no API call after the token exchange failed"
    assert_no_secret(message, secrets_of("AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"))


def test_google_ads_rejected_access_token_is_an_auth_failure(fresh_sandbox: Any) -> None:
    """The API itself refuses (an OAuth token it calls invalid): the gRPC error's payload, classified."""
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    fresh_sandbox.faults.add(Fault(service="google_ads", error="AUTH_INVALID"))
    ok, message = GoogleAdsApiHook().test_connection()
    assert not ok
    assert message.startswith("AuthFailure: Google Ads rejected the credentials of connection 'google_ads_default'")
    assert "authentication_error.OAUTH_TOKEN_INVALID" in message
    assert_no_secret(message, secrets_of("AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"))


def test_google_ads_missing_extras_are_named(monkeypatch: pytest.MonkeyPatch, fresh_sandbox: Any) -> None:
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    conn = json.loads(__import__("os").environ["AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"])
    del conn["extra"]["developer_token"], conn["extra"]["refresh_token"]
    monkeypatch.setenv("AIRFLOW_CONN_ADS_HALF", json.dumps(conn))
    ok, message = GoogleAdsApiHook("ads_half").test_connection()
    assert (ok, message) == (False, "AuthFailure: Airflow connection 'ads_half' lacks developer_token, "
                                    "refresh_token in its extras; add them (see README, 'Connections')")
    assert not fresh_sandbox.requests.entries


def test_meta_asks_me_for_its_id(fresh_sandbox: Any) -> None:
    from ads_sync.sources.meta.hook import MetaAdsHook

    ok, message = MetaAdsHook().test_connection()
    assert (ok, message) == (True, "Meta answered: the token belongs to user 122100000000000001 (Graph v26.0)")
    (call,) = fresh_sandbox.requests.entries
    assert (call["service"], call["method"], call["query"]) == ("meta", "GET me", "/v26.0/me?fields=id")
    assert_no_secret(message, secrets_of("AIRFLOW_CONN_FACEBOOK_DEFAULT"))


def test_meta_wrong_access_token_fails_with_the_fix(monkeypatch: pytest.MonkeyPatch, fresh_sandbox: Any) -> None:
    import os

    from ads_sync.sources.meta.hook import MetaAdsHook

    conn = json.loads(os.environ["AIRFLOW_CONN_FACEBOOK_DEFAULT"])
    conn["extra"]["access_token"] = "EAAB-not-the-sandbox-token-5f1c"
    monkeypatch.setenv("AIRFLOW_CONN_META_WRONG", json.dumps(conn))
    ok, message = MetaAdsHook("meta_wrong").test_connection()
    assert not ok
    assert message.startswith("AuthFailure: Meta refused the request: (#190) Invalid OAuth access token")
    assert "put it in the access_token extra of connection 'meta_wrong'" in message
    assert len(fresh_sandbox.requests.entries) == 1, "sent once: a failing credential is not retried"
    assert_no_secret(message, secrets_of("AIRFLOW_CONN_META_WRONG"))


def test_sheets_token_exchange(fresh_sandbox: Any) -> None:
    from ads_sync import local
    from ads_sync.hooks.sheets import SheetsHook

    ok, message = SheetsHook().test_connection()
    assert (ok, message) == (True, f"Google issued a Sheets token to service account {local.SANDBOX_SERVICE_ACCOUNT}")
    (call,) = fresh_sandbox.requests.entries
    assert (call["service"], call["grant_type"], call["status"]) == (
        "oauth", "urn:ietf:params:oauth:grant-type:jwt-bearer", "OK")
    assert_no_secret(message, secrets_of("AIRFLOW_CONN_GOOGLE_SHEETS_DEFAULT"))


def test_sheets_revoked_key_fails_with_the_fix(fresh_sandbox: Any) -> None:
    from ads_sync import local
    from ads_sync.hooks.sheets import SheetsHook

    fresh_sandbox.faults.add(Fault(service="oauth", error="invalid_grant", times=-1))
    ok, message = SheetsHook().test_connection()
    assert not ok
    assert message.startswith(f"SheetsError: could not get a token for the service account "
                              f"{local.SANDBOX_SERVICE_ACCOUNT}")
    assert "was revoked or deleted; create a new key" in message
    assert_no_secret(message, secrets_of("AIRFLOW_CONN_GOOGLE_SHEETS_DEFAULT"))


def test_sheets_unreadable_key_says_so(monkeypatch: pytest.MonkeyPatch, fresh_sandbox: Any) -> None:
    import os

    from ads_sync.hooks.sheets import SheetsHook

    conn = json.loads(os.environ["AIRFLOW_CONN_GOOGLE_SHEETS_DEFAULT"])
    key = json.loads(conn["extra"]["keyfile_dict"])
    key["private_key"] = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
    conn["extra"]["keyfile_dict"] = json.dumps(key)
    monkeypatch.setenv("AIRFLOW_CONN_SHEETS_BROKEN", json.dumps(conn))
    ok, message = SheetsHook("sheets_broken").test_connection()
    assert (ok, message) == (False, "the service-account key of connection 'sheets_broken' could not be loaded "
                                    "(ValueError); download a new JSON key for the service account")
    assert not fresh_sandbox.requests.entries
