"""Documents fixtures: a demo CA made once per run, a published text, a small published register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from portal.audit.service import Actor
from portal.documents import keys, versions
from portal.documents.models import DpaTextVersion
from portal.documents.parties import Parties
from portal.documents.signing import Acceptance
from portal.extensions import db
from portal.register.models import (
    EntryKind,
    EntryStatus,
    RegisterEntry,
    RegisterVersion,
    TenancyOption,
    TenancyOptionEntry,
    VersionStatus,
)


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> keys.DemoKeys:
    """The vendor's CA and signing certificate, generated with `cryptography` once per run."""
    return keys.generate(tmp_path_factory.mktemp("signing"))


@pytest.fixture(scope="session")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> keys.DemoKeys:
    """Someone else's CA and certificate: their signatures are valid but not ours."""
    return keys.generate(tmp_path_factory.mktemp("other-signing"), common_name="Someone else")


def key_config(found: keys.DemoKeys) -> dict[str, Any]:
    return {
        "SIGNING_PKCS12_PATH": str(found.pkcs12_path),
        "SIGNING_PKCS12_PASSWORD": found.password,
        "SIGNING_KEY_PATH": None,
        "SIGNING_CERT_PATH": None,
        "SIGNING_TRUST_ROOT_PATH": str(found.root_path),
    }


@pytest.fixture
def signing_app(app: Flask, signing_keys: keys.DemoKeys) -> Flask:
    """The app signing with the test CA (the app fixture restores the configuration afterwards)."""
    app.config.update(key_config(signing_keys))
    return app


@pytest.fixture
def text_v1(signing_app: Flask, vendor_staff: Any) -> DpaTextVersion:
    return versions.publish_text_version(actor=vendor_staff, summary="First version.")


PARTIES = Parties(
    controller_address="1 School Lane, Leeds LS2 1AA",
    companies_house_number="09876543",
    dpo_name="Sam Officer",
    dpo_email="dpo@school.example",
    ico_registration="ZA123456",
    notice_contact_name="Nia Notice",
    notice_contact_email="notices@school.example",
)


def acceptance(name: str = "Dana Lead", role: str = "Headteacher", *, again: bool = False) -> Acceptance:
    """What a signer submits; `again` when they chose to sign a version already signed for the school."""
    return Acceptance(
        name, role, True, ip="203.0.113.7", user_agent="pytest-browser/1.0", parties=PARTIES, sign_again=again
    )


def entry(version: RegisterVersion, key: str, supplier: str, position: int, **fields: Any) -> RegisterEntry:
    row = RegisterEntry(
        version=version,
        key=key,
        supplier=supplier,
        purpose=fields.pop("purpose", f"{supplier} hosting"),
        data_categories=fields.pop("data_categories", "Staff names and content"),
        location=fields.pop("location", "United Kingdom"),
        kind=fields.pop("kind", EntryKind.DATA_SUBPROCESSOR),
        status=fields.pop("status", EntryStatus.ACTIVE),
        listed_since=dt.date(2026, 1, 1),
        position=position,
        **fields,
    )
    db.session.add(row)
    return row


def publish_register(number: str, sequence: int, suppliers: list[tuple[str, str, dict[str, Any]]]) -> RegisterVersion:
    # Entries go in while the version is a draft: the database refuses changes to a published one.
    version = RegisterVersion(sequence=sequence, number=number, status=VersionStatus.DRAFT)
    db.session.add(version)
    for position, (key, supplier, fields) in enumerate(suppliers):
        entry(version, key, supplier, position, **fields)
    db.session.flush()
    version.status = VersionStatus.PUBLISHED
    version.reviewed_on = dt.date(2026, 6, 1)
    version.published_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC) + dt.timedelta(days=sequence)
    db.session.flush()
    return version


@pytest.fixture
def register(app: Flask) -> dict[str, Any]:
    """Register 1.0: two active suppliers and an optional AI fallback (off by default)."""
    version = publish_register(
        "1.0",
        1,
        [
            ("hosting", "Civic Cloud Ltd", {"certifications": "ISO 27001"}),
            ("email", "Postbox Mail Ltd", {"kind": EntryKind.PLATFORM_UTILITY}),
            ("ai-fallback", "Azure OpenAI", {"status": EntryStatus.CONDITIONAL, "condition_service": "AI fallback"}),
        ],
    )
    option = TenancyOption(key="ai_fallback", name="AI fallback", default_enabled=False)
    db.session.add(option)
    db.session.flush()
    db.session.add(TenancyOptionEntry(option_id=option.id, entry_key="ai-fallback"))
    db.session.flush()
    db.session.expire(option)
    return {"version": version, "option": option, "actor": Actor.system("test")}
