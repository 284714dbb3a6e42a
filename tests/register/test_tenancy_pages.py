"""A tenancy's sub-processors page, its JSON, and its options (viewers see, data leads switch, no overwrites)."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.extensions import db
from portal.register.models import TenancyExclusion
from portal.register.options import set_option
from portal.tenancy.models import Role
from tests.factories import make_school, make_trust, make_user
from tests.pages import check_page, text_of


def checked(response):
    """The page of a refused form, through the same checks as every page."""
    return check_page(response.get_data(as_text=True))


def test_the_effective_set_page_says_why_each_line_is_in_or_out(client_request, demo_register, school, viewer):
    client_request.sign_in(viewer)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    assert page.h1.get_text(strip=True) == f"Sub-processors for {school.name}"
    in_use = text_of(page.find(id="in-use"))
    assert "Microsoft Azure OpenAI Service" in in_use
    assert "Used: the option “Azure OpenAI fallback” is on by default." in in_use
    out = text_of(page.find(id="not-in-use"))
    assert "Microsoft Azure AI Speech" in out and "“Voice input” is off by default" in out
    assert "Kestrel Moderation Ltd" in out and "Planned: takes effect on" in out
    upcoming = text_of(page.find("caption", string="Upcoming changes").find_parent("table"))
    assert "Will be used from this date." in upcoming and "Will no longer be used." in upcoming
    # A viewer is offered the explanation, not the switch.
    assert page.find("a", string="See what each option changes")


def test_a_switch_changes_the_page_at_once_though_alike_schools_share_their_rows(
    client_request, demo_register, school, data_lead, azure_fallback
):
    """The tables are kept under what decided them (register/tenancy_views.py): a kept copy is
    shown only to a school whose options and exclusions are the same, never a stale one."""
    twin = make_school(name="Twin Primary School")
    twin_lead = make_user("Twin Lead", tenancy=twin, role=Role.DATA_LEAD)
    db.session.commit()
    reason = "Used: the option “Azure OpenAI fallback” is on by default."

    client_request.sign_in(data_lead)
    assert reason in text_of(
        client_request.get("tenancy_register.effective_set", tenancy=school.slug).find(id="in-use")
    )
    client_request.sign_in(twin_lead)
    assert reason in text_of(client_request.get("tenancy_register.effective_set", tenancy=twin.slug).find(id="in-use"))

    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.of(data_lead))
    db.session.commit()
    client_request.sign_in(data_lead)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    assert "Azure OpenAI Service" not in text_of(page.find(id="in-use"))
    assert "“Azure OpenAI fallback” is off for your organisation." in text_of(page.find(id="not-in-use"))
    client_request.sign_in(twin_lead)
    assert reason in text_of(client_request.get("tenancy_register.effective_set", tenancy=twin.slug).find(id="in-use"))


def test_kept_rows_never_show_one_schools_accommodated_objection_to_another(
    client_request, demo_register, school, data_lead
):
    """A school's exclusion and its reason are its own: the kept rows of its page are never another's."""
    twin = make_school(name="Twin Primary School")
    twin_lead = make_user("Twin Lead", tenancy=twin, role=Role.DATA_LEAD)
    db.session.add(
        TenancyExclusion(
            tenancy_id=school.id, entry_key="azure-openai", reason="Agreed with the governors in May.", objection_id=1
        )
    )
    db.session.commit()

    client_request.sign_in(data_lead)
    own = text_of(client_request.get("tenancy_register.effective_set", tenancy=school.slug).find(id="not-in-use"))
    assert "your objection was accommodated. Agreed with the governors in May." in own
    client_request.sign_in(twin_lead)
    page = client_request.get("tenancy_register.effective_set", tenancy=twin.slug)
    assert "Agreed with the governors" not in text_of(page) and "objection was accommodated" not in text_of(page)
    assert "Microsoft Azure OpenAI Service" in text_of(page.find(id="in-use"))


def test_the_json_gives_members_the_same_lines(
    client, client_request, demo_register, school, data_lead, azure_fallback
):
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.of(data_lead))
    url = client_request.url("tenancy_register.effective_set_json", tenancy=school.slug)
    assert client.get(url).status_code == 401  # anonymous: JSON, not a sign-in page
    client_request.sign_in(data_lead)
    document = client.get(url).json
    assert document["tenancy"] == {"name": school.name, "reference": f"URN {school.urn}", "kind": "school"}
    assert document["register_version"] == "1.4"
    azure = next(line for line in document["lines"] if line["key"] == "azure-openai")
    assert azure["included"] is False and azure["option"] == "azure-fallback"
    assert azure["reason"].startswith("Not used: the option “Azure OpenAI fallback” is off for your organisation.")
    assert azure["since"].endswith("Z")
    assert {c["key"] for c in document["upcoming_changes"]} == {"kestrel-moderation", "fellside-infrastructure"}


def test_a_viewer_sees_the_options_but_cannot_change_them(
    client_request, demo_register, school, viewer, azure_fallback
):
    client_request.sign_in(viewer)
    page = client_request.get("tenancy_register.options", tenancy=school.slug)
    assert "Azure OpenAI fallback" in text_of(page) and "Now on for" in text_of(page)
    assert page.find("form", method="post") is None or not page.select("form input[name=option]")
    client_request.post(
        "tenancy_register.change_option",
        {"option": "azure-fallback", "azure-fallback-enabled": "off", "azure-fallback-version": "0"},
        _expected_status=403,
        tenancy=school.slug,
    )
    denied = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.tenancy_id == school.id)
    )
    assert denied is not None and "manage_options" in denied.reason


def test_a_data_lead_switches_the_fallback_off_and_sees_it_leave_their_set(
    client_request, demo_register, school, data_lead
):
    client_request.sign_in(data_lead)
    page = client_request.get("tenancy_register.options", tenancy=school.slug)
    form = page.find("input", attrs={"name": "option", "value": "azure-fallback"}).find_parent("form")
    assert form.find("input", attrs={"name": "azure-fallback-version"})["value"] == "0"
    assert "Microsoft Azure OpenAI Service" in text_of(page.find(id="option-azure-fallback").find_parent("section"))

    response = client_request.post(
        "tenancy_register.change_option",
        {"option": "azure-fallback", "azure-fallback-enabled": "off", "azure-fallback-version": "0"},
        tenancy=school.slug,
    )
    assert response.location.endswith(f"/t/{school.slug}/sub-processors#option-azure-fallback")
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    assert "Azure OpenAI fallback is now off" in text_of(page.find(class_="govuk-notification-banner"))
    assert "Microsoft Azure OpenAI Service" not in text_of(page.find(id="in-use"))
    row = text_of(page.find(id="line-azure-openai"))
    assert "off for your organisation" in row
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tenancy.option_changed"))
    assert (event.actor_id, event.tenancy_id, event.details["to"]) == (data_lead.id, school.id, "off")


def test_a_stale_form_gets_the_conflict_message_and_keeps_the_choice(client_request, demo_register, school, data_lead):
    other = make_user("Olu Other", tenancy=school, role=Role.DATA_LEAD)
    client_request.sign_in(data_lead)
    client_request.get("tenancy_register.options", tenancy=school.slug)  # Dana reads version 0
    set_option(school, _option("voice-input"), True, expected_version=0, actor=Actor.of(other))  # Olu saves first
    db.session.commit()  # as Olu's request would (the test's outer transaction still rolls back)

    page = checked(
        client_request.post(
            "tenancy_register.change_option",
            {"option": "voice-input", "voice-input-enabled": "off", "voice-input-version": "0"},
            _expected_status=409,
            tenancy=school.slug,
        )
    )
    summary = text_of(page.find(class_="govuk-error-summary"))
    assert "Olu Other changed “Voice input”" in summary and "Nothing you chose was saved" in summary
    assert page.title.get_text().startswith("Error:")
    section = page.find(id="option-voice-input").find_parent("section")
    # Dana's choice is still selected; the form now carries the version that is current.
    assert section.find("input", attrs={"name": "voice-input-enabled", "value": "off"}).has_attr("checked")
    assert section.find("input", attrs={"name": "voice-input-version"})["value"] == "1"
    assert "Now on for" in text_of(section)


def test_bad_option_forms_are_refused_clearly(client_request, demo_register, school, data_lead):
    client_request.sign_in(data_lead)
    page = checked(
        client_request.post(
            "tenancy_register.change_option",
            {"option": "voice-input", "voice-input-version": "0"},
            _expected_status=400,
            tenancy=school.slug,
        )
    )
    assert "Choose on or off" in text_of(page.find(class_="govuk-error-summary"))
    client_request.post("tenancy_register.change_option", {"option": "nope"}, _expected_status=400, tenancy=school.slug)


def test_a_trust_admin_switches_an_option_for_all_academies_at_once(client_request, demo_register):
    # A trust whose central staff use the service too: it has settings of its own beside its academies'.
    trust = make_trust("Harbour Learning Trust", central_staff_use_service=True)
    academies = [make_school(f"Harbour Academy {n}", trust=trust) for n in range(3)]
    admin = make_user("Tess Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    client_request.sign_in(admin)
    page = client_request.get("tenancy_register.options", tenancy=trust.slug)
    versions = page.find("input", attrs={"name": "all-azure-fallback-versions"})["value"]
    assert versions == ",".join(f"{a.id}:0" for a in academies)
    assert "3 academies of 3 have it on now" in text_of(page)
    # One table of academies by option, each academy leading to its own options (#25).
    grid = page.find(id="academy-options")
    assert [text_of(th) for th in grid.select("thead th")][:1] == ["Academy"]
    assert [text_of(tr.th) for tr in grid.select("tbody tr")] == [a.name for a in academies]
    assert "They do not change any academy" in text_of(page)

    client_request.post(
        "tenancy_register.change_option_for_academies",
        {"option": "azure-fallback", "all-azure-fallback-enabled": "off", "all-azure-fallback-versions": versions},
        tenancy=trust.slug,
    )
    page = client_request.get("tenancy_register.effective_set", tenancy=trust.slug)
    academy_rows = page.find("caption", string="Your academies").find_parent("table").select("tbody tr")
    assert all("Microsoft Azure OpenAI Service" in text_of(row) for row in academy_rows)

    # The same (now stale) form again: refused, nothing changed.
    page = checked(
        client_request.post(
            "tenancy_register.change_option_for_academies",
            {"option": "azure-fallback", "all-azure-fallback-enabled": "on", "all-azure-fallback-versions": versions},
            _expected_status=409,
            tenancy=trust.slug,
        )
    )
    assert "No academy was changed" in text_of(page.find(class_="govuk-error-summary"))


def test_a_school_cannot_use_the_trust_wide_switch(client_request, demo_register, school, data_lead):
    client_request.sign_in(data_lead)
    client_request.post(
        "tenancy_register.change_option_for_academies",
        {"option": "azure-fallback", "all-azure-fallback-enabled": "off", "all-azure-fallback-versions": "1:0"},
        _expected_status=403,
        tenancy=school.slug,
    )


def _option(key):
    from portal.register.models import TenancyOption

    return db.session.scalar(select(TenancyOption).where(TenancyOption.key == key))


def test_schools_share_rows_they_have_in_common_and_each_sees_its_own_others(
    client_request, demo_register, school, data_lead, azure_fallback
):
    """Rows are kept by what they show (tenancy_views._rows): a row one school has differently is its own."""
    from portal.register.cache import register_cache

    other = make_school("Second Row School")
    other_lead = make_user("Second Row Lead", tenancy=other, role=Role.DATA_LEAD)
    set_option(other, azure_fallback, False, expected_version=0, actor=Actor.of(other_lead))
    db.session.commit()

    def azure_row(tenancy, user) -> tuple[str, str]:
        client_request.sign_in(user)
        page = client_request.get("tenancy_register.effective_set", tenancy=tenancy.slug)
        row = page.find(id="line-azure-openai")
        return row.find_parent("table")["id"], text_of(row)

    def rows_kept() -> int:
        # Each kept key is (the caller's key, the language it was written in): register/cache.py.
        return sum(1 for key, _language in list(register_cache()._fragments) if key[0] == "effective-row")

    assert azure_row(school, data_lead)[0] == "in-use"
    kept = rows_kept()  # every row of the first school's page
    where, text = azure_row(other, other_lead)
    assert where == "not-in-use" and "is off for your organisation" in text
    # The second school added only the row it has differently; the first still sees its own.
    assert rows_kept() == kept + 1
    where, text = azure_row(school, data_lead)
    assert where == "in-use" and "on by default" in text
