"""Forms for tenancy members: invite by email, change a role."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from portal.tenancy.models import Role
from portal.web.forms import FlaskForm


def role_choices(roles: list[Role]) -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in roles]


class InviteForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(message=_l("Enter their email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
            Email(message=_l("Enter an email address in the correct format, like name@school.org.uk")),
        ],
    )
    role = RadioField(_l("Role"), widget=GovRadioInput(), validators=[DataRequired(message=_l("Select a role"))])
    submit = SubmitField(_l("Send invitation"), widget=GovSubmitInput())


class RoleForm(FlaskForm):
    role = RadioField(_l("New role"), widget=GovRadioInput(), validators=[DataRequired(message=_l("Select a role"))])
    submit = SubmitField(_l("Change role"), widget=GovSubmitInput())
