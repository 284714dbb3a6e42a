"""The subscription form: one email address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.notify.outbox import MailError
from portal.notify.subscriptions import canonical_address
from portal.web.forms import FlaskForm


class SubscribeForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(message=_l("Enter your email address")),
            Length(max=320, message=_l("Email address must be 320 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Subscribe"), widget=GovSubmitInput())

    def validate_email(self, field: StringField) -> None:
        try:
            canonical_address(field.data or "")
        except MailError as error:
            raise ValidationError(
                str(_l("Enter an email address in the correct format, like name@example.com"))
            ) from error
