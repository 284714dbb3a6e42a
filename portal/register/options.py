"""Tenancy options: the vendor defines them; data leads and trust admins switch them, never over each other."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.service import Actor, record
from portal.auth.models import User
from portal.dates import govuk_datetime, now
from portal.extensions import db
from portal.register.errors import OptionConflict, OptionInvalid
from portal.register.models import (
    RegisterEntry,
    RegisterVersion,
    TenancyOption,
    TenancyOptionEntry,
    TenancyOptionSetting,
)
from portal.tenancy.models import Tenancy

KEY_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def _word(enabled: bool) -> str:
    return "on" if enabled else "off"


def set_option(
    tenancy: Tenancy, option: TenancyOption, enabled: bool, *, expected_version: int, actor: Actor
) -> TenancyOptionSetting:
    """Switch an option for one tenancy, if its setting is still at the version the form showed.

    `expected_version` is 0 when the tenancy had no setting of its own. A change made by someone
    else in between raises OptionConflict and writes nothing: the update is a compare-and-set on
    the version in one statement, so two requests can never both succeed.
    """
    current = _setting(tenancy.id, option.id)
    if current is not None and current.version == expected_version and current.enabled == enabled:
        return current  # nothing to change; not a conflict either
    before = current.enabled if current is not None else option.default_enabled
    if expected_version == 0:
        setting = _insert(tenancy, option, enabled, actor)
    else:
        setting = _compare_and_set(tenancy, option, enabled, expected_version, actor)
    record(
        "tenancy.option_changed",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="tenancy_option",
        object_id=option.key,
        reason=f"“{option.name}” switched {_word(enabled)}",
        details={"option": option.name, "from": _word(before), "to": _word(enabled), "version": setting.version},
    )
    return setting


def _setting(tenancy_id: int, option_id: int) -> TenancyOptionSetting | None:
    query = select(TenancyOptionSetting).where(
        TenancyOptionSetting.tenancy_id == tenancy_id, TenancyOptionSetting.option_id == option_id
    )
    return db.session.scalar(query.execution_options(populate_existing=True))


def _insert(tenancy: Tenancy, option: TenancyOption, enabled: bool, actor: Actor) -> TenancyOptionSetting:
    setting = TenancyOptionSetting(
        tenancy_id=tenancy.id,
        option_id=option.id,
        enabled=enabled,
        version=1,
        updated_by_id=actor.user_id,
        updated_at=now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(setting)
    except IntegrityError:
        # Someone else saved a first setting for this tenancy at the same moment.
        raise _conflict(tenancy, option) from None
    return setting


def _compare_and_set(
    tenancy: Tenancy, option: TenancyOption, enabled: bool, expected_version: int, actor: Actor
) -> TenancyOptionSetting:
    statement = (
        update(TenancyOptionSetting)
        .where(
            TenancyOptionSetting.tenancy_id == tenancy.id,
            TenancyOptionSetting.option_id == option.id,
            TenancyOptionSetting.version == expected_version,
        )
        .values(
            enabled=enabled,
            version=TenancyOptionSetting.version + 1,
            updated_by_id=actor.user_id,
            updated_at=now(),
            applied_at=None,  # a new request: the platform has not applied it yet (#27)
        )
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(tenancy, option)
    setting = _setting(tenancy.id, option.id)
    assert setting is not None
    return setting


def _conflict(tenancy: Tenancy, option: TenancyOption) -> OptionConflict:
    """A message saying who changed what and when, so the user can decide again with the facts."""
    query = (
        select(TenancyOptionSetting, User.display_name)
        .outerjoin(User, User.id == TenancyOptionSetting.updated_by_id)
        .where(TenancyOptionSetting.tenancy_id == tenancy.id, TenancyOptionSetting.option_id == option.id)
        .execution_options(populate_existing=True)
    )
    row = db.session.execute(query).first()
    if row is None:
        return OptionConflict(
            _(
                "“%(option)s” for %(name)s changed while you were deciding. Nothing was saved: choose again.",
                option=option.name,
                name=tenancy.name,
            )
        )
    setting, who = row
    return OptionConflict(
        _(
            "%(who)s changed “%(option)s” for %(name)s on %(when)s while you were deciding: it is now %(state)s. "
            "Nothing you chose was saved. Check the current setting and choose again.",
            who=who or _("Someone"),
            option=option.name,
            name=tenancy.name,
            when=govuk_datetime(setting.updated_at),
            state=_("on") if setting.enabled else _("off"),
        )
    )


def set_option_for_academies(
    trust: Tenancy, option: TenancyOption, enabled: bool, *, expected_versions: Mapping[int, int], actor: Actor
) -> list[TenancyOptionSetting]:
    """Switch an option for every academy of a trust at once, all or nothing.

    `expected_versions` maps each academy id to the version the trust admin saw. If the trust's
    academies changed, or any academy's setting moved, nothing is written.
    """
    academies = list(trust.academies)
    if not academies:
        raise OptionConflict(_("%(name)s has no academies to change.", name=trust.name))
    if set(expected_versions) != {a.id for a in academies}:
        raise OptionConflict(
            _("The trust's academies changed while you were deciding. Nothing was saved: choose again.")
        )
    try:
        with db.session.begin_nested():
            return [
                set_option(academy, option, enabled, expected_version=expected_versions[academy.id], actor=actor)
                for academy in academies
            ]
    except OptionConflict as conflict:
        raise OptionConflict(conflict.message + " " + _("No academy was changed.")) from None


def _check_definition(option: TenancyOption | None, *, key: str, name: str, entry_keys: Sequence[str]) -> None:
    if not KEY_PATTERN.match(key):
        raise OptionInvalid(_("Enter a key of lower-case letters, digits and hyphens"), field="key")
    if not name.strip():
        raise OptionInvalid(_("Enter the option's name"), field="name")
    clash = db.session.scalar(select(TenancyOption.id).where(TenancyOption.key == key))
    if clash is not None and (option is None or clash != option.id):
        raise OptionInvalid(_("Another option already has the key “%(key)s”", key=key), field="key")
    known = set(db.session.scalars(select(RegisterEntry.key).join(RegisterVersion).distinct()))
    for entry_key in entry_keys:
        if entry_key not in known:
            raise OptionInvalid(_("No register entry has the key “%(key)s”", key=entry_key), field="entry_keys")
    governed = db.session.execute(
        select(TenancyOptionEntry.entry_key, TenancyOption.id, TenancyOption.name)
        .join(TenancyOption)
        .where(TenancyOptionEntry.entry_key.in_(entry_keys))
    ).all()
    for entry_key, other_id, other in governed:
        if option is None or other_id != option.id:
            raise OptionInvalid(
                _("“%(key)s” is already governed by the option “%(option)s”", key=entry_key, option=other),
                field="entry_keys",
            )


def _require_notice(option_id: int | None, *, key: str, name: str, default_enabled: bool, keys: Sequence[str]) -> None:
    """Refuse an option definition or default that would bring a supplier into use without notice (#21)."""
    from portal.register.choices import OptionDefinition, tenancy_choices
    from portal.register.notice_guard import NoticeRequired, require_notice
    from portal.register.service import current_published

    current = tenancy_choices([]).options
    changed = OptionDefinition(option_id or -1, key, name, "", default_enabled, tuple(keys))
    # An entry is governed by one option: moving it here takes it from its old option.
    others = [
        dataclasses.replace(o, entry_keys=tuple(k for k in o.entry_keys if k not in keys))
        for o in current
        if o.id != option_id
    ]
    version = current_published()
    try:
        require_notice(before=version, after=version, options_after=[*others, changed])
    except NoticeRequired as refused:
        raise OptionInvalid(refused.message, field="default") from None


def define_option(
    *,
    key: str,
    name: str,
    description: str,
    default_enabled: bool,
    entry_keys: Sequence[str],
    actor: Actor,
    name_cy: str | None = None,
    description_cy: str | None = None,
) -> TenancyOption:
    """Define a new option governing some register entries."""
    keys = sorted(set(entry_keys))
    _check_definition(None, key=key, name=name, entry_keys=keys)
    _require_notice(None, key=key, name=name, default_enabled=default_enabled, keys=keys)
    position = (db.session.scalar(select(TenancyOption.position).order_by(TenancyOption.position.desc())) or 0) + 1
    option = TenancyOption(
        key=key,
        name=name.strip(),
        description=description.strip(),
        name_cy=(name_cy or "").strip() or None,
        description_cy=(description_cy or "").strip() or None,
        default_enabled=default_enabled,
        position=position,
        governed=[TenancyOptionEntry(entry_key=k) for k in keys],
    )
    db.session.add(option)
    db.session.flush()
    record(
        "register.option_defined",
        actor=actor,
        object_type="tenancy_option",
        object_id=key,
        details={"name": option.name, "default": _word(default_enabled), "entries": keys},
    )
    return option


def update_option(
    option: TenancyOption,
    *,
    name: str,
    description: str,
    default_enabled: bool,
    entry_keys: Sequence[str],
    actor: Actor,
    name_cy: str | None = None,
    description_cy: str | None = None,
) -> TenancyOption:
    """Change an option's wording, default or governed entries (tenancies' own settings stay)."""
    keys = sorted(set(entry_keys))
    _check_definition(option, key=option.key, name=name, entry_keys=keys)
    _require_notice(option.id, key=option.key, name=name, default_enabled=default_enabled, keys=keys)
    before = {"name": option.name, "default": _word(option.default_enabled), "entries": option.entry_keys}
    option.name, option.description, option.default_enabled = name.strip(), description.strip(), default_enabled
    option.name_cy, option.description_cy = (name_cy or "").strip() or None, (description_cy or "").strip() or None
    kept = [row for row in option.governed if row.entry_key in keys]
    option.governed = kept + [TenancyOptionEntry(entry_key=k) for k in keys if k not in {r.entry_key for r in kept}]
    db.session.flush()
    after = {"name": option.name, "default": _word(default_enabled), "entries": keys}
    record(
        "register.option_changed",
        actor=actor,
        object_type="tenancy_option",
        object_id=option.key,
        details={"from": before, "to": after},
    )
    return option
