"""An auth manager with per-DAG grants for the UI's authorization tests.

Airflow's simple auth manager grants by role over every DAG; per-DAG grants come from managers such as
FAB or Keycloak. This one is the simple auth manager (its users, roles, passwords, login page and JWTs)
plus, for the users named in ADS_SYNC_TEST_DAG_GRANTS (`user=prefix|prefix;user2=...`), access only
to DAGs whose id starts with one of their prefixes. The Ads Sync view must honour it through the same
calls it makes on any auth manager.
"""
from __future__ import annotations

import os
from typing import Any

from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

GRANTS_ENV = "ADS_SYNC_TEST_DAG_GRANTS"


def grants() -> dict[str, tuple[str, ...]]:
    out = {}
    for entry in filter(None, os.environ.get(GRANTS_ENV, "").split(";")):
        user, _, prefixes = entry.partition("=")
        out[user] = tuple(p for p in prefixes.split("|") if p)
    return out


class DagScopedAuthManager(SimpleAuthManager):
    def is_authorized_dag(self, *, method: Any, user: Any, access_entity: Any = None, details: Any = None) -> bool:
        prefixes = grants().get(user.username)
        # without a DAG id (e.g. "may list DAGs") the role decides; the list is then filtered per DAG id
        if prefixes is not None and details is not None and details.id and not details.id.startswith(prefixes):
            return False
        return super().is_authorized_dag(method=method, user=user, access_entity=access_entity, details=details)
