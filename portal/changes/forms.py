"""Forms for announcing changes, lodging and withdrawing objections, and deciding them."""

from __future__ import annotations

from operator import attrgetter

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.changes.models import ChangeKind
from portal.web.forms import DayField, FlaskForm

GROUNDS_MAX = 5000


class AnnounceForm(FlaskForm):
    kind = RadioField(
        _l("What kind of change is it?"),
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, LazyString(attrgetter("label"), kind)) for kind in ChangeKind],
        validators=[InputRequired(message=_l("Select the kind of change"))],
    )
    entry_key = SelectField(
        _l("Supplier"), widget=GovSelect(), validators=[DataRequired(message=_l("Select the supplier"))]
    )
    replaces_key = SelectField(
        _l("Supplier it replaces (replacements only)"), widget=GovSelect(), validators=[Optional()]
    )
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[
            DataRequired(message=_l("Enter a title for the change")),
            Length(max=200, message=_l("Title must be 200 characters or fewer")),
        ],
    )
    reason = TextAreaField(
        _l("Reason for the change"),
        widget=GovTextArea(),
        validators=[
            DataRequired(message=_l("Enter the reason for the change")),
            Length(max=GROUNDS_MAX, message=_l("Reason must be %(max)s characters or fewer", max=GROUNDS_MAX)),
        ],
    )
    effective_on = DayField(
        _l("Date the change takes effect"),
        [InputRequired(message=_l("Enter the date the change takes effect"))],
        invalid=_l("The date the change takes effect must be a real date, like 27 3 2027"),
    )
    submit = SubmitField(_l("Announce the change"), widget=GovSubmitInput())


class LodgeForm(FlaskForm):
    grounds = TextAreaField(
        _l("Your grounds for objecting"),
        widget=GovTextArea(),
        validators=[
            DataRequired(message=_l("Enter your grounds for objecting")),
            Length(max=GROUNDS_MAX, message=_l("Your grounds must be %(max)s characters or fewer", max=GROUNDS_MAX)),
        ],
    )
    target = RadioField(_l("Object for"), widget=GovRadioInput(), validators=[Optional()])
    # A trust: the academies it chose to object for (target "chosen").
    academies = SelectMultipleField(_l("Academies"), widget=GovCheckboxesInput(), validators=[Optional()])
    submit = SubmitField(_l("Object to this change"), widget=GovSubmitInput())


class DecideForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("accommodated", _l("Accommodated: the change will not apply to this organisation")),
            SelectChoice("not_accommodated", _l("Not accommodated: offer exit under the contract's terms")),
        ],
        validators=[InputRequired(message=_l("Select a decision"))],
    )
    reason = TextAreaField(
        _l("Reason for the decision"),
        widget=GovTextArea(),
        validators=[
            DataRequired(message=_l("Enter the reason for your decision")),
            Length(max=GROUNDS_MAX, message=_l("Reason must be %(max)s characters or fewer", max=GROUNDS_MAX)),
        ],
    )
    submit = SubmitField(_l("Record the decision"), widget=GovSubmitInput())


class WithdrawNoticeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you withdrawing this change?"),
        widget=GovTextArea(),
        validators=[
            DataRequired(message=_l("Enter the reason for withdrawing the change")),
            Length(max=GROUNDS_MAX, message=_l("Reason must be %(max)s characters or fewer", max=GROUNDS_MAX)),
        ],
    )
    submit = SubmitField(_l("Withdraw the change"), widget=GovSubmitInput())


class WrittenObjectionForm(FlaskForm):
    """Vendor staff record an objection that arrived by email or letter (#21 item 6)."""

    organisation = StringField(
        _l("School or trust"),
        widget=GovTextInput(),
        validators=[DataRequired(message=_l("Enter the school's URN, the trust's group id or the portal address"))],
    )
    channel = RadioField(
        _l("How did it arrive?"),
        widget=GovRadioInput(),
        choices=[SelectChoice("email", _l("By email")), SelectChoice("letter", _l("By letter"))],
        validators=[InputRequired(message=_l("Select how the objection was received"))],
    )
    received_on = DayField(
        _l("Date received"), [InputRequired(message=_l("Enter the date the objection was received"))]
    )
    sender = StringField(
        _l("Who sent it"),
        widget=GovTextInput(),
        validators=[
            DataRequired(message=_l("Enter who sent the objection")),
            Length(max=300, message=_l("Who sent it must be 300 characters or fewer")),
        ],
    )
    grounds = TextAreaField(
        _l("A copy or summary of the objection"),
        widget=GovTextArea(),
        validators=[
            DataRequired(message=_l("Enter a copy or summary of the objection")),
            Length(max=GROUNDS_MAX, message=_l("The objection must be %(max)d characters or fewer", max=GROUNDS_MAX)),
        ],
    )
    submit = SubmitField(_l("Record the objection"), widget=GovSubmitInput())


class ExitAnswerForm(FlaskForm):
    """The school's answer to an exit offer after a not-accommodated objection."""

    choice = RadioField(
        _l("What do you want to do?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("accept", _l("Accept the change: it applies to us from tomorrow")),
            SelectChoice("exit", _l("Take the exit our contract offers: we will leave the service")),
        ],
        validators=[InputRequired(message=_l("Select whether you accept the change or take the exit"))],
    )
    submit = SubmitField(_l("Send our answer"), widget=GovSubmitInput())


class ConfirmWithdrawForm(FlaskForm):
    submit = SubmitField(_l("Yes, withdraw the objection"), widget=GovSubmitInput())
