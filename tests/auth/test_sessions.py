"""Sessions: a copied cookie dies at sign-out everywhere, removal, disabling, revocation; timeouts; recent sign-in."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import VendorRole
from portal.dates import now
from portal.extensions import db
from portal.tenancy.models import Membership, Role
from tests.factories import make_school, make_user, sign_in_client
from tests.pages import csrf_token_for


def saved_cookie(client, app) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def second_browser(app, cookie: str):
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return other


@pytest.fixture
def lead(app):
    school = make_school()
    user = make_user("Cookie Lead", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()
    return user, school


def test_sign_out_everywhere_kills_a_saved_cookie(app, client, lead):
    user, school = lead
    sign_in_client(client, user)
    assert client.get("/account").status_code == 200
    cookie = saved_cookie(client, app)
    copy = second_browser(app, cookie)
    assert copy.get(f"/t/{school.slug}/").status_code == 200
    response = client.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token_for(app, client)})
    assert response.status_code == 302
    stale = copy.get(f"/t/{school.slug}/")
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/sign-in")
    assert second_browser(app, cookie).get("/account").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sign_out_everywhere")) is not None


def test_removing_a_membership_ends_their_sessions(app, client, lead):
    user, school = lead
    member = make_user("Removed Member", tenancy=school, role=Role.VIEWER)
    db.session.commit()
    member_client = app.test_client()
    sign_in_client(member_client, member)
    assert member_client.get(f"/t/{school.slug}/").status_code == 200
    sign_in_client(client, user)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == member.id))
    response = client.post(
        f"/t/{school.slug}/members/{membership.id}/remove", data={"csrf_token": csrf_token_for(app, client)}
    )
    assert response.status_code == 302
    assert member_client.get("/account").status_code == 302


@pytest.mark.parametrize("action", ["disable", "revoke"])
def test_vendor_admin_disable_and_revoke_end_sessions(app, client, lead, action):
    user, _school = lead
    admin = make_user("Admin", vendor_role=VendorRole.ADMIN)
    db.session.commit()
    victim = app.test_client()
    sign_in_client(victim, user)
    assert victim.get("/account").status_code == 200
    sign_in_client(client, admin)
    response = client.post(f"/vendor/people/{user.id}/{action}", data={"csrf_token": csrf_token_for(app, client)})
    assert response.status_code == 302
    assert victim.get("/account").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == f"people.{action}")) is not None


def test_vendor_admin_actions_need_a_recent_sign_in(app, client):
    admin = make_user("Admin", vendor_role=VendorRole.ADMIN)
    db.session.commit()
    sign_in_client(client, admin)
    assert client.get("/vendor/people").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] = (now() - dt.timedelta(minutes=app.config["RECENT_SIGN_IN_MINUTES"] + 1)).isoformat()
    response = client.get("/vendor/people")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    ("key", "age"),
    [("last_seen_at", dt.timedelta(minutes=61)), ("signed_in_at", dt.timedelta(hours=13))],
    ids=["idle", "absolute"],
)
def test_idle_and_absolute_timeouts(app, client, lead, key, age):
    user, _ = lead
    sign_in_client(client, user)
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        session[key] = (now() - age).isoformat()
    assert client.get("/account").status_code == 302


def test_the_idle_timeout_counts_from_the_last_request_to_within_a_minute(app, client, lead):
    user, _ = lead
    sign_in_client(client, user)
    # A request 30 minutes after the last one moves "last seen" to now, so activity keeps the session.
    with client.session_transaction() as session:
        session["last_seen_at"] = (now() - dt.timedelta(minutes=30)).isoformat()
    client.get("/account")
    with client.session_transaction() as session:
        assert now() - dt.datetime.fromisoformat(session["last_seen_at"]) < dt.timedelta(minutes=1)
    # Within the minute the cookie is not rewritten (no Set-Cookie on every response).
    response = client.get("/account")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    # So a session idle for 59 minutes still works, and after 61 minutes it does not.
    with client.session_transaction() as session:
        session["last_seen_at"] = (now() - dt.timedelta(minutes=59)).isoformat()
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        session["last_seen_at"] = (now() - dt.timedelta(minutes=61)).isoformat()
    assert client.get("/account").status_code == 302


def test_staff_cannot_use_admin_people_pages(app, client):
    staff = make_user("Staff", vendor_role=VendorRole.STAFF)
    db.session.commit()
    sign_in_client(client, staff)
    assert client.get("/vendor/people").status_code == 403


def test_account_page_shows_own_security_events_only(app, client_request, lead):
    from portal.audit import service as audit

    user, _ = lead
    other = make_user("Someone Else")
    audit.record("auth.sign_in", actor=audit.Actor.of(user), object_type="provider", object_id="microsoft")
    audit.record(
        "auth.sign_in",
        actor=audit.Actor.of(other),
        object_type="provider",
        object_id="google",
        reason="someone-elses-event",
    )
    db.session.commit()
    client_request.sign_in(user)
    page = client_request.get("auth.account")
    text = page.get_text()
    assert "auth.sign_in" in text and "someone-elses-event" not in text


def test_people_page_lists_everyone_for_the_vendor_admin(app, client_request, count_queries):
    school = make_school("People School")
    admin = make_user("Admin", vendor_role=VendorRole.ADMIN)
    for n in range(5):
        make_user(f"Person {n}", tenancy=school, role=Role.VIEWER)
    db.session.commit()
    client_request.sign_in(admin)
    with count_queries() as counter:
        page = client_request.get("people.index")
    assert "Person 4" in page.get_text() and "People School" in page.get_text()
    assert counter.count < 10
    # Each person's vendor role select shows their role: "No vendor role" for those without one.
    chosen = {s["id"]: s.select_one("option[selected]")["value"] for s in page.select("select[name=vendor_role]")}
    assert chosen[f"vendor-role-{admin.id}"] == "vendor_admin" and list(chosen.values()).count("none") == 5


def test_vendor_admin_cannot_disable_themselves_and_role_values_are_checked(app, client):
    admin = make_user("Admin", vendor_role=VendorRole.ADMIN)
    target = make_user("Target")
    db.session.commit()
    sign_in_client(client, admin)
    token = csrf_token_for(app, client)
    client.post(f"/vendor/people/{admin.id}/disable", data={"csrf_token": token})
    client.post(f"/vendor/people/{target.id}/vendor-role", data={"csrf_token": token, "vendor_role": "superuser"})
    db.session.refresh(admin)
    db.session.refresh(target)
    assert not admin.is_disabled and target.vendor_role is None
    client.post(f"/vendor/people/{target.id}/vendor-role", data={"csrf_token": token, "vendor_role": "vendor_staff"})
    db.session.refresh(target)
    assert target.vendor_role is VendorRole.STAFF


def test_a_members_tenancy_comes_with_the_user_and_an_outsider_still_learns_nothing(app, client, count_queries):
    """The user loader reads the member's tenancies; other tenancies are still looked up, and refused."""
    from tests.factories import make_trust

    trust = make_trust()
    academy = make_school(trust=trust)
    stranger = make_school()
    lead = make_user("Loader Lead", tenancy=academy, role=Role.DATA_LEAD)
    admin = make_user("Loader Admin", tenancy=trust, role=Role.TRUST_ADMIN)
    db.session.commit()

    def slug_lookups(path: str, status: int) -> int:
        with count_queries() as counter:
            assert client.get(path).status_code == status
        return sum(1 for s in counter.statements if "tenancy.slug =" in s)

    sign_in_client(client, lead)
    assert slug_lookups(f"/t/{academy.slug}/", 200) == 0
    assert slug_lookups(f"/t/{stranger.slug}/", 404) == 1
    assert slug_lookups(f"/t/{trust.slug}/", 404) == 1
    # A trust admin's academy is not their own membership: it is looked up, and their trust role applies.
    sign_in_client(client, admin)
    assert slug_lookups(f"/t/{academy.slug}/", 200) == 1
    assert slug_lookups(f"/t/{trust.slug}/", 200) == 0


def test_sign_out_ends_the_session_on_the_server(app, client, lead):
    """A cookie saved before sign-out gets the sign-in page after it, for pages and for POSTs (ASVS 3.3.1)."""
    user, school = lead
    sign_in_client(client, user)
    cookie = saved_cookie(client, app)
    copy = second_browser(app, cookie)
    token = csrf_token_for(app, copy)
    assert copy.get(f"/t/{school.slug}/").status_code == 200
    assert client.post("/sign-out", data={"csrf_token": csrf_token_for(app, client)}).status_code == 302
    for path in (f"/t/{school.slug}/", "/account"):
        stale = copy.get(path)
        assert stale.status_code == 302 and stale.headers["Location"].startswith("/sign-in"), path
    posted = copy.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert posted.status_code == 302 and posted.headers["Location"].startswith("/sign-in")
    # The person's other sessions are not touched by signing out of this one.
    assert db.session.get(type(user), user.id).session_version == user.session_version


def test_other_sessions_survive_one_sign_out(app, client, lead):
    user, _ = lead
    sign_in_client(client, user)
    laptop = app.test_client()
    sign_in_client(laptop, user)
    client.post("/sign-out", data={"csrf_token": csrf_token_for(app, client)})
    assert laptop.get("/account").status_code == 200


def test_the_session_row_is_read_with_the_user_in_one_statement(app, client, lead, count_queries):
    user, _school = lead
    sign_in_client(client, user)
    client.get("/account")
    with count_queries() as counter:
        assert client.get("/cookies").status_code == 200
    assert counter.count == 1, counter.statements
    assert "user_session" in counter.statements[0] and "membership" in counter.statements[0]


def test_a_cookie_checked_once_is_still_refused_when_changed_or_too_old(app, client, lead, monkeypatch):
    """The signature of a cookie is remembered once checked (portal.auth.sessions); its age is not."""
    user, _ = lead
    sign_in_client(client, user)
    cookie = saved_cookie(client, app)
    assert second_browser(app, cookie).get("/account").status_code == 200
    assert second_browser(app, cookie).get("/account").status_code == 200  # the remembered check
    forged = cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB")
    assert second_browser(app, forged).get("/account").headers["Location"].startswith("/sign-in")
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", dt.timedelta(seconds=-1))
    expired = second_browser(app, cookie).get("/account")
    assert expired.status_code == 302 and expired.headers["Location"].startswith("/sign-in")
