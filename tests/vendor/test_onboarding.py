"""Setting up a tenancy from the imported register: create, bind directories, auto-join, invite."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.gias import service as gias
from portal.notify.models import OutboxMessage
from portal.tenancy.models import DirectoryProvider, Invitation, Role, Tenancy, TenancyDirectory
from portal.vendor import service
from tests.factories import bind_directory, make_school
from tests.gias.extracts import establishment, establishments_csv, group, groups_csv

ACTOR = audit.Actor.system("test")
GUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.fixture
def register(app):
    for data in (
        establishments_csv(
            [
                establishment("141234", "Oakfield Primary Academy", trust_uid="4012"),
                establishment("141235", "Riverside High School", phase="Secondary", la="Bradford"),
                establishment("141236", "Old Mill Primary School", status="Closed"),
                establishment("141237", "Canal Side Infant School"),
            ]
        ),
        # A later extract records its closure.
        establishments_csv([establishment("141237", "Canal Side Infant School", status="Closed")]),
        groups_csv([group("4012", "Wharfe Valley Learning Trust", companies_house="08123456")]),
    ):
        gias.apply(gias.stage(data, filename="x.csv", uploaded_by=None, actor=ACTOR), actor=ACTOR)


def _tenancy(slug: str) -> Tenancy:
    return db.session.scalar(select(Tenancy).where(Tenancy.slug == slug))


def test_staff_set_up_a_school_from_the_register(client_request, vendor_admin, register):
    client_request.sign_in(vendor_admin)
    page = client_request.get("vendor.new_tenancy", q="oakfield")
    assert "Oakfield Primary Academy" in page.get_text()
    assert "Old Mill" not in client_request.get("vendor.new_tenancy", q="old mill").get_text()
    response = client_request.post("vendor.create_tenancy", {"kind": "school", "key": "141234"})
    tenancy = _tenancy(response.headers["Location"].rsplit("/", 1)[1])
    assert (tenancy.urn, tenancy.name, tenancy.local_authority) == ("141234", "Oakfield Primary Academy", "Leeds")
    page = client_request.get("vendor.tenancy", slug=tenancy.slug)
    assert "URN 141234" in page.get_text()
    # It no longer shows as one to set up, and a second attempt is refused.
    assert "Oakfield Primary Academy" not in client_request.get("vendor.new_tenancy", q="141234").get_text()
    with pytest.raises(service.OnboardingError, match="already has a tenancy"):
        service.create_tenancy(urn="141234", actor=ACTOR)


def test_a_trust_gathers_its_academies_and_later_academies_join_it(app, register):
    school = service.create_tenancy(urn="141234", actor=ACTOR)
    assert school.trust_id is None
    trust = service.create_tenancy(group_uid="4012", actor=ACTOR)
    assert trust.companies_house_number == "08123456"
    assert school.trust_id == trust.id
    service.create_tenancy(urn="141235", actor=ACTOR)
    assert db.session.scalar(select(Tenancy.trust_id).where(Tenancy.urn == "141235")) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"urn": "141237"}, "is closed in the register"),
        ({"urn": "199999"}, "is not in the imported register"),
        ({"group_uid": "9999"}, "is not in the imported register"),
        ({}, "Choose a school or trust"),
    ],
)
def test_refused_set_ups(app, register, kwargs, message):
    with pytest.raises(service.OnboardingError, match=message):
        service.create_tenancy(**kwargs, actor=ACTOR)


@pytest.mark.parametrize(
    ("provider", "value", "stored"),
    [
        ("microsoft", GUID.upper(), GUID),
        ("microsoft", "{" + GUID + "}", GUID),
        ("google", "Oakfield.sch.uk.", "oakfield.sch.uk"),
    ],
)
def test_directories_are_validated_and_normalised(client_request, vendor_admin, provider, value, stored):
    school = make_school("Oakfield Primary", urn="141234")
    client_request.sign_in(vendor_admin)
    client_request.post(
        "vendor.bind_directory", {"directory-provider": provider, "directory-value": value}, slug=school.slug
    )
    assert [d.value for d in db.session.scalars(select(TenancyDirectory))] == [stored]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tenancy.directory_bound"))
    assert event.tenancy_id == school.id and event.details["value"] == stored


@pytest.mark.parametrize(
    ("provider", "value", "message"),
    [
        ("microsoft", "not-a-guid", "Enter the directory&#39;s tenant ID as a GUID"),
        ("microsoft", "9188040d-6c67-4c5b-b112-36a304b66dad", "tenant for personal accounts"),
        ("google", "oakfield", "Enter the Google Workspace domain"),
        ("google", "https://oakfield.sch.uk/", "Enter the Google Workspace domain"),
        ("google", "gmail.com", "not a personal email domain"),
    ],
)
def test_bad_directories_are_refused_with_a_clear_message(client_request, vendor_admin, provider, value, message):
    school = make_school("Oakfield Primary", urn="141234")
    client_request.sign_in(vendor_admin)
    page = client_request.post(
        "vendor.bind_directory",
        {"directory-provider": provider, "directory-value": value},
        _expected_status=200,
        slug=school.slug,
    )
    assert page.title.get_text().startswith("Error:")
    assert message.replace("&#39;", "'") in page.select_one(".govuk-error-summary").get_text()
    assert db.session.scalar(select(TenancyDirectory)) is None


def test_a_directory_belongs_to_one_tenancy(app):
    first, second = make_school(urn="141234"), make_school(urn="141235")
    bind_directory(first, DirectoryProvider.GOOGLE, "oakfield.sch.uk")
    with pytest.raises(service.OnboardingError, match="already bound to"):
        service.bind_directory(second, provider=DirectoryProvider.GOOGLE, value="OAKFIELD.sch.uk", actor=ACTOR)


def test_auto_join_needs_a_directory_and_is_audited(client_request, vendor_admin):
    school = make_school(urn="141234")
    db.session.commit()
    client_request.sign_in(vendor_admin)
    page = client_request.post("vendor.auto_join", {"auto-join-enabled": "yes"}, _expected_status=200, slug=school.slug)
    assert "Bind a Microsoft directory or Google domain before" in page.get_text()
    bind_directory(school, DirectoryProvider.MICROSOFT, GUID)
    client_request.post("vendor.auto_join", {"auto-join-enabled": "yes"}, slug=school.slug)
    assert _tenancy(school.slug).auto_join_enabled is True
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tenancy.auto_join_changed")) is not None
    directory_id = db.session.scalar(select(TenancyDirectory.id))
    client_request.post(
        "vendor.remove_directory", {"remove-submit": "Remove"}, slug=school.slug, directory_id=directory_id
    )
    db.session.expire_all()
    assert _tenancy(school.slug).auto_join_enabled is False  # no directory left to join from


def test_removing_another_tenancys_directory_is_refused(client_request, vendor_admin):
    mine, other = make_school(urn="141234"), make_school(urn="141235")
    directory = bind_directory(other, DirectoryProvider.GOOGLE, "riverside.sch.uk")
    db.session.commit()  # the refused request rolls back its own work only
    client_request.sign_in(vendor_admin)
    client_request.post(
        "vendor.remove_directory",
        {"remove-submit": "Remove"},
        _expected_status=200,
        slug=mine.slug,
        directory_id=directory.id,
    )
    assert db.session.get(TenancyDirectory, directory.id) is not None


def test_inviting_the_first_data_lead(client_request, vendor_admin):
    school = make_school("Oakfield Primary", urn="141234")
    db.session.commit()
    client_request.sign_in(vendor_admin)
    page = client_request.post(
        "vendor.invite", {"invite-email": "lead@oakfield.sch.uk"}, _expected_status=200, slug=school.slug
    )
    assert "Bind the school" in page.get_text()
    bind_directory(school, DirectoryProvider.GOOGLE, "oakfield.sch.uk")
    db.session.commit()
    page = client_request.post(
        "vendor.invite", {"invite-email": "not an address"}, _expected_status=200, slug=school.slug
    )
    assert "Enter an email address in the correct format" in page.get_text()
    client_request.post("vendor.invite", {"invite-email": "lead@oakfield.sch.uk"}, slug=school.slug)
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.tenancy_id, invitation.role, invitation.email) == (
        school.id,
        Role.DATA_LEAD,
        "lead@oakfield.sch.uk",
    )
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == "lead@oakfield.sch.uk" and "/invitations/" in mail.body_text


def test_staff_role_is_needed_to_change_a_tenancy(client_request, data_lead, school):
    db.session.commit()  # a refusal rolls back the request's work before it audits
    client_request.sign_in(data_lead)
    client_request.get("vendor.home", _expected_status=403)
    client_request.post("vendor.auto_join", {"auto-join-enabled": "yes"}, _expected_status=403, slug=school.slug)


GRANTING = [
    ("POST", "/vendor/tenancies/{slug}/directories"),
    ("POST", "/vendor/tenancies/{slug}/auto-join"),
    ("POST", "/vendor/tenancies/{slug}/invitations"),
    ("POST", "/vendor/agreements"),
    ("POST", "/vendor/gias/imports/1/confirm"),
]


@pytest.mark.parametrize(("method", "path"), GRANTING, ids=[path for _, path in GRANTING])
def test_granting_access_needs_a_vendor_admin_signed_in_just_now(app, client, vendor_staff, vendor_admin, method, path):
    """Publishing a text, confirming an import, binding, auto-join and inviting: not staff, not a stale sign-in."""
    import datetime as dt

    from portal.dates import now
    from tests.factories import sign_in_client
    from tests.pages import csrf_token_for

    school = make_school()
    db.session.commit()
    url = path.format(slug=school.slug)
    sign_in_client(client, vendor_staff)
    assert client.open(url, method=method, data={"csrf_token": csrf_token_for(app, client)}).status_code == 403
    sign_in_client(client, vendor_admin)
    with client.session_transaction() as session:
        session["signed_in_at"] = (now() - dt.timedelta(minutes=app.config["RECENT_SIGN_IN_MINUTES"] + 1)).isoformat()
    response = client.open(url, method=method, data={"csrf_token": csrf_token_for(app, client)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert policy_rule(app, method, url).describe() == "vendor:grant_access (recent sign-in)"


def policy_rule(app, method, url):
    from portal import policy

    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match(url, method=method)
    return policy.rule_for(app, endpoint)
