"""The pack as plain data: sections of blocks that every renderer (DOCX, PDF, page) walks the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.dates import govuk_date
from portal.dpia.dpa_text import clause_ref
from portal.register.choices import OptionState
from portal.register.effective import EffectiveSet

# Shown on every part of the draft only the school can answer (`yours()` gives it in the reader's language).
YOURS = "For your school to complete"


def yours() -> str:
    return str(_("For your school to complete"))


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of pre-filled text."""

    text: str
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[str, ...]
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True)
class Facts:
    """Label and value pairs, shown as a two-column table."""

    rows: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "facts"


@dataclass(frozen=True)
class Table:
    """A table with a header row; `name` lets a reader (or a test) find it."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class ToComplete:
    """Questions only the school can answer, marked plainly as theirs, with room to answer."""

    prompts: tuple[str, ...]
    kind: ClassVar[str] = "to_complete"

    @property
    def label(self) -> str:
        return yours()


Block = Paragraph | Bullets | Facts | Table | ToComplete


@dataclass(frozen=True)
class Part:
    """A titled part of a section (the heading may be empty for a section's opening)."""

    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    """One step of the ICO's DPIA process, or an annex."""

    key: str
    heading: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Risk:
    """A risk to individuals with the vendor's suggested rating and the measures that reduce it."""

    ref: str
    title: str
    description: str
    source: str
    likelihood: str
    severity: str
    overall: str
    measures: tuple[str, ...]
    effect: str
    residual: str
    # What the risk was derived from: its kind ("government_access", "voice", ...) and the register
    # entries (keys) it concerns, so a setting that takes a supplier out takes its risks out too.
    kind: str = "service"
    suppliers: tuple[str, ...] = ()

    @property
    def overall_label(self) -> str:
        """The overall rating in the reader's language (`overall` stays the ICO's English value)."""
        return rating_label(self.overall)


@dataclass(frozen=True)
class RecordField:
    """One field of the Art. 30(1) record of processing."""

    key: str
    article: str
    name: str
    value: str
    items: tuple[str, ...] = ()
    to_complete: bool = False


@dataclass(frozen=True)
class DpiaPack:
    """Everything one download needs, built once, rendered in any format."""

    tenancy_name: str
    tenancy_slug: str
    controller: dict[str, str]
    vendor: dict[str, str]
    built_on: dt.date
    register_version: str | None
    dpa_text_version: int | None
    sections: tuple[Section, ...]
    risks: tuple[Risk, ...]
    record: tuple[RecordField, ...]
    recipients: tuple[dict[str, str], ...]
    summary: dict[str, Any]
    fingerprint: str
    # One sentence: the signed agreement's version, date and SHA-256, or that none is signed.
    agreement: str
    removed_risks: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        return str(_("Data protection impact assessment: %(name)s", name=self.tenancy_name))

    @property
    def built_on_text(self) -> str:
        return govuk_date(self.built_on)

    @property
    def built_from(self) -> str:
        """The line every format carries: when it was built and from which register version."""
        if self.register_version:
            return str(
                _(
                    "Built on %(date)s from version %(version)s of the %(service)s sub-processor register.",
                    date=self.built_on_text,
                    version=self.register_version,
                    service=self.vendor["service"],
                )
            )
        return str(
            _(
                "Built on %(date)s from no published version of the %(service)s sub-processor register.",
                date=self.built_on_text,
                service=self.vendor["service"],
            )
        )

    def filename(self, extension: str) -> str:
        stem = "dpia" if extension in ("docx", "pdf") else "records-of-processing"
        return f"{stem}-{self.tenancy_slug}-{self.built_on.isoformat()}.{extension}"


LIKELIHOOD = ("Remote", "Possible", "Probable")
SEVERITY = ("Minimal", "Significant", "Severe")
# The ratings are kept as the ICO's English words (they are compared and ordered); shown through these.
_RATING_LABELS = {
    "Remote": _l("Remote"),
    "Possible": _l("Possible"),
    "Probable": _l("Probable"),
    "Minimal": _l("Minimal"),
    "Significant": _l("Significant"),
    "Severe": _l("Severe"),
    "Low": _l("Low"),
    "Medium": _l("Medium"),
    "High": _l("High"),
}


def rating_label(value: str) -> str:
    """A likelihood, severity or overall rating in the reader's language; any other text as it is."""
    found = _RATING_LABELS.get(value)
    return str(found) if found is not None else value


def overall(likelihood: str, severity: str) -> str:
    """The ICO's low, medium or high from likelihood and severity (both matter: see its DPIA guidance)."""
    score = LIKELIHOOD.index(likelihood) + SEVERITY.index(severity)
    return "Low" if score <= 1 else "Medium" if score == 2 else "High"


@dataclass(frozen=True)
class Known:
    """What the portal knows about the tenancy, gathered once by the builder."""

    text: dict[str, Any]
    controller: dict[str, str]
    vendor: dict[str, str]
    found: EffectiveSet
    states: Mapping[int, OptionState]
    signed: str
    text_version: int | None
    notice_days: int
    built_on: dt.date

    @property
    def school(self) -> str:
        return self.controller.get("school") or self.controller["name"]

    def clause(self, key: str) -> str:
        return clause_ref(self.text, key)
