"""One agreement's content, built once: what the check page shows, the draft PDF and the sealed PDF all use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale

from portal.dates import uk_today
from portal.documents import annex, processing, render, versions
from portal.documents.models import DpaTextVersion
from portal.documents.parties import Parties
from portal.tenancy.models import Tenancy
from portal.web.urls import public_link


@dataclass(frozen=True)
class Prepared:
    """An agreement for one tenancy under one text, before anyone signs it: parties and annexes I-IV."""

    tenancy: Tenancy
    version: DpaTextVersion
    parties: Parties
    via: Tenancy | None
    on: dt.date
    annex_ii: list[list[str]]
    annex_iv: dict[str, Any]
    # The language version read, signed and printed ("en" or "cy", one the version has; #29).
    language: str = "en"

    @property
    def controller(self) -> dict[str, str]:
        return annex.controller_party(self.tenancy, self.parties)

    def context(self, record: dict[str, Any] | None = None, *, draft: bool = False) -> dict[str, Any]:
        """The template context of this agreement: the page's annexes and the PDF's come from here."""
        return {
            "text": versions.text_in(self.version.data, self.language),
            "language": self.language,
            "version": self.version,
            "vendor": annex.vendor_party(),
            "controller": self.controller,
            "annex_ii": self.annex_ii,
            "annex_iv": self.annex_iv,
            "annex": self.annex_iv["included"],
            "register_version": self.annex_iv["register_version"],
            "record": record or {},
            "draft": draft,
            "verify_url": public_link("/verify"),
        }

    def html(self, record: dict[str, Any] | None = None, *, draft: bool = False) -> str:
        with force_locale(self.language):
            return render.agreement_html(self.context(record, draft=draft))


def prepare(
    tenancies: Sequence[Tenancy],
    version: DpaTextVersion,
    parties: Parties,
    *,
    via: Tenancy | None = None,
    on: dt.date | None = None,
    language: str = "en",
) -> list[Prepared]:
    """Each tenancy's agreement as it would be signed on a UK date (today), in a constant number of queries.

    In `language` where the version has it (else English): the annexes' own wording (labels, dates)
    is drawn up in that language too, so the page, the draft and the sealed PDF read alike."""
    on = on or uk_today()
    language = versions.language_for(version, language)
    text = versions.text_in(version.data, language)
    with force_locale(language):
        fourth = annex.annex_iv(tenancies, on=on)
        return [
            Prepared(t, version, parties, via, on, processing.annex_ii(t, on, text), fourth[t.id], language)
            for t in tenancies
        ]


def draft_pdf(prepared: Prepared) -> bytes:
    """The unsigned draft: the same document, marked DRAFT on every page, with no acceptance record and no seal."""
    return render.render_pdf(prepared.html(draft=True))
