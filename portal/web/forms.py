"""The portal's FlaskForm: every text field's input cleaned of control characters, in one place.

Forms import `FlaskForm` from here instead of flask_wtf; a test checks that every form does.
TextAreaField keeps line breaks and tabs; every other text field (string, email, search, ...)
is one line. Every submit button prevents a double submission (GOV.UK Frontend's button).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm as _FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

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
