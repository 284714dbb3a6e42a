"""Access rows for tenancy pages, members and the audit logs."""

from tests.access.matrix import Row

MEMBERS_OWN = "302 200 200 200 404 404 404"
OUTSIDER = "302 404 404 404 404 404 404"
MANAGE_OWN = "302 403 {0} {0} 404 404 404"


def spare(world, tenancy):
    return {"membership_id": world.spare[tenancy.id].id}


ROWS = [
    # Vendor staff are sent on to the vendor console, a member of one organisation to its home
    # (everyone in the matrix's world has one; tests/homes covers the list of several).
    Row("tenancy.home", status="302 302 302 302 302 302 302"),
    Row("tenancy.overview", own=MEMBERS_OWN, other=OUTSIDER),
    Row("tenancy.members", own=MANAGE_OWN.format(200), other=OUTSIDER),
    # A school's language for its mail and documents (#29): its data leads and trust admins.
    Row("tenancy_language.language", own=MANAGE_OWN.format(200), other=OUTSIDER),
    Row(
        "tenancy_language.language",
        "POST",
        own=MANAGE_OWN.format(302),
        other=OUTSIDER,
        data=lambda w, t: {"language": "cy"},
    ),
    Row(
        "tenancy.invite",
        "POST",
        own=MANAGE_OWN.format(302),
        other=OUTSIDER,
        data=lambda w, t: {"email": "new.person@school.example", "role": "viewer"},
    ),
    Row(
        "tenancy.change_role",
        "POST",
        own=MANAGE_OWN.format(302),
        other=OUTSIDER,
        cross=MANAGE_OWN.format(404),
        values=spare,
        data=lambda w, t: {"role": "viewer"},
    ),
    Row(
        "tenancy.confirm_remove", own=MANAGE_OWN.format(200), other=OUTSIDER, cross=MANAGE_OWN.format(404), values=spare
    ),
    Row(
        "tenancy.remove", "POST", own=MANAGE_OWN.format(302), other=OUTSIDER, cross=MANAGE_OWN.format(404), values=spare
    ),
    Row(
        "tenancy.withdraw_invitation",
        "POST",
        own=MANAGE_OWN.format(302),
        other=OUTSIDER,
        cross=MANAGE_OWN.format(404),
        values=lambda w, t: {"invitation_id": w.pending[t.id].id},
    ),
    Row("audit.tenancy_log", own=MANAGE_OWN.format(200), other=OUTSIDER),
    Row("audit.tenancy_csv", own=MANAGE_OWN.format(200), other=OUTSIDER),
    Row("audit_admin.vendor_log", status="302 403 403 403 403 200 200"),
    Row("audit_admin.vendor_csv", status="302 403 403 403 403 200 200"),
]
