"""The 72-hour clock: an instant plus 72 hours, shown in UK time, across the clock changes."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.dates import UK
from portal.incidents.clock import clock_for
from portal.incidents.service import IncidentError, uk_instant


def _uk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UK).astimezone(dt.UTC)


def test_across_the_spring_change_the_deadline_is_72_real_hours_an_hour_later_on_the_clock(app):
    # Aware Friday 27 March 2026 at 10:00 GMT; the clocks go forward on Sunday 29 March.
    clock = clock_for(_uk(2026, 3, 27, 10, 0))
    assert clock.deadline - clock.aware_at == dt.timedelta(hours=72)
    assert clock.deadline_text() == "30 March 2026 at 11:00am"


def test_across_the_autumn_change_the_deadline_is_an_hour_earlier_on_the_clock(app):
    # Aware Friday 23 October 2026 at 10:00 BST; the clocks go back on Sunday 25 October.
    clock = clock_for(_uk(2026, 10, 23, 10, 0))
    assert clock.deadline_text() == "26 October 2026 at 9:00am"


def test_time_left_is_highlighted_under_24_hours_and_overdue_after_72(app):
    aware = _uk(2026, 10, 23, 10, 0)
    early = clock_for(aware, at=aware + dt.timedelta(hours=1))
    assert not early.urgent and early.left_text() == "2 days 23 hours left"
    late = clock_for(aware, at=aware + dt.timedelta(hours=60, minutes=30))
    assert late.urgent and not late.overdue and late.left_text() == "11 hours 30 minutes left"
    past = clock_for(aware, at=aware + dt.timedelta(hours=75))
    assert past.overdue and past.left_text() == "Deadline passed 3 hours ago"


def test_a_notified_clock_stops_and_says_whether_the_notice_was_in_time(app):
    aware = _uk(2026, 3, 28, 23, 30)
    on_time = clock_for(aware, aware + dt.timedelta(hours=71))
    assert not on_time.running and on_time.met and not on_time.urgent
    assert "within 72 hours" in on_time.left_text()
    too_late = clock_for(aware, aware + dt.timedelta(hours=73))
    assert "after the 72 hours" in too_late.left_text()


def test_a_uk_time_the_clocks_skip_is_refused_and_a_repeated_one_is_its_first_occurrence(app):
    with pytest.raises(IncidentError, match="does not exist"):
        uk_instant(dt.date(2026, 3, 29), 1, 30)
    # 1:30am on 25 October 2026 happens twice: first at 00:30 UTC (BST), then 01:30 UTC (GMT).
    assert uk_instant(dt.date(2026, 10, 25), 1, 30) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert uk_instant(dt.date(2026, 7, 1), 14, 5) == dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)
