"""Builders for tests: they add rows to the test's transaction and commit them.

Under the harness a commit only releases a savepoint (the test's outer transaction is still
rolled back at the end), but it means a request that rolls back its own work (a refused
form, a denial) cannot take the test's set-up data with it.
"""

from __future__ import annotations

import contextvars
import hashlib
import itertools
import uuid
from typing import Any

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf

from portal import transactions
from portal.auth.models import Identity, User, VendorRole
from portal.auth.sessions import open_session
from portal.dates import now
from portal.documents.models import Agreement, SignerCapacity
from portal.extensions import db
from portal.tenancy.models import DirectoryProvider, Membership, Role, Tenancy, TenancyDirectory, TenancyKind

_counter = itertools.count(1)


def make_school(
    name: str | None = None, *, urn: str | None = None, trust: Tenancy | None = None, **fields: Any
) -> Tenancy:
    n = next(_counter)
    school = Tenancy(
        kind=TenancyKind.SCHOOL,
        name=name or f"Test School {n}",
        slug=fields.pop("slug", None) or f"school-{n}-{uuid.uuid4().hex[:6]}",
        # Unique per process (each test worker has its own databases), above the URNs tests spell out.
        urn=urn or f"{500000 + n:06d}",
        local_authority=fields.pop("local_authority", "Leeds"),
        phase=fields.pop("phase", "Primary"),
        trust=trust,
        **fields,
    )
    db.session.add(school)
    db.session.commit()
    return school


def make_trust(name: str | None = None, **fields: Any) -> Tenancy:
    n = next(_counter)
    trust = Tenancy(
        kind=TenancyKind.TRUST,
        name=name or f"Test Trust {n}",
        slug=fields.pop("slug", None) or f"trust-{n}-{uuid.uuid4().hex[:6]}",
        group_uid=fields.pop("group_uid", None) or str(9_000_000 + n),
        companies_house_number=fields.pop("companies_house_number", f"{n:08d}"),
        **fields,
    )
    db.session.add(trust)
    db.session.commit()
    return trust


def bind_directory(tenancy: Tenancy, provider: DirectoryProvider, value: str) -> TenancyDirectory:
    directory = TenancyDirectory(tenancy=tenancy, provider=provider, value=value)
    db.session.add(directory)
    db.session.commit()
    return directory


def make_user(
    name: str | None = None,
    *,
    tenancy: Tenancy | None = None,
    role: Role = Role.DATA_LEAD,
    vendor_role: VendorRole | None = None,
    email: str | None = None,
    identity: tuple[str, str, str, str] | None = None,
) -> User:
    """A user, optionally a member of a tenancy, optionally with an identity (provider, issuer, subject, dir)."""
    n = next(_counter)
    user = User(
        display_name=name or f"Test User {n}",
        email=email or f"user{n}@example.org",
        vendor_role=vendor_role,
    )
    db.session.add(user)
    db.session.commit()
    if tenancy is not None:
        db.session.add(Membership(user=user, tenancy=tenancy, role=role))
    if identity is not None:
        provider, issuer_key, subject, directory = identity
        db.session.add(
            Identity(user=user, provider=provider, issuer_key=issuer_key, subject=subject, directory=directory)
        )
    db.session.commit()
    return user


def session_values(user: User) -> dict[str, Any]:
    """A signed-in session as begin_session leaves it, its server-side row committed.

    Committed without expiring the test's loaded objects: reloading them inside a test's
    query count would show as queries the page did not make."""
    with transactions.writing():
        session_id = open_session(user)
    stamp = now().isoformat()
    # As begin_session leaves it: permanent, so the cookie carries an expiry.
    return {"_user_id": session_id, "_fresh": True, "_permanent": True, "signed_in_at": stamp, "last_seen_at": stamp}


def sign_in_client(client: FlaskClient, user: User) -> None:
    """Put a signed-in session for the user in the test client (the OIDC flow has its own tests)."""
    with client.session_transaction() as session:
        session.clear()
        session.update(session_values(user))


def session_cookie_for(app: Flask, user: User) -> str:
    """A session cookie value for a user, for a browser test that starts signed in."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return str(serializer.dumps(session_values(user)))


def signed_in_form(app: Flask, user: User) -> tuple[dict[str, str], str]:
    """Cookies of a signed-in session for the user and a form token for it, made by Flask and
    Flask-WTF themselves, for requests sent from threads or another process (not the test client).

    Made in a context of its own: Flask-WTF keeps the signed token in `g`, which the test's app
    context would otherwise share."""
    values = session_values(user)

    def make() -> tuple[dict[str, str], str]:
        with app.test_request_context():
            session.update(values)
            token = str(generate_csrf())
            cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))  # type: ignore[attr-defined]
        return {app.config["SESSION_COOKIE_NAME"]: cookie}, token

    return contextvars.Context().run(make)


@pytest.fixture
def school(app: Flask) -> Tenancy:
    return make_school("Oakfield Primary School", urn="100001")


@pytest.fixture
def other_school(app: Flask) -> Tenancy:
    return make_school("Riverside Academy", urn="100002")


@pytest.fixture
def data_lead(school: Tenancy) -> User:
    return make_user("Dana Lead", tenancy=school, role=Role.DATA_LEAD)


@pytest.fixture
def viewer(school: Tenancy) -> User:
    return make_user("Vic Viewer", tenancy=school, role=Role.VIEWER)


@pytest.fixture
def vendor_staff(app: Flask) -> User:
    return make_user("Sam Staff", vendor_role=VendorRole.STAFF)


@pytest.fixture
def vendor_admin(app: Flask) -> User:
    return make_user("Ada Admin", vendor_role=VendorRole.ADMIN)


def agreement_row(tenancy: Tenancy, text_version: Any, **fields: Any) -> Any:
    """A signed agreement's row only (no PDF rendering, no seal): a small unique PDF for this tenancy."""
    pdf = f"%PDF-1.7 agreement {tenancy.slug}".encode()
    values: dict[str, Any] = {
        "signed_at": now(),
        "signer_name": "Sam Signer",
        "signer_role": "Headteacher",
        "capacity": SignerCapacity.SELF,
        "annex": [],
        "filename": "agreement.pdf",
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "size_bytes": len(pdf),
        "pdf": pdf,
    }
    agreement = Agreement(tenancy_id=tenancy.id, text_version_id=text_version.id, **(values | fields))
    db.session.add(agreement)
    db.session.flush()
    return agreement
