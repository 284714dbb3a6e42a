"""The PDF fetcher serves only bundled assets and data: URLs; file:, the network and other names are refused."""

from __future__ import annotations

import base64
import http.server
import threading
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from portal.documents.render import AssetsOnlyFetcher, render_pdf


def test_bundled_stylesheet_and_data_urls_are_served() -> None:
    fetcher = AssetsOnlyFetcher()
    assert b"@page" in fetcher.fetch("portal-asset:dpa.css").read()
    pixel = base64.b64encode(b"GIF89a").decode()
    assert fetcher.fetch(f"data:image/gif;base64,{pixel}").read() == b"GIF89a"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/hostname",
        "http://127.0.0.1:1/x.css",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "portal-asset:../keys.py",
        "portal-asset:render.py",
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"refused|not a bundled asset"):
        AssetsOnlyFetcher().fetch(url)


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_rendered_document_reaches_neither_the_network_nor_files() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        html = (
            f'<link rel="stylesheet" href="{url}/style.css"><img src="{url}/logo.png">'
            '<img src="file:///etc/passwd"><iframe src="file:///etc/hostname"></iframe><p>Body text</p>'
        )
        pdf = render_pdf(html)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    assert _Counter.hits == 0
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "Body text" in text and "root:" not in text
