"""The form that creates a service token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.web.forms import FlaskForm


class TokenForm(FlaskForm):
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
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())
