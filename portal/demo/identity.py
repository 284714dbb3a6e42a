"""Demo tenancies, directories and people, and the claims the local sign-in provider gives each person.

Idempotent: everything is looked up by slug, URN, group id or identity before it is created.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal.auth.models import Identity, User, VendorRole
from portal.extensions import db
from portal.tenancy.models import DirectoryProvider, Membership, Role, Tenancy, TenancyDirectory, TenancyKind

MS_ISSUER = "https://login.microsoftonline.com/{tid}/v2.0"
GOOGLE_ISSUER = "https://accounts.google.com"

# Directories (fictional tenant ids and domains).
TRUST_TID = "3b6f1c2e-8a4d-4e9b-9c1f-2d7a5e8b1c01"
MEADOWBANK_DOMAIN = "meadowbank.example"
BRAMBLE_DOMAIN = "bramblehill.example"
CWM_DERW_DOMAIN = "cwmderw.example"

TENANCIES: list[dict[str, Any]] = [
    {
        "slug": "northern-lights-learning-trust",
        "kind": TenancyKind.TRUST,
        "name": "Northern Lights Learning Trust",
        "group_uid": "17001",
        "companies_house_number": "09876543",
        # Its central team plans with the service too, so the trust signs for itself as well.
        "central_staff_use_service": True,
    },
    {
        "slug": "aurora-primary-academy",
        "kind": TenancyKind.SCHOOL,
        "name": "Aurora Primary Academy",
        "urn": "149901",
        "local_authority": "Leeds",
        "phase": "Primary",
        "establishment_type": "Academy converter",
        "trust": "northern-lights-learning-trust",
    },
    {
        "slug": "polaris-high-academy",
        "kind": TenancyKind.SCHOOL,
        "name": "Polaris High Academy",
        "urn": "149902",
        "local_authority": "Leeds",
        "phase": "Secondary",
        "establishment_type": "Academy sponsor led",
        "trust": "northern-lights-learning-trust",
    },
    {
        "slug": "meadowbank-primary-school",
        "kind": TenancyKind.SCHOOL,
        "name": "Meadowbank Primary School",
        "urn": "107701",
        "local_authority": "Bradford",
        "phase": "Primary",
        "establishment_type": "Community school",
    },
    {
        "slug": "bramble-hill-infant-school",
        "kind": TenancyKind.SCHOOL,
        "name": "Bramble Hill Infant School",
        "urn": "107702",
        "local_authority": "Wakefield",
        "phase": "Primary",
        "establishment_type": "Voluntary controlled school",
        "auto_join_enabled": True,
    },
    {
        # A Welsh-medium school (#29): its mail and documents are in Welsh, as is its data lead's portal.
        "slug": "ysgol-gymraeg-cwm-derw",
        "kind": TenancyKind.SCHOOL,
        "name": "Ysgol Gymraeg Cwm Derw",
        "urn": "402201",
        "local_authority": "Cardiff",
        "phase": "Primary",
        "establishment_type": "Welsh establishment",
        "language": "cy",
    },
]

DIRECTORIES = [
    ("northern-lights-learning-trust", DirectoryProvider.MICROSOFT, TRUST_TID),
    ("meadowbank-primary-school", DirectoryProvider.GOOGLE, MEADOWBANK_DOMAIN),
    ("bramble-hill-infant-school", DirectoryProvider.GOOGLE, BRAMBLE_DOMAIN),
    ("ysgol-gymraeg-cwm-derw", DirectoryProvider.GOOGLE, CWM_DERW_DOMAIN),
]

# sub at the local provider, name, email, provider, (directory or None for the vendor's), oid, memberships.
PEOPLE: list[dict[str, Any]] = [
    {
        "sub": "trust-admin",
        "name": "Tom Okafor",
        "email": "tom.okafor@northernlights.example",
        "provider": "microsoft",
        "oid": "a1f0c1d2-0001-4c00-8000-000000000001",
        "memberships": [("northern-lights-learning-trust", Role.TRUST_ADMIN)],
        "lands": "the trust and its academies",
    },
    {
        "sub": "aurora-lead",
        "name": "Amira Shah",
        "email": "amira.shah@northernlights.example",
        "provider": "microsoft",
        "oid": "a1f0c1d2-0002-4c00-8000-000000000002",
        "memberships": [("aurora-primary-academy", Role.DATA_LEAD)],
        "lands": "Aurora Primary Academy as data lead",
    },
    {
        "sub": "aurora-viewer",
        "name": "Vince Hall",
        "email": "vince.hall@northernlights.example",
        "provider": "microsoft",
        "oid": "a1f0c1d2-0003-4c00-8000-000000000003",
        "memberships": [("aurora-primary-academy", Role.VIEWER)],
        "lands": "Aurora Primary Academy as viewer",
    },
    {
        "sub": "meadowbank-lead",
        "name": "Grace Moyo",
        "email": "grace.moyo@meadowbank.example",
        "provider": "google",
        "hd": MEADOWBANK_DOMAIN,
        "memberships": [("meadowbank-primary-school", Role.DATA_LEAD)],
        "lands": "Meadowbank Primary School as data lead",
    },
    {
        "sub": "cwm-derw-lead",
        "name": "Elin Prys",
        "email": "elin.prys@cwmderw.example",
        "provider": "google",
        "hd": CWM_DERW_DOMAIN,
        "memberships": [("ysgol-gymraeg-cwm-derw", Role.DATA_LEAD)],
        "language": "cy",
        "lands": "Ysgol Gymraeg Cwm Derw as data lead, in Welsh",
    },
    {
        "sub": "bramble-teacher",
        "name": "Ben Carter",
        "email": "ben.carter@bramblehill.example",
        "provider": "google",
        "hd": BRAMBLE_DOMAIN,
        "memberships": [],
        "create": False,
        "lands": "joins Bramble Hill Infant School as viewer (domain auto-join)",
    },
    {
        "sub": "vendor-staff",
        "name": "Sam Patel",
        "email": "sam.patel@larkspur.example",
        "provider": "microsoft",
        "vendor": VendorRole.STAFF,
        "oid": "b2e0d1c3-0001-4d00-9000-000000000001",
        "lands": "the vendor console",
    },
    {
        "sub": "vendor-admin",
        "name": "Ada Brennan",
        "email": "ada.brennan@larkspur.example",
        "provider": "microsoft",
        "vendor": VendorRole.ADMIN,
        "oid": "b2e0d1c3-0002-4d00-9000-000000000002",
        "lands": "the vendor console as admin",
    },
    {
        "sub": "personal-gmail",
        "name": "Pat Personal",
        "email": "pat.personal@gmail.example",
        "provider": "google",
        "hd": None,
        "memberships": [],
        "create": False,
        "lands": "refused: personal Google account",
    },
    {
        "sub": "personal-microsoft",
        "name": "Max Outlook",
        "email": "max@outlook.example",
        "provider": "microsoft",
        "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
        "oid": "c3f0e1d4-0001-4e00-a000-000000000001",
        "memberships": [],
        "create": False,
        "lands": "refused: personal Microsoft account",
    },
]

DEMO_ACCOUNTS: list[tuple[str, str, str]] = [(p["sub"], f"{p['name']} ({p['provider']})", p["lands"]) for p in PEOPLE]


def _tid(person: dict[str, Any]) -> str:
    if person.get("tid"):
        return str(person["tid"])
    if person.get("vendor"):
        return str(current_app.config["VENDOR_ENTRA_TENANT_ID"]).lower()
    return TRUST_TID


def provider_users() -> list[dict[str, Any]]:
    """The claims each demo person has at the local OpenID Connect provider (for --user-claims)."""
    users = []
    for person in PEOPLE:
        claims: dict[str, Any] = {"sub": person["sub"], "name": person["name"], "email": person["email"]}
        if person["provider"] == "microsoft":
            tid = _tid(person)
            claims.update(
                tid=tid,
                oid=person["oid"],
                iss=MS_ISSUER.format(tid=tid),
                preferred_username=person["email"],
                xms_edov=True,
            )
        else:
            claims.update(iss=GOOGLE_ISSUER, email_verified=True)
            if person.get("hd"):
                claims["hd"] = person["hd"]
        users.append(claims)
    return users


def load() -> Iterator[str]:
    """Create the demo tenancies, their directories and people (skipping what exists)."""
    by_slug: dict[str, Tenancy] = {}
    for spec in TENANCIES:
        fields = dict(spec)
        trust_slug = fields.pop("trust", None)
        tenancy = db.session.scalar(select(Tenancy).where(Tenancy.slug == fields["slug"]))
        if tenancy is None:
            tenancy = Tenancy(**fields, trust=by_slug.get(trust_slug) if trust_slug else None)
            db.session.add(tenancy)
            db.session.flush()
            yield f"Tenancy: {tenancy.name}"
        by_slug[tenancy.slug] = tenancy
    for slug, provider, value in DIRECTORIES:
        exists = db.session.scalar(
            select(TenancyDirectory).where(TenancyDirectory.provider == provider, TenancyDirectory.value == value)
        )
        if exists is None:
            db.session.add(TenancyDirectory(tenancy=by_slug[slug], provider=provider, value=value))
            yield f"Directory: {provider.value} {value} → {by_slug[slug].name}"
    db.session.flush()
    for person in PEOPLE:
        if person.get("create") is False:
            continue
        yield from _person(person, by_slug)
    db.session.commit()


def _person(person: dict[str, Any], by_slug: dict[str, Tenancy]) -> Iterator[str]:
    if person["provider"] == "microsoft":
        issuer_key = subject_dir = _tid(person)
        subject = person["oid"]
    else:
        issuer_key, subject, subject_dir = GOOGLE_ISSUER, person["sub"], person["hd"]
    identity = db.session.scalar(
        select(Identity).where(
            Identity.provider == person["provider"], Identity.issuer_key == issuer_key, Identity.subject == subject
        )
    )
    if identity is not None:
        return
    user = User(
        display_name=person["name"],
        email=person["email"],
        vendor_role=person.get("vendor"),
        language=person.get("language"),
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(
        Identity(
            user_id=user.id, provider=person["provider"], issuer_key=issuer_key, subject=subject, directory=subject_dir
        )
    )
    for slug, role in person.get("memberships", []):
        db.session.add(Membership(user_id=user.id, tenancy_id=by_slug[slug].id, role=role))
    db.session.flush()
    yield f"Person: {person['name']} (sign in as '{person['sub']}')"


if __name__ == "__main__":  # pragma: no cover - a helper for starting the local provider by hand
    import json

    from portal import create_app

    with create_app().app_context():
        for claims in provider_users():
            print(json.dumps(claims))  # one --user-claims argument each
