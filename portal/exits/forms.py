"""Forms for exits: the school's request and withdrawal; staff's export, end of service and deletions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.exits.service import EXPORT_FORMATS
from portal.incidents.forms import Form
from portal.web.forms import DayField


class RequestExitForm(Form):
    requested_end_on = DayField(
        _l("Date you want the service to end"),
        [InputRequired(message=_l("Enter the date you want the service to end"))],
    )
    export_formats = SelectMultipleField(
        _l("Export your data first, in these formats"),
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(key, label) for key, label in EXPORT_FORMATS.items()],
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Why you are ending the service"),
        widget=GovTextArea(),
        validators=[DataRequired(message=_l("Enter why you are ending the service")), Length(max=5000)],
    )
    submit = SubmitField(_l("Ask to end the service"), widget=GovSubmitInput())


class WithdrawExitForm(Form):
    withdraw_reason = TextAreaField(
        _l("Why you are withdrawing"),
        widget=GovTextArea(),
        validators=[DataRequired(message=_l("Enter why you are withdrawing")), Length(max=5000)],
    )
    submit = SubmitField(_l("Withdraw the exit"), widget=GovSubmitInput())


class ExportForm(Form):
    method = StringField(
        _l("How the export was delivered"),
        widget=GovTextInput(),
        validators=[DataRequired(message=_l("Enter how the export was delivered")), Length(max=500)],
    )
    delivered_on = DayField(
        _l("Date delivered"), [InputRequired(message=_l("Enter the date the export was delivered"))]
    )
    sha256 = StringField(
        _l("SHA-256 of the file (if it was a file)"), widget=GovTextInput(), validators=[Optional(), Length(max=64)]
    )
    submit = SubmitField(_l("Record the export"), widget=GovSubmitInput())


class EndServiceForm(Form):
    ended_on = DayField(_l("Date the service ended"), [InputRequired(message=_l("Enter the date the service ended"))])
    submit = SubmitField(_l("Record the end of the service"), widget=GovSubmitInput())


class DeletionForm(Form):
    confirmed_on = DayField(_l("Date deleted"), [InputRequired(message=_l("Enter the date the data was deleted"))])
    note = StringField(_l("Note (optional)"), widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Confirm deletion here"), widget=GovSubmitInput())
