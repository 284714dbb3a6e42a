"""Annex II, the description of the processing: the one place the agreement and the DPIA ask for it.

The rows come from the register's facts: `portal.register.processing.describe_processing(tenancy,
on)` describes this tenancy's effective set on the signing date (nature, purposes, data categories
with special category and criminal offence data marked, data subjects, where the data is
processed). The published text gives what the facts cannot: the subject matter and the duration,
which are the contract's own. Where the tenancy uses nothing yet (no register published), the text's
own rows stand, which is what every agreement signed before the facts says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _

from portal.register.processing import ProcessingDescription, describe_processing
from portal.tenancy.models import Tenancy

# The text's rows kept as written, by their English and Welsh labels (text.PROCESSING, text_cy.PROCESSING):
# the facts describe what is processed, not the contract's scope.
FROM_TEXT = ("Subject matter", "Duration", "Pwnc", "Hyd")


def annex_ii(tenancy: Tenancy, on: dt.date, text: dict[str, Any]) -> list[list[str]]:
    """Annex II rows ([label, value]) for one tenancy on a UK date, under a published text."""
    written = [[str(label), str(value)] for label, value in text.get("processing", [])]
    described = describe_processing(tenancy, on)
    if not described.suppliers:
        return written
    return [row for row in written if row[0] in FROM_TEXT] + rows_from(described)


def rows_from(described: ProcessingDescription) -> list[list[str]]:
    """The rows the facts give, in annex II's order."""

    def category(line: Any) -> str:
        if line.special_category:
            return str(_("%(name)s (special category data)", name=line.name))
        if line.criminal_offence:
            return str(_("%(name)s (criminal offence data)", name=line.name))
        return str(line.name)

    special = [line.name for line in described.categories if line.special_category]
    return [
        [_("Nature of the processing"), "; ".join(described.nature)],
        [_("Purpose"), "; ".join(described.purposes)],
        [_("Categories of personal data"), "; ".join(category(line) for line in described.categories)],
        [
            _("Special category data"),
            _("Yes: %(names)s", names=", ".join(special)) if special else _("None"),
        ],
        [_("Data subjects"), "; ".join(described.subjects)],
        [_("Where the data is processed"), "; ".join(described.locations)],
    ]
