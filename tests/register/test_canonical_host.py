"""One canonical host: absolute URLs come from BASE_URL, never from a forged Host header (#18)."""

from __future__ import annotations

import re

import pytest


def absolute_urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\"'<>\s]+", text))


@pytest.mark.parametrize("path", ["/sub-processors.json", "/sub-processors.atom"])
def test_a_forged_host_does_not_poison_the_public_links(client, demo_register, path):
    forged = client.get(path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 200
    honest = client.get(path)
    for response in (forged, honest):
        text = response.get_data(as_text=True)
        assert "evil.example" not in text
        ours = {url for url in absolute_urls(text) if "portal.test" in url}
        assert ours, text[:500]
        assert all(url.startswith("http://portal.test/") for url in ours)


def test_other_hosts_are_refused(app, client, demo_register):
    app.config["TRUSTED_HOSTS"] = ["portal.test"]
    assert client.get("/sub-processors.json", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/sub-processors.json", headers={"Host": "portal.test"}).status_code == 200


def test_outside_tests_the_base_urls_host_is_the_only_trusted_one():
    import secrets

    from portal import create_app
    from portal.config import INSTANCE_KEYS

    keys = {name: secrets.token_urlsafe(48) for name in INSTANCE_KEYS}
    app = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://", **keys})
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1"]
    assert app.test_client().get("/cookies", headers={"Host": "evil.example"}).status_code == 400
    assert app.test_client().get("/cookies", headers={"Host": "127.0.0.1:5000"}).status_code == 200
