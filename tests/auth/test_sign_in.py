"""Sign-in through the local OpenID Connect provider: every check, on every sign-in."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent, Outcome
from portal.auth.models import Identity, User
from portal.extensions import db
from portal.tenancy.models import DirectoryProvider, Membership, Role
from tests.auth.provider import PERSONAL_TENANT, google_claims, microsoft_claims, query_of
from tests.factories import bind_directory, make_school, make_user


def new_guid() -> str:
    return str(uuid.uuid4())


def last_sign_in_event() -> AuditEvent:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in").order_by(AuditEvent.id.desc())
    ).first()


@pytest.fixture
def ms_school(app):
    tid = new_guid()
    school = make_school("Hilltop Primary School")
    bind_directory(school, DirectoryProvider.MICROSOFT, tid)
    db.session.commit()  # a refused sign-in rolls back its own transaction, not the test's data
    return school, tid


@pytest.fixture
def ms_lead(ms_school, provider):
    school, tid = ms_school
    oid = new_guid()
    user = make_user("Lena Lead", tenancy=school, role=Role.DATA_LEAD, identity=("microsoft", tid, oid, tid))
    sub = f"lena-{oid[:8]}"
    provider.set_user(sub, microsoft_claims(tid, oid, "Lena Lead", "lena@hilltop.example"))
    db.session.commit()
    return user, sub


def assert_refused(response, reason_part: str, outcome: Outcome = Outcome.FAILURE) -> AuditEvent:
    assert response.status_code == 403, response.data[:300]
    text = response.get_data(as_text=True)
    assert "could not be signed in" in text or "do not have access yet" in text
    event = last_sign_in_event()
    assert event.outcome is outcome
    assert reason_part in (event.reason or ""), event.reason
    return event


def test_microsoft_sign_in_lands_in_the_tenancy_and_is_audited(sign_in, ms_lead, ms_school, client):
    user, sub = ms_lead
    response = sign_in("microsoft", sub)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{ms_school[0].slug}/"  # one organisation: its home (#25)
    assert client.get("/t/").status_code == 302
    assert client.get(f"/t/{ms_school[0].slug}/").status_code == 200
    event = last_sign_in_event()
    assert event.outcome is Outcome.SUCCESS and event.actor_id == user.id


def test_a_real_sign_in_makes_a_lasting_session_whose_cookie_is_not_rewritten_on_every_page(
    sign_in, ms_lead, ms_school, client
):
    """The session begin_session makes is permanent (the cookie carries an expiry), and within the
    minute of "last seen" a page does not send the cookie again (SESSION_REFRESH_EACH_REQUEST off)."""
    _, sub = ms_lead
    response = sign_in("microsoft", sub)
    assert "Expires=" in response.headers["Set-Cookie"]
    client.get(response.headers["Location"])  # the first page may add the CSRF secret its sign-out form needs
    again = client.get(f"/t/{ms_school[0].slug}/")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers


def test_pkce_s256_and_nonce_are_sent_and_each_flow_keeps_its_own_verifier(sign_in, ms_lead, provider):
    _, sub = ms_lead
    first = query_of(sign_in.start("microsoft"))
    second = query_of(sign_in.start("microsoft"))
    for params in (first, second):
        assert params["code_challenge_method"] == "S256"
        assert len(params["code_challenge"]) >= 43
        assert params["nonce"] and params["state"]
        assert "openid" in params["scope"].split() and "profile" in params["scope"].split()
    assert first["code_challenge"] != second["code_challenge"]
    assert first["state"] != second["state"] and first["nonce"] != second["nonce"]
    # The provider's front door checks S256(code_verifier) == code_challenge: a full sign-in passes it.
    assert sign_in("microsoft", sub).status_code == 302
    assert provider.token_requests[-1]["code_verifier"]


def test_a_hundred_sign_ins_in_a_row_each_checked(sign_in, ms_lead, provider, client):
    user, sub = ms_lead
    for n in range(100):
        response = sign_in("microsoft", sub)
        assert response.status_code == 302, n
    # ...and the hundred-and-first with a wrong issuer is still refused.
    identity = db.session.scalar(select(Identity).where(Identity.user_id == user.id))
    provider.set_user(
        sub,
        microsoft_claims(
            identity.directory,
            identity.subject,
            "Lena Lead",
            "lena@x",
            iss="https://login.microsoftonline.com/" + new_guid() + "/v2.0",
        ),
    )
    assert_refused(sign_in("microsoft", sub), "")
    successes = db.session.scalar(
        select(db.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "auth.sign_in", AuditEvent.outcome == Outcome.SUCCESS, AuditEvent.actor_id == user.id
        )
    )
    assert successes == 100


def test_replayed_callback_is_refused(sign_in, ms_lead, client):
    _, sub = ms_lead
    url = sign_in.callback_url("microsoft", sub)
    assert client.get(url).status_code == 302
    assert_refused(client.get(url), "MismatchingState")


def test_state_mismatch_is_refused(sign_in, ms_lead, client):
    _, sub = ms_lead
    url = sign_in.callback_url("microsoft", sub)
    path, _, query = url.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&"))
    params["state"] = "not-the-state"
    assert_refused(client.get(path + "?" + "&".join(f"{k}={v}" for k, v in params.items())), "MismatchingState")


def test_forged_signature_is_refused(sign_in, ms_lead, provider):
    _, sub = ms_lead

    def forge(token):
        header, payload, signature = token["id_token"].split(".")
        token["id_token"] = ".".join(
            [header, payload, signature[:-6] + ("AAAAAA" if signature[-6:] != "AAAAAA" else "BBBBBB")]
        )
        return token

    provider.tamper = forge
    assert_refused(sign_in("microsoft", sub), "ID token rejected")


def test_nonce_mismatch_is_refused(sign_in, ms_lead, provider):
    user, sub = ms_lead
    identity = db.session.scalar(select(Identity).where(Identity.user_id == user.id))
    provider.set_user(sub, microsoft_claims(identity.directory, identity.subject, "L", "l@x", nonce="another-nonce"))
    assert_refused(sign_in("microsoft", sub), "nonce")


@pytest.mark.parametrize(
    ("override", "reason"),
    [({"aud": "someone-else"}, "aud"), ({"exp": 1_000_000_000}, "exp")],
    ids=["wrong-audience", "expired"],
)
def test_wrong_audience_and_expired_token_are_refused(sign_in, ms_lead, provider, override, reason):
    user, sub = ms_lead
    identity = db.session.scalar(select(Identity).where(Identity.user_id == user.id))
    provider.set_user(sub, microsoft_claims(identity.directory, identity.subject, "L", "l@x", **override))
    event = assert_refused(sign_in("microsoft", sub), "")
    assert reason in event.reason.lower() or "expired" in event.reason.lower()


def test_issuer_must_carry_the_tokens_own_tid(sign_in, ms_school, provider):
    _school, tid = ms_school
    other = new_guid()
    provider.set_user(
        "spoof", microsoft_claims(tid, new_guid(), "S", "s@x", iss=f"https://login.microsoftonline.com/{other}/v2.0")
    )
    assert_refused(sign_in("microsoft", "spoof"), "iss")


def test_personal_microsoft_account_is_refused(sign_in, provider):
    provider.set_user("personal-ms", microsoft_claims(PERSONAL_TENANT, new_guid(), "P", "p@outlook.example"))
    response = sign_in("microsoft", "personal-ms")
    assert_refused(response, "personal Microsoft account")
    assert "personal Microsoft account" in response.get_data(as_text=True)


def test_unbound_directory_is_refused(sign_in, provider):
    tid = new_guid()
    provider.set_user("stranger", microsoft_claims(tid, new_guid(), "S", "s@x"))
    assert_refused(sign_in("microsoft", "stranger"), "not bound")


def test_email_claim_matching_another_account_gains_nothing(sign_in, ms_lead, ms_school, provider, client):
    user, _ = ms_lead
    school, tid = ms_school
    provider.set_user(
        "impostor", microsoft_claims(tid, new_guid(), "Lena Lead", user.email, preferred_username=user.email)
    )
    response = sign_in("microsoft", "impostor")
    assert_refused(response, "no account", Outcome.DENIED)
    assert "Ask your school&#39;s data lead" in response.get_data(as_text=True) or "data lead" in response.get_data(
        as_text=True
    )
    assert client.get(f"/t/{school.slug}/").status_code == 302  # still anonymous
    assert db.session.scalar(select(db.func.count()).select_from(Identity).where(Identity.user_id == user.id)) == 1


def test_google_workspace_user_of_an_auto_join_domain_joins_as_viewer(sign_in, provider, app):
    school = make_school("Meadow School", auto_join_enabled=True)
    bind_directory(school, DirectoryProvider.GOOGLE, "meadow.example")
    provider.set_user("g-meadow", google_claims("meadow.example", "Gail", "gail@meadow.example"))
    response = sign_in("google", "g-meadow")
    assert response.status_code == 302 and response.headers["Location"] == f"/t/{school.slug}/"
    identity = db.session.scalar(select(Identity).where(Identity.subject == "g-meadow"))
    assert identity.issuer_key == "https://accounts.google.com" and identity.directory == "meadow.example"
    membership = db.session.scalar(select(Membership).where(Membership.user_id == identity.user_id))
    assert membership.role is Role.VIEWER and membership.tenancy_id == school.id


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (google_claims(None, "P", "p@gmail.example"), "personal Google account"),
        (google_claims("meadow2.example", "U", "u@meadow2.example", email_verified=False), "email not verified"),
        (google_claims("meadow2.example", "U", "u@meadow2.example", iss="https://evil.example"), "iss"),
    ],
    ids=["personal-gmail", "unverified", "wrong-issuer"],
)
def test_google_refusals(sign_in, provider, claims, reason):
    school = make_school("Meadow Two", auto_join_enabled=True)
    bind_directory(school, DirectoryProvider.GOOGLE, "meadow2.example")
    provider.set_user("g-bad", claims)
    assert_refused(sign_in("google", "g-bad"), reason)


def test_bound_domain_without_auto_join_gets_the_no_access_page(sign_in, provider):
    school = make_school("Closed School")
    bind_directory(school, DirectoryProvider.GOOGLE, "closed.example")
    provider.set_user("g-closed", google_claims("closed.example", "C", "c@closed.example"))
    response = sign_in("google", "g-closed")
    assert_refused(response, "no account", Outcome.DENIED)
    assert "You do not have access yet" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.display_name == "C")) is None


def test_next_only_to_own_paths(sign_in, ms_lead, ms_school):
    _, sub = ms_lead
    school, _ = ms_school
    assert sign_in("microsoft", sub, next=f"/t/{school.slug}/").headers["Location"] == f"/t/{school.slug}/"
    home = f"/t/{school.slug}/"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example/", "/%09/evil.example/"):
        assert sign_in("microsoft", sub, next=hostile).headers["Location"] == home, hostile


def test_sign_in_endpoints_are_rate_limited(app, client):
    from tests.pages import csrf_token_for

    token = csrf_token_for(app, client)
    statuses = [client.post("/sign-in/nowhere", data={"csrf_token": token}).status_code for _ in range(25)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_disabled_user_cannot_sign_in(sign_in, ms_lead):
    user, sub = ms_lead
    user.is_disabled = True
    db.session.flush()
    assert_refused(sign_in("microsoft", sub), "disabled")


def test_signing_key_with_another_issuer_in_the_jwks_is_refused(sign_in, ms_lead, monkeypatch):
    from portal.auth import oidc

    _, sub = ms_lead
    real_client = oidc.client

    def client_with_issuer_keys(provider_name):
        found = real_client(provider_name)
        original = found.fetch_jwk_set

        def keys_naming_an_issuer(force=False):
            jwks = original(force=force)
            return {
                "keys": [{**key, "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"} for key in jwks["keys"]]
            }

        monkeypatch.setattr(found, "fetch_jwk_set", keys_naming_an_issuer)
        return found

    monkeypatch.setattr(oidc, "client", client_with_issuer_keys)
    # The key's issuer template filled with the token's tid fits: accepted.
    response = sign_in("microsoft", sub)
    assert response.status_code == 302, last_sign_in_event().reason

    def client_with_wrong_issuer(provider_name):
        found = real_client(provider_name)
        original = found.fetch_jwk_set
        monkeypatch.setattr(
            found,
            "fetch_jwk_set",
            lambda force=False: {"keys": [{**k, "issuer": "https://evil.example/v2.0"} for k in original()["keys"]]},
        )
        return found

    monkeypatch.setattr(oidc, "client", client_with_wrong_issuer)
    assert_refused(sign_in("microsoft", sub), "another issuer")


def test_vendor_account_signs_in_only_through_the_vendors_directory(sign_in, provider, app, ms_school):
    from portal.auth.models import VendorRole

    _, school_tid = ms_school
    vendor_tid = app.config["VENDOR_ENTRA_TENANT_ID"]
    oid = new_guid()
    staff = make_user(
        "Vendor Person", vendor_role=VendorRole.STAFF, identity=("microsoft", vendor_tid, oid, vendor_tid)
    )
    db.session.commit()
    provider.set_user("vendor-person", microsoft_claims(vendor_tid, oid, "Vendor Person", "v@larkspur.example"))
    assert sign_in("microsoft", "vendor-person").status_code == 302
    # The same account reached through a school's directory is refused, and the failure is theirs to see.
    db.session.add(
        Identity(user_id=staff.id, provider="microsoft", issuer_key=school_tid, subject=oid, directory=school_tid)
    )
    db.session.commit()
    provider.set_user("vendor-via-school", microsoft_claims(school_tid, oid, "Vendor Person", "v@larkspur.example"))
    event = assert_refused(sign_in("microsoft", "vendor-via-school"), "vendor's directory")
    assert event.actor_id == staff.id


def test_someone_from_the_vendor_directory_without_an_account_has_no_access(sign_in, provider, app):
    vendor_tid = app.config["VENDOR_ENTRA_TENANT_ID"]
    provider.set_user("new-vendor", microsoft_claims(vendor_tid, new_guid(), "New", "new@larkspur.example"))
    assert_refused(sign_in("microsoft", "new-vendor"), "no account", Outcome.DENIED)


def test_the_redirect_uri_follows_the_base_url_not_the_host_header(app, client, provider):
    from urllib.parse import parse_qs, urlsplit

    app.config["WTF_CSRF_ENABLED"] = False  # the test client keeps the CSRF cookie for its own host only
    response = client.post("/sign-in/microsoft", headers={"Host": "evil.example"})
    assert response.status_code == 302
    redirect_uri = parse_qs(urlsplit(response.headers["Location"]).query)["redirect_uri"][0]
    assert redirect_uri == "http://portal.test/sign-in/microsoft/callback"
