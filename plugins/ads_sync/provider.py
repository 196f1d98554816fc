"""What Airflow's providers manager learns about ads-sync: the hooks' connection types and their form fields.

Found through the `apache_airflow_provider` entry point (pyproject.toml), so `make install` must install the
checkout itself. Airflow 3.3 reads the Connections form declaratively from here (`conn-fields`,
`ui-field-behaviour`; see `airflow/providers_manager.py` `_load_ui_metadata`) without importing the hooks;
a hook's own `get_connection_form_widgets` / `get_ui_field_behaviour` are deprecated since 3.2 and skipped
when this info has them. The Test button needs the hook class to have `test_connection()`.

Each platform's type, hook and form fields are declared in its spec (`sources/<platform>/spec.py`); this
module lists the declared platforms' and the Sheets hook's. The types carry our prefix: `google_ads` and
`google_cloud_platform` belong to the Google provider (installed here), `facebook_social` to the Facebook one;
a type registered twice goes to whichever provider loads first.
This module imports only the specs (no client library), so every Airflow process can read it cheaply.
"""
from __future__ import annotations

from typing import Any

from ads_sync.platforms import PLATFORMS
from ads_sync.sources.google_ads.spec import SPEC as _GOOGLE_ADS_SPEC
from ads_sync.sources.meta.spec import SPEC as _META_SPEC
from ads_sync.sources.spec import SANDBOX_ONLY, conn_field

PACKAGE = "ads-sync"
GOOGLE_SHEETS = "ads_sync_google_sheets"
#: the built-in platforms' types under the names the tests and the bench use (each is its spec's conn_type)
GOOGLE_ADS = _GOOGLE_ADS_SPEC.conn_type
META = _META_SPEC.conn_type
#: the standard fields none of them uses: everything lives in the extras (Airflow applies `placeholders` only to
#: these, so the extra fields' placeholders are their `examples`)
_UNUSED = ["host", "schema", "login", "password", "port"]

_SHEETS_FIELDS: dict[str, dict[str, Any]] = {
    "keyfile_dict": conn_field("Service account key (JSON)", "The whole JSON key file of the service account the "
                               "spreadsheets are shared with.", secret=True),
    "sheets_endpoint": conn_field("Sheets API URL", SANDBOX_ONLY, examples=["http://127.0.0.1:8765/sheets"]),
}


def _types() -> dict[str, tuple[str, str, Any]]:
    """conn_type -> (hook class, hook name, extra fields): each declared platform's, and Sheets'."""
    found = {p.conn_type: (p.hook, p.hook_name, p.conn_fields) for p in PLATFORMS.values() if p.conn_type}
    found[GOOGLE_SHEETS] = ("ads_sync.hooks.sheets.SheetsHook", "Google Sheets (ads-sync)", _SHEETS_FIELDS)
    return found


#: hook classes by connection type (imported by Airflow only when a connection of the type is used or tested)
HOOKS = {conn_type: hook for conn_type, (hook, _, _) in _types().items()}
HOOK_NAMES = {conn_type: name for conn_type, (_, name, _) in _types().items()}
CONN_FIELDS = {conn_type: dict(fields) for conn_type, (_, _, fields) in _types().items()}


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
                "hook-class-name": hook,
                "hook-name": hook_name,
                "conn-fields": dict(fields),
                "ui-field-behaviour": {"hidden-fields": _UNUSED, "relabeling": {}, "placeholders": {}},
            }
            for conn_type, (hook, hook_name, fields) in _types().items()
        ],
    }
