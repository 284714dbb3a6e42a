"""Which language a page, a mail or a document is written in: English or Welsh (#29).

A page follows, in order: the signed-in person's own choice (kept on their account), the
visitor's choice (the essential `portal_language` cookie set by the language switch), their
browser's `Accept-Language`, then English. URLs are the same in both languages.

Mails and documents are written outside the reader's request: `mail_language` picks the
recipient's own choice, else their organisation's, else English, and `written_in` renders in it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_request_context, request
from flask_babel import force_locale, get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user

LANGUAGES = ("en", "cy")
DEFAULT = "en"
COOKIE = "portal_language"
# A year: the choice is the visitor's until they change it.
COOKIE_MAX_AGE = 365 * 24 * 3600
# Each language's name in itself, for the switch ("English | Cymraeg").
NAMES = {"en": "English", "cy": "Cymraeg"}


def known(value: object) -> str | None:
    """The language code if it is one the portal is written in."""
    return value if isinstance(value, str) and value in LANGUAGES else None


def choose() -> str:
    """Flask-Babel's locale selector: the language of the current request."""
    if not has_request_context():
        return DEFAULT
    user = current_user if current_user and current_user.is_authenticated else None
    chosen = known(getattr(user, "language", None)) or known(request.cookies.get(COOKIE))
    return chosen or request.accept_languages.best_match(LANGUAGES) or DEFAULT


def current() -> str:
    """The language being written in now ("en" outside any request)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def label(text: LazyString) -> str:
    """A fixed label (a state's, a kind's) in the language being written in, translated once a
    language per process: the catalogues never change while it runs, and a queue page of 25 rows
    asked gettext for the same five labels again and again (#26 item 6).

    `text` must be a module-level lazy string (it is remembered by identity)."""
    locale = get_locale()
    key = (id(text), str(locale) if locale is not None else "")
    found = _labels.get(key)
    if found is None:
        found = str(text)
        if locale is not None:  # outside any request nothing is translated: nothing to keep
            with _labels_lock:
                _labels[key] = found
    return found


_labels: dict[tuple[int, str], str] = {}
_labels_lock = threading.Lock()


def mail_language(person: Any = None, organisation: Any = None) -> str:
    """A recipient's own choice, else their organisation's, else English."""
    return known(getattr(person, "language", None)) or known(getattr(organisation, "language", None)) or DEFAULT


@contextmanager
def written_in(language: str | None) -> Iterator[None]:
    """Render templates, gettext and dates in `language` within the block."""
    with force_locale(known(language) or DEFAULT):
        yield


__all__ = ["COOKIE", "LANGUAGES", "NAMES", "choose", "current", "known", "label", "mail_language", "written_in"]
