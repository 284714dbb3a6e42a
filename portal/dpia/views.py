"""The tenancy's DPIA page and its downloads.

Downloads are POST forms with CSRF tokens: each one writes a download record that decides whether
the page says the pack is out of date, so a GET (a link prefetch, a cross-site image) must not
be able to write one and silence that notice.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import abort, render_template, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import policy, transactions
from portal.audit import service as audit
from portal.dpia import freshness
from portal.dpia.builder import build_pack
from portal.dpia.cache import pack_cache
from portal.dpia.content import DpiaPack
from portal.dpia.docx_render import render_docx
from portal.dpia.models import PackFormat
from portal.dpia.pdf import render_dpia_pdf
from portal.dpia.record import record_csv, record_json
from portal.extensions import db
from portal.policy import Permission
from portal.register.effective import has_own_set
from portal.tenancy.scoping import current_tenancy, tenancy_blueprint
from portal.web.language import written_in

bp = tenancy_blueprint("dpia", __name__, url_prefix="/dpia")

RENDERERS: dict[PackFormat, tuple[Callable[[DpiaPack], bytes], str]] = {
    PackFormat.DOCX: (render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    PackFormat.PDF: (render_dpia_pdf, "application/pdf"),
    PackFormat.CSV: (record_csv, "text/csv; charset=utf-8"),
    PackFormat.JSON: (record_json, "application/json"),
}


@bp.get("")
def pack() -> str:
    tenancy = current_tenancy()
    if not has_own_set(tenancy):  # a trust only for its academies: each academy has its own DPIA (#21)
        return render_template("dpia/trust.html", tenancy=tenancy, academies=list(tenancy.academies))
    built = build_pack(tenancy)
    parts = freshness.pack_status(tenancy, built.summary)
    return render_template("dpia/pack.html", tenancy=tenancy, pack=built, parts=parts, formats=list(PackFormat))


@bp.post("/download/<any(docx, pdf, csv, json):fmt>")
@policy.allow(policy.tenancy(Permission.DOWNLOAD_AGREEMENTS))
def download(fmt: str) -> Response:
    tenancy = current_tenancy()
    if not has_own_set(tenancy):
        abort(404)  # no pack of its own: the page links to each academy's
    chosen = PackFormat(fmt)
    render, mimetype = RENDERERS[chosen]
    with written_in(tenancy.language):  # the school's documents are in its language (#29)
        built = build_pack(tenancy)
        with transactions.without_transaction():  # built and rendered first: a failure records nothing
            body = pack_cache().rendered(chosen, built, render)  # the same pack asked again is not rendered again
    by_lead = policy.may(current_user, Permission.MANAGE_OPTIONS, tenancy)  # a data lead or trust admin
    freshness.record_download(tenancy, built, chosen, actor=audit.Actor.of(current_user), by_lead=by_lead)
    db.session.commit()
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=built.filename(fmt))
