"""The portal's FlaskForm: every text field's input cleaned of control characters, in one place.

Forms import `FlaskForm` from here instead of flask_wtf; a test checks that every form does.
TextAreaField keeps line breaks and tabs; every other text field (string, email, search, ...)
is one line.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask_wtf import FlaskForm as _FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from portal.web.clean import clean_line, clean_multiline


class FlaskForm(_FlaskForm):
    """Flask-WTF's form, with a filter on every text field that strips control characters."""

    class Meta(_FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField):
                cleaner = clean_multiline if issubclass(field_class, TextAreaField) else clean_line
                filters = options.get("filters") or unbound_field.kwargs.get("filters") or ()
                options["filters"] = (cleaner, *filters)
            return unbound_field.bind(form=form, **options)


_SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_submission_key() -> str:
    """A one-time key for a form whose second press must not act twice."""
    return secrets.token_urlsafe(24)


def valid_submission_key(key: str) -> bool:
    """Whether a submitted one-time key has the form `new_submission_key` makes."""
    return _SUBMISSION_KEY.fullmatch(key) is not None


class SubmissionKeyMixin:
    """A form's one-time `submission_key`: made when the form is first shown, kept when it comes
    back with errors, so a double click, or Back and again, acts once (the service keeps the key
    under a unique constraint)."""

    submission_key = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()
