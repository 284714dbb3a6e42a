"""Access rows for the GIAS import pages (vendor staff and admins only)."""

from portal.audit import service as audit
from portal.gias import service
from tests.access.matrix import Row
from tests.gias.extracts import establishment, establishments_csv

VENDOR_PAGE = "302 403 403 403 403 200 200"
VENDOR_ACTION = "302 403 403 403 403 302 302"


def _batch(world, tenancy):
    data = establishments_csv([establishment("150001", "Matrix Register School")])
    batch = service.stage(data, filename="matrix.csv", uploaded_by=None, actor=audit.Actor.system("matrix"))
    return {"batch_id": batch.id}


ROWS = [
    Row("gias.upload", status=VENDOR_PAGE),
    # No file: the form answers with its error (200).
    Row("gias.upload_post", "POST", status=VENDOR_PAGE),
    Row("gias.preview", status=VENDOR_PAGE, values=_batch),
    # Vendor admins only, with a recent sign-in: an import can move a school to another trust (#18).
    # The confirmation page says what the import will do; pressing its button asks a job to do it (#26).
    Row("gias.confirmation", status="302 403 403 403 403 403 200", values=_batch),
    Row("gias.confirm", "POST", status="302 403 403 403 403 403 302", values=_batch),
]
