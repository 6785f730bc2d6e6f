"""Credentials for the Admin API: a static token, or the client-credentials grant.

The grant (facts §1): `POST https://<shop>/admin/oauth/access_token` form-encoded with
`grant_type=client_credentials`, `client_id`, `client_secret` → `{access_token, scope, expires_in}`.
The token is cached in a pluggable store (the shop record in Odoo, readable by managers only),
renewed `renew_before_s` before it expires, and once more when Shopify answers 401.
"""

import threading
import time
from dataclasses import dataclass

import requests

from .errors import AuthError, NetworkError, ServerError

TOKEN_PATH = "/admin/oauth/access_token"


@dataclass(frozen=True)
class CachedToken:
    access_token: str
    expires_at: float  # epoch seconds
    scope: str = ""


class StaticTokenAuth:
    """A non-expiring Admin API token (legacy custom apps): nothing to renew."""

    def __init__(self, access_token):
        self._access_token = access_token

    def token(self) -> str:
        if not self._access_token:
            raise AuthError("No Admin API access token is configured for this shop.", code="NO_TOKEN")
        return self._access_token

    def invalidate(self) -> bool:
        """Called on 401; returns whether a new token may now be obtained (never, here)."""
        return False


class TokenStore:
    """Where obtained tokens are kept between clients and processes."""

    def get(self) -> "CachedToken | None":
        raise NotImplementedError

    def put(self, token: "CachedToken") -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError


class InMemoryTokenStore(TokenStore):
    def __init__(self, token=None):
        self._token = token

    def get(self) -> "CachedToken | None":
        return self._token

    def put(self, token: "CachedToken") -> None:
        self._token = token

    def clear(self) -> None:
        self._token = None


class ClientCredentialsAuth:
    """Obtains and renews tokens with the client-credentials grant."""

    def __init__(
        self,
        base_url,
        client_id,
        client_secret,
        store=None,
        *,
        timeout=30.0,
        renew_before_s=300.0,
        clock=time.time,
        session=None,
    ):
        self._url = base_url.rstrip("/") + TOKEN_PATH
        self._client_id = client_id
        self._client_secret = client_secret
        self._store = store or InMemoryTokenStore()
        self._timeout = timeout
        self._renew_before_s = renew_before_s
        self._clock = clock
        self._session = session or requests.Session()
        self._lock = threading.Lock()
        self.grants = 0  # tokens obtained by this object, for monitoring and tests

    def token(self) -> str:
        with self._lock:
            cached = self._store.get()
            if cached and cached.expires_at - self._renew_before_s > self._clock():
                return cached.access_token
            fresh = self._request_token()
            self._store.put(fresh)
            return fresh.access_token

    def invalidate(self) -> bool:
        with self._lock:
            self._store.clear()
        return True

    def _request_token(self):
        if not (self._client_id and self._client_secret):
            raise AuthError(
                "The client ID and client secret are required to obtain a token.", code="NO_TOKEN"
            )
        try:
            response = self._session.post(
                self._url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._client_secret,
                },
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.Timeout as error:
            raise NetworkError(f"token request timed out: {type(error).__name__}") from error
        except requests.RequestException as error:
            raise NetworkError(f"token request failed: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise ServerError(
                f"token endpoint answered HTTP {response.status_code}", http_status=response.status_code
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("access_token"):
            # Shopify explains in `error_description` (OAuth) or `errors`; never echo the secret.
            reason = body.get("error_description") or body.get("error") or body.get("errors") or ""
            raise AuthError(
                f"Shopify refused the client credentials (HTTP {response.status_code}) {reason}".strip(),
                code="INVALID_CLIENT",
                http_status=response.status_code,
            )
        self.grants += 1
        expires_in = float(body.get("expires_in") or 0) or 86399.0
        return CachedToken(
            access_token=body["access_token"],
            expires_at=self._clock() + expires_in,
            scope=body.get("scope") or "",
        )
