"""Reading the agreement text (a published version's content): clause references and annex III measures."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def clause_ref(text: dict[str, Any], key: str) -> str:
    """A reference to one clause of the agreement text by its key, e.g. clause 11 (“Telling you …”)."""
    for clause in text.get("clauses", []):
        if clause.get("key") == key:
            return str(
                _(
                    "clause %(number)s of the data processing agreement (“%(heading)s”)",
                    number=clause["number"],
                    heading=clause["heading"],
                )
            )
    return str(_("the data processing agreement"))


def points(group: dict[str, Any]) -> tuple[str, ...]:
    """The measures of one annex III group (texts published before the key was renamed say "items")."""
    return tuple(group.get("points") or group.get("items") or ())


def measure_items(text: dict[str, Any], heading: str) -> tuple[str, ...]:
    """The agreement's annex III measures under one heading (empty if that heading is gone)."""
    for group in text.get("measures", []):
        if group.get("heading") == heading:
            return points(group)
    return ()


def processing_value(text: dict[str, Any], label: str) -> str:
    """One row of the agreement's annex II (description of the processing) by its label."""
    for row_label, value in text.get("processing", []):
        if row_label == label:
            return str(value)
    return str(_("See annex II of the data processing agreement."))
