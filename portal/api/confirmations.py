"""Confirmations that the vendor's platform applied a tenancy's option change or exclusion (#27).

The portal records a school's switch when it is asked for; the platform confirms when it stopped
(or started) using the supplier. Until then the school is told the change is waiting. A
confirmation names the setting's version it applied: a newer request is not confirmed by an
older application.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.service import Actor, record
from portal.dates import govuk_datetime, now
from portal.extensions import db
from portal.register.models import TenancyExclusion, TenancyOption, TenancyOptionSetting
from portal.tenancy.models import Tenancy

# Clocks differ a little: a platform's "applied at" may be this far ahead of ours.
CLOCK_SKEW = dt.timedelta(minutes=5)


class ConfirmationError(ValueError):
    """A confirmation that cannot be recorded; `status` is the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _check_time(applied_at: dt.datetime, requested_at: dt.datetime) -> None:
    if applied_at.tzinfo is None:
        raise ConfirmationError(422, _("Give applied_at with a time zone, for example 2026-12-06T10:15:00Z"))
    if applied_at > now() + CLOCK_SKEW:
        raise ConfirmationError(422, _("applied_at is in the future"))
    if applied_at < requested_at.replace(microsecond=0):  # platforms send whole seconds
        raise ConfirmationError(
            422,
            _(
                "applied_at is before the change was requested (%(time)s)",
                time=govuk_datetime(requested_at),
            ),
        )


def _mark_applied(
    row: TenancyOptionSetting | TenancyExclusion,
    applied_at: dt.datetime,
    *,
    requested_at: dt.datetime,
    tenancy: Tenancy,
    what: str,
    key: str,
    reason: str,
    details: dict[str, Any],
    actor: Actor,
) -> None:
    """Record the platform's application time on a setting or exclusion, once, with its audit row.

    The first confirmation stands: a repeat (a retried request) changes nothing and records nothing.
    """
    if row.applied_at is not None:
        return
    _check_time(applied_at, requested_at)
    row.applied_at = applied_at.astimezone(dt.UTC)
    db.session.flush()
    record(
        f"tenancy.{what}_applied",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type=f"tenancy_{what}",
        object_id=key,
        reason=reason,
        details={**details, "applied_at": row.applied_at.isoformat()},
    )


def confirm_option(
    tenancy: Tenancy, option_key: str, version: int, applied_at: dt.datetime, *, actor: Actor
) -> TenancyOptionSetting:
    """Record that the platform applied version `version` of this tenancy's setting of an option."""
    setting: TenancyOptionSetting | None = db.session.scalar(
        select(TenancyOptionSetting)
        .join(TenancyOption, TenancyOption.id == TenancyOptionSetting.option_id)
        .where(TenancyOptionSetting.tenancy_id == tenancy.id, TenancyOption.key == option_key)
    )
    if setting is None:
        raise ConfirmationError(
            404,
            _(
                "%(name)s has no setting of its own for option “%(option_key)s”",
                name=tenancy.name,
                option_key=option_key,
            ),
        )
    if setting.version != version:
        raise ConfirmationError(
            409,
            _(
                "The setting is at version %(current)s, not %(version)s: apply the current one and confirm that",
                current=setting.version,
                version=version,
            ),
        )
    _mark_applied(
        setting,
        applied_at,
        requested_at=setting.updated_at,
        tenancy=tenancy,
        what="option",
        key=option_key,
        reason=f"Option “{option_key}” (version {version}) applied by the platform",
        details={"version": version, "enabled": setting.enabled},
        actor=actor,
    )
    return setting


def confirm_exclusion(tenancy: Tenancy, entry_key: str, applied_at: dt.datetime, *, actor: Actor) -> TenancyExclusion:
    """Record that the platform stopped using an excluded supplier for this tenancy."""
    exclusion: TenancyExclusion | None = db.session.scalar(
        select(TenancyExclusion).where(
            TenancyExclusion.tenancy_id == tenancy.id, TenancyExclusion.entry_key == entry_key
        )
    )
    if exclusion is None:
        raise ConfirmationError(
            404,
            _(
                "%(name)s has no exclusion of “%(entry_key)s”",
                name=tenancy.name,
                entry_key=entry_key,
            ),
        )
    _mark_applied(
        exclusion,
        applied_at,
        requested_at=exclusion.since,
        tenancy=tenancy,
        what="exclusion",
        key=entry_key,
        reason=f"Exclusion of “{entry_key}” applied by the platform",
        details={},
        actor=actor,
    )
    return exclusion


def settings_of(tenancy_ids: list[int]) -> dict[int, list[TenancyOptionSetting]]:
    """These tenancies' own option settings (with applied_at), by tenancy id: one query."""
    found: dict[int, list[TenancyOptionSetting]] = {t: [] for t in tenancy_ids}
    rows = db.session.scalars(select(TenancyOptionSetting).where(TenancyOptionSetting.tenancy_id.in_(tenancy_ids)))
    for setting in rows:
        found[setting.tenancy_id].append(setting)
    return found


def exclusions_of(tenancy_ids: list[int]) -> dict[int, list[TenancyExclusion]]:
    """These tenancies' exclusions, by tenancy id: one query."""
    found: dict[int, list[TenancyExclusion]] = {t: [] for t in tenancy_ids}
    rows = db.session.scalars(select(TenancyExclusion).where(TenancyExclusion.tenancy_id.in_(tenancy_ids)))
    for exclusion in rows:
        found[exclusion.tenancy_id].append(exclusion)
    return found
