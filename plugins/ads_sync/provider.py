"""What Airflow's providers manager learns about ads-sync: the hooks' connection types and their form fields.

Found through the `apache_airflow_provider` entry point (pyproject.toml), so `make install` must install the
checkout itself. Airflow 3.3 reads the Connections form declaratively from here (`conn-fields`,
`ui-field-behaviour`; see `airflow/providers_manager.py` `_load_ui_metadata`) without importing the hooks;
a hook's own `get_connection_form_widgets` / `get_ui_field_behaviour` are deprecated since 3.2 and skipped
when this info has them. The Test button needs the hook class to have `test_connection()`.

The types carry our prefix: `google_ads` and `google_cloud_platform` belong to the Google provider (installed
here), `facebook_social` to the Facebook one; a type registered twice goes to whichever provider loads first.
This module imports nothing, so every Airflow process can read it cheaply.
"""
from __future__ import annotations

from typing import Any

PACKAGE = "ads-sync"
GOOGLE_ADS = "ads_sync_google_ads"
META = "ads_sync_meta_ads"
GOOGLE_SHEETS = "ads_sync_google_sheets"
#: the connection types the sandbox connections and airflow_settings.yaml used before these were registered;
#: the hooks still read connections of these types (they read only the extras), only the form and Test differ
LEGACY_TYPES = {GOOGLE_ADS: "google_ads", META: "facebook_social", GOOGLE_SHEETS: "google_cloud_platform"}
#: hook classes by connection type (imported by Airflow only when a connection of the type is used or tested)
HOOKS = {
    GOOGLE_ADS: "ads_sync.sources.google_ads.hook.GoogleAdsApiHook",
    META: "ads_sync.sources.meta.hook.MetaAdsHook",
    GOOGLE_SHEETS: "ads_sync.hooks.sheets.SheetsHook",
}
HOOK_NAMES = {
    GOOGLE_ADS: "Google Ads (ads-sync)",
    META: "Meta Ads (ads-sync)",
    GOOGLE_SHEETS: "Google Sheets (ads-sync)",
}
#: the standard fields none of them uses: everything lives in the extras (Airflow applies `placeholders` only to
#: these, so the extra fields' placeholders are their `examples`)
_UNUSED = ["host", "schema", "login", "password", "port"]


def _field(label: str, description: str, *, secret: bool = False, examples: list[str] | None = None) -> dict[str, Any]:
    """One extra field of the form: a label, a description under it, and for non-secrets `examples`, which
    Airflow's form offers as you type and announces in the field's placeholder."""
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if secret:
        schema["format"] = "password"
    if examples:
        schema["examples"] = examples
    return {"label": label, "description": description, "schema": schema}


SANDBOX_ONLY = "Offline sandbox only; leave empty for the real API."

CONN_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    GOOGLE_ADS: {
        "developer_token": _field("Developer token", "From the manager account's API Center (Tools > API Center).",
                                  secret=True),
        "client_id": _field("OAuth client ID", "The Google Cloud OAuth client the refresh token was made with.",
                            examples=["1234567890-abc123.apps.googleusercontent.com"]),
        "client_secret": _field("OAuth client secret", "The OAuth client's secret.", secret=True),
        "refresh_token": _field("OAuth refresh token", "A refresh token of a user with access to the accounts "
                                "(scope https://www.googleapis.com/auth/adwords).", secret=True),
        "login_customer_id": _field("Login customer ID (manager)", "The manager account to act through, 10 digits "
                                    "without dashes; empty for direct access.", examples=["1234567890"]),
        "endpoint": _field("API endpoint", SANDBOX_ONLY, examples=["127.0.0.1:50051"]),
        "token_uri": _field("OAuth token URI", SANDBOX_ONLY, examples=["http://127.0.0.1:8765/token"]),
        "ssl_roots_file": _field("TLS roots file", SANDBOX_ONLY, examples=["/path/to/sandbox-ca.pem"]),
    },
    META: {
        "app_id": _field("App ID", "The Meta app's ID (App Dashboard > Settings > Basic).",
                         examples=["100000000000001"]),
        "app_secret": _field("App secret", "The app's secret; signs every request (appsecret_proof).", secret=True),
        "access_token": _field("Access token", "A long-lived user or system-user token with ads_read.",
                               secret=True),
        "graph_url": _field("Graph API URL", SANDBOX_ONLY, examples=["http://127.0.0.1:8765/graph"]),
    },
    GOOGLE_SHEETS: {
        "keyfile_dict": _field("Service account key (JSON)", "The whole JSON key file of the service account the "
                               "spreadsheets are shared with.", secret=True),
        "sheets_endpoint": _field("Sheets API URL", SANDBOX_ONLY, examples=["http://127.0.0.1:8765/sheets"]),
    },
}

def get_provider_info() -> dict[str, Any]:
    """The provider info Airflow validates against `airflow/provider_info.schema.json`: `package-name` must
    equal the distribution's canonical name."""
    return {
        "package-name": PACKAGE,
        "name": "ads-sync",
        "description": "Google Ads and Meta Ads into PostgreSQL and Google Sheets: the hooks' connection types.",
        "connection-types": [
            {
                "connection-type": conn_type,
                "hook-class-name": HOOKS[conn_type],
                "hook-name": HOOK_NAMES[conn_type],
                "conn-fields": CONN_FIELDS[conn_type],
                "ui-field-behaviour": {"hidden-fields": _UNUSED, "relabeling": {}, "placeholders": {}},
            }
            for conn_type in HOOKS
        ],
    }
