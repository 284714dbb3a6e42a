"""The form that creates a service token."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.api.tokens import new_submission_key
from portal.web.forms import FlaskForm


class TokenForm(FlaskForm):
    """`submission_key` is made when the form is first shown and kept when it comes back with errors,
    so pressing the button twice, or Back and again, makes one token (as a sign form signs once)."""

    name = StringField(
        _l("Name"),
        description=_l("Say which service uses it, for example “Learning platform (production)”"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter a name for the token")), Length(max=100)],
    )
    scopes = SelectMultipleField(
        _l("What may it do?"),
        choices=[
            SelectChoice("read", _l("Read tenancies, their options and effective sets")),
            SelectChoice("confirm", _l("Confirm that the platform applied a change")),
        ],
        widget=GovCheckboxesInput(),
        validators=[InputRequired(_l("Select what the token may do"))],
    )
    submission_key = HiddenField()
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()
