"""Access rows for the trust hub: /security, security.txt, documents, requests and the vendor's pages.

Requests in these rows belong to the trust admin (for `world.trust`): only the requester sees
their own request, everyone else signed in gets 404.
"""

from portal.trusthub.models import AccessLevel
from tests.access.matrix import Row
from tests.trusthub.builders import ensure_nda, make_document, make_request

EVERYONE = "{0} {0} {0} {0} {0} {0} {0}"
SIGNED_IN = "302 {0} {0} {0} {0} {0} {0}"
REQUESTER = "302 404 404 {0} 404 404 404"
VENDOR = "302 403 403 403 403 {0} {0}"


def _doc(level):
    return lambda w, t: {"document_id": make_document(level).id}


def _request(*, approve=False, accept=False):
    def values(world, tenancy):
        ensure_nda()
        made = make_request(world.users["trust_admin"], world.trust, approve=approve, accept=accept)
        return {"request_id": made.id}

    return values


def _overview_published(world, tenancy):
    from portal.demo.trusthub import load_overview

    list(load_overview())
    return {"sequence": 1}


def _draft(world, tenancy):
    from portal.audit.service import Actor
    from portal.trusthub import overview

    overview.start_draft(actor=Actor.system("matrix"))
    return {}


ROWS = [
    Row("trusthub.overview", status=EVERYONE.format(200)),
    Row("trusthub.versions", status=EVERYONE.format(200)),
    Row("trusthub.version", status=EVERYONE.format(200), values=_overview_published),
    Row("trusthub.security_txt", status=EVERYONE.format(200)),
    Row("trusthub.documents", status=EVERYONE.format(200)),
    Row("trusthub.public_download", status=EVERYONE.format(200), values=_doc(AccessLevel.PUBLIC)),
    # Any school or trust member, and vendor staff; the other trust's admin is a customer too.
    Row("trusthub_member.customer_download", status=SIGNED_IN.format(200), values=_doc(AccessLevel.CUSTOMER)),
    # Vendor staff belong to no school or trust: the page says only their staff can ask.
    Row("trusthub_member.request_document", status=SIGNED_IN.format(200), values=_doc(AccessLevel.ON_REQUEST)),
    Row(
        "trusthub_member.request_document",
        "POST",
        status="302 400 400 400 400 403 403",
        values=_doc(AccessLevel.ON_REQUEST),
        data=lambda w, t: {"purpose": ""},
    ),
    Row("trusthub_member.request_page", status=REQUESTER.format(200), values=_request(approve=True)),
    # No name or confirmation: the form comes back with its errors.
    Row("trusthub_member.accept_nda", "POST", status=REQUESTER.format(400), values=_request(approve=True)),
    Row("trusthub_member.requested_download", status=REQUESTER.format(200), values=_request(approve=True, accept=True)),
    Row("trusthub_admin.overview_home", status=VENDOR.format(200)),
    Row("trusthub_admin.start_draft", "POST", status=VENDOR.format(302)),
    Row("trusthub_admin.edit_draft", status=VENDOR.format(200), values=_draft),
    Row(
        "trusthub_admin.edit_draft",
        "POST",
        status=VENDOR.format(400),
        values=_draft,
        data=lambda w, t: {"rto_hours": "x"},
    ),
    # An empty draft cannot be published: the page says so.
    Row("trusthub_admin.publish_draft", "POST", status=VENDOR.format(302), values=_draft),
    Row("trusthub_admin.documents", status=VENDOR.format(200)),
    Row("trusthub_admin.upload", status=VENDOR.format(200)),
    Row("trusthub_admin.upload", "POST", status=VENDOR.format(400)),
    Row("trusthub_admin.document", status=VENDOR.format(200), values=_doc(AccessLevel.ON_REQUEST)),
    Row("trusthub_admin.withdraw", "POST", status=VENDOR.format(302), values=_doc(AccessLevel.PUBLIC)),
    Row("trusthub_admin.request_page", status=VENDOR.format(200), values=_request()),
    Row(
        "trusthub_admin.approve", "POST", status=VENDOR.format(302), values=_request(), data=lambda w, t: {"days": "7"}
    ),
    Row(
        "trusthub_admin.refuse",
        "POST",
        status=VENDOR.format(302),
        values=_request(),
        data=lambda w, t: {"reason": "We share this with customers under contract only."},
    ),
    Row("trusthub_admin.revoke", "POST", status=VENDOR.format(302), values=_request(approve=True)),
    Row("trusthub_admin.organisation", status=VENDOR.format(200), values=lambda w, t: {"tenancy_id": w.trust.id}),
    Row("trusthub_admin.nda_versions", status=VENDOR.format(200)),
    Row("trusthub_admin.nda_versions", "POST", status=VENDOR.format(400)),
]
