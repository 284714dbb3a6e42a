"""Access rows for the DPIA pack: members see the page and download (viewers included); nobody else."""

from tests.access.matrix import Row

MEMBERS_OWN = "302 200 200 200 404 404 404"
OUTSIDER = "302 404 404 404 404 404 404"

ROWS = [
    Row("dpia.pack", own=MEMBERS_OWN, other=OUTSIDER),
    Row("dpia.download", "POST", own=MEMBERS_OWN, other=OUTSIDER, values=lambda world, tenancy: {"fmt": "csv"}),
]
