"""OAuth M2M token manager against a local server that implements the token endpoint's contract."""
from __future__ import annotations

import logging

import pytest

from kafka_auth_patterns.oauth_m2m import (
    M2MTokenManager,
    OAuthClientAuthenticationError,
    OAuthTokenUnavailableError,
)
from kafka_auth_patterns.secrets import Secret
from tests.oauth_token_server import TokenEndpointState, running_token_endpoint

CLIENT_ID = "6f1c2a9e-sp-plant-a-ingest"
CLIENT_SECRET = "dose-sp-secret-7Xq"


class ManualClock:
    """Monotonic time the test moves by hand, so expiry is tested without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def endpoint():
    state = TokenEndpointState(CLIENT_ID, CLIENT_SECRET, expires_in=3600)
    with running_token_endpoint(state) as url:
        yield state, url


def manager(url: str, clock: ManualClock, secret: str = CLIENT_SECRET, **kwargs) -> M2MTokenManager:
    return M2MTokenManager(url, CLIENT_ID, Secret(secret), clock=clock, sleep=clock.sleep, **kwargs)


def test_token_is_cached_until_the_refresh_margin(endpoint):
    state, url = endpoint
    clock = ManualClock()
    tokens = manager(url, clock, refresh_margin_s=300)

    first = tokens.get_token()
    clock.now += 3600 - 301  # 301 s before expiry: still cached
    cached = tokens.get_token()
    clock.now += 2  # 299 s before expiry: inside the margin, refreshed
    refreshed = tokens.get_token()

    assert first == cached != refreshed
    assert state.issued == [first.reveal(), refreshed.reveal()]
    assert tokens.authorization_header() == {"Authorization": f"Bearer {refreshed.reveal()}"}


def test_429_and_5xx_are_retried_with_exponential_backoff(endpoint):
    state, url = endpoint
    state.failures = [429, 503, 502]
    clock = ManualClock()

    token = manager(url, clock, backoff_base_s=0.5).get_token()

    assert token.reveal() == state.issued[0]
    assert clock.slept == [0.5, 1.0, 2.0]
    assert state.requests == 4


def test_retry_after_header_is_honoured(endpoint):
    state, url = endpoint
    state.failures, state.retry_after = [429], "7"
    clock = ManualClock()

    manager(url, clock).get_token()

    assert clock.slept == [7.0]


def test_retries_are_bounded(endpoint):
    state, url = endpoint
    state.failures = [503] * 10
    clock = ManualClock()

    with pytest.raises(OAuthTokenUnavailableError, match="within 3 attempts, last got HTTP 503"):
        manager(url, clock, max_attempts=3).get_token()
    assert state.requests == 3


def test_401_fails_at_once_with_a_clear_error_and_no_secret(endpoint):
    state, url = endpoint
    clock = ManualClock()

    with pytest.raises(OAuthClientAuthenticationError) as raised:
        manager(url, clock, secret="last-years-secret").get_token()

    assert f"client_id '{CLIENT_ID}', got 401 (invalid_client: Client authentication failed)" in str(raised.value)
    assert "last-years-secret" not in str(raised.value)
    assert state.requests == 1 and clock.slept == []


def test_token_and_secret_never_logged(endpoint, caplog):
    state, url = endpoint
    state.failures = [429]
    clock = ManualClock()
    tokens = manager(url, clock)

    with caplog.at_level(logging.DEBUG):
        token = tokens.get_token()
        logging.getLogger("plant").info("using %s with %r", token, tokens)

    assert "retrying in" in caplog.text and "obtained an OAuth token" in caplog.text
    for value in (token.reveal(), CLIENT_SECRET):
        assert value not in caplog.text and value not in repr(tokens)
