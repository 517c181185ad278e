"""OAuth machine-to-machine tokens for a Databricks service principal (client credentials grant).

The token endpoint is ``https://<workspace-host>/oidc/v1/token`` (workspace level) or
``https://accounts.cloud.databricks.com/oidc/accounts/<account-id>/v1/token`` (account level).
:class:`M2MTokenManager` caches the token, refreshes it ``refresh_margin_s`` before it expires,
retries 429 and 5xx with exponential backoff (honouring ``Retry-After``), fails at once with a
clear error on 401, and keeps the client secret and the token inside :class:`Secret`.

Example::

    >>> tokens = M2MTokenManager("https://adb-123.4.azuredatabricks.net/oidc/v1/token",
    ...                          client_id="6f1c...", client_secret=provider.get("sp", "secret"))  # doctest: +SKIP
    >>> requests.get(url, headers=tokens.authorization_header())  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from kafka_auth_patterns.secrets import Secret

log = logging.getLogger(__name__)
RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class OAuthError(RuntimeError):
    """Base class; messages name the client id and the endpoint, never a secret or a token."""


class OAuthClientAuthenticationError(OAuthError):
    """401: the client id or secret is wrong, expired or the service principal has no OAuth secret."""


class OAuthTokenRequestError(OAuthError):
    """A 4xx other than 401/429, or a 200 without a usable token."""


class OAuthTokenUnavailableError(OAuthError):
    """Retries on 429/5xx or network errors were exhausted."""


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and the monotonic time it expires at."""

    value: Secret
    expires_at: float
    scope: str


def _description(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    return f"{body.get('error', '')}: {body.get('error_description', '')}".strip(": ")


class M2MTokenManager:
    """Client-credentials token cache with refresh-before-expiry and retry with backoff.

    ``clock`` and ``sleep`` are injectable so tests can move time without waiting.

    Example::

        >>> tokens = M2MTokenManager(token_url, "client-id", Secret("..."), refresh_margin_s=300)  # doctest: +SKIP
        >>> tokens.get_token()  # doctest: +SKIP
        Secret('***')
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: Secret,
        scope: str = "all-apis",
        refresh_margin_s: float = 300.0,
        max_attempts: int = 5,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        timeout_s: float = 10.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token_url.startswith(("https://", "http://")):
            raise ValueError(f"expected an http(s) token_url, got {token_url!r}")
        if not isinstance(client_secret, Secret):
            raise TypeError(f"expected client_secret as a Secret, got {type(client_secret).__name__}")
        if not client_id:
            raise ValueError("expected a client_id (the service principal's application id), got an empty one")
        if max_attempts < 1 or refresh_margin_s < 0:
            raise ValueError(f"expected max_attempts >= 1 and refresh_margin_s >= 0, got {max_attempts}, "
                             f"{refresh_margin_s}")
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.refresh_margin_s = refresh_margin_s
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.timeout_s = timeout_s
        self._session = session or requests.Session()
        self._clock = clock
        self._sleep = sleep
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        self.requests_made = 0

    def __repr__(self) -> str:
        return f"M2MTokenManager(token_url={self.token_url!r}, client_id={self.client_id!r}, scope={self.scope!r})"

    def get_token(self) -> Secret:
        """Return a valid token, fetching a new one when none is cached or it expires within the margin."""
        with self._lock:
            if self._token is None or self._clock() >= self._token.expires_at - self.refresh_margin_s:
                self._token = self._fetch()
            return self._token.value

    def authorization_header(self) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` for requests; do not log the returned dict."""
        return {"Authorization": f"Bearer {self.get_token().reveal()}"}

    def _backoff(self, attempt: int, response: requests.Response | None) -> float:
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), self.backoff_max_s)
        return min(self.backoff_base_s * 2 ** (attempt - 1), self.backoff_max_s)

    def _fetch(self) -> AccessToken:
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            response: requests.Response | None = None
            try:
                self.requests_made += 1
                response = self._session.post(
                    self.token_url,
                    data={"grant_type": "client_credentials", "scope": self.scope},
                    auth=(self.client_id, self._client_secret.reveal()),
                    timeout=self.timeout_s,
                )
            except requests.RequestException as error:
                last_problem = f"{type(error).__name__}"
            else:
                if response.status_code == 200:
                    return self._parse(response)
                if response.status_code == 401:
                    raise OAuthClientAuthenticationError(
                        f"expected {self.token_url} to accept client_id {self.client_id!r}, got 401 "
                        f"({_description(response)}); check the service principal's OAuth secret and that the "
                        "secret in the scope is the current one"
                    )
                if response.status_code not in RETRYABLE_STATUS:
                    raise OAuthTokenRequestError(
                        f"expected 200 from {self.token_url} for client_id {self.client_id!r}, got "
                        f"{response.status_code} ({_description(response)})"
                    )
                last_problem = f"HTTP {response.status_code}"
            if attempt < self.max_attempts:
                delay = self._backoff(attempt, response)
                log.warning("token request %d/%d for client_id %s failed with %s; retrying in %.2fs",
                            attempt, self.max_attempts, self.client_id, last_problem, delay)
                self._sleep(delay)
        raise OAuthTokenUnavailableError(
            f"expected a token from {self.token_url} within {self.max_attempts} attempts, last got {last_problem}"
        )

    def _parse(self, response: requests.Response) -> AccessToken:
        try:
            body = response.json()
            token, expires_in = body["access_token"], float(body["expires_in"])
        except (ValueError, KeyError, TypeError):
            raise OAuthTokenRequestError(
                f"expected JSON with access_token and expires_in from {self.token_url}, got another body"
            ) from None
        log.info("obtained an OAuth token for client_id %s, valid %.0fs", self.client_id, expires_in)
        return AccessToken(Secret(str(token)), self._clock() + expires_in, str(body.get("scope", self.scope)))
