"""English and Welsh (#29): how a page's language is chosen, remembered and kept apart in caches."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.dates import govuk_date, govuk_datetime, govuk_time
from portal.extensions import db
from portal.tenancy.models import Role
from portal.web.language import COOKIE
from tests.factories import make_school, make_user
from tests.pages import check_page, text_of


def _lang(response) -> str:
    return check_page(response.get_data(as_text=True)).html["lang"]


def test_a_first_visit_follows_the_browser_and_english_is_the_default(client):
    assert _lang(client.get("/")) == "en"
    assert _lang(client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})) == "cy"
    assert _lang(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})) == "en"


def test_the_switch_sets_the_cookie_and_goes_back_to_the_same_page(client):
    page = check_page(client.get("/sub-processors").get_data(as_text=True))
    switch = page.select_one("nav.portal-language-switch")
    assert text_of(switch) == "English Cymraeg"  # the bar between them is drawn by CSS
    assert switch.select_one('[aria-current="true"]').get_text() == "English"
    link = switch.select_one('a[hreflang="cy"]')
    assert link["lang"] == "cy"
    response = client.get(link["href"])
    assert response.status_code == 302 and response.location.endswith("/sub-processors")
    assert COOKIE in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    welsh = client.get("/sub-processors", headers={"Accept-Language": "en"})  # the choice beats the browser
    assert _lang(welsh) == "cy"
    current = check_page(welsh.get_data(as_text=True)).select_one('nav.portal-language-switch [aria-current="true"]')
    assert current.get_text() == "Cymraeg"


def test_the_switch_refuses_another_site_and_an_unknown_language(client):
    assert client.get("/language/cy?next=//evil.example/").location.endswith("/")
    assert "evil" not in client.get("/language/cy?next=https://evil.example/").location
    assert client.get("/language/fr").status_code == 404


def test_a_cached_public_page_is_kept_per_language(client):
    english = client.get("/sub-processors")
    welsh = client.get("/sub-processors", headers={"Accept-Language": "cy"})
    again = client.get("/sub-processors")
    assert (_lang(english), _lang(welsh), _lang(again)) == ("en", "cy", "en")
    assert {"Cookie", "Accept-Language"} <= {
        v.strip() for vary in welsh.headers.getlist("Vary") for v in vary.split(",")
    }


def test_a_signed_in_person_keeps_their_choice_on_their_account(app, client_request):
    school = make_school("Ysgol Dewis")
    lead = make_user("Dewi Lead", tenancy=school, role=Role.DATA_LEAD)
    client_request.sign_in(lead)
    page = client_request.get("tenancy.overview", tenancy=school.slug)
    button = page.select_one('nav.portal-language-switch button[value="cy"]')
    assert button is not None and button.find_parent("form")["method"] == "post"
    client_request.post(
        "language.choose", {"language": "cy", "next": f"/t/{school.slug}/"}, _redirect_to=f"/t/{school.slug}/"
    )
    assert db.session.get(type(lead), lead.id).language == "cy"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.language_chosen")).one()
    assert event.actor_id == lead.id and event.details == {"from": None, "to": "cy"}
    client_request.client.delete_cookie(COOKIE)  # another browser: the account decides
    response = client_request.client.get(f"/t/{school.slug}/")
    assert _lang(response) == "cy"


def test_a_data_lead_sets_the_schools_language(app, client_request):
    school = make_school("Ysgol Iaith")
    lead = make_user("Iaith Lead", tenancy=school, role=Role.DATA_LEAD)
    client_request.sign_in(lead)
    page = client_request.get("tenancy_language.language", tenancy=school.slug)
    assert page.select_one('input[value="en"]').has_attr("checked")
    client_request.post("tenancy_language.language", {"language": "cy"}, tenancy=school.slug)
    assert db.session.get(type(school), school.id).language == "cy"
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tenancy.language_chosen")).one()
    refused = client_request.post(
        "tenancy_language.language", {"language": "fr"}, _expected_status=200, tenancy=school.slug
    )
    assert refused.select_one(".govuk-error-summary")
    assert db.session.get(type(school), school.id).language == "cy"


def test_the_cookie_page_lists_the_language_cookie(client):
    page = check_page(client.get("/cookies").get_data(as_text=True))
    assert COOKIE in text_of(page.select_one("main"))


def test_dates_are_written_the_govuk_way_in_each_language(app):
    day = dt.date(2027, 1, 1)
    afternoon = dt.datetime(2027, 7, 1, 13, 5, tzinfo=dt.UTC)  # 2:05pm in London (BST)
    noon = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)
    with app.test_request_context():
        assert (govuk_date(day), govuk_time(afternoon), govuk_time(noon)) == ("1 January 2027", "2:05pm", "midday")
        with force_locale("cy"):
            assert govuk_date(day) == "1 Ionawr 2027"
            assert govuk_date(dt.date(2027, 12, 25)) == "25 Rhagfyr 2027"
            assert govuk_datetime(afternoon) == "1 Gorffennaf 2027 am 2:05yh"
            assert govuk_time(noon) == "canol dydd"


def test_a_fixed_label_is_kept_per_language_and_follows_the_language_being_written(app):
    from portal.changes.models import ChangeKind
    from portal.changes.states import ObjectionState

    with app.test_request_context():
        english = ObjectionState.LODGED.label
        with force_locale("cy"):
            assert ObjectionState.LODGED.label == "Yn aros am gydnabyddiaeth"
            assert ObjectionState.LODGED.label == "Yn aros am gydnabyddiaeth"  # the kept one
            welsh_kind = ChangeKind.ADDITION.label
        assert english == ObjectionState.LODGED.label == "Awaiting acknowledgement"
        assert ChangeKind.ADDITION.label == "New sub-processor" != welsh_kind
    # Outside any request nothing is translated, and nothing is kept for it.
    assert ObjectionState.LODGED.label == "Awaiting acknowledgement"
