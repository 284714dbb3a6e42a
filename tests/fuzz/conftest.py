"""Fuzz fixtures: the app signing with a test CA, so signing forms can succeed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from portal.documents import keys


@pytest.fixture(scope="session")
def fuzz_keys(tmp_path_factory: pytest.TempPathFactory) -> keys.DemoKeys:
    return keys.generate(tmp_path_factory.mktemp("fuzz-signing"))


@pytest.fixture
def fuzz_signing(app: Flask, fuzz_keys: keys.DemoKeys) -> Any:
    """Signing configured (the app fixture restores the configuration afterwards)."""
    from tests.documents.conftest import key_config

    app.config.update(key_config(fuzz_keys))
    return app
