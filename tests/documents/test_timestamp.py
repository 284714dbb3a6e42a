"""RFC 3161 timestamps: with TIMESTAMP_URL set, each seal carries a token from that authority.

A real timestamp authority answers over HTTP on loopback: pyHanko's DummyTimeStamper builds
genuine RFC 3161 responses, signed with a TSA certificate made here.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from asn1crypto.pem import armor as pem_armor
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from werkzeug.serving import make_server

from portal.documents import aio, keys, signing
from portal.documents.verify import Verdict, verify_pdf
from tests.documents.conftest import acceptance


def _tsa_identity() -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo]:
    # pyHanko's DummyTimeStamper signs with RSA only.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test timestamp authority")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)), asn1_keys.PrivateKeyInfo.load(
        der_key
    )


@pytest.fixture(scope="module")
def timestamp_authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    cert, key = _tsa_identity()
    root_path = tmp_path_factory.mktemp("tsa") / "tsa-root.pem"
    root_path.write_bytes(pem_armor("CERTIFICATE", cert.dump()))
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key)
    requests: list[bytes] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        requests.append(body)
        reply = aio.run(lambda: stamper.async_request_tsa_response(tsp.TimeStampReq.load(body)))
        start_response("200 OK", [("Content-Type", "application/timestamp-reply")])
        return [reply.dump()]

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.tsa_cert = cert  # type: ignore[attr-defined]
    server.requests = requests  # type: ignore[attr-defined]
    server.root_path = str(root_path)  # type: ignore[attr-defined]
    yield server
    server.shutdown()


def test_seal_carries_a_valid_timestamp_from_the_configured_authority(
    signing_app: Any,
    text_v1: Any,
    register: Any,
    school: Any,
    data_lead: Any,
    signing_keys: Any,
    timestamp_authority: Any,
) -> None:
    signing_app.config["TIMESTAMP_URL"] = f"http://127.0.0.1:{timestamp_authority.server_port}/"
    signing_app.config["TIMESTAMP_TRUST_ROOT_PATH"] = timestamp_authority.root_path
    before = len(timestamp_authority.requests)
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    assert len(timestamp_authority.requests) > before

    signature = PdfFileReader(BytesIO(agreement.pdf)).embedded_signatures[0]
    signer_context = ValidationContext(trust_roots=[keys.trust_root(signing_app.config)], allow_fetching=False)
    tsa_context = ValidationContext(trust_roots=[timestamp_authority.tsa_cert], allow_fetching=False)
    status = aio.run(
        lambda: async_validate_pdf_signature(
            signature, signer_validation_context=signer_context, ts_validation_context=tsa_context
        )
    )
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid and status.timestamp_validity.trusted

    # A timestamped agreement is genuine to /verify, which checks the token against the authority's root...
    assert verify_pdf(agreement.pdf, signing_app.config).verdict is Verdict.GENUINE
    # ...and without that root the token cannot be trusted, so the file is not passed as genuine.
    signing_app.config["TIMESTAMP_TRUST_ROOT_PATH"] = None
    assert verify_pdf(agreement.pdf, signing_app.config).verdict is not Verdict.GENUINE
