"""The OAuth2 token endpoint (POST /token) and the store of the access tokens it issued.

Grant types are a table, so the JWT-bearer grant service accounts use (Sheets) can be added as
one more entry. The emulated APIs accept only tokens this store issued and has not seen expire.

Observed with google-auth 2.63 / grpcio 1.85: a failed refresh (e.g. invalid_grant) raises
google.auth.exceptions.RefreshError when the credentials are refreshed directly, but inside a
google-ads call the refresh runs in gRPC's auth metadata plugin, and the client then raises
google.api_core.exceptions.ServiceUnavailable ("503 Getting metadata from plugin failed with
error: ('invalid_grant: Token has been expired or revoked.', ...)"): a revoked refresh token looks
transient unless the caller refreshes first or inspects the message. No gRPC request reaches
the server in that case.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .httpd import Request, Response, Router

if TYPE_CHECKING:
    from .state import SandboxState

TOKEN_LIFETIME_S = 3599


@dataclass(frozen=True)
class IssuedToken:
    token: str
    client_id: str
    grant_type: str
    expires_at: float  # time.time()


class TokenStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, IssuedToken] = {}

    def issue(self, client_id: str, grant_type: str, lifetime_s: int = TOKEN_LIFETIME_S) -> IssuedToken:
        issued = IssuedToken(
            "ya29.sandbox-" + secrets.token_urlsafe(32), client_id, grant_type, time.time() + lifetime_s
        )
        with self._lock:
            self._tokens[issued.token] = issued
        return issued

    def check(self, token: str) -> str:
        """ "valid", "expired" or "unknown"."""
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None:
            return "unknown"
        return "valid" if issued.expires_at > time.time() else "expired"


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def _refresh_token_grant(form: dict[str, str]) -> str:
    """Validates a refresh-token grant; returns the client id the token is issued to."""
    missing = [k for k in ("refresh_token", "client_id") if not form.get(k)]
    if missing:
        raise OAuthError(400, "invalid_request", f"Missing required parameter: {missing[0]}")
    return form["client_id"]


JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
EXPIRED_JWT = "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"


def _jwt_bearer_grant(form: dict[str, str]) -> str:
    """A service account's signed JWT (RFC 7523), as google-auth posts it; returns its client_email.

    The sandbox cannot know the key's public half, so it checks the shape and the claims (issuer,
    scope, expiry) but not the signature.
    """
    import base64
    import json

    assertion = form.get("assertion", "")
    parts = assertion.split(".")
    if len(parts) != 3:
        raise OAuthError(400, "invalid_grant", EXPIRED_JWT)
    try:
        header, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[:2])
    except ValueError:
        raise OAuthError(400, "invalid_grant", "Invalid JWT: the assertion is not base64url JSON") from None
    if header.get("alg") != "RS256":
        raise OAuthError(400, "invalid_grant", "Invalid JWT signature: RS256 expected")
    if not claims.get("iss") or not claims.get("scope"):
        raise OAuthError(400, "invalid_grant", "Invalid JWT: iss and scope are required")
    if float(claims.get("exp", 0)) < time.time():
        raise OAuthError(400, "invalid_grant", EXPIRED_JWT)
    return str(claims["iss"])


GRANTS: dict[str, Callable[[dict[str, str]], str]] = {
    "refresh_token": _refresh_token_grant,
    JWT_BEARER: _jwt_bearer_grant,
}

_FAULTS = {
    "invalid_grant": OAuthError(400, "invalid_grant", "Token has been expired or revoked."),
    "invalid_client": OAuthError(401, "invalid_client", "The OAuth client was not found."),
    "UNAVAILABLE": OAuthError(503, "temporarily_unavailable", "The service is currently unavailable."),
}


def mount(router: Router, state: SandboxState) -> None:
    def token(request: Request) -> Response:
        form = request.form()
        grant_type = form.get("grant_type", "")
        entry = state.requests.record(
            "oauth", "token", grant_type=grant_type, client_id=form.get("client_id")
        )
        try:
            fault = state.faults.check("oauth")
            if fault is not None:
                state.sleep(fault.delay_s)
                if fault.error != "SLOW":
                    raise _FAULTS[fault.error]
            if grant_type not in GRANTS:
                raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
            issued = state.tokens.issue(GRANTS[grant_type](form), grant_type)
        except OAuthError as exc:
            state.requests.update(entry, status=exc.error)
            return Response.json({"error": exc.error, "error_description": exc.description}, exc.status)
        state.requests.update(entry, status="OK")
        return Response.json(
            {"access_token": issued.token, "expires_in": TOKEN_LIFETIME_S, "token_type": "Bearer"},
            headers={"Cache-Control": "no-store"},
        )

    router.add("POST", "/token", token)
