"""Access rows for the foundation: public pages and static files."""

from tests.access.matrix import Row

EVERYONE_200 = "200 200 200 200 200 200 200"

ROWS = [
    Row("static", status=EVERYONE_200, values=lambda world, tenancy: {"filename": "css/portal.css"}),
    Row("web.start", status=EVERYONE_200),
    Row("web.healthz", status=EVERYONE_200),
    Row("web.favicon", status="301 301 301 301 301 301 301"),
    Row("web.cookies", status=EVERYONE_200),
    Row("web.accessibility", status=EVERYONE_200),
    Row("web.privacy", status=EVERYONE_200),
    # Only a scraper with the bearer token sees metrics; without it the route does not exist for anyone.
    Row("metrics.metrics", status="404 404 404 404 404 404 404"),
]
