"""Access rows for subscriptions (public) and the vendor's outbox."""

from tests.access.matrix import Row

EVERYONE = "{0} {0} {0} {0} {0} {0} {0}"
TOKEN = "unknown-token-" + "x" * 30

ROWS = [
    Row("notify.subscribe", status=EVERYONE.format(200)),
    Row("notify.subscribe", "POST", status=EVERYONE.format(302), data=lambda w, t: {"email": "matrix@example.org"}),
    Row("notify.check_email", status=EVERYONE.format(200)),
    Row("notify.confirm", status=EVERYONE.format(404), values=lambda w, t: {"token": TOKEN}),
    Row("notify.confirm", "POST", status=EVERYONE.format(404), values=lambda w, t: {"token": TOKEN}),
    Row("notify.confirmed", status=EVERYONE.format(200)),
    # Unsubscribing gives the same answer whether or not the token belongs to anyone.
    Row("notify.unsubscribe", status=EVERYONE.format(200), values=lambda w, t: {"token": TOKEN}),
    Row("notify.unsubscribe", "POST", status=EVERYONE.format(200), values=lambda w, t: {"token": TOKEN}),
    Row("notify_admin.index", status="302 403 403 403 403 200 200"),
]
