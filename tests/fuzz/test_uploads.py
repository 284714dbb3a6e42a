"""Uploads fuzzed with truncated and hostile files: the GIAS CSV upload and the public /verify PDF check.

Always a clear answer (a verdict, a form error or a 4xx), never a 500, and a refused upload writes nothing.
"""

from __future__ import annotations

import codecs
import io
import re
import time
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.documents import signing, versions
from portal.extensions import db
from portal.gias.models import BatchState, GiasImportBatch
from tests.access.matrix import build_world
from tests.access.rules_register import with_register
from tests.documents import jobqueue
from tests.documents.conftest import acceptance
from tests.fuzz.harness import FUZZ, Poster, other_tenancy_ids, post_and_check, signed_in_id, url_of
from tests.gias.extracts import ESTABLISHMENT_HEADER, establishment, establishments_csv

CLEAR = re.compile(r'data-verdict="|govuk-error-summary')
SLOW = 10.0  # seconds: a hostile file must not tie a worker up


def gias_csv(rows: int = 3, name: str = "Fuzz Academy") -> bytes:
    return establishments_csv([establishment(f"{150001 + i}", f"{name} {i}") for i in range(rows)])


def _csv_line(values: list[str]) -> bytes:
    return (",".join(values) + "\r\n").encode()


HOSTILE_CSVS: dict[str, bytes] = {
    "binary": bytes(range(256)) * 8,
    # Bodies stay under 500 KB, where Werkzeug would spill them to temporary files.
    "huge-line": b"URN," + b"x" * 450_000,
    "utf8-bom": codecs.BOM_UTF8 + gias_csv(),
    "utf16-le-bom": codecs.BOM_UTF16_LE + gias_csv().decode("cp1252").encode("utf-16-le"),
    "utf16-be-bom": codecs.BOM_UTF16_BE + gias_csv().decode("cp1252").encode("utf-16-be"),
    "utf32-bom": gias_csv().decode("cp1252").encode("utf-32"),
    "double-bom": codecs.BOM_UTF8 + codecs.BOM_UTF8 + gias_csv(),
    "csv-injection": gias_csv(name="=cmd|' /C calc'!A0"),
    "csv-injection-plus": gias_csv(name='+HYPERLINK("http://evil.example","click")'),
    "undefined-cp1252-bytes": gias_csv(name="Ysgol Gymraeg").replace(b"Ysgol", b"Ysg\x81\x8d\x8f\x90\x9d\xff"),
    "10000-columns": _csv_line([*ESTABLISHMENT_HEADER, *(f"Extra {i}" for i in range(10_000))]) * 3,
    "header-only": _csv_line(ESTABLISHMENT_HEADER),
    "unterminated-quote": _csv_line(ESTABLISHMENT_HEADER) + b'150001,"383,Leeds',
    # The binary check reads the first 64 KB: a NUL in a school's name after that reaches the rows.
    "nul-after-64k": establishments_csv(
        [establishment(f"{150001 + i}", "Padding " + "p" * 80) for i in range(700)]
        + [establishment("151999", "Nul\x00School")]
    ),
    "crlf-in-name": gias_csv(name='"Line\r\nBreak"'),
    "rtl-and-emoji": gias_csv(name="Marker").replace(b"Marker", "\u202eloohcS \U0001f4a9 e\u0301".encode()),
    "empty": b"",
    "whitespace": b"   \r\n\t",
}


def gias_file() -> st.SearchStrategy[tuple[bytes, str]]:
    """A hostile extract: a named hostile file, a real one cut short, or bytes."""
    real = gias_csv(rows=5)
    return st.one_of(
        st.sampled_from(sorted(HOSTILE_CSVS)).map(lambda name: (HOSTILE_CSVS[name], f"{name}.csv")),
        st.integers(0, len(real)).map(lambda cut: (real[:cut], "truncated.csv")),
        st.binary(max_size=2000).map(lambda data: (data, "random.bin")),
        st.tuples(st.just(real), st.sampled_from(["a\r\nb.csv", "é" * 400 + ".csv", "../../etc/passwd", "", "x.exe"])),
    )


@pytest.fixture
def vendor_poster(app: Any) -> Poster:
    world = build_world()
    db.session.commit()
    # A vendor admin: confirming an import is theirs alone (#18); uploading is open to staff too.
    return Poster(user_id=signed_in_id(world.users["vendor_admin"]), others=other_tenancy_ids(world))


def test_gias_upload_answers_every_hostile_file(app, client, vendor_poster):
    url = url_of(app, "gias.upload_post", {})
    app.config["GIAS_UPLOAD_MAX_BYTES"] = 400_000  # the huge line is over it: the "too large" answer

    @settings(FUZZ, max_examples=25)
    @given(upload=gias_file())
    def run(upload: tuple[bytes, str]) -> None:
        data, filename = upload
        started = time.monotonic()
        status = post_and_check(
            app,
            client,
            url,
            [],
            csrf="valid",
            poster=vendor_poster,
            files={"extract": (io.BytesIO(data), filename)},
            clear=re.compile("govuk-error-summary"),
        )
        assert time.monotonic() - started < SLOW
        assert status in (200, 302, 400, 413), status

    for name in sorted(HOSTILE_CSVS):
        run = example(upload=(HOSTILE_CSVS[name], f"{name}.csv"))(run)
    run()


def test_a_staged_hostile_extract_confirms_without_a_500(app, client, vendor_poster):
    """What an upload accepted (CSV injection, odd unicode) must also import cleanly."""
    upload = url_of(app, "gias.upload_post", {})
    for name in ("csv-injection", "csv-injection-plus", "rtl-and-emoji", "nul-after-64k", "utf8-bom", "crlf-in-name"):
        from tests.fuzz.harness import sign_in

        sign_in(client, vendor_poster.user_id)
        from tests.pages import csrf_token_for

        token = csrf_token_for(app, client)
        response = client.post(
            upload, data={"csrf_token": token, "extract": (io.BytesIO(HOSTILE_CSVS[name]), f"{name}.csv")}
        )
        assert response.status_code in (200, 302), (name, response.status_code)
        if response.status_code != 302:
            continue
        jobqueue.drain(app)  # the worker reads the file (#26)
        batch = db.session.get(GiasImportBatch, int(response.location.rstrip("/").rsplit("/", 1)[1]))
        assert batch is not None and batch.state is BatchState.STAGED, (name, batch and batch.error)
        confirm = response.location.rstrip("/") + "/confirm"
        assert client.post(confirm, data={"csrf_token": token}).status_code == 302, name
        jobqueue.drain(app)  # and applies it
        db.session.refresh(batch)
        assert batch.state is BatchState.APPLIED, name


@pytest.fixture
def signed_pdf(app: Any, fuzz_signing: Any) -> bytes:
    world = build_world()
    with_register()
    versions.publish_text_version(actor=world.users["vendor_staff"], summary="First version.")
    agreement = signing.sign_agreement(
        world.own, user=world.users["data_lead"], acceptance=acceptance(), version_number=1
    )
    db.session.commit()
    return bytes(agreement.pdf)


def nested_pdf(depth: int) -> bytes:
    """A PDF whose one object nests arrays and dictionaries `depth` deep (a parser's recursion bomb)."""
    body = b"[" * depth + b"<< /A " * 10 + b">>" * 10 + b"]" * depth
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Bomb " + body + b" >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"xref\n0 3\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R /Size 3 >>\nstartxref\n9\n%%EOF\n"
    )


def verify_file(pdf: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.integers(0, len(pdf) - 1).map(lambda cut: pdf[:cut]),
        st.binary(max_size=3000).map(lambda data: b"%PDF-1.7\n" + data),
        st.tuples(st.integers(0, len(pdf) - 1), st.binary(min_size=1, max_size=64)).map(
            lambda t: pdf[: t[0]] + t[1] + pdf[t[0] + len(t[1]) :]
        ),
        st.sampled_from([b"", b"hello", b"%PDF-", b"\x00" * 100, b"PK\x03\x04", nested_pdf(5000), nested_pdf(100_000)]),
    )


def test_verify_answers_every_hostile_pdf(app, client, signed_pdf):
    url = url_of(app, "documents.verify", {})
    poster = Poster(user_id=None, others=frozenset())
    limit = len(signed_pdf) + 8192
    app.config["VERIFY_MAX_BYTES"] = limit

    @settings(FUZZ, max_examples=25)
    @given(data=verify_file(signed_pdf))
    @example(data=signed_pdf)
    @example(data=b"")
    @example(data=nested_pdf(100_000))
    def run(data: bytes) -> None:
        started = time.monotonic()
        files = {"document": (io.BytesIO(data), "agreement.pdf")}
        status = post_and_check(app, client, url, [], csrf="valid", poster=poster, files=files, clear=CLEAR)
        assert time.monotonic() - started < SLOW
        assert status in (200, 400, 413), status

    run = example(data=b"%PDF-1.7\n" + b"0" * (limit + 1))(run)  # over the limit: 413
    run()
