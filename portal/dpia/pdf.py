"""The DPIA draft as PDF, through the documents capability's renderer and its assets-only fetcher."""

from __future__ import annotations

from flask import render_template

from portal.documents.render import ASSET_BASE, render_pdf
from portal.dpia.content import DpiaPack


def render_dpia_pdf(pack: DpiaPack) -> bytes:
    """The whole draft as PDF bytes (Jinja escapes every value; nothing is fetched but bundled assets)."""
    html = render_template("pdf/dpia.html", pack=pack, asset_base=ASSET_BASE)
    return render_pdf(html)
