"""Homes that say what needs doing (#25): a school's task list, a trust's table of academies, landing and links."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.audit.service import Actor
from portal.changes import objections
from portal.dates import now, uk_today
from portal.documents import versions
from portal.documents.models import Agreement
from portal.dpia.models import DpiaDownload, PackFormat
from portal.extensions import db
from portal.incidents.models import Incident, IncidentTenancy
from portal.incidents.states import IncidentState
from portal.tenancy.models import Membership, Role
from tests.changes.builders import announced
from tests.factories import agreement_row, make_school, make_trust, make_user

SYSTEM = Actor.system("test")


def sign(tenancy) -> Agreement:
    """A signed agreement on the latest text (published if none yet): its row only, a unique PDF."""
    text = versions.latest_text_version() or versions.publish_text_version(actor=SYSTEM, summary="First.")
    return agreement_row(tenancy, text)


def link(page, text: str):
    """The first link whose text, stripped, is `text` (or None)."""
    return next((a for a in page.find_all("a") if a.get_text(strip=True) == text), None)


def tasks(page) -> dict[str, str]:
    """The task list as {title: status}."""
    found = {}
    for item in page.select(".govuk-task-list__item"):
        title = item.select_one(".govuk-task-list__name-and-hint a, .govuk-task-list__name-and-hint div")
        found[title.get_text(" ", strip=True)] = item.select_one(".govuk-task-list__status").get_text(" ", strip=True)
    return found


def notified_incident(*tenancies, title="Fallback prompts exposed") -> Incident:
    start = uk_today() - dt.timedelta(days=7)
    incident = Incident(
        title=title,
        aware_at=now() - dt.timedelta(hours=5),
        period_start=start,
        period_end=start,
        state=IncidentState.NOTIFIED,
        notified_at=now(),
        nature="n",
        consequences="c",
        measures="m",
        contact="dpo",
    )
    db.session.add(incident)
    db.session.flush()
    db.session.add_all(IncidentTenancy(incident_id=incident.id, tenancy_id=t.id) for t in tenancies)
    db.session.flush()
    return incident


def test_a_school_home_is_a_task_list_of_what_needs_doing(client_request, school, data_lead):
    versions.publish_text_version(actor=SYSTEM, summary="First.")
    change = announced(days_ahead=40)
    incident = notified_incident(school)
    db.session.commit()
    client_request.sign_in(data_lead)
    page = client_request.get("tenancy.overview", tenancy=school.slug)
    found = tasks(page)
    assert found["Data processing agreement"] == "Not signed"
    assert found[change.title] == "40 days left to object"
    assert found[f"Personal data breach: {incident.title}"] == "To acknowledge"
    assert found["DPIA pack"] == "Not downloaded yet"
    assert link(page, change.title)["href"] == f"/t/{school.slug}/changes#change-{change.id}"

    sign(school)
    objections.lodge_objection(change, school, grounds="We object.", actor=Actor.of(data_lead))
    db.session.commit()
    found = tasks(client_request.get("tenancy.overview", tenancy=school.slug))
    assert found["Data processing agreement"].startswith("Signed version 1 on ")
    assert found[change.title] == "Objection: awaiting acknowledgement"


def test_a_viewer_sees_the_statuses_without_links_it_cannot_use(client_request, school, viewer):
    announced()
    db.session.commit()
    client_request.sign_in(viewer)
    page = client_request.get("tenancy.overview", tenancy=school.slug)
    hrefs = [a["href"] for a in page.select(".govuk-task-list a")]
    assert f"/t/{school.slug}/members" not in hrefs and not any("/audit" in h for h in hrefs)
    assert "Data processing agreement" in tasks(page)


def test_a_trust_home_is_a_table_of_its_academies_with_filters_and_an_action_for_several(client_request):
    trust = make_trust("Table Trust")
    signed, unsigned = make_school("Signed Academy", trust=trust), make_school("Unsigned Academy", trust=trust)
    admin = make_user("Tess Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    sign(signed)
    notified_incident(unsigned)
    db.session.commit()
    client_request.sign_in(admin)
    page = client_request.get("tenancy.overview", tenancy=trust.slug)
    rows = {tr.th.get_text(strip=True): tr.get_text(" ", strip=True) for tr in page.select("#academies tbody tr")}
    assert "Version 1 signed" in rows["Signed Academy"] and "Not signed" in rows["Unsigned Academy"]
    assert "1 to acknowledge" in rows["Unsigned Academy"]
    assert link(page, "1 to acknowledge: Unsigned Academy")["href"] == f"/t/{unsigned.slug}/incidents"
    assert page.select_one("#academies a")["href"] == f"/t/{signed.slug}/"

    filtered = client_request.get("tenancy.overview", tenancy=trust.slug, show="sign")
    names = [tr.th.get_text(strip=True) for tr in filtered.select("#academies tbody tr")]
    assert names == ["Unsigned Academy"]
    action = link(filtered, "Sign for these academies")
    assert action["href"] == f"/t/{trust.slug}/agreements/sign/details"
    incidents = client_request.get("tenancy.overview", tenancy=trust.slug, show="incidents")
    assert [tr.th.get_text(strip=True) for tr in incidents.select("#academies tbody tr")] == ["Unsigned Academy"]
    # An unknown filter shows them all rather than failing.
    assert len(client_request.get("tenancy.overview", tenancy=trust.slug, show="x").select("#academies tbody tr")) == 2


def out_of_date_download(tenancy, user) -> DpiaDownload:
    """A lead's download of the DPIA draft whose fingerprint no longer matches: the pack is out of date."""
    download = DpiaDownload(
        tenancy_id=tenancy.id,
        format=PackFormat.DOCX,
        fingerprint="0" * 64,
        summary={"register_version": None, "included": {}, "options": {}},
        user_id=user.id,
        by_lead=True,
    )
    db.session.add(download)
    return download


@pytest.mark.parametrize("own_staff", [False, True], ids=["academies-only", "own-staff-too"])
def test_the_trust_home_makes_the_same_queries_for_2_or_12_academies(client_request, count_queries, own_staff):
    trust = make_trust("Budget Trust")
    trust.central_staff_use_service = own_staff  # then its own task list is read with its academies
    admin = make_user("Bea Budget", tenancy=trust, role=Role.TRUST_ADMIN)
    announced()

    def add(n: int) -> None:
        academy = make_school(f"Budget Academy {n}", trust=trust)
        sign(academy)
        notified_incident(academy, title=f"Incident {n}")
        out_of_date_download(academy, admin)  # each academy's DPIA pack is read and compared too

    for n in range(2):
        add(n)
    db.session.commit()
    client_request.sign_in(admin)
    client_request.get("tenancy.overview", tenancy=trust.slug)
    with count_queries() as few:
        client_request.get("tenancy.overview", tenancy=trust.slug)
    for n in range(2, 12):
        add(n)
    db.session.commit()
    with count_queries() as many:
        page = client_request.get("tenancy.overview", tenancy=trust.slug)
    assert len(page.select("#academies tbody tr")) == 12
    assert page.get_text().count("Out of date since") == 12
    assert bool(page.select("#own-use")) is own_staff
    assert many.count == few.count


def test_one_organisation_lands_on_it_several_get_the_list_and_home_leads_there(client_request, school, data_lead):
    db.session.commit()
    client_request.sign_in(data_lead)
    response = client_request.client.get("/t/")
    assert response.status_code == 302 and response.location.endswith(f"/t/{school.slug}/")
    page = client_request.get("web.accessibility")
    assert link(page, "Home")["href"] == f"/t/{school.slug}/"
    assert page.select_one("a[class$=header__homepage-link]")["href"] == f"/t/{school.slug}/"
    assert link(page, "Your organisations") is None
    missing = client_request.get("tenancy.overview", _expected_status=404, tenancy="no-such-school")
    assert link(missing, "Go to your home page")["href"] == f"/t/{school.slug}/"

    db.session.add(Membership(user=data_lead, tenancy=make_school("Second School"), role=Role.VIEWER))
    db.session.commit()
    listing = client_request.get("tenancy.home")
    assert link(listing, "Second School") is not None
    assert link(listing, "Home")["href"] == "/t/"


def test_the_list_of_organisations_makes_the_same_queries_for_2_or_8(client_request, count_queries, school):
    user = make_user("Many Hats", tenancy=school, role=Role.VIEWER)
    db.session.add(Membership(user=user, tenancy=make_school("Hat School 0"), role=Role.VIEWER))
    db.session.commit()
    client_request.sign_in(user)
    client_request.get("tenancy.home")
    with count_queries() as few:
        client_request.get("tenancy.home")
    for n in range(1, 7):
        db.session.add(Membership(user=user, tenancy=make_school(f"Hat School {n}"), role=Role.VIEWER))
    db.session.commit()
    with count_queries() as many:
        page = client_request.get("tenancy.home")
    assert "Hat School 6" in page.get_text() and many.count == few.count


def test_signed_out_the_logo_and_home_lead_to_the_start_page(client_request):
    page = client_request.get("web.accessibility")
    assert link(page, "Home")["href"] == "/"
