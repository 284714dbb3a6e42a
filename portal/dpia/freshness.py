"""Whether a downloaded pack still matches the tenancy: a fingerprint of its effective set, and what changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.audit import service as audit
from portal.dpia.content import DpiaPack
from portal.dpia.models import DpiaDownload, PackFormat
from portal.extensions import db
from portal.register.choices import OptionState
from portal.register.effective import EffectiveSet, effective_sets
from portal.tenancy.models import Tenancy


def summarise(found: EffectiveSet, states: Mapping[int, OptionState]) -> dict[str, Any]:
    """What a pack depends on: the register version, the suppliers in use and the option values.

    The version is the latest that changed something materially: an editorial version (wording
    only) leaves every pack as it was.
    """
    version = found.version
    return {
        "register_version": (version.material_since or version.number) if version is not None else None,
        "included": {line.entry.key: line.entry.supplier for line in found.included},
        "options": {s.option.key: {"name": s.option.name, "enabled": s.enabled} for s in states.values()},
    }


def fingerprint(summary: dict[str, Any]) -> str:
    """SHA-256 of the summary in one canonical form."""
    canonical = json.dumps(summary, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _word(enabled: bool) -> str:
    return str(_("on") if enabled else _("off"))


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed between two summaries, in sentences a data lead can act on."""
    changes = []
    old_version, new_version = before.get("register_version"), after.get("register_version")
    if old_version != new_version:
        changes.append(
            _(
                "Version %(new)s of the sub-processor register replaced version %(old)s.",
                new=new_version,
                old=old_version,
            )
        )
    old_in, new_in = before.get("included", {}), after.get("included", {})
    changes += [
        _("%(supplier)s is now used for your school.", supplier=new_in[key])
        for key in sorted(new_in.keys() - old_in.keys())
    ]
    changes += [
        _("%(supplier)s is no longer used for your school.", supplier=old_in[key])
        for key in sorted(old_in.keys() - new_in.keys())
    ]
    old_options, new_options = before.get("options", {}), after.get("options", {})
    for key, now in new_options.items():
        was = old_options.get(key)
        if was is None:
            changes.append(
                _(
                    "A new option, “%(option)s”, is %(state)s for your school.",
                    option=now["name"],
                    state=_word(now["enabled"]),
                )
            )
        elif was["enabled"] != now["enabled"]:
            changes.append(
                _("The option “%(option)s” was switched %(state)s.", option=now["name"], state=_word(now["enabled"]))
            )
    return changes


@dataclass(frozen=True)
class PartStatus:
    """One part of the pack (the DPIA draft, or the records of processing) and its last download."""

    part: str
    heading: str
    subject: str  # how a sentence names it: "The DPIA draft was", "The records of processing were"
    last: DpiaDownload | None
    changes: tuple[str, ...]

    @property
    def out_of_date(self) -> bool:
        return bool(self.changes)


PARTS = (
    ("dpia", _l("DPIA draft"), "The DPIA draft was"),
    ("record", _l("Records of processing"), "The records of processing were"),
)


def latest_downloads(tenancy_ids: Collection[int]) -> dict[int, dict[str, DpiaDownload]]:
    """The newest download of each part of each tenancy's pack by a data lead or trust admin, by tenancy
    (one query, with who, however many tenancies).

    A viewer's download is recorded and audited but does not count: the notice is for whoever
    answers for the DPIA, and a viewer downloading must not hide it from them."""
    latest: dict[int, dict[str, DpiaDownload]] = {tenancy_id: {} for tenancy_id in tenancy_ids}
    if not latest:
        return latest
    newest = (
        select(func.max(DpiaDownload.id))
        .where(DpiaDownload.tenancy_id.in_(latest), DpiaDownload.by_lead.is_(True))
        .group_by(DpiaDownload.tenancy_id, DpiaDownload.format)
    )
    rows = db.session.scalars(
        select(DpiaDownload).where(DpiaDownload.id.in_(newest)).options(joinedload(DpiaDownload.user))
    )
    for row in rows:
        parts, part = latest[row.tenancy_id], row.format.part
        if part not in parts or row.id > parts[part].id:
            parts[part] = row
    return latest


def pack_statuses(
    tenancies: Sequence[Tenancy], summaries: Mapping[int, dict[str, Any]] | None = None
) -> dict[int, list[PartStatus]]:
    """Each tenancy's pack status by tenancy id, in a fixed number of queries however many tenancies
    (a trust's home shows all its academies'): their effective sets at once, their downloads at once.

    A summary already made (from a pack built for the page) is used as given, not computed again.
    """
    known = dict(summaries or {})
    missing = [tenancy for tenancy in tenancies if tenancy.id not in known]
    if missing:
        for tenancy_id, found in effective_sets(missing).items():
            known[tenancy_id] = summarise(found, found.options_by_id)
    latest = latest_downloads([tenancy.id for tenancy in tenancies])
    return {tenancy.id: _parts(known[tenancy.id], latest[tenancy.id]) for tenancy in tenancies}


def _parts(summary: dict[str, Any], latest: Mapping[str, DpiaDownload]) -> list[PartStatus]:
    current = fingerprint(summary)
    statuses = []
    for part, heading, subject in PARTS:
        last = latest.get(part)
        changes: tuple[str, ...] = ()
        if last is not None and last.fingerprint != current:
            changes = tuple(changes_between(last.summary, summary))
        statuses.append(PartStatus(part, str(heading), subject, last, changes))
    return statuses


def pack_status(tenancy: Tenancy, summary: dict[str, Any] | None = None) -> list[PartStatus]:
    """Each part's last download and what has changed for the tenancy since (nothing if never downloaded).

    Without a summary (from a pack already built) it computes one: for a page, such as the tenancy's
    overview, that shows the notice without building the pack.
    """
    return pack_statuses([tenancy], None if summary is None else {tenancy.id: summary})[tenancy.id]


@dataclass(frozen=True)
class Freshness:
    """A pack's state in one word, for a home: never downloaded, up to date, or out of date since a download."""

    last: dt.datetime | None  # the newest download of any part (None: never downloaded)
    stale_since: dt.datetime | None  # the earliest last download of a part out of date (None: up to date)
    change: str | None  # the first thing that changed, for a hint

    @property
    def downloaded(self) -> bool:
        return self.last is not None

    @property
    def out_of_date(self) -> bool:
        return self.stale_since is not None


def freshness_of(parts: Sequence[PartStatus]) -> Freshness:
    """The whole pack's freshness from its parts' (the school's task and the trust's column say the same)."""
    downloaded = [part.last.at for part in parts if part.last is not None]
    stale = [part for part in parts if part.out_of_date and part.last is not None]
    since = min(part.last.at for part in stale if part.last is not None) if stale else None
    return Freshness(max(downloaded) if downloaded else None, since, stale[0].changes[0] if stale else None)


def record_download(
    tenancy: Tenancy, pack: DpiaPack, fmt: PackFormat, *, actor: audit.Actor, by_lead: bool = True
) -> DpiaDownload:
    """Remember what this download showed, and audit it (the caller commits); a viewer's has by_lead False."""
    download = DpiaDownload(
        tenancy_id=tenancy.id,
        format=fmt,
        fingerprint=pack.fingerprint,
        summary=pack.summary,
        user_id=actor.user_id,
        by_lead=by_lead,
    )
    db.session.add(download)
    db.session.flush()
    audit.record(
        "dpia.download",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="dpia_download",
        object_id=download.id,
        details={
            "format": fmt.value,
            "fingerprint": pack.fingerprint,
            "register_version": pack.register_version,
            "dpa_text_version": pack.dpa_text_version,
            "built_on": pack.built_on.isoformat(),
        },
    )
    return download
