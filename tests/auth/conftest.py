"""Sign-in fixtures: a local OpenID Connect provider the app's Microsoft and Google clients point at."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from portal.extensions import limiter
from tests.auth.provider import Provider
from tests.pages import csrf_token_for


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    with Provider() as provider:
        yield provider


@pytest.fixture
def provider(app: Flask, oidc_provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Provider:
    """The provider, the app's Microsoft and Google clients pointed at it; no tampering, no rate limit."""
    oidc_provider.tamper = None
    monkeypatch.setattr(limiter, "enabled", False)
    app.config.update(
        MICROSOFT_METADATA_URL=oidc_provider.metadata_url,
        GOOGLE_METADATA_URL=oidc_provider.metadata_url,
    )
    return oidc_provider


class SignIn:
    """Drive a whole sign-in with the Flask test client: start, the provider's form, the callback."""

    def __init__(self, app: Flask, client: Any, provider: Provider) -> None:
        self.app, self.client, self.provider = app, client, provider

    def start(self, provider_name: str, *, next: str | None = None, invitation: str | None = None) -> str:
        data = {"csrf_token": csrf_token_for(self.app, self.client)}
        if invitation:
            data["invitation"] = invitation
        url = f"/sign-in/{provider_name}" + (f"?next={next}" if next else "")
        response = self.client.post(url, data=data)
        assert response.status_code == 302, response.data[:300]
        return str(response.headers["Location"])

    def callback_url(self, provider_name: str, sub: str, **kwargs: Any) -> str:
        authorize_url = self.start(provider_name, **kwargs)
        location = self.provider.authorize(authorize_url, sub)
        parts = urlsplit(location)
        return f"{parts.path}?{parts.query}"

    def __call__(self, provider_name: str, sub: str, **kwargs: Any) -> Any:
        return self.client.get(self.callback_url(provider_name, sub, **kwargs))


@pytest.fixture
def sign_in(app: Flask, client: Any, provider: Provider) -> SignIn:
    return SignIn(app, client, provider)
