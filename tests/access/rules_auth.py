"""Access rows for sign-in, your account, and the vendor admin's people pages."""

from tests.access.matrix import Row

SIGNED_IN_200 = "302 200 200 200 200 200 200"
ADMIN_ONLY = "302 403 403 403 403 403 {}"

ROWS = [
    Row("auth.sign_in", status="200 200 200 200 200 200 200"),
    # No provider listens at the suite's own address (tests/conftest.py): sign-in is unavailable.
    Row("auth.start", "POST", status="503 503 503 503 503 503 503", values=lambda w, t: {"provider": "microsoft"}),
    # A callback without a flow in the session is refused.
    Row("auth.callback", status="403 403 403 403 403 403 403", values=lambda w, t: {"provider": "google"}),
    Row("auth.invitation", status="404 404 404 404 404 404 404", values=lambda w, t: {"token": "unknown-token"}),
    Row("auth.sign_out", "POST", status="302 302 302 302 302 302 302"),
    Row("auth.account", status=SIGNED_IN_200),
    Row("auth.sign_out_everywhere", "POST", status="302 302 302 302 302 302 302"),
    # The language switch (#29): a visitor's link sets a cookie and goes back; a signed-in person's
    # choice is a form kept on their account.
    Row("language.switch", status="302 302 302 302 302 302 302", values=lambda w, t: {"code": "cy"}),
    Row("language.choose", "POST", status="302 302 302 302 302 302 302", data=lambda w, t: {"language": "cy"}),
    Row("people.index", status=ADMIN_ONLY.format(200)),
    *[
        Row(
            f"people.{action}",
            "POST",
            status=ADMIN_ONLY.format(302),
            values=lambda w, t: {"user_id": w.users["viewer"].id},
            data=lambda w, t: {"vendor_role": "none"},
        )
        for action in ("disable", "enable", "revoke", "vendor_role")
    ],
]
