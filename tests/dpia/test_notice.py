"""The DPIA page: what the pack is built from, and the out-of-date notice saying what changed since a download."""

from __future__ import annotations

import datetime as dt

from portal.dates import uk_today
from portal.register.models import TenancyExclusion
from tests.dpia.conftest import entries, publish
from tests.factories import make_user
from tests.pages import text_of


def notice(page) -> str | None:
    banner = page.select_one(".govuk-notification-banner")
    return text_of(banner) if banner else None


def test_page_shows_what_the_pack_is_built_from(client_request, register, school, viewer):
    client_request.sign_in(viewer)
    page = client_request.get("dpia.pack", tenancy=school.slug)
    text = page.get_text(" ", strip=True)
    assert "Version 1.3" in text
    for name in ("Wold Cloud Ltd", "Microsoft Azure OpenAI Service", "Harbour Mail Inc"):
        assert name in text
    assert "Fenland Speech Ltd" not in text
    assert "Not downloaded yet." in text
    assert notice(page) is None
    assert len(page.select("form[method=post] button.govuk-button")) == 4


def test_switching_an_option_after_a_download_shows_what_changed(client_request, register, school, data_lead):
    client_request.sign_in(data_lead)
    client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="docx")
    page = client_request.get("dpia.pack", tenancy=school.slug)
    assert notice(page) is None
    assert "Last downloaded on" in page.get_text() and "by Dana Lead (DOCX)" in page.get_text(" ", strip=True)

    register.switch(school, register.azure, False, data_lead)
    text = notice(client_request.get("dpia.pack", tenancy=school.slug))
    assert text is not None and "Your DPIA pack is out of date" in text
    assert "The DPIA draft was last downloaded by Dana Lead on" in text
    assert "Microsoft Azure OpenAI Service is no longer used for your school." in text
    assert "The option “Azure OpenAI fallback” was switched off." in text
    assert "Records of processing" not in text  # never downloaded: nothing to be out of date

    client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="pdf")
    assert notice(client_request.get("dpia.pack", tenancy=school.slug)) is None


def test_a_new_register_version_and_an_accommodated_objection_show(client_request, register, school, data_lead):
    client_request.sign_in(data_lead)
    client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="csv")
    rows = entries(uk_today())
    rows[4]["effective_on"] = uk_today() - dt.timedelta(days=1)  # Moorland Models is now in
    publish("1.4", rows)
    from portal.extensions import db

    db.session.add(TenancyExclusion(tenancy_id=school.id, entry_key="postmark", reason="Agreed on appeal."))
    db.session.flush()

    text = notice(client_request.get("dpia.pack", tenancy=school.slug))
    assert text is not None
    assert "The records of processing were last downloaded" in text
    assert "Version 1.4 of the sub-processor register replaced version 1.3." in text
    assert "Moorland Models Ltd is now used for your school." in text
    assert "Harbour Mail Inc is no longer used for your school." in text


def test_an_unchanged_set_in_another_tenancy_does_not_show_the_notice(client_request, register, school, other_school):
    lead = make_user("Other Lead", tenancy=other_school)
    client_request.sign_in(lead)
    client_request.post("dpia.download", _expected_status=200, tenancy=other_school.slug, fmt="json")
    register.switch(school, register.azure, False)  # another school's change
    assert notice(client_request.get("dpia.pack", tenancy=other_school.slug)) is None


def test_page_queries_do_not_grow_with_downloads_or_suppliers(
    client_request, register, school, data_lead, count_queries
):
    slug = school.slug  # read now: after a request commits, reading it would reload the row inside the count
    client_request.sign_in(data_lead)
    client_request.post("dpia.download", _expected_status=200, tenancy=slug, fmt="json")
    with count_queries() as few:
        client_request.get("dpia.pack", tenancy=slug)

    for fmt in ("csv", "json", "csv"):
        client_request.post("dpia.download", _expected_status=200, tenancy=slug, fmt=fmt)
    rows = entries(uk_today())
    rows += [
        {**rows[0], "key": f"extra-{n}", "supplier": f"Extra Supplier {n}", "risk_note": "A risk."} for n in range(8)
    ]
    publish("1.4", rows)
    register.switch(school, register.voice, True, data_lead)
    client_request.get("dpia.pack", tenancy=slug)  # the new version's content is loaded once, then cached
    with count_queries() as many:
        page = client_request.get("dpia.pack", tenancy=slug)
    assert "Extra Supplier 7" in page.get_text()
    assert many.count == few.count


def test_pack_status_without_a_built_pack_matches_the_page(client_request, register, school, data_lead):
    from portal.dpia.freshness import pack_status

    client_request.sign_in(data_lead)
    client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="docx")
    assert [part.out_of_date for part in pack_status(school)] == [False, False]
    register.switch(school, register.voice, True, data_lead)
    dpia, record = pack_status(school)
    assert dpia.changes == (
        "Fenland Speech Ltd is now used for your school.",
        "The option “Voice input” was switched on.",
    )
    assert not record.out_of_date and record.last is None


def test_the_tenancy_overview_says_the_pack_is_out_of_date(client_request, register, school, data_lead):
    """The tenancy's own page carries the notice too, linking to the DPIA page."""
    client_request.sign_in(data_lead)
    client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="docx")
    assert notice(client_request.get("tenancy.overview", tenancy=school.slug)) is None

    register.switch(school, register.azure, False, data_lead)
    page = client_request.get("tenancy.overview", tenancy=school.slug)
    text = notice(page)
    assert text is not None and "Your DPIA pack is out of date" in text
    assert "Microsoft Azure OpenAI Service is no longer used for your school." in text
    link = page.select_one(".govuk-notification-banner a")
    assert link["href"] == client_request.url("dpia.pack", tenancy=school.slug)


def test_a_viewers_download_does_not_clear_the_data_leads_notice(client_request, register, school, data_lead, viewer):
    """Only a data lead's (or trust admin's) download counts; the notice says who downloaded last (#18)."""
    client_request.sign_in(data_lead)
    client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="docx")
    register.switch(school, register.azure, False, data_lead)
    client_request.sign_in(viewer)
    client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="docx")
    client_request.sign_in(data_lead)
    text = notice(client_request.get("dpia.pack", tenancy=school.slug))
    assert text is not None and "Your DPIA pack is out of date" in text
    assert "last downloaded by Dana Lead on" in text
