"""Publishing versions of the agreement text, and which version each tenancy has signed."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.audit import service as audit
from portal.documents import clause_map, measures, measures_cy, text, text_cy
from portal.documents.models import Agreement, DpaTextVersion
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.web.urls import public_url


class DocumentsError(Exception):
    """A documents action that cannot be done; the message is shown to the user."""


def as_actor(actor: Any) -> audit.Actor:
    """An audit Actor from a user, or the Actor itself (the demo loader and CLI act as the system)."""
    return actor if isinstance(actor, audit.Actor) else audit.Actor.of(actor)


def _notice_period() -> int:
    """The period a new text promises: never shorter than one still in force (#21)."""
    from portal.changes.window import notice_period_days

    return notice_period_days()


def _placeholders() -> dict[str, Any]:
    config = current_app.config
    return {
        "vendor_name": config["VENDOR_NAME"],
        "vendor_legal_entity": config["VENDOR_LEGAL_ENTITY"],
        "vendor_dpo_name": config["VENDOR_DPO_NAME"],
        "vendor_dpo_email": config["VENDOR_DPO_EMAIL"],
        "vendor_security_email": config["VENDOR_SECURITY_EMAIL"],
        # Where the security overview the audits clause promises is published (#24).
        "security_overview_url": public_url("trusthub.overview"),
        "notice_period_days": _notice_period(),
        "export_days": int(config["EXPORT_DAYS"]),
        "deletion_days": int(config["DELETION_DAYS"]),
        "exit_response_days": int(config["EXIT_RESPONSE_DAYS"]),
    }


def compose_text() -> dict[str, Any]:
    """The agreement text as it would be published now, filled in: English at the top level (what every
    reader of a version has always read), and the Welsh text, clause for clause, under "cy" (#29)."""
    values = _placeholders()
    english = _compose(text, measures, values, clause_map.cite_label)
    return {
        **english,
        # The periods other features read from the signed version (the notice window, exit, deletion).
        "terms": {name: values[name] for name in TERMS},
        "cy": _compose(text_cy, measures_cy, values, text_cy.cite_label),
    }


def _compose(source: Any, annex_iii: Any, values: dict[str, Any], cite: Any) -> dict[str, Any]:
    """One language's text (modules `text` and `measures`, or `text_cy` and `measures_cy`), with its
    citations, in the stored format."""
    law = next(number for number, clause in enumerate(source.CLAUSES, start=1) if clause.key == "law")
    citing = {clause.key: clause for clause in text.CLAUSES}
    return {
        "title": source.TITLE,
        "introduction": source.INTRODUCTION.format(**values),
        "clauses": [
            {
                "number": number,
                "key": clause.key,
                "heading": clause.heading,
                "paragraphs": [paragraph.format(**values) for paragraph in clause.paragraphs],
                "meets": list(citing[clause.key].meets),
                "citations": [cite(provision) for provision in citing[clause.key].meets],
            }
            for number, clause in enumerate(source.CLAUSES, start=1)
        ],
        "processing": [[label, value.format(**values)] for label, value in source.PROCESSING],
        "measures": [
            {"heading": group.heading, "points": [item.format(**values) for item in group.items]}
            for group in annex_iii.MEASURES
        ],
        "language": {**source.LANGUAGE, "accepted": source.LANGUAGE["accepted"].format(law_clause=law)},
    }


LANGUAGES = ("en", "cy")


def languages_of(version: DpaTextVersion | dict[str, Any]) -> list[str]:
    """The languages a published version can be read and signed in: English always, Welsh where published."""
    data = version if isinstance(version, dict) else version.data
    return ["en", *(code for code in LANGUAGES[1:] if isinstance(data.get(code), dict))]


def text_in(data: dict[str, Any], language: str) -> dict[str, Any]:
    """A published text in one language, in the format the templates read (English where it has no such one)."""
    translated = data.get(language) if language != "en" else None
    return {**data, **translated} if isinstance(translated, dict) else data


def language_for(version: DpaTextVersion, wanted: Any) -> str:
    """The language to show a version in: the one wanted where the version has it, else English."""
    code = str(wanted or "en").split("_")[0].split("-")[0].lower()
    return code if code in languages_of(version) else "en"


TERMS = ("notice_period_days", "export_days", "deletion_days")
_OLD_NOTICE = re.compile(r"at least (\d+) (?:clear )?days before we add or replace")


@dataclass(frozen=True)
class Terms:
    """The periods a signed text promises, in days (None where an early text did not state one)."""

    notice_period_days: int | None
    export_days: int | None
    deletion_days: int | None


def terms_of(version: DpaTextVersion) -> Terms:
    """The notice, export and deletion periods a published version states.

    The version's columns are the one source (filled from the text's own `terms` when it is
    published; the notice window and exits read the same columns). A version 1 text stated only its
    notice period, in its sub-processors clause, so that is read from the prose when the column is empty.
    """
    notice = version.notice_period_days
    if notice is None:
        body = " ".join(" ".join(clause.get("paragraphs", [])) for clause in version.data.get("clauses", []))
        match = _OLD_NOTICE.search(body)
        notice = int(match.group(1)) if match else None
    return Terms(notice, version.export_days, version.deletion_days)


def _columns(content: dict[str, Any]) -> dict[str, int]:
    """The periods a composed text states, as the DpaTextVersion columns that hold them."""
    return {name: int(content["terms"][name]) for name in TERMS}


def canonical(content: dict[str, Any]) -> str:
    """One canonical JSON form, so the same text always has the same SHA-256."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def text_digest() -> str:
    """The SHA-256 the text would have if it were published now."""
    return hashlib.sha256(canonical(compose_text()).encode()).hexdigest()


def latest_text_version() -> DpaTextVersion | None:
    """The newest published version of the text, or None before the first is published."""
    return db.session.scalar(select(DpaTextVersion).order_by(DpaTextVersion.number.desc()).limit(1))


def publish_text_version(*, actor: Any, summary: str) -> DpaTextVersion:
    """Freeze the current text as the next version (audited); earlier versions and signatures stay."""
    summary = " ".join(summary.split())
    if not summary:
        raise DocumentsError(_("Enter a summary of what changed"))
    if len(summary) > 1000:
        raise DocumentsError(_("Summary of changes must be 1000 characters or fewer"))
    composed = compose_text()
    content = canonical(composed)
    digest = hashlib.sha256(content.encode()).hexdigest()
    latest = latest_text_version()
    if latest is not None and latest.sha256 == digest:
        raise DocumentsError(
            _("The text is the same as version %(number)s: there is nothing new to publish", number=latest.number)
        )
    number = (db.session.scalar(select(func.max(DpaTextVersion.number))) or 0) + 1
    version = DpaTextVersion(
        number=number,
        content=content,
        sha256=digest,
        summary=summary,
        published_by_id=None if isinstance(actor, audit.Actor) else getattr(actor, "id", None),
        **_columns(composed),
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "agreement_text.published",
        actor=as_actor(actor),
        object_type="DpaTextVersion",
        object_id=version.id,
        details={"number": number, "sha256": digest, "summary": summary},
    )
    return version


def all_text_versions() -> list[DpaTextVersion]:
    """Every published version, newest first."""
    return list(db.session.scalars(select(DpaTextVersion).order_by(DpaTextVersion.number.desc())))


@dataclass(frozen=True)
class AgreementStatus:
    """Where one tenancy stands: its latest agreement and whether a newer text awaits signature."""

    tenancy: Tenancy
    latest_text: DpaTextVersion | None
    latest_agreement: Agreement | None

    @property
    def signed_version(self) -> int | None:
        return self.latest_agreement.text_version.number if self.latest_agreement is not None else None

    @property
    def needs_signature(self) -> bool:
        if self.latest_text is None:
            return False
        return self.signed_version is None or self.signed_version < self.latest_text.number


def statuses(tenancies: list[Tenancy]) -> list[AgreementStatus]:
    """Each tenancy's status, in three queries however many tenancies."""
    latest_text = latest_text_version()
    ids = [t.id for t in tenancies]
    latest: dict[int, Agreement] = {}
    if ids:
        newest = select(func.max(Agreement.id)).where(Agreement.tenancy_id.in_(ids)).group_by(Agreement.tenancy_id)
        rows = db.session.scalars(
            select(Agreement).where(Agreement.id.in_(newest)).options(selectinload(Agreement.text_version))
        )
        latest = {row.tenancy_id: row for row in rows}
    return [AgreementStatus(t, latest_text, latest.get(t.id)) for t in tenancies]


def history(tenancy: Tenancy) -> list[Agreement]:
    """Every agreement signed for a tenancy, newest first (one query, the PDFs not loaded)."""
    query = (
        select(Agreement)
        .where(Agreement.tenancy_id == tenancy.id)
        .options(joinedload(Agreement.text_version), joinedload(Agreement.signed_via))
        .order_by(Agreement.id.desc())
    )
    return list(db.session.scalars(query))


def later_agreement(agreement: Agreement) -> Agreement | None:
    """The newest agreement signed for the same organisation after this one, if any (for /verify, #25).

    Signing times are kept to the second, so two signed within one second are told apart by their ids
    (the order they were stored in)."""
    after = or_(
        Agreement.signed_at > agreement.signed_at,
        and_(Agreement.signed_at == agreement.signed_at, Agreement.id > agreement.id),
    )
    query = (
        select(Agreement)
        .where(Agreement.tenancy_id == agreement.tenancy_id, after)
        .order_by(Agreement.signed_at.desc(), Agreement.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def signed_counts() -> dict[int, int]:
    """How many agreements were signed on each text version, by version id (one query)."""
    rows = db.session.execute(select(Agreement.text_version_id, func.count()).group_by(Agreement.text_version_id))
    return {int(row[0]): int(row[1]) for row in rows}
