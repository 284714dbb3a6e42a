"""The trust hub's upload fuzzed with hostile and broken files: a form error or a clean stored PDF, never a 500."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from tests.access.matrix import build_world
from tests.fuzz.harness import FUZZ, Poster, other_tenancy_ids, post_and_check, url_of
from tests.trusthub.builders import blank_pdf
from tests.trusthub.test_pdf import hostile_pdf

SLOW = 10.0
FIELDS = [
    ("title", "Fuzzed document"),
    ("access_level", "on_request"),
    ("review_on", "1"),
    ("review_on", "3"),
    ("review_on", "2028"),
]


def hostile_files() -> dict[str, bytes]:
    real = blank_pdf(2)
    return {
        "empty": b"",
        "not-a-pdf": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "header-only": b"%PDF-1.7\n",
        "truncated": real[: len(real) // 2],
        "no-xref": real.replace(b"xref", b"xxxx"),
        "nested-arrays": b"%PDF-1.7\n1 0 obj\n" + b"[" * 5000 + b"\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF",
        "self-referencing-pages": (
            b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
        ),
        "hostile": hostile_pdf(),
        "pdf-after-junk": b"junk" * 400 + real,
    }


@pytest.fixture
def vendor_poster(app: Any) -> Poster:
    world = build_world()
    db.session.commit()
    return Poster(user_id=world.users["vendor_staff"].get_id(), others=other_tenancy_ids(world))


def test_upload_answers_every_hostile_file(app, client, vendor_poster):
    url = url_of(app, "trusthub_admin.upload", {})
    files = hostile_files()
    real = blank_pdf(3)

    @settings(FUZZ, max_examples=20)
    @given(
        upload=st.one_of(
            st.sampled_from(sorted(files)).map(lambda name: (files[name], f"{name}.pdf")),
            st.integers(0, len(real)).map(lambda cut: (real[:cut], "cut.pdf")),
            st.binary(max_size=3000).map(lambda data: (b"%PDF-1.4\n" + data, "random.pdf")),
            st.tuples(st.just(real), st.sampled_from(["a\r\nb.pdf", "é" * 300 + ".pdf", "../../etc/passwd", ""])),
        )
    )
    def run(upload: tuple[bytes, str]) -> None:
        data, filename = upload
        started = time.monotonic()
        status = post_and_check(
            app,
            client,
            url,
            FIELDS,
            csrf="valid",
            poster=vendor_poster,
            files={"document": (io.BytesIO(data), filename)},
            clear=re.compile("govuk-error-summary"),
        )
        assert time.monotonic() - started < SLOW
        assert status in (302, 400, 413, 429), status

    for name in sorted(files):
        run = example(upload=(files[name], f"{name}.pdf"))(run)
    run()
