"""The DPIA pack on the homes (#25): a trust's column and filter say what each academy's own task list says."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from portal.audit.service import Actor
from portal.changes import objections
from portal.dates import govuk_date
from portal.documents import versions
from portal.dpia.freshness import freshness_of
from portal.dpia.models import DpiaDownload
from portal.extensions import db
from portal.homes.home import AcademyRow
from portal.homes.status import tenancy_statuses
from portal.tenancy.models import Role
from tests.changes.builders import announced
from tests.dpia.conftest import make_register
from tests.factories import make_school, make_trust, make_user
from tests.homes.test_homes import SYSTEM, link, tasks

ON_2_NOVEMBER = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def academy_column(page, heading: str) -> dict[str, str]:
    """{academy: the text of one column} from the trust's table."""
    headings = [th.get_text(strip=True) for th in page.select("#academies thead th")]
    at = headings.index(heading)
    found = {}
    for tr in page.select("#academies tbody tr"):
        cells = tr.find_all(["th", "td"], recursive=False)
        found[tr.th.a.get_text(strip=True)] = cells[at]
    return found


def test_the_trust_home_shows_each_academys_dpia_pack_and_filters_those_out_of_date(client_request):
    register = make_register()
    trust = make_trust("Pack Trust")
    changed, kept, never = (make_school(f"{name} Academy", trust=trust) for name in ("Changed", "Kept", "Never"))
    admin = make_user("Pat Pack", tenancy=trust, role=Role.TRUST_ADMIN)
    db.session.commit()
    client_request.sign_in(admin)
    for academy in (changed, kept):
        client_request.post("dpia.download", _expected_status=200, tenancy=academy.slug, fmt="docx")
    register.switch(changed, register.azure, False, admin)  # an option switched after the download
    db.session.execute(update(DpiaDownload).where(DpiaDownload.tenancy_id == changed.id).values(at=ON_2_NOVEMBER))
    db.session.commit()

    page = client_request.get("tenancy.overview", tenancy=trust.slug)
    cells = academy_column(page, "DPIA pack")
    assert {name: cell.a.contents[0].strip() for name, cell in cells.items()} == {
        "Changed Academy": "Out of date since the download on 2 November 2026",
        "Kept Academy": "Up to date",
        "Never Academy": "Not downloaded",
    }
    assert cells["Changed Academy"].a["href"] == f"/t/{changed.slug}/dpia"
    assert "DPIA pack for Changed Academy" in cells["Changed Academy"].get_text()  # the link says whose pack
    assert page.select_one("#show option[value=dpia]").get_text(strip=True) == "DPIA pack out of date (1)"

    stale = client_request.get("tenancy.overview", tenancy=trust.slug, show="dpia")
    assert [tr.th.get_text(strip=True) for tr in stale.select("#academies tbody tr")] == ["Changed Academy"]
    assert link(stale, "See the academies' DPIA packs")["href"] == f"/t/{trust.slug}/dpia"
    attention = client_request.get("tenancy.overview", tenancy=trust.slug, show="attention")
    assert "Changed Academy" in [tr.th.get_text(strip=True) for tr in attention.select("#academies tbody tr")]

    # The academy's own home says the same as the trust's column.
    found = tasks(client_request.get("tenancy.overview", tenancy=changed.slug))
    assert found["DPIA pack"] == "Out of date since the download on 2 November 2026"
    assert tasks(client_request.get("tenancy.overview", tenancy=kept.slug))["DPIA pack"] == "Up to date"
    assert tasks(client_request.get("tenancy.overview", tenancy=never.slug))["DPIA pack"] == "Not downloaded yet"


def test_a_viewers_download_leaves_the_trusts_column_as_it_was(client_request):
    make_register()
    trust = make_trust("Viewer Trust")
    academy = make_school("Viewed Academy", trust=trust)
    viewer = make_user("Val Viewer", tenancy=academy, role=Role.VIEWER)
    admin = make_user("Ada Admin", tenancy=trust, role=Role.TRUST_ADMIN)
    db.session.commit()
    client_request.sign_in(viewer)
    client_request.post("dpia.download", _expected_status=200, tenancy=academy.slug, fmt="csv")
    client_request.sign_in(admin)
    page = client_request.get("tenancy.overview", tenancy=trust.slug)
    assert academy_column(page, "DPIA pack")["Viewed Academy"].a.contents[0].strip() == "Not downloaded"


def test_the_trust_home_shows_options_outcomes_and_its_pages_in_a_trusts_words(app, client_request):
    register = make_register()
    trust = make_trust("Words Trust")
    academy = make_school("Words Academy", trust=trust)
    admin = make_user("Wyn Words", tenancy=trust, role=Role.TRUST_ADMIN)
    change = announced()
    objection = objections.lodge_objection(change, academy, grounds="No.", actor=Actor.of(admin))
    objections.acknowledge(objection, actor=SYSTEM)
    objections.not_accommodate(objection, reason="Needed.", actor=SYSTEM)
    register.switch(academy, register.voice, True, admin)
    db.session.commit()
    client_request.sign_in(admin)
    page = client_request.get("tenancy.overview", tenancy=trust.slug)
    answer = f"Answer by {govuk_date(objection.exit_answer_by)}"
    changes = academy_column(page, "Changes and objections")["Words Academy"].get_text(strip=True)
    assert changes == f"{change.title}: {answer}"  # said once, with its change
    options = academy_column(page, "Options")["Words Academy"].get_text(strip=True)
    assert options in ("1 waiting to be applied", "On: Azure OpenAI fallback, Voice input.")
    pages = page.select_one("h2:-soup-contains('Pages for') + ul").get_text(" ", strip=True)
    assert "your school" not in pages and "Who can use this portal for your trust." in pages
    # The academy's home leads back to its trust's, for whoever may open it.
    academy_home = client_request.get("tenancy.overview", tenancy=academy.slug)
    assert link(academy_home, "Words Trust")["href"] == f"/t/{trust.slug}/"

    # Once the change is in effect the outcome still shows, on its own, until it is answered.
    with app.test_request_context():
        status = tenancy_statuses([academy])[0]
        status.changes = []
        assert AcademyRow(status, freshness_of([])).changes == [f"{change.title}: {answer}"]


def test_a_trust_whose_staff_use_the_service_sees_its_own_tasks_below_its_academies(client_request):
    make_register()
    versions.publish_text_version(actor=SYSTEM, summary="First.")
    trust = make_trust("Own Staff Trust")
    trust.central_staff_use_service = True
    make_school("Own Staff Academy", trust=trust)
    admin = make_user("Oli Own", tenancy=trust, role=Role.TRUST_ADMIN)
    db.session.commit()
    client_request.sign_in(admin)
    page = client_request.get("tenancy.overview", tenancy=trust.slug)
    assert page.select_one("#own-use").get_text(strip=True) == "The trust's own use of the service"
    found = tasks(page)
    assert found["Data processing agreement"] == "Not signed" and found["DPIA pack"] == "Not downloaded yet"
    assert [tr.th.get_text(strip=True) for tr in page.select("#academies tbody tr")] == ["Own Staff Academy"]
    # Its DPIA page is its own pack, so the filter offers no link to a list of its academies' packs.
    assert (
        link(client_request.get("tenancy.overview", tenancy=trust.slug, show="dpia"), "See the academies' DPIA packs")
        is None
    )
