"""`flask demo scale`: an England-sized data set for load benchmarks, written with set-based inserts.

At scale 1 it creates 24,000 schools, 2,500 trusts (about half the schools are their academies),
50,000 users (each with one membership and one identity; two of them are vendor staff and admin),
50,000 confirmed subscribers, a register of 40 entries in 10 published versions, an option that one
school in five has switched off, an objection-exclusion for one school in a hundred, one announced
change with 500 open objections (each with its "lodged" step), and 20,000 signed agreement records.

The agreement records are NOT real signed PDFs: each stores a small placeholder byte string
(unique per row, because the SHA-256 index is unique) and the real SHA-256 and size of those
bytes, so downloads and /verify lookups behave as they would, but the bytes carry no signature.
Rows go in with `insert(Model)` over lists of dicts in chunks (one statement per chunk), and the
objection steps with one INSERT ... SELECT. It refuses to run on a database that already has
tenancies or a register: the set is meant for a freshly migrated database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import click
from sqlalchemy import func, insert, literal, select, text

from portal.auth.models import Identity, User, VendorRole
from portal.changes.models import ChangeKind, ChangeNotice, Objection, ObjectionStep
from portal.changes.states import ObjectionState, StepKind
from portal.dates import now, uk_today
from portal.demo.bulk import ids_of, insert_rows
from portal.demo.scale_register import PLANNED_KEY, options, register
from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.extensions import db
from portal.notify.models import Subscriber
from portal.notify.tokens import digest, unsubscribe_token
from portal.register.models import (
    RegisterVersion,
)
from portal.tenancy.models import DirectoryProvider, Membership, Role, Tenancy, TenancyKind

# Fixed names so the bench can find who to sign in as.
VENDOR_STAFF_NAME = "Scale Vendor Staff"
VENDOR_ADMIN_NAME = "Scale Vendor Admin"
FULL = {
    "schools": 24_000,
    "trusts": 2_500,
    "users": 50_000,
    "subscribers": 50_000,
    "objections": 500,
    "agreements": 20_000,
}
# The register does not grow with the number of customers: always 40 entries in 10 versions.
ENTRIES, VERSIONS = 40, 10


class AlreadyLoaded(Exception):
    """The database already has data: the scale set goes only into a freshly migrated database."""


@dataclass(frozen=True)
class Plan:
    """How many of each row the set creates at a given scale (at least one of each)."""

    schools: int
    trusts: int
    users: int
    subscribers: int
    objections: int
    agreements: int
    entries: int = ENTRIES
    versions: int = VERSIONS

    @classmethod
    def at(cls, scale: float) -> Plan:
        sizes = {name: max(1, round(count * scale)) for name, count in FULL.items()}
        sizes["users"] = max(3, sizes["users"])
        sizes["objections"] = min(sizes["objections"], sizes["schools"])
        sizes["agreements"] = min(sizes["agreements"], sizes["schools"])
        return cls(**sizes)


def load_scale(scale: float = 1.0) -> Iterator[str]:
    """Create the scale set in the current transaction (the caller commits); yields progress lines."""
    if db.session.scalar(select(func.count()).select_from(Tenancy)) or db.session.scalar(
        select(func.count()).select_from(RegisterVersion)
    ):
        raise AlreadyLoaded(
            "This database already has tenancies or a register: `flask demo scale` only loads into a "
            "freshly migrated, empty database (it never adds to or changes existing data)."
        )
    plan = Plan.at(scale)
    tenancy_ids = _tenancies(plan)
    yield f"scale: {plan.trusts} trusts and {plan.schools} schools"
    school_leads = _users(plan, tenancy_ids)
    yield f"scale: {plan.users} users with memberships and identities"
    _subscribers(plan)
    yield f"scale: {plan.subscribers} confirmed subscribers"
    register(plan.versions, plan.entries)
    yield f"scale: a register of {plan.entries} entries in {plan.versions} published versions"
    schools = ids_of(Tenancy.id, Tenancy.kind == TenancyKind.SCHOOL)
    settings, exclusions = options(schools)
    yield f"scale: one option, set off by {settings} schools; {exclusions} accommodated-objection exclusions"
    _objections(plan, schools, school_leads)
    yield f"scale: {plan.objections} open objections to one announced change"
    _agreements(plan, schools, school_leads)
    yield f"scale: {plan.agreements} signed agreement records (placeholder PDF bytes)"


def _tenancies(plan: Plan) -> list[int]:
    at = now()
    insert_rows(
        Tenancy,
        (
            {
                "kind": TenancyKind.TRUST,
                "slug": f"scale-trust-{i}",
                "name": f"Scale Learning Trust {i}",
                "group_uid": str(900_000 + i),
                "companies_house_number": f"{10_000_000 + i}",
                "created_at": at,
                "updated_at": at,
            }
            for i in range(plan.trusts)
        ),
    )
    trusts = ids_of(Tenancy.id, Tenancy.kind == TenancyKind.TRUST)
    phases = ("Primary", "Secondary", "All-through", "Nursery")
    insert_rows(
        Tenancy,
        (
            {
                "kind": TenancyKind.SCHOOL,
                "slug": f"scale-school-{i}",
                "name": f"Scale {'Academy' if i % 2 else 'School'} {i}",
                "urn": f"{100_000 + i:06d}",
                "local_authority": f"Local authority {i % 150}",
                "phase": phases[i % len(phases)],
                # Every other school is an academy, spread over the trusts (about 5 each).
                "trust_id": trusts[(i // 2) % len(trusts)] if i % 2 else None,
                "created_at": at,
                "updated_at": at,
            }
            for i in range(plan.schools)
        ),
    )
    return ids_of(Tenancy.id)


def _users(plan: Plan, tenancy_ids: list[int]) -> dict[int, int]:
    """Members spread over every tenancy; the first in each is its data lead (trust admin for a trust)."""
    at = now()
    members = plan.users - 2
    insert_rows(
        User,
        [
            {"display_name": VENDOR_STAFF_NAME, "email": "staff@scale.example", "vendor_role": VendorRole.STAFF},
            {"display_name": VENDOR_ADMIN_NAME, "email": "admin@scale.example", "vendor_role": VendorRole.ADMIN},
        ]
        + [
            {"display_name": f"Scale User {i}", "email": f"user{i}@scale.example", "created_at": at, "updated_at": at}
            for i in range(members)
        ],
    )
    user_ids = ids_of(User.id, User.vendor_role.is_(None))
    trusts = set(ids_of(Tenancy.id, Tenancy.kind == TenancyKind.TRUST))
    leads: dict[int, int] = {}
    rows = []
    for i, user_id in enumerate(user_ids):
        tenancy_id = tenancy_ids[i % len(tenancy_ids)]
        first = tenancy_id not in leads
        if first:
            leads[tenancy_id] = user_id
        role = (Role.TRUST_ADMIN if tenancy_id in trusts else Role.DATA_LEAD) if first else Role.VIEWER
        rows.append({"user_id": user_id, "tenancy_id": tenancy_id, "role": role, "created_at": at, "updated_at": at})
    insert_rows(Membership, rows)
    insert_rows(
        Identity,
        (
            {
                "user_id": user_id,
                "provider": DirectoryProvider.MICROSOFT.value,
                "issuer_key": str(uuid.uuid5(uuid.NAMESPACE_URL, f"scale-directory-{i % 1000}")),
                "subject": str(uuid.uuid5(uuid.NAMESPACE_URL, f"scale-user-{user_id}")),
                "directory": str(uuid.uuid5(uuid.NAMESPACE_URL, f"scale-directory-{i % 1000}")),
                "created_at": at,
            }
            for i, user_id in enumerate(ids_of(User.id))
        ),
    )
    return leads


def _subscribers(plan: Plan) -> None:
    at = now()

    def row(i: int) -> dict[str, Any]:
        address = f"subscriber{i}@scale.example"
        return {
            "address": address,
            "confirmed_at": at,
            "created_at": at,
            "unsubscribe_hash": digest(unsubscribe_token(address)),
        }

    insert_rows(Subscriber, (row(i) for i in range(plan.subscribers)))


def _objections(plan: Plan, schools: list[int], leads: dict[int, int]) -> None:
    """One announced change and an open (lodged) objection from each of the first schools, with its step."""
    at = now()
    notice = db.session.execute(
        insert(ChangeNotice).returning(ChangeNotice.id),
        {
            "kind": ChangeKind.ADDITION,
            "entry_key": PLANNED_KEY,
            "supplier": f"Scale Supplier {plan.entries} Ltd",
            "title": "We plan to add a new analytics supplier",
            "reason": "It measures reading progress so teachers can see it.",
            "effective_on": uk_today() + dt.timedelta(days=40),
            "published_at": at,
            "published_by_label": VENDOR_ADMIN_NAME,
        },
    ).scalar_one()
    insert_rows(
        Objection,
        (
            {
                "change_id": notice,
                "tenancy_id": school,
                "state": ObjectionState.LODGED,
                "grounds": "We have not assessed this supplier yet.",
                "lodged_at": at,
                "lodged_by_id": leads.get(school),
                "updated_at": at,
            }
            for school in schools[: plan.objections]
        ),
    )
    # Each objection's "lodged" step, written by the database from the objection rows themselves.
    db.session.execute(
        insert(ObjectionStep).from_select(
            ["objection_id", "step", "at", "actor_id", "actor_label", "note"],
            select(
                Objection.id,
                literal(StepKind.LODGED.value),
                Objection.lodged_at,
                Objection.lodged_by_id,
                literal("Scale data lead"),
                Objection.grounds,
            ).where(Objection.change_id == notice),
        )
    )


def _agreements(plan: Plan, schools: list[int], leads: dict[int, int]) -> None:
    """Signed agreement records for the first schools: placeholder bytes with their real SHA-256."""
    text_id = db.session.execute(
        insert(DpaTextVersion).returning(DpaTextVersion.id),
        {"number": 1, "content": "{}", "sha256": hashlib.sha256(b"{}").hexdigest(), "summary": "Scale text version."},
    ).scalar_one()
    at = now()
    annex = [{"key": f"scale-supplier-{k:02d}", "supplier": f"Scale Supplier {k} Ltd"} for k in range(ENTRIES - 1)]

    def row(school: int) -> dict[str, Any]:
        pdf = f"%PDF-1.7\n% scale placeholder, not a signed agreement: tenancy {school}\n%%EOF\n".encode()
        return {
            "tenancy_id": school,
            "text_version_id": text_id,
            "signed_at": at,
            "signer_user_id": leads.get(school),
            "signer_name": "Scale Headteacher",
            "signer_role": "Headteacher",
            "capacity": SignerCapacity.SELF,
            "register_version": f"{VERSIONS}.0",
            "annex": annex,
            "filename": f"dpa-scale-{school}.pdf",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "size_bytes": len(pdf),
            "pdf": pdf,
        }

    insert_rows(Agreement, (row(school) for school in schools[: plan.agreements]))


@click.command("scale")
@click.option("--scale", "scale", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True, max=1))
def scale_command(scale: float) -> None:
    """Load the England-sized benchmark data set into an empty database (refuses to run twice)."""
    started = time.monotonic()
    try:
        for line in load_scale(scale):
            click.echo(f"{line} ({time.monotonic() - started:.1f} s)")
    except AlreadyLoaded as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics: without them the planner guesses a handful of rows in every new table.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(f"scale: committed and analysed in {time.monotonic() - started:.1f} s")
