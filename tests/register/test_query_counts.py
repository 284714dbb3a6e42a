"""Speed that holds at England scale: the same number of queries with 10 or 200 entries and 10 or 5,000 tenancies."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.register.models import EntryStatus, TenancyOptionSetting
from portal.tenancy.models import Membership, Role, Tenancy, TenancyKind
from tests.factories import make_school, make_trust, make_user
from tests.register.builders import entry, make_option, publish_version


def add_tenancies(count: int, *, trust: Tenancy | None = None) -> list[int]:
    start = db.session.scalar(select(func.count(Tenancy.id)))
    rows = [
        {
            "kind": TenancyKind.SCHOOL,
            "slug": f"scale-{start + n}",
            "name": f"Scale School {start + n}",
            "urn": f"{300000 + start + n}",
            "trust_id": trust.id if trust else None,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Tenancy), rows)
    return list(db.session.scalars(select(Tenancy.id).where(Tenancy.slug.in_([r["slug"] for r in rows]))))


def register_of(size: int) -> None:
    rows = [entry(f"supplier-{n}") for n in range(size - 3)]
    rows += [
        entry("azure-openai"),
        entry("speech", status=EntryStatus.CONDITIONAL, condition_service="Voice input"),
        entry("contractor", status=EntryStatus.ACTIVE_TEMPORARY),
    ]
    publish_version(rows, statements=[("Edge CDN", "Marketing site only.")])


def settings_for(tenancy_ids: list[int], option_id: int) -> None:
    db.session.execute(
        insert(TenancyOptionSetting), [{"tenancy_id": t, "option_id": option_id, "enabled": False} for t in tenancy_ids]
    )


def measure(client_request, count_queries, endpoint: str, **values) -> int:
    """Queries for one request, after a first one (the test shares its session: objects it expired reload once)."""
    client_request.get(endpoint, **values)
    with count_queries() as counter:
        client_request.get(endpoint, **values)
    return counter.count


def test_public_and_tenancy_pages_do_not_grow_with_entries_or_tenancies(client_request, count_queries, app):
    school = make_school()
    lead = make_user(tenancy=school, role=Role.DATA_LEAD)
    register_of(10)
    fallback = make_option("azure-fallback", default=True, governs=["azure-openai"])
    make_option("voice-input", default=False, governs=["speech"])
    settings_for(add_tenancies(10), fallback.id)

    small_public = measure(client_request, count_queries, "register.public_register")
    small_versions = measure(client_request, count_queries, "register.versions")
    client_request.sign_in(lead)
    small_tenancy = measure(client_request, count_queries, "tenancy_register.effective_set", tenancy=school.slug)
    small_options = measure(client_request, count_queries, "tenancy_register.options", tenancy=school.slug)

    register_of(200)
    settings_for(add_tenancies(5000), fallback.id)
    assert db.session.scalar(select(func.count(Tenancy.id))) > 5000

    large_tenancy = measure(client_request, count_queries, "tenancy_register.effective_set", tenancy=school.slug)
    large_options = measure(client_request, count_queries, "tenancy_register.options", tenancy=school.slug)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    assert len(page.select("#in-use tbody tr")) == 199  # 200 entries, voice input off
    assert (small_tenancy, small_options) == (large_tenancy, large_options)

    with client_request.client.session_transaction() as session:
        session.clear()
    assert measure(client_request, count_queries, "register.public_register") == small_public
    assert measure(client_request, count_queries, "register.versions") == small_versions


def test_a_trust_page_does_not_grow_with_its_academies(client_request, count_queries, app):
    register_of(20)
    make_option("azure-fallback", default=True, governs=["azure-openai"])
    small, large = make_trust(), make_trust()
    add_tenancies(2, trust=small)
    add_tenancies(60, trust=large)
    admin = make_user(tenancy=small, role=Role.TRUST_ADMIN)
    make_user(tenancy=large, role=Role.TRUST_ADMIN)
    db.session.add(Membership(user_id=admin.id, tenancy_id=large.id, role=Role.TRUST_ADMIN))
    db.session.flush()
    client_request.sign_in(admin)
    for endpoint in ("tenancy_register.effective_set", "tenancy_register.options"):
        assert measure(client_request, count_queries, endpoint, tenancy=small.slug) == measure(
            client_request, count_queries, endpoint, tenancy=large.slug
        ), endpoint
