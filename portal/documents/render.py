"""Rendering the agreement to PDF with WeasyPrint, fetching nothing but the portal's bundled assets."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from flask import render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS = Path(__file__).resolve().parent / "assets"
ASSET_BASE = "portal-asset:"
# Only these files can reach a PDF; anything else (file:, http:, https:, other names) is refused.
BUNDLED = frozenset({"dpa.css"})


class AssetsOnlyFetcher(URLFetcher):
    """Serves the bundled PDF assets and data: URLs; refuses file:, the network and redirects."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(ASSET_BASE):
            name = url.removeprefix(ASSET_BASE)
            if name not in BUNDLED:
                raise ValueError(f"not a bundled asset: {url[:80]}")
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, (ASSETS / name).read_bytes(), {"Content-Type": mime})
        if url[:5].lower() == "data:":
            # The parent checks the scheme against allowed_protocols and decodes the data URL itself.
            return super().fetch(url, headers)  # type: ignore[no-any-return]
        raise ValueError(f"refused: only bundled assets and data: URLs are fetched ({url[:80]})")


def agreement_html(context: dict[str, Any]) -> str:
    """The print layout of an agreement (Jinja autoescapes every user-typed value)."""
    return render_template("pdf/dpa.html", asset_base=ASSET_BASE, **context)


def render_pdf(html: str) -> bytes:
    """HTML to a tagged PDF/UA-1 (structure tree, headings, table headers, title, language), assets only."""
    document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=AssetsOnlyFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)  # type: ignore[no-any-return]
