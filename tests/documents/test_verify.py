"""Verification of real files: genuine, altered (every way), someone else's, not a PDF. Never a 500."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
import weasyprint
from flask import current_app

from portal.documents import pdfsign, signing, versions
from portal.documents.verify import Verdict, verify_pdf
from tests.documents import tamper
from tests.documents.conftest import acceptance, key_config


@pytest.fixture
def signed(text_v1: Any, register: Any, school: Any, data_lead: Any) -> Any:
    return signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)


def check(app: Any, data: bytes) -> Any:
    return verify_pdf(data, app.config)


def test_genuine_agreement_is_confirmed(signing_app: Any, signed: Any) -> None:
    result = check(signing_app, signed.pdf)
    assert result.verdict is Verdict.GENUINE
    assert result.agreement.id == signed.id
    assert result.sha256 == signed.sha256


@pytest.mark.parametrize("where", ["header", "body", "after-signature", "last-byte"])
def test_a_byte_flipped_in_the_signed_range_is_altered(signing_app: Any, signed: Any, where: str) -> None:
    data = bytes(signed.pdf)
    altered = tamper.flip_byte(data, tamper.signed_positions(data)[where])
    result = check(signing_app, altered)
    assert result.verdict is Verdict.ALTERED, result


@pytest.mark.parametrize(
    "alteration",
    [tamper.append_page_change, tamper.append_metadata_change, tamper.append_junk],
    ids=lambda f: f.__name__,
)
def test_anything_appended_after_signing_is_altered(signing_app: Any, signed: Any, alteration: Any) -> None:
    altered = alteration(bytes(signed.pdf))
    assert altered.startswith(bytes(signed.pdf))
    result = check(signing_app, altered)
    assert result.verdict is Verdict.ALTERED, result
    # It still names the agreement it was made from, so the reader can ask for the original.
    assert result.agreement is not None and result.agreement.id == signed.id


def test_a_file_signed_by_another_key_is_not_ours(signing_app: Any, other_keys: Any) -> None:
    pdf = weasyprint.HTML(string="<h1>Data processing agreement</h1>").write_pdf()
    foreign = pdfsign.seal_pdf(pdf, {**signing_app.config, **key_config(other_keys)}, reason="forgery")
    assert check(signing_app, foreign).verdict is Verdict.NOT_OURS


def test_our_signature_without_a_record_is_not_ours(signing_app: Any) -> None:
    pdf = weasyprint.HTML(string="<h1>Never stored</h1>").write_pdf()
    sealed = pdfsign.seal_pdf(pdf, signing_app.config, reason="test")
    result = check(signing_app, sealed)
    assert result.verdict is Verdict.NOT_OURS and "no record of issuing" in result.explanation


def test_an_unsigned_pdf_is_not_ours(signing_app: Any) -> None:
    pdf = weasyprint.HTML(string="<h1>Unsigned</h1>").write_pdf()
    assert check(signing_app, pdf).verdict is Verdict.NOT_OURS


@pytest.mark.parametrize("data", [b"", b"hello world", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b"PK\x03\x04zip"])
def test_not_a_pdf(signing_app: Any, data: bytes) -> None:
    assert check(signing_app, data).verdict is Verdict.NOT_PDF


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.99])
def test_a_truncated_file_is_altered(signing_app: Any, signed: Any, fraction: float) -> None:
    data = bytes(signed.pdf)
    assert check(signing_app, data[: int(len(data) * fraction)]).verdict is Verdict.ALTERED


def test_garbage_after_a_pdf_header_never_errors(signing_app: Any) -> None:
    assert check(signing_app, b"%PDF-1.7\n" + bytes(range(256)) * 20).verdict is Verdict.ALTERED


# The page ---------------------------------------------------------------------------


def upload(client_request: Any, data: bytes, name: str = "agreement.pdf", status: int = 200) -> Any:
    return client_request.post(
        "documents.verify",
        {"document": (BytesIO(data), name, "application/pdf")},
        _expected_status=status,
    )


def test_verify_page_answers_each_case(client_request: Any, signed: Any) -> None:
    page = client_request.get("documents.verify")
    assert page.find("input", {"type": "file"})
    result = upload(client_request, bytes(signed.pdf)).select_one("#verification-result")
    assert result["data-verdict"] == "genuine"
    text = result.get_text(" ", strip=True)
    assert "Oakfield Primary School" in text and "URN 100001" in text and "Dana Lead" in text
    altered = upload(client_request, tamper.append_metadata_change(bytes(signed.pdf))).select_one(
        "#verification-result"
    )
    assert altered["data-verdict"] == "altered" and "Oakfield Primary School" in altered.get_text()
    # As prominent as a genuine answer: a red panel, and what to do next (#25).
    assert "Altered: do not rely on this copy" in altered.select_one(".govuk-panel.portal-panel--alert").get_text()
    assert "Ask the school or trust for the original" in altered.get_text()
    assert "This is the latest agreement signed for Oakfield Primary School" in text
    assert upload(client_request, b"not a pdf", "x.txt").select_one("#verification-result")["data-verdict"] == "not_pdf"


def test_verify_without_a_file_is_a_form_error(client_request: Any, signing_app: Any) -> None:
    page = client_request.post("documents.verify", {}, _expected_status=200)
    assert "Select the PDF file of the agreement" in page.select_one(".govuk-error-summary").get_text()


def test_verify_is_size_limited(client_request: Any, signing_app: Any) -> None:
    signing_app.config["VERIFY_MAX_BYTES"] = 1024
    response = client_request.client.post(
        "/verify",
        data={"csrf_token": client_request.csrf_token(), "document": (BytesIO(b"%PDF-" + b"0" * 4096), "big.pdf")},
    )
    assert response.status_code == 413


def test_verify_is_rate_limited(client_request: Any, signing_app: Any) -> None:
    for _ in range(20):
        upload(client_request, b"not a pdf")
    response = upload(client_request, b"not a pdf", status=429)
    assert response.status_code == 429


def test_pyhanko_calls_work_where_an_event_loop_is_already_running() -> None:
    """pyHanko's sync wrappers call asyncio.run, which a running loop refuses; aio.run copes."""
    import asyncio
    import threading

    from portal.documents import aio

    async def answer() -> int:
        return 42

    async def inside_a_loop() -> int:
        asyncio.get_running_loop()  # there is one: asyncio.run would raise here
        return aio.run(answer)

    results: list[int] = []
    # A fresh thread, so the test does not depend on whether this thread already has a loop.
    thread = threading.Thread(target=lambda: results.append(asyncio.run(inside_a_loop())))
    thread.start()
    thread.join(timeout=30)
    assert results == [42]


def test_a_genuine_agreement_says_when_a_later_one_replaced_it(
    client_request: Any, signed: Any, vendor_staff: Any, data_lead: Any, monkeypatch: Any
) -> None:
    # Signed within the same second as the first (signing times are kept to the second): still later.
    monkeypatch.setattr(signing, "now", lambda: signed.signed_at.replace(microsecond=500))
    current_app.config["NOTICE_PERIOD_DAYS"] = 45
    versions.publish_text_version(actor=vendor_staff, summary="Longer notice period.")
    signing.sign_agreement(signed.tenancy, user=data_lead, acceptance=acceptance(), version_number=2)
    note = upload(client_request, bytes(signed.pdf)).select_one("#later-agreement").get_text(" ", strip=True)
    assert note.startswith("A later agreement exists for Oakfield Primary School: version 2, signed")
    assert "no longer the one in force" in note
