"""The portal's FlaskForm: every text field's input cleaned of control characters, in one place.

Forms import `FlaskForm` from here instead of flask_wtf; a test checks that every form does.
TextAreaField keeps line breaks and tabs; every other text field (string, email, search, ...)
is one line. Every submit button prevents a double submission (GOV.UK Frontend's button).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

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
            if issubclass(field_class, SubmitField):
                # A second click while the first is sent does not send the form twice (#25).
                render_kw = options.get("render_kw") or unbound_field.kwargs.get("render_kw") or {}
                options["render_kw"] = {"data-prevent-double-click": "true", **render_kw}
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


class DayField(DateField):
    """A day, month and year in three boxes; a clear message when they are not a real date."""

    def __init__(self, label: Any = None, validators: Any = None, *, invalid: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format="%d %m %Y", widget=GovDateInput(), **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) != 3:
            self.raw_data = ["", "", ""]
            self.data = None
            return
        if not any(v.strip() for v in valuelist):
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.invalid or _l("Enter a real date, like 27 3 2027"))) from error


def signer_fields() -> tuple[StringField, StringField]:
    """The signer's full name and role, as an agreement and the trust hub's NDA record them.

    Fields, not a mixin: declared in a form's body they keep their place in its order (and so in
    its error summary)."""
    return (
        StringField(
            _l("Your full name"),
            widget=GovTextInput(),
            validators=[
                DataRequired(_l("Enter your full name")),
                Length(max=200, message=_l("Your full name must be 200 characters or fewer")),
            ],
        ),
        StringField(
            _l("Your role"),
            widget=GovTextInput(),
            validators=[
                DataRequired(_l("Enter your role")),
                Length(max=200, message=_l("Your role must be 200 characters or fewer")),
            ],
        ),
    )
