"""The portal's FlaskForm: every text field's input cleaned of control characters, in one place.

Forms import `FlaskForm` from here instead of flask_wtf; a test checks that every form does.
TextAreaField keeps line breaks and tabs; every other text field (string, email, search, ...)
is one line. Every submit button prevents a double submission (GOV.UK Frontend's button).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from typing import Any

from cachetools import LRUCache
from flask import current_app, g, session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF, generate_csrf
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.web.clean import clean_line, clean_multiline

# A signed CSRF token is used again for this long (per process, per session secret and key).
CSRF_TOKEN_REUSE_SECONDS = 60
_signed_tokens: LRUCache[tuple[str, str], tuple[float, str]] = LRUCache(maxsize=4096)
_signed_tokens_lock = threading.Lock()


def csrf_token() -> str:
    """The signed CSRF token for this request's forms: Flask-WTF's, signed at most once a minute.

    Every signed-in page carries one (the sign-out button is a form), and Flask-WTF signs the
    session's secret anew on every request: a serializer, a key derivation and an HMAC, a tenth of
    what being signed in costs a page (#26 item 6). A token signed up to a minute ago is as good:
    it names the same session secret, and it is checked against WTF_CSRF_TIME_LIMIT (8 hours)
    from its signing time. A new session (each sign-in) has a new secret, so a new token. The
    token goes where Flask-WTF keeps it for the request (`g`); `FlaskForm` below asks here too.
    """
    field = _field_name()
    if field in g:
        return str(g.get(field))
    secret = session.get(field)
    if not isinstance(secret, str):
        # A session without a secret yet (a first visit, a new sign-in): Flask-WTF makes one. Its
        # token is not kept: a visitor who never comes back would only fill the store.
        return str(generate_csrf())
    key = (str(_csrf_key()), secret)
    with _signed_tokens_lock:
        kept = _signed_tokens.get(key)
    if kept is not None and time.monotonic() - kept[0] < CSRF_TOKEN_REUSE_SECONDS:
        setattr(g, field, kept[1])
        return kept[1]
    token = str(generate_csrf())
    with _signed_tokens_lock:
        _signed_tokens[key] = (time.monotonic(), token)
    return token


class _KeptCSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF for forms (its documented `csrf_class` hook), with the kept signed token."""

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        if self.meta.csrf_secret == _csrf_key() and self.meta.csrf_field_name == _field_name():
            return csrf_token()
        return str(super().generate_csrf_token(csrf_token_field))


def _field_name() -> str:
    return str(current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token")


def _csrf_key() -> Any:
    return current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key


class FlaskForm(_FlaskForm):
    """Flask-WTF's form, with a filter on every text field that strips control characters."""

    class Meta(_FlaskForm.Meta):
        csrf_class = _KeptCSRF

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
