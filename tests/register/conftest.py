"""Fixtures for the register's tests: the demo register (two versions and two options)."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.demo.register import load_register
from portal.register import service
from portal.register.models import RegisterVersion, TenancyOption


@pytest.fixture
def demo_register(app: Flask) -> RegisterVersion:
    """Larkspur's versions 1.3 and 1.4 and the options; returns version 1.4."""
    list(load_register())
    version = service.current_version()
    assert version is not None
    return version


@pytest.fixture
def azure_fallback(demo_register: RegisterVersion) -> TenancyOption:
    from sqlalchemy import select

    from portal.extensions import db

    option = db.session.scalar(select(TenancyOption).where(TenancyOption.key == "azure-fallback"))
    assert option is not None
    return option
