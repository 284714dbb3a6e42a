"""The notice window in UK dates: inclusive of the last day, closing at London midnight across DST."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.changes import window

UTC = dt.UTC


def test_last_day_to_object_is_the_day_before_the_change(app):
    assert window.object_until(dt.date(2027, 3, 1)) == dt.date(2027, 2, 28)


def test_earliest_effective_date_leaves_the_whole_period_in_clear_uk_days(app):
    # 23:30 UTC on 31 May 2027 is already 1 June in London (BST): published on P = 1 June, the
    # 30 clear days are 2 June to 1 July, so the earliest effective date is P + 30 + 1 = 2 July.
    assert window.earliest_effective_date(dt.datetime(2027, 5, 31, 23, 30, tzinfo=UTC)) == dt.date(2027, 7, 2)
    app.config["NOTICE_PERIOD_DAYS"] = 45  # configuration may lengthen the period
    assert window.earliest_effective_date(dt.datetime(2027, 1, 1, 12, tzinfo=UTC)) == dt.date(2027, 2, 16)


@pytest.mark.parametrize(
    ("effective_on", "last_open", "first_closed"),
    [
        # Winter (GMT): London midnight is 00:00 UTC.
        (
            dt.date(2027, 1, 15),
            dt.datetime(2027, 1, 14, 23, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 1, 15, 0, 0, tzinfo=UTC),
        ),
        # Summer (BST): London midnight is 23:00 UTC the evening before.
        (
            dt.date(2027, 7, 15),
            dt.datetime(2027, 7, 14, 22, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 7, 14, 23, 0, tzinfo=UTC),
        ),
        # Clocks go forward on 28 March 2027 at 01:00 UTC; the 28th still starts at 00:00 UTC (GMT).
        (
            dt.date(2027, 3, 28),
            dt.datetime(2027, 3, 27, 23, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
        ),
        # The day after: 29 March starts at 23:00 UTC on the 28th (BST).
        (
            dt.date(2027, 3, 29),
            dt.datetime(2027, 3, 28, 22, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 3, 28, 23, 0, tzinfo=UTC),
        ),
        # Clocks go back on 31 October 2027 at 01:00 UTC; the 31st starts at 23:00 UTC on the 30th (BST).
        (
            dt.date(2027, 10, 31),
            dt.datetime(2027, 10, 30, 22, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 10, 30, 23, 0, tzinfo=UTC),
        ),
        # 1 November starts at 00:00 UTC (GMT again): the 25-hour last day is open to its end.
        (
            dt.date(2027, 11, 1),
            dt.datetime(2027, 10, 31, 23, 59, 59, tzinfo=UTC),
            dt.datetime(2027, 11, 1, 0, 0, tzinfo=UTC),
        ),
    ],
)
def test_window_is_open_to_the_end_of_the_last_uk_day_and_closed_from_london_midnight(
    app, effective_on, last_open, first_closed
):
    assert window.window_open(effective_on, last_open)
    assert not window.window_open(effective_on, first_closed)
    assert window.window_closes_at(effective_on) == first_closed


def test_exit_answer_date_counts_from_the_uk_date_of_the_decision(app):
    app.config["EXIT_RESPONSE_DAYS"] = 30
    assert window.exit_answer_by(dt.datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == dt.date(2027, 7, 31)


def _working_days_one_by_one(day: dt.date, count: int) -> dt.date:
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def test_working_days_are_counted_in_whole_weeks_as_they_would_be_day_by_day():
    # Every weekday and weekend start over five weeks, every count up to eight weeks of working days.
    for offset in range(35):
        start = dt.date(2026, 12, 1) + dt.timedelta(days=offset)
        for count in range(41):
            assert window.add_working_days(start, count) == _working_days_one_by_one(start, count), (start, count)
    # Ten working days from a Saturday: the second Friday after it.
    assert window.add_working_days(dt.date(2027, 1, 2), 10) == dt.date(2027, 1, 15)


def test_decision_is_due_ten_working_days_after_the_objection_by_default(app):
    assert window.decision_due(dt.date(2027, 1, 6)) == dt.date(2027, 1, 20)  # a Wednesday to a Wednesday
    app.config["OBJECTION_DECISION_WORKING_DAYS"] = 3
    assert window.decision_due(dt.date(2027, 1, 7)) == dt.date(2027, 1, 12)  # Thursday: Fri, Mon, Tue
