"""A trust's pages are about its academies (#21 item 4): a set, options and a DPIA of its own only where its
central staff use the service itself; otherwise it is the controller for its academies, and shows theirs."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.extensions import db
from portal.register.models import TenancyOptionSetting
from portal.tenancy.models import Role
from tests.factories import make_school, make_trust, make_user


def _trust(*, uses_service: bool):
    trust = make_trust("Northfell Learning Trust", central_staff_use_service=uses_service)
    fellside = make_school("Fellside Academy", trust=trust)
    ghyll = make_school("Ghyll Academy", trust=trust)
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    return trust, (fellside, ghyll), admin


def test_a_trust_that_does_not_use_the_service_sees_its_academies_sets_not_one_of_its_own(
    client_request, demo_register
):
    trust, _academies, admin = _trust(uses_service=False)
    client_request.sign_in(admin)
    page = client_request.get("tenancy_register.effective_set", tenancy=trust.slug)
    assert page.h1.get_text(strip=True) == "Sub-processors for Northfell Learning Trust's academies"
    assert page.find(id="in-use") is None and page.find(id="not-in-use") is None
    assert "the controller for its academies" in page.get_text()
    links = {a.get_text(strip=True) for a in page.select("table a")}
    assert {"Fellside Academy", "Ghyll Academy"} <= links
    response = client_request.client.get(client_request.url("tenancy_register.effective_set_json", tenancy=trust.slug))
    data = json.loads(response.data)
    assert "lines" not in data and data["uses_service_itself"] is False
    assert [a["tenancy"]["name"] for a in data["academies"]] == ["Fellside Academy", "Ghyll Academy"]
    assert all(a["lines"] for a in data["academies"])
    # Dates carry through to the academies' own pages.
    ahead = client_request.get("tenancy_register.effective_set", tenancy=trust.slug, on=_ahead())
    assert f"on={_ahead()}" in ahead.find("a", string="Fellside Academy")["href"]


def _ahead() -> str:
    import datetime as dt

    from portal.dates import uk_today

    return (uk_today() + dt.timedelta(days=20)).isoformat()


def test_a_trust_that_uses_the_service_has_its_own_set_beside_its_academies(client_request, demo_register):
    trust, _academies, admin = _trust(uses_service=True)
    client_request.sign_in(admin)
    page = client_request.get("tenancy_register.effective_set", tenancy=trust.slug)
    assert page.h1.get_text(strip=True) == "Sub-processors for Northfell Learning Trust"
    assert page.find(id="in-use") is not None and page.find("caption", string="Your academies") is not None
    data = json.loads(
        client_request.client.get(client_request.url("tenancy_register.effective_set_json", tenancy=trust.slug)).data
    )
    assert data["lines"]


def test_a_trust_only_for_its_academies_has_no_options_of_its_own(client_request, azure_fallback):
    trust, _academies, admin = _trust(uses_service=False)
    client_request.sign_in(admin)
    page = client_request.get("tenancy_register.options", tenancy=trust.slug)
    assert page.find(id="current-azure-fallback") is None
    assert page.find("form", action=lambda a: a and a.endswith("/options/all-academies")) is not None
    client_request.post(
        "tenancy_register.change_option",
        {"option": "azure-fallback", "azure-fallback-enabled": "off", "azure-fallback-version": "0"},
        _expected_status=404,
        tenancy=trust.slug,
    )
    assert db.session.scalar(select(TenancyOptionSetting.id)) is None


def test_a_trust_only_for_its_academies_has_their_dpia_packs_not_one_of_its_own(client_request, demo_register):
    trust, (fellside, _ghyll), admin = _trust(uses_service=False)
    client_request.sign_in(admin)
    page = client_request.get("dpia.pack", tenancy=trust.slug)
    assert page.h1.get_text(strip=True) == "DPIA packs for Northfell Learning Trust's academies"
    link = page.find("a", string="DPIA pack for Fellside Academy")
    assert link["href"] == f"/t/{fellside.slug}/dpia"
    client_request.post("dpia.download", {}, _expected_status=404, tenancy=trust.slug, fmt="csv")
    academy = client_request.get("dpia.pack", tenancy=fellside.slug)
    assert academy.h1.get_text(strip=True) == "DPIA pack"


def test_a_trust_that_uses_the_service_has_a_dpia_pack_and_may_object_for_itself(client_request, demo_register):
    from tests.changes.builders import announced

    trust, _academies, admin = _trust(uses_service=True)
    client_request.sign_in(admin)
    assert client_request.get("dpia.pack", tenancy=trust.slug).h1.get_text(strip=True) == "DPIA pack"
    change = announced()
    form = client_request.get("changes.tenancy_objections", tenancy=trust.slug).find(id=f"change-{change.id}")
    assert "Northfell Learning Trust itself" in form.get_text()
