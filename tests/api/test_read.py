"""The read API: tenancies with options and effective sets, paged and filtered; one; the set on a date (#27)."""

from __future__ import annotations

import datetime as dt

from portal.audit.service import Actor
from portal.dates import uk_today
from portal.extensions import db
from portal.register.options import set_option
from portal.tenancy.models import Role
from tests.factories import make_school


def test_without_a_token_or_with_a_wrong_one_the_api_answers_401_problem(client):
    for headers in ({}, {"Authorization": "Bearer ssp_nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/tenancies", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 401 and response.json["title"] == "Unauthorized"


def test_lists_tenancies_with_options_and_effective_set(client, read_token, azure_fallback):
    school = make_school("Meadowbank Primary")
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    response = client.get("/api/v1/tenancies", headers=read_token)
    assert response.status_code == 200
    item = next(i for i in response.json["items"] if i["slug"] == school.slug)
    option = next(o for o in item["options"] if o["key"] == "azure-fallback")
    assert option["enabled"] is False and option["version"] == 1 and option["applied_at"] is None
    assert option["requested_at"] is not None
    line = next(line for line in item["effective_set"]["lines"] if line["option"] == "azure-fallback")
    assert line["included"] is False


def test_pages_and_changed_since(client, read_token, azure_fallback):
    schools = [make_school(f"School {n}") for n in range(3)]
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    set_option(schools[1], azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    first = client.get("/api/v1/tenancies?per_page=2", headers=read_token).json
    assert first["total"] == 3 and len(first["items"]) == 2 and "page=2" in first["next"]
    second = client.get(first["next"], headers=read_token).json
    assert len(second["items"]) == 1 and second["next"] is None
    changed = client.get(
        "/api/v1/tenancies", query_string={"changed_since": before.isoformat()}, headers=read_token
    ).json
    assert [i["slug"] for i in changed["items"]] == [schools[1].slug]


def test_bad_parameters_are_problems_not_errors(client, read_token):
    for query in ("per_page=0", "per_page=101", "page=x", "changed_since=yesterday", "changed_since=2026-12-01T00:00"):
        response = client.get(f"/api/v1/tenancies?{query}", headers=read_token)
        assert response.status_code == 400, query
        assert response.mimetype == "application/problem+json"


def test_one_tenancy_by_urn_or_slug(client, read_token, azure_fallback):
    school = make_school("Meadowbank Primary")
    by_urn = client.get(f"/api/v1/tenancies/{school.urn}", headers=read_token)
    by_slug = client.get(f"/api/v1/tenancies/{school.slug}", headers=read_token)
    assert by_urn.status_code == by_slug.status_code == 200
    assert by_urn.json == by_slug.json and by_urn.json["urn"] == school.urn
    missing = client.get("/api/v1/tenancies/no-such-school", headers=read_token)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_the_set_on_a_date_matches_the_tenancy_json(client, read_token, azure_fallback, data_lead, school):
    from tests.factories import sign_in_client

    day = (uk_today() + dt.timedelta(days=40)).isoformat()
    api = client.get(f"/api/v1/tenancies/{school.slug}/sub-processors?on={day}", headers=read_token)
    assert api.status_code == 200 and api.json["as_of"] == day
    browser = client.application.test_client()
    sign_in_client(browser, data_lead)
    page = browser.get(f"/t/{school.slug}/sub-processors.json?on={day}")
    assert api.json == page.json
    bad = client.get(f"/api/v1/tenancies/{school.slug}/sub-processors?on=15/01/2027", headers=read_token)
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json["detail"]


def test_a_trust_that_does_not_use_the_service_answers_with_its_academies_sets(client, read_token, azure_fallback):
    """As its own JSON page does (#21): such a trust has no set of its own."""
    from tests.factories import make_school, make_trust, make_user, sign_in_client

    trust = make_trust("Fenland Learning Trust")
    academy = make_school("Aurora Primary Academy", trust=trust)
    admin = make_user("Tara Admin", tenancy=trust, role=Role.TRUST_ADMIN)
    db.session.commit()
    api = client.get(f"/api/v1/tenancies/{trust.slug}/sub-processors", headers=read_token)
    assert api.status_code == 200 and api.json["uses_service_itself"] is False
    assert [a["tenancy"]["name"] for a in api.json["academies"]] == [academy.name]
    browser = client.application.test_client()
    sign_in_client(browser, admin)
    assert api.json == browser.get(f"/t/{trust.slug}/sub-processors.json").json


def test_reads_carry_an_etag_and_answer_304_when_unchanged(client, read_token, azure_fallback):
    school = make_school("Meadowbank Primary")
    first = client.get(f"/api/v1/tenancies/{school.slug}", headers=read_token)
    etag = first.headers["ETag"]
    again = client.get(f"/api/v1/tenancies/{school.slug}", headers={**read_token, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    changed = client.get(f"/api/v1/tenancies/{school.slug}", headers={**read_token, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
