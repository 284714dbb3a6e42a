"""Forms for tenancy members: invite by email, change a role."""

from __future__ import annotations

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
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter their email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@school.org.uk"),
        ],
    )
    role = RadioField("Role", widget=GovRadioInput(), validators=[DataRequired(message="Select a role")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class RoleForm(FlaskForm):
    role = RadioField("New role", widget=GovRadioInput(), validators=[DataRequired(message="Select a role")])
    submit = SubmitField("Change role", widget=GovSubmitInput())
