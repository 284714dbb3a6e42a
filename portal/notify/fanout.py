"""Announce a register change to everyone who should hear of it, in one set-based statement per audience.

Design of the personal unsubscribe link: the token is an HMAC of the address under SECRET_KEY
(`portal.notify.tokens.unsubscribe_token`); the subscriber row keeps only its SHA-256, to find
the row when the link is used. So the INSERT ... SELECT writes the same body for every
subscriber and flags the rows `list_unsubscribe`; the worker, which builds each message anyway,
adds the visible unsubscribe link and the RFC 8058 `List-Unsubscribe` / `List-Unsubscribe-Post`
headers from the recipient address. Nothing in the database can forge an unsubscribe link,
and the link keeps working (same answer) after the row is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from sqlalchemy import Select, Subquery, and_, case, exists, func, insert, literal, select

from portal.auth.models import User
from portal.dates import now
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus, Subscriber
from portal.notify.outbox import MailError, clean_header
from portal.tenancy.models import Membership, Role, Tenancy
from portal.web.language import DEFAULT, LANGUAGES, written_in

NOTICE_CATEGORY = "notice"


@dataclass(frozen=True)
class Notice:
    """One change to announce: what changes, why, when, and where to read more."""

    subject: str  # no CR/LF (validated)
    summary: str  # plain text: what changes, why, the effective date
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, absolute URL)
    reference: str = ""  # e.g. "register-version:3" or "change-notice:7"

    def __post_init__(self) -> None:
        clean_header(self.subject, field="Subject")
        if not self.subject.strip():
            raise MailError("A notice needs a subject")
        if len(self.reference) > 80:
            raise MailError("A notice reference is at most 80 characters")
        for label, url in self.links:
            clean_header(label, field="Link label")
            if not url.startswith(("https://", "http://")):
                raise MailError(f"Notice links must be absolute URLs: {url}")


def notice_text(notice: Notice) -> str:
    """The body of a notice: one helper builds it for subscribers and data leads alike."""
    return render_template("notify/notice.txt", notice=notice)


def _data_lead_addresses() -> Select[tuple[str, str]]:
    """One lower-cased address per enabled user who is a data lead or trust admin anywhere, with the
    language their mail is written in: their own choice, else Welsh if any of their organisations
    chose it ("cy" sorts before "en"), else English (#29)."""
    address = func.lower(User.email)
    language = func.coalesce(func.max(User.language), func.min(Tenancy.language))
    return (
        select(address.label("address"), language.label("language"))
        .join(Membership, Membership.user_id == User.id)
        .join(Tenancy, Tenancy.id == Membership.tenancy_id)
        .where(
            Membership.role.in_([Role.DATA_LEAD, Role.TRUST_ADMIN]),
            User.email.is_not(None),
            User.is_disabled.is_(False),
        )
        .group_by(address)
    )


def _in_language(rows: Subquery, texts: dict[str, str], type_: Any) -> Any:
    """The text for each row's language: a literal when every language reads the same, else a CASE."""
    english = literal(texts[DEFAULT], type_=type_)
    others = {language: text for language, text in texts.items() if text != texts[DEFAULT]}
    if not others:
        return english
    return case(
        {language: literal(text, type_=type_) for language, text in others.items()},
        value=rows.c.language,
        else_=english,
    )


def _insert(rows: Subquery, *, written: dict[str, tuple[Notice, str]], unsubscribe: bool) -> int:
    """INSERT INTO outbox_message SELECT ... : one statement, whatever the number of recipients and languages."""
    table = OutboxMessage.__table__
    at = now()
    english = written[DEFAULT][0]
    columns = {
        "recipient": rows.c.address,
        "created_at": literal(at, type_=table.c.created_at.type),
        "subject": _in_language(rows, {k: n.subject[:300] for k, (n, _body) in written.items()}, table.c.subject.type),
        "body_text": _in_language(rows, {k: body for k, (_n, body) in written.items()}, table.c.body_text.type),
        "category": literal(NOTICE_CATEGORY, type_=table.c.category.type),
        "reference": literal(english.reference or None, type_=table.c.reference.type),
        "status": literal(OutboxStatus.QUEUED, type_=table.c.status.type),
        "attempts": literal(0, type_=table.c.attempts.type),
        "next_attempt_at": literal(at, type_=table.c.next_attempt_at.type),
        "list_unsubscribe": literal(unsubscribe, type_=table.c.list_unsubscribe.type),
    }
    statement = insert(table).from_select(list(columns), select(*columns.values()))
    # SQLAlchemy keeps an INSERT's rowcount only when asked to.
    result = db.session.execute(statement, execution_options={"preserve_rowcount": True})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def announce(
    notice: Notice | Callable[[], Notice], *, include_data_leads: bool = True, exclude: Sequence[str] = ()
) -> int:
    """Queue the notice for every confirmed subscriber and (optionally) every data lead and trust admin
    of every tenancy, in the caller's transaction; returns the number queued.

    Each reader gets it in their language (#29): pass a function that builds the Notice and it is
    called once per language, with gettext and dates in that language, and one statement per audience
    picks each row's text by its language. A subscriber who is also a data lead gets one mail (the data
    lead's). The caller commits.
    """
    make = notice if callable(notice) else (lambda: notice)
    db.session.flush()
    written = {}
    for language in LANGUAGES:
        with written_in(language):
            built = make()
            written[language] = (built, notice_text(built))
    queued = 0
    leads = _data_lead_addresses().subquery()
    subscribers = select(Subscriber.address.label("address"), Subscriber.language.label("language")).where(
        Subscriber.confirmed_at.is_not(None)
    )
    if include_data_leads:
        queued += _insert(leads, written=written, unsubscribe=False)
        subscribers = subscribers.where(~exists(select(1).where(and_(leads.c.address == Subscriber.address))))
    if exclude:  # already told by a mail of their own (a controller's, about its contract)
        subscribers = subscribers.where(Subscriber.address.not_in(list(exclude)))
    queued += _insert(subscribers.subquery(), written=written, unsubscribe=True)
    return queued


__all__ = ["NOTICE_CATEGORY", "Notice", "announce", "notice_text"]
