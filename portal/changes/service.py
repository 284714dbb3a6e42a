"""Announcing change notices, and the hooks the register's pages call to show them.

Design choice: a notice announces a change that is ALREADY in the current published register.
Staff first publish the register with the planned entry (`effective_on`) or the entry to be
removed (`retires_on`) -- the register's own publishing rules already demand the notice period
-- and then announce it here; `announce_change` checks that the register and the notice agree
on the entry and the date. The register therefore stays the single source of what happens on
which date: the effective set is computed from the date (see `portal.register.effective`), so
the change takes effect on its effective date with no scheduled job, and a planned supplier
processes nothing before then. A notice adds what the register does not hold: the reason, the
notice window, and the objections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Date, Select, and_, bindparam, literal, select
from sqlalchemy.sql.elements import BindParameter

from portal.audit.service import Actor, record
from portal.changes import objections, window
from portal.changes.errors import NoticeInvalid
from portal.changes.models import ChangeKind, ChangeNotice, NoticeState
from portal.dates import govuk_date, now, uk_today
from portal.db import plain_rows
from portal.extensions import db
from portal.notify.fanout import Notice, announce
from portal.notify.signals import OpenChange, open_changes_requested
from portal.notify.tokens import mail_url
from portal.register import signals
from portal.register.cache import load_detached, register_cache
from portal.register.models import EntryStatus, RegisterEntry
from portal.register.service import current_published_id, current_version
from portal.register.signals import RegisterToday
from portal.web.urls import public_url

__all__ = [
    "FeedItem",
    "announce_change",
    "announced_changes",
    "feed_items",
    "get_notice",
    "notice_url",
    "register_candidates",
    "register_today",
    "withdraw_notice",
]


def register_candidates() -> list[RegisterEntry]:
    """The entries a notice may concern (not retired): the current published register's, and the
    draft's over them, since a planned entry must be announced before it can be published (#21)."""
    from portal.register.service import draft_version

    found: dict[str, RegisterEntry] = {}
    for version in (current_version(), draft_version()):
        if version is not None:
            found.update((entry.key, entry) for entry in version.entries)
    return [entry for entry in found.values() if entry.status is not EntryStatus.RETIRED]


def _check_register(kind: ChangeKind, entry_key: str, replaces_key: str | None, effective_on: dt.date) -> RegisterEntry:
    """The register entry the notice concerns, or NoticeInvalid saying what does not match."""
    entries = {entry.key: entry for entry in register_candidates()}
    entry = entries.get(entry_key)
    if entry is None:
        raise NoticeInvalid(_("Select a supplier from the current published register"), field="entry_key")
    when = govuk_date(effective_on)
    planned_then = entry.status is EntryStatus.PLANNED and entry.effective_on == effective_on
    if kind in (ChangeKind.ADDITION, ChangeKind.REPLACEMENT) and not planned_then:
        raise NoticeInvalid(
            _(
                "%(supplier)s is not planned to start on %(when)s in the register or its draft: give it that "
                "date as a planned entry first, then announce it",
                supplier=entry.supplier,
                when=when,
            ),
            field="entry_key",
        )
    if kind is ChangeKind.REPLACEMENT:
        replaced = entries.get(replaces_key or "")
        if replaced is None or replaced.key == entry.key:
            raise NoticeInvalid(_("Select the supplier being replaced"), field="replaces_key")
        if replaced.retires_on != effective_on:
            raise NoticeInvalid(
                _(
                    "%(supplier)s is not due to be removed on %(when)s in the published register: give it that "
                    "removal date in the register first",
                    supplier=replaced.supplier,
                    when=when,
                ),
                field="replaces_key",
            )
    if kind is ChangeKind.REMOVAL and entry.retires_on != effective_on:
        raise NoticeInvalid(
            _(
                "%(supplier)s is not due to be removed on %(when)s in the published register: give it that "
                "removal date in the register first",
                supplier=entry.supplier,
                when=when,
            ),
            field="entry_key",
        )
    return entry


def announce_change(
    *,
    kind: ChangeKind,
    entry_key: str,
    title: str,
    reason: str,
    effective_on: dt.date,
    actor: Actor,
    replaces_key: str | None = None,
    at: dt.datetime | None = None,
) -> ChangeNotice:
    """Publish a notice (audited) and queue it for every data lead and subscriber, in this transaction."""
    at = at or now()
    earliest = window.earliest_effective_date(at)
    if effective_on < earliest:
        raise NoticeInvalid(
            _(
                "The change must take effect after %(days)d clear days' notice: enter %(earliest)s or later",
                days=window.notice_period_days(),
                earliest=govuk_date(earliest),
            ),
            field="effective_on",
        )
    if not title.strip():
        raise NoticeInvalid(_("Enter a title for the change"), field="title")
    if any(ch in title for ch in "\r\n\x00"):
        # The title becomes a mail subject: a line break there would be a header injection.
        raise NoticeInvalid(_("Enter the title on one line"), field="title")
    if not reason.strip():
        raise NoticeInvalid(_("Enter the reason for the change"), field="reason")
    entry = _check_register(kind, entry_key, replaces_key if kind is ChangeKind.REPLACEMENT else None, effective_on)
    notice = ChangeNotice(
        kind=kind,
        entry_key=entry.key,
        replaces_key=replaces_key if kind is ChangeKind.REPLACEMENT else None,
        supplier=entry.supplier,
        title=title.strip(),
        reason=reason.strip(),
        effective_on=effective_on,
        state=NoticeState.ANNOUNCED,
        published_at=at,
        published_by_id=actor.user_id,
        published_by_label=actor.label,
    )
    db.session.add(notice)
    db.session.flush()
    queued = _announce(notice, entry)
    record(
        "change.announced",
        actor=actor,
        object_type="change_notice",
        object_id=notice.id,
        details={
            "kind": kind.value,
            "entry_key": notice.entry_key,
            "replaces_key": notice.replaces_key,
            "effective_on": effective_on.isoformat(),
            "object_until": window.object_until(effective_on).isoformat(),
            "queued": queued,
        },
    )
    return notice


def notice_url(notice: ChangeNotice) -> str:
    """The absolute public URL of a notice, for mail."""
    return mail_url(current_app.url_map.bind("localhost").build("changes_public.notice", {"notice_id": notice.id}))


def _announce(notice: ChangeNotice, entry: RegisterEntry) -> int:
    """Tell every controller by name (what changes for it, a link to its own page), then the subscribers."""
    from portal.changes.controllers import tell_controllers
    from portal.notify.fanout import Notice, announce

    queued, told = tell_controllers(notice, entry=entry)

    def written() -> Notice:  # once per language (#29)
        until = govuk_date(window.object_until(notice.effective_on))
        summary = (
            _("%(kind)s: %(supplier)s.", kind=notice.kind.label, supplier=notice.supplier)
            + f"\n\n{notice.title}\n\n{notice.reason}\n\n"
            + _("This change takes effect on %(when)s.", when=govuk_date(notice.effective_on))
        )
        if notice.kind is not ChangeKind.REMOVAL:
            summary += "\n" + _(
                "If your school or trust uses %(vendor)s, you can object until %(until)s: sign in and open "
                "“Changes and objections” for your organisation.",
                vendor=current_app.config["VENDOR_NAME"],
                until=until,
            )
        return Notice(
            subject=_(
                "%(vendor)s: change to our sub-processors on %(date)s",
                vendor=current_app.config["VENDOR_NAME"],
                date=govuk_date(notice.effective_on),
            ),
            summary=summary,
            links=[(_("Read the change"), notice_url(notice))],
            reference=f"change-notice:{notice.id}",
        )

    return queued + announce(written, include_data_leads=False, exclude=told)


def withdraw_notice(notice: ChangeNotice, *, reason: str, actor: Actor) -> int:
    """Withdraw an announced change: open objections close, everyone is told; the number of objections closed."""
    if notice.state is NoticeState.WITHDRAWN:
        raise NoticeInvalid(_("This change has already been withdrawn"), field="reason")
    if not reason.strip():
        raise NoticeInvalid(_("Enter the reason for withdrawing the change"), field="reason")
    _check_unplanned(notice)
    notice.state, notice.withdrawn_at, notice.withdrawn_by_id = NoticeState.WITHDRAWN, now(), actor.user_id
    notice.withdrawal_reason = reason.strip()
    db.session.flush()
    closed = objections.close_for_withdrawn_change(notice, actor=actor)
    record(
        "change.withdrawn",
        actor=actor,
        object_type="change_notice",
        object_id=notice.id,
        reason=notice.withdrawal_reason,
        details={"objections_closed": closed},
    )
    announce(
        lambda: Notice(
            subject=_(
                "%(vendor)s: change withdrawn: %(title)s", vendor=current_app.config["VENDOR_NAME"], title=notice.title
            )[:300],
            summary=_("We have withdrawn this change: %(title)s.", title=notice.title)
            + f"\n\n{notice.withdrawal_reason}\n\n"
            + _("Nothing changes for your school or trust. Any objection you made to it is closed."),
            links=[(_("Read the change"), notice_url(notice))],
            reference=f"change-notice:{notice.id}:withdrawn",
        )
    )
    return closed


def _check_unplanned(notice: ChangeNotice) -> None:
    """Refuse to withdraw the notice a planned entry of the published register relies on (#21): the
    supplier would then start on its date with no notice. Take it out of the register first."""
    if notice.kind is ChangeKind.REMOVAL:
        return  # withdrawing a removal keeps a supplier: nothing is gained

    version = current_version()
    planned = next(
        (
            e
            for e in (version.entries if version is not None else [])
            if e.key == notice.entry_key and e.status is EntryStatus.PLANNED and e.effective_on == notice.effective_on
        ),
        None,
    )
    if planned is None:
        return
    others = db.session.scalar(
        select(ChangeNotice.id).where(
            ChangeNotice.id != notice.id,
            ChangeNotice.entry_key == notice.entry_key,
            ChangeNotice.state == NoticeState.ANNOUNCED,
            ChangeNotice.effective_on <= notice.effective_on,
        )
    )
    if others is None:
        raise NoticeInvalid(
            _(
                "The published register still plans %(supplier)s from %(when)s and this notice is what allows it: "
                "publish the register without it first, then withdraw the notice",
                supplier=planned.supplier,
                when=govuk_date(notice.effective_on),
            ),
            field="reason",
        )


def _is_announced(today: dt.date | BindParameter[dt.date]) -> Any:
    """The condition for a notice announced and not yet in effect on this UK date."""
    return and_(ChangeNotice.state == NoticeState.ANNOUNCED, ChangeNotice.effective_on >= today)


# Soonest first, everywhere announced notices are listed.
_ANNOUNCED_ORDER = (ChangeNotice.effective_on, ChangeNotice.id)


def announced_changes(today: dt.date | None = None) -> list[ChangeNotice]:
    """Announced changes not yet in effect, soonest first (one query): the hook for register pages and feed."""
    query = select(ChangeNotice).where(_is_announced(today or uk_today())).order_by(*_ANNOUNCED_ORDER)
    return list(db.session.scalars(query))


@signals.register_today_requested.connect
def _answer_register_today(sender: object, *, today: dt.date) -> RegisterToday:
    return register_today(today)


def register_today(today: dt.date) -> RegisterToday:
    """The current published version and today's announced notices, found in one statement.

    The statement only says which ids are current (one row per announced notice, or one row
    with none, each carrying the current version's id); the version and the notices come from
    the register's cache. A page that shows both pays one round trip instead of two.
    """
    rows: Sequence[Any] = plain_rows(db.session, _register_today_statement(), {"today": today})
    current = rows[0][0]
    notice_ids = tuple(notice_id for _, notice_id in rows if notice_id is not None)
    version = register_cache().version(current) if current is not None else None
    return RegisterToday(today, version, notices_for_display(notice_ids))


@cache
def _register_today_statement() -> Select[Any]:
    """`register_today`'s statement, built once with the UK date as a bound parameter (building it
    afresh made SQLAlchemy work out its cache key again on every request)."""
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(current_published_id().scalar_subquery(), ChangeNotice.id)
        .select_from(anchor)
        .outerjoin(ChangeNotice, _is_announced(bindparam("today", type_=Date)))
        .order_by(*_ANNOUNCED_ORDER)
    )


def notices_for_display(ids: tuple[int, ...]) -> list[ChangeNotice]:
    """Notices by id, in that order, from the register's cache (detached: for display only)."""
    if not ids:
        return []

    def load() -> dict[int, ChangeNotice]:  # the statement is built only when they are not kept yet
        notices: list[ChangeNotice] = load_detached(select(ChangeNotice).where(ChangeNotice.id.in_(ids)))
        return {notice.id: notice for notice in notices}

    by_id = register_cache().rendered(("announced-notices", ids), load)
    return [by_id[notice_id] for notice_id in ids]


def recent_notices(limit: int = 50) -> list[ChangeNotice]:
    """The latest notices, newest first, for the vendor's list (one query)."""
    query = select(ChangeNotice).order_by(ChangeNotice.published_at.desc(), ChangeNotice.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def get_notice(notice_id: int) -> ChangeNotice | None:
    """One notice by id (withdrawn ones included)."""
    return db.session.get(ChangeNotice, notice_id)


@dataclass(frozen=True)
class FeedItem:
    """One announced change as an Atom entry: the register's feed adds these beside its versions."""

    id: str
    title: str
    updated: dt.datetime
    url: str
    summary: str


@signals.feed_entries_requested.connect
def _answer_feed_entries(sender: object, *, today: dt.date) -> list[FeedItem]:
    return feed_items(today)


@open_changes_requested.connect
def _answer_open_changes(sender: object) -> list[OpenChange]:
    """A new subscriber's confirmation page and welcome mail list the changes open now (#25)."""
    return [OpenChange(item.title, item.url, item.summary) for item in feed_items()]


def feed_items(today: dt.date | None = None) -> list[FeedItem]:
    """Announced changes not yet in effect as feed entries (one query; needs a request for the URLs)."""
    items = []
    for notice in announced_changes(today):
        url = public_url("changes_public.notice", notice_id=notice.id)
        until = govuk_date(window.object_until(notice.effective_on))
        summary = (
            _(
                "%(kind)s: %(supplier)s, taking effect on %(date)s.",
                kind=notice.kind.label,
                supplier=notice.supplier,
                date=govuk_date(notice.effective_on),
            )
            + f" {notice.reason} "
            + _("Schools can object until %(until)s.", until=until)
        )
        items.append(FeedItem(url, notice.title, notice.published_at, url, summary))
    return items
