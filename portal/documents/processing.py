"""Annex II, the description of the processing: the one place the agreement and the DPIA ask for it.

The seam for the register's facts: once `portal.register.processing.describe_processing(tenancy,
on)` exists (the register-facts work), `annex_ii` builds its rows from that ProcessingDescription
(subject matter, duration, nature, purposes, data categories with special category marked,
data subjects) for this tenancy's effective set on the signing date. Until then it returns the
published text's own annex II, which is what every agreement signed so far says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.tenancy.models import Tenancy


def annex_ii(tenancy: Tenancy, on: dt.date, text: dict[str, Any]) -> list[list[str]]:
    """Annex II rows ([label, value]) for one tenancy on a UK date, under a published text."""
    del tenancy, on  # used once describe_processing is connected
    return [[str(label), str(value)] for label, value in text.get("processing", [])]
