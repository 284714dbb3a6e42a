"""Fixtures for the API's tests: the demo register and options, and tokens of each scope."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from portal.api.models import TokenScope
from portal.api.tokens import create_token
from portal.audit.service import Actor
from portal.demo.register import load_register
from portal.extensions import db
from portal.register.models import TenancyOption


@pytest.fixture
def azure_fallback(app: Flask) -> TenancyOption:
    list(load_register())
    option = db.session.scalar(select(TenancyOption).where(TenancyOption.key == "azure-fallback"))
    assert option is not None
    return option


def _token(*scopes: TokenScope) -> dict[str, str]:
    _, secret = create_token("Platform", scopes, actor=Actor.system("test"))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def read_token(app: Flask) -> dict[str, str]:
    return _token(TokenScope.READ)


@pytest.fixture
def confirm_token(app: Flask) -> dict[str, str]:
    return _token(TokenScope.READ, TokenScope.CONFIRM)
