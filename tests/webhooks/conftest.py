"""Fixtures for webhooks: the stand-in platform on a real loopback port, registered as an endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from portal.audit.service import Actor
from portal.devtools.platform import StandInPlatform
from portal.extensions import db
from portal.webhooks.endpoints import new_secret, register_endpoint
from portal.webhooks.events import EVENT_TYPES
from portal.webhooks.models import WebhookEndpoint, WebhookMessage
from tests.api.conftest import azure_fallback  # noqa: F401 (the demo register's options, shared)

SYSTEM = Actor.system("test")


@pytest.fixture
def platform(app: Flask) -> Iterator[StandInPlatform]:
    """The stand-in platform, receiving on 127.0.0.1 (it confirms nothing: no portal address)."""
    with StandInPlatform(new_secret()) as running:
        yield running


@pytest.fixture
def endpoint(platform: StandInPlatform) -> WebhookEndpoint:
    """The platform registered for every event; the platform holds the endpoint's secret."""
    made, secret = register_endpoint(platform.url, "Platform", EVENT_TYPES, actor=SYSTEM)
    assert secret is not None
    platform.use_secret(secret)
    db.session.commit()
    return made


def messages() -> list[WebhookMessage]:
    return list(
        db.session.scalars(select(WebhookMessage).order_by(WebhookMessage.id).execution_options(populate_existing=True))
    )
