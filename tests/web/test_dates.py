"""Dates the GOV.UK way (#29): unchanged in English, with the language's own month names in Welsh."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import force_locale

from portal.dates import govuk_date, govuk_datetime


def test_english_dates_and_times_read_as_before(app: Flask) -> None:
    with app.test_request_context():
        assert govuk_date(dt.date(2027, 1, 1)) == "1 January 2027"
        # Summer time: 13:05 UTC is 2:05pm in London, and an instant shows the London day.
        assert govuk_datetime(dt.datetime(2027, 7, 1, 13, 5, tzinfo=dt.UTC)) == "1 July 2027 at 2:05pm"
        assert govuk_datetime(dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)) == "1 January 2027 at midday"
        assert govuk_date(dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC)) == "1 July 2027"
    # Outside a request (the mail worker, the CLI) too.
    assert govuk_date(dt.date(2027, 3, 9)) == "9 March 2027"


def test_welsh_dates_use_welsh_month_names(app: Flask) -> None:
    with app.test_request_context(), force_locale("cy"):
        assert govuk_date(dt.date(2027, 1, 1)) == "1 Ionawr 2027"
        assert govuk_date(dt.date(2027, 2, 14)) == "14 Chwefror 2027"
        assert govuk_date(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)) == "31 Rhagfyr 2026"
