"""Forms of the vendor console's tenancy pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.web.forms import FlaskForm


class ConsoleForm(FlaskForm):
    """A form on a page with several: its fields carry a prefix so ids stay unique.

    The page renders the CSRF token itself; CSRFProtect checks it on every POST.
    """

    PREFIX = ""

    class Meta:
        csrf = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


class CreateTenancyForm(ConsoleForm):
    kind = HiddenField(validators=[InputRequired()])
    key = HiddenField(validators=[InputRequired(), Length(max=12)])
    submit = SubmitField(_l("Set up tenancy"), widget=GovSubmitInput())


class DirectoryForm(ConsoleForm):
    PREFIX = "directory"
    provider = RadioField(
        _l("Sign-in provider"),
        choices=[
            SelectChoice("microsoft", "Microsoft Entra ID (Microsoft 365)"),
            SelectChoice("google", "Google Workspace"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select Microsoft or Google"))],
    )
    value = StringField(
        _l("Microsoft tenant ID or Google Workspace domain"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter the tenant ID or domain")), Length(max=255)],
    )
    submit = SubmitField(_l("Bind directory"), widget=GovSubmitInput())


class AutoJoinForm(ConsoleForm):
    PREFIX = "auto-join"
    enabled = RadioField(
        _l("Let anyone from these directories join as a viewer?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select yes or no"))],
    )
    submit = SubmitField(_l("Save auto-join"), widget=GovSubmitInput())


class InviteForm(ConsoleForm):
    PREFIX = "invite"
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter the data lead's email address")), Length(max=320)],
    )
    submit = SubmitField(_l("Send invitation"), widget=GovSubmitInput())


class RemoveDirectoryForm(ConsoleForm):
    PREFIX = "remove"
    submit = SubmitField(_l("Remove"), widget=GovSubmitInput())
