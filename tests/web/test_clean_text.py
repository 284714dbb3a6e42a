"""Clean text everywhere: every control character is stripped at every input (forms, the GIAS import,
shown sign-in claims), so HTML, JSON, Atom, CSV, DOCX, PDF and mail headers stay valid (#18)."""

from __future__ import annotations

import importlib
import pkgutil
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import StringField, TextAreaField

import portal
from portal.web.clean import FORBIDDEN, clean_line, clean_multiline
from portal.web.forms import FlaskForm

CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufffe", "\uffff"]
EVERY_CONTROL = "".join(CONTROLS)
hostile_text = st.text(alphabet=st.one_of(st.sampled_from(CONTROLS), st.characters(codec="utf-8")), max_size=60)


@given(hostile_text)
def test_one_line_text_keeps_no_control_character_and_no_line_break(value):
    cleaned = clean_line(value)
    assert not FORBIDDEN.search(cleaned) and not any(c in cleaned for c in "\t\r\n")
    assert clean_line(cleaned) == cleaned
    ET.fromstring(f"<t>{cleaned.replace('&', '&amp;').replace('<', '&lt;')}</t>")  # noqa: S314 - our own string; XML 1.0 can carry it


@given(hostile_text)
def test_multi_line_text_keeps_newlines_and_tabs_only(value):
    cleaned = clean_multiline(value)
    assert not FORBIDDEN.search(cleaned) and "\r" not in cleaned
    assert cleaned.count("\n") >= value.count("\r\n")


def test_every_form_of_the_portal_cleans_its_text():
    """Forms import FlaskForm from portal.web.forms: walk every module and check each form class."""
    import flask_wtf

    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    forms = [cls for cls in _subclasses(flask_wtf.FlaskForm) if cls.__module__.startswith("portal.")]
    assert len(forms) > 20
    outside = [f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, FlaskForm)]
    assert outside == []


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


class _Sample(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    notes = TextAreaField()


# The app is only read (a request context per example), so one app for every example is right.
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile_text, hostile_text)
def test_a_form_strips_what_it_is_sent(app, name, notes):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST"):
        form = _Sample(formdata=MultiDict({"name": name, "notes": notes}))
        assert not FORBIDDEN.search(form.name.data) and "\n" not in form.name.data
        assert not FORBIDDEN.search(form.notes.data)


def test_a_gias_name_with_every_control_character_is_imported_clean(app):
    from portal.gias.parse import parse
    from tests.gias.extracts import establishment, establishments_csv

    # Every control character but NUL (a file with NUL is refused whole); UTF-8 with a BOM, as GIAS allows.
    hostile = f"Oak{EVERY_CONTROL[1:]}field\r\nPrimary"
    parsed = parse(establishments_csv([establishment("141999", hostile)], encoding="utf-8", bom=True))
    [row] = parsed.rows
    assert not FORBIDDEN.search(row["name"]) and "\n" not in row["name"]
    assert row["name"].startswith("Oak") and "Primary" in row["name"]
