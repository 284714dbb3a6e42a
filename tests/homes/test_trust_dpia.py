"""The DPIA pack on the homes (#25): a trust's column and filter say what each academy's own task list says."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from portal.dpia.models import DpiaDownload
from portal.extensions import db
from portal.tenancy.models import Role
from tests.dpia.conftest import make_register
from tests.factories import make_school, make_trust, make_user
from tests.homes.test_homes import link, tasks

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
        "Changed Academy": "Out of date since 2 November 2026",
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
    assert found["DPIA pack"] == "Out of date since 2 November 2026"
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
