"""Pages speak to their reader's role (#25): links a role cannot use are not shown, and a refusal
says who to ask in that reader's terms."""

from __future__ import annotations

from portal.tenancy.models import Role
from tests.factories import make_school, make_user
from tests.pages import text_of


def test_vendor_staff_see_no_link_to_what_only_admins_open(app, client_request, vendor_staff, vendor_admin):
    client_request.sign_in(vendor_staff)
    people = client_request.url("people.index")
    assert not client_request.get("vendor.home").find("a", href=people)
    page = client_request.get("people.index", _expected_status=403)
    message = text_of(page.select_one("main"))
    assert "Ask a vendor admin" in message and "data lead" not in message
    client_request.sign_in(vendor_admin)
    assert client_request.get("vendor.home").find("a", href=people)


def test_a_viewer_refused_is_told_to_ask_their_schools_data_lead(app, client_request):
    school = make_school("Refusal Primary")
    viewer = make_user("Refused Viewer", tenancy=school, role=Role.VIEWER)
    app_slug = school.slug
    client_request.sign_in(viewer)
    page = client_request.get("tenancy.members", _expected_status=403, tenancy=app_slug)
    assert "As a viewer you cannot do this for Refusal Primary. Ask its data lead" in text_of(page.select_one("main"))


def test_every_tenancy_page_has_the_same_trail(app, client_request):
    school = make_school("Trail Primary")
    lead = make_user("Trail Lead", tenancy=school, role=Role.DATA_LEAD)
    client_request.sign_in(lead)
    for endpoint in ("tenancy.members", "changes.tenancy_objections", "documents.agreements", "audit.tenancy_log"):
        page = client_request.get(endpoint, tenancy=school.slug)
        crumbs = [text_of(a) for a in page.select(".govuk-breadcrumbs a")]
        assert crumbs == ["Your organisations", "Trail Primary"], (endpoint, crumbs)
    overview = client_request.get("tenancy.overview", tenancy=school.slug)
    assert not overview.select(".govuk-breadcrumbs")  # a page is not its own crumb
