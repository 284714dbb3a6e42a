"""The vendor's own register text in Welsh (#29).

Beside each English field schools read (an entry's purpose, location and notes, a statement's
reason, a version's summary and notes, an option's name and description) the vendor may write
the Welsh. A page in Welsh shows the Welsh where it exists, else the English marked `lang="en"`,
and says once that some supplier details are not yet available in Welsh. The vendor's console
lists what has no Welsh yet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.register.models import ENTRY_WELSH_FIELDS, NotSubProcessor, RegisterEntry, RegisterVersion

VERSION_WELSH_FIELDS = {"summary": "summary_cy", "notes": "notes_cy"}
STATEMENT_WELSH_FIELDS = {"reason": "reason_cy"}
OPTION_WELSH_FIELDS = {"name": "name_cy", "description": "description_cy"}
FIELD_LABELS = {
    "summary": _l("What changed"),
    "notes": _l("Notes"),
    "services_used": _l("Services used"),
    "purpose": _l("Function or purpose"),
    "data_categories": _l("Data categories processed"),
    "location": _l("Location"),
    "residency_note": _l("Residency note"),
    "risk_note": _l("Risk note"),
    "reason": _l("Why it is not a sub-processor"),
    "name": _l("Name"),
    "description": _l("What it does and what switching it changes"),
}


def _fields(thing: Any) -> dict[str, str]:
    if isinstance(thing, RegisterEntry):
        return ENTRY_WELSH_FIELDS
    if isinstance(thing, RegisterVersion):
        return VERSION_WELSH_FIELDS
    if isinstance(thing, NotSubProcessor):
        return STATEMENT_WELSH_FIELDS
    return OPTION_WELSH_FIELDS if hasattr(thing, "description_cy") else {}


def welsh_wanted() -> bool:
    """Whether the page is being shown in Welsh."""
    locale = get_locale()
    return locale is not None and locale.language == "cy"


def welsh_of(thing: Any, field: str) -> str:
    """The Welsh the vendor wrote for this field, or "" (also for a field with no Welsh column)."""
    column = _fields(thing).get(field)
    return ((getattr(thing, column, None) or "") if column else "").strip()


def localised(thing: Any, field: str) -> tuple[str, str | None]:
    """The field's text for the current language, and "en" when a Welsh page falls back to English."""
    english = getattr(thing, field, None) or ""
    if not welsh_wanted():
        return english, None
    welsh = welsh_of(thing, field)
    if welsh:
        return welsh, None
    return english, ("en" if english.strip() and field in _fields(thing) else None)


def vendor_text(thing: Any, field: str) -> Markup:
    """The field as HTML: the Welsh on a Welsh page, else the English, marked `lang="en"` there."""
    text, lang = localised(thing, field)
    if lang:
        return Markup('<span lang="{}">{}</span>').format(lang, text)
    return escape(text)


@dataclasses.dataclass(frozen=True)
class Untranslated:
    """One piece of the vendor's text with no Welsh yet: where it is and which field."""

    where: str
    field: str
    english: str

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))


def untranslated(
    version: RegisterVersion | None, options: Iterable[Any] = (), *, version_fields: Iterable[str] = ("notes",)
) -> list[Untranslated]:
    """Every English text of a version (and of the options) that has no Welsh beside it.

    `version_fields` are the version's own texts to check: a draft's summary is only written on
    publishing, so the console checks a draft's notes and a published version's summary too.
    """
    found: list[Untranslated] = []

    def check(thing: Any, where: str, fields: Iterable[str]) -> None:
        for field in fields:
            english = (getattr(thing, field, None) or "").strip()
            if english and not welsh_of(thing, field):
                found.append(Untranslated(where, field, english))

    if version is not None:
        check(version, _("Version %(number)s", number=version.number), version_fields)
        for entry in version.entries:
            check(entry, entry.supplier, ENTRY_WELSH_FIELDS)
        for statement in version.statements:
            check(statement, statement.supplier, STATEMENT_WELSH_FIELDS)
    for option in options:
        check(option, option.name, OPTION_WELSH_FIELDS)
    return found


def missing_on_page(*things: Any) -> bool:
    """Whether a Welsh page showing these (versions, entries, statements, options) falls back to English."""
    if not welsh_wanted():
        return False
    for thing in things:
        if isinstance(thing, (list, tuple)):
            if missing_on_page(*thing):
                return True
            continue
        if thing is None:
            continue
        if isinstance(thing, RegisterVersion):
            fields = ("summary", "notes") if thing.is_published else ("notes",)
            if untranslated(thing, version_fields=fields):
                return True
        elif any(localised(thing, field)[1] for field in _fields(thing)):
            return True
    return False
