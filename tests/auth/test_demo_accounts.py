"""`flask demo load` identity part: idempotent, and every demo account lands where its role belongs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.demo import identity
from portal.extensions import db


def test_load_is_idempotent(app):
    first = list(identity.load())
    count = db.session.scalar(select(func.count()).select_from(User))
    second = list(identity.load())
    assert first and not second
    assert db.session.scalar(select(func.count()).select_from(User)) == count


def test_provider_users_have_the_claims_of_their_provider(app):
    for claims in identity.provider_users():
        assert claims["sub"] and claims["name"] and claims["email"]
        if "tid" in claims:
            assert claims["iss"] == f"https://login.microsoftonline.com/{claims['tid']}/v2.0"
            assert claims["oid"] and claims["preferred_username"]
        else:
            assert claims["iss"] == "https://accounts.google.com" and claims["email_verified"] is True
    assert {sub for sub, _, _ in identity.DEMO_ACCOUNTS} == {c["sub"] for c in identity.provider_users()}


@pytest.mark.parametrize(
    ("sub", "status", "location"),
    [
        # One organisation each: they land on its home, not a list of one (#25).
        ("trust-admin", 302, "/t/northern-lights-learning-trust/"),
        ("aurora-lead", 302, "/t/aurora-primary-academy/"),
        ("aurora-viewer", 302, "/t/aurora-primary-academy/"),
        ("meadowbank-lead", 302, "/t/meadowbank-primary-school/"),
        ("bramble-teacher", 302, "/t/bramble-hill-infant-school/"),
        ("vendor-staff", 302, "/vendor/"),
        ("vendor-admin", 302, "/vendor/"),
        ("personal-gmail", 403, None),
        ("personal-microsoft", 403, None),
    ],
)
def test_each_demo_account_signs_in_and_lands_where_its_role_belongs(app, sign_in, provider, sub, status, location):
    list(identity.load())
    for claims in identity.provider_users():
        provider.set_user(claims["sub"], {k: v for k, v in claims.items() if k != "sub"})
    provider_name = "google" if sub in ("meadowbank-lead", "bramble-teacher", "personal-gmail") else "microsoft"
    response = sign_in(provider_name, sub)
    assert response.status_code == status
    if location:
        assert response.headers["Location"] == location
