"""Material or editorial: whether a change to an entry needs notice, decided by its facts.

A change is material when it adds to what a school's data is exposed to: a new supplier, a new
data subject or category, a new country, a new or changed transfer mechanism, a new AI model or a
"yes" to training, a platform utility becoming a data sub-processor, a status moving into use, or
a condition loosened. Everything else (wording, removals, narrowing) is editorial: it is published
at once and mails nobody. Notice itself is enforced by the changes capability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from portal.dates import govuk_date, uk_today
from portal.register.facts import EntryFacts
from portal.register.models import ENTRY_TEXT_FIELDS, EntryKind, EntryStatus, RegisterEntry, RegisterVersion
from portal.register.vocabulary import CATEGORIES, AIUse, DataSubject, TransferMechanism, country_name

IN_USE = frozenset({EntryStatus.ACTIVE, EntryStatus.ACTIVE_TEMPORARY})


@dataclass(frozen=True)
class EntryDifference:
    """How one entry differs between two versions, and whether that needs notice."""

    key: str  # RegisterEntry.key, stable across versions
    supplier: str
    change: str  # "added" | "removed" | "changed" | "unchanged"
    material: bool
    reasons: tuple[str, ...]  # plain English, e.g. "new data category: voice recordings"

    @property
    def classification(self) -> str:
        """ "material", "editorial" or "" (unchanged), as pages and feeds show it."""
        if self.change == "unchanged":
            return ""
        return "material" if self.material else "editorial"


def _listed(values: Sequence[str]) -> str:
    return ", ".join(values)


def _material_reasons(before: RegisterEntry, after: RegisterEntry) -> list[str]:
    old, new = before.facts, after.facts
    reasons = []
    subjects = [s for s in new.subjects if s not in old.subjects]
    if subjects:
        reasons.append(_("new data subjects: %(names)s", names=_listed([s.label.lower() for s in subjects])))
    renamed = new.other_subjects.strip().lower() != old.other_subjects.strip().lower()
    if DataSubject.OTHERS in new.subjects and DataSubject.OTHERS not in subjects and renamed:
        reasons.append(_("other data subjects now: %(names)s", names=new.other_subjects))
    categories = [CATEGORIES[c].name for c in new.categories if c not in old.categories and c in CATEGORIES]
    if categories:
        reasons.append(_("new data categories: %(names)s", names=_listed(categories)))
    countries = [country_name(c) for c in new.countries if c not in old.countries]
    if countries:
        reasons.append(_("new processing countries: %(names)s", names=_listed(countries)))
    if new.parent_country and new.parent_country != old.parent_country:
        reasons.append(_("parent now headquartered in %(country)s", country=country_name(new.parent_country)))
    if new.transfer != old.transfer and new.transfer is not TransferMechanism.NONE:
        reasons.append(_("transfer mechanism now: %(mechanism)s", mechanism=new.transfer.label))
    if new.pupil_facing and not old.pupil_facing:
        reasons.append(_("now used directly by pupils"))
    reasons += _ai_reasons(old, new)
    if before.kind is EntryKind.PLATFORM_UTILITY and after.kind is EntryKind.DATA_SUBPROCESSOR:
        reasons.append(_("now a data sub-processor (was a platform utility)"))
    reasons += _status_reasons(before, after)
    return reasons


def _ai_reasons(old: EntryFacts, new: EntryFacts) -> list[str]:
    if new.ai is None:
        return []
    reasons = []
    known = old.ai.model_names if old.ai is not None else frozenset()
    models = [m.name for m in new.ai.models if m.name.strip().lower() not in known]
    if models:
        reasons.append(_("new AI models: %(names)s", names=_listed(models)))
    if new.ai.trains_on_customer_data and not (old.ai is not None and old.ai.trains_on_customer_data):
        reasons.append(_("may now use customer data to train or improve models"))
    if old.ai is not None and new.ai.inference_country != old.ai.inference_country:
        reasons.append(_("inference now runs in %(country)s", country=country_name(new.ai.inference_country)))
    was = old.ai.use if old.ai is not None else AIUse.OPTION
    if old.ai is not None and new.ai.use.breadth > was.breadth:
        reasons.append(_("condition loosened: now %(use)s", use=new.ai.use.label.lower()))
    return reasons


def _status_reasons(before: RegisterEntry, after: RegisterEntry) -> list[str]:
    if after.status not in IN_USE or before.status in IN_USE:
        if (
            after.status is EntryStatus.CONDITIONAL
            and before.status is EntryStatus.CONDITIONAL
            and (after.condition_service or "").strip().lower() != (before.condition_service or "").strip().lower()
        ):
            return [_("now conditional on %(service)s", service=after.condition_service or "")]
        if after.status is EntryStatus.CONDITIONAL and before.status in (EntryStatus.RETIRED, EntryStatus.PLANNED):
            return [_("status now %(status)s", status=after.status.label.lower())]
        return []
    if before.status is EntryStatus.PLANNED and before.effective_on is not None and before.effective_on <= uk_today():
        return []  # the announced addition taking effect: its notice has run
    if before.status is EntryStatus.CONDITIONAL:
        return [
            _(
                "condition loosened: now used for everyone, not only where %(service)s is on",
                service=(before.condition_service or "").lower(),
            )
        ]
    return [
        _(
            "status into use: now %(status)s (was %(was)s)",
            status=after.status.label.lower(),
            was=before.status.label.lower(),
        )
    ]


# Differences that are information or wording: shown, never material.
_EDITORIAL_FIELDS = (*ENTRY_TEXT_FIELDS, "kind", "status", "condition_service", "effective_on", "retires_on")


def _editorial_reasons(before: RegisterEntry, after: RegisterEntry) -> list[str]:
    reasons = []
    changed = [name for name in _EDITORIAL_FIELDS if (getattr(before, name) or None) != (getattr(after, name) or None)]
    if changed:
        reasons.append(_("changed: %(fields)s", fields=_listed([name.replace("_", " ") for name in changed])))
    old, new = before.facts, after.facts
    gone = [CATEGORIES[c].name for c in old.categories if c not in new.categories and c in CATEGORIES]
    if gone:
        reasons.append(_("no longer processes: %(names)s", names=_listed(gone)))
    if old != new and not gone:
        was, now = _flat(old.to_json()), _flat(new.to_json())
        names = sorted({key for key in was.keys() | now.keys() if was.get(key) != now.get(key)})
        reasons.append(_("facts changed: %(fields)s", fields=_listed([n.replace("_", " ") for n in names])))
    if after.retires_on and after.retires_on != before.retires_on:
        reasons.append(_("to be removed on %(date)s", date=govuk_date(after.retires_on)))
    return reasons


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Facts as one level of names ("ai prompt_retention"), to name what changed."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key} "))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def compare_entries(previous: RegisterEntry | None, current: RegisterEntry | None) -> EntryDifference:
    """How an entry changed from one version to the next (either side may be missing)."""
    if previous is None and current is None:
        raise ValueError("compare_entries needs at least one entry")
    if previous is None:
        assert current is not None
        return EntryDifference(current.key, current.supplier, "added", True, (_("new supplier"),))
    if current is None:
        return EntryDifference(previous.key, previous.supplier, "removed", False, (_("no longer listed"),))
    material = _material_reasons(previous, current)
    if material:
        return EntryDifference(current.key, current.supplier, "changed", True, tuple(material))
    editorial = _editorial_reasons(previous, current)
    if editorial:
        return EntryDifference(current.key, current.supplier, "changed", False, tuple(editorial))
    return EntryDifference(current.key, current.supplier, "unchanged", False, ())


def compare_versions(previous: RegisterVersion | None, current: RegisterVersion) -> list[EntryDifference]:
    """Every entry of either version, in the current version's order, then those removed."""
    old = {e.key: e for e in previous.entries} if previous is not None else {}
    new_keys = {e.key for e in current.entries}
    found = [compare_entries(old.get(entry.key), entry) for entry in current.entries]
    found += [compare_entries(entry, None) for entry in old.values() if entry.key not in new_keys]
    return found


def is_material(differences: Sequence[EntryDifference]) -> bool:
    """Whether any entry changed materially."""
    return any(d.material for d in differences)
