"""Access rows for the vendor console: home, tenancies and onboarding (vendor staff and admins only)."""

from portal.tenancy.models import DirectoryProvider
from tests.access.matrix import Row
from tests.factories import bind_directory

VENDOR_PAGE = "302 403 403 403 403 200 200"
VENDOR_ACTION = "302 403 403 403 403 302 302"
# Granting access to a school's data: vendor admins only, with a recent sign-in (#18).
ADMIN_ACTION = "302 403 403 403 403 403 302"


def _own(world, tenancy):
    return {"slug": world.own.slug}


def _directory(world, tenancy):
    directory = bind_directory(world.own, DirectoryProvider.GOOGLE, "matrix-academy.sch.uk")
    return {"slug": world.own.slug, "directory_id": directory.id}


ROWS = [
    Row("vendor.home", status=VENDOR_PAGE),
    Row("vendor.tenancies", status=VENDOR_PAGE),
    Row("vendor.new_tenancy", status=VENDOR_PAGE),
    # An unknown URN: refused with a message, back to the search.
    Row("vendor.create_tenancy", "POST", status=VENDOR_ACTION, data=lambda w, t: {"kind": "school", "key": "999999"}),
    Row("vendor.tenancy", status=VENDOR_PAGE, values=_own),
    Row("vendor_tenancy.summary", status=VENDOR_PAGE, values=_own),
    Row(
        "vendor.bind_directory",
        "POST",
        status=ADMIN_ACTION,
        values=_own,
        data=lambda w, t: {"directory-provider": "google", "directory-value": "matrix.sch.uk"},
    ),
    Row(
        "vendor.remove_directory",
        "POST",
        status=VENDOR_ACTION,
        values=_directory,
        data=lambda w, t: {"remove-submit": "Remove"},
    ),
    Row("vendor.auto_join", "POST", status=ADMIN_ACTION, values=_own, data=lambda w, t: {"auto-join-enabled": "no"}),
    # No directory bound yet: the form answers with its error (200).
    Row(
        "vendor.invite",
        "POST",
        status="302 403 403 403 403 403 200",
        values=_own,
        data=lambda w, t: {"invite-email": "a@b.example"},
    ),
]
