"""Sealing a rendered agreement with the vendor's certificate (PAdES, pyHanko), with a timestamp if configured."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps import HTTPTimeStamper

from portal.documents import aio
from portal.documents.keys import signer_from_config

FIELD_NAME = "VendorSeal"


def seal_pdf(pdf: bytes, config: Any, *, reason: str) -> bytes:
    """Add a PAdES signature over the whole PDF; returns the signed bytes."""
    timestamper = None
    if config.get("TIMESTAMP_URL"):
        timestamper = HTTPTimeStamper(config["TIMESTAMP_URL"], timeout=10)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason[:200],
        location="United Kingdom",
        name=config.get("VENDOR_LEGAL_ENTITY"),
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    signer = signer_from_config(config)
    output = aio.run(lambda: signers.async_sign_pdf(writer, metadata, signer=signer, timestamper=timestamper))
    return output.getvalue()  # type: ignore[no-any-return]
