"""register_today: the current version and the announced notices in one statement, as the two lookups find them."""

from __future__ import annotations

import datetime as dt

from portal.audit.service import Actor
from portal.changes.models import ChangeKind
from portal.changes.service import RegisterToday, announced_changes, register_today, withdraw_notice
from portal.dates import uk_today
from portal.register.service import current_published
from tests.changes.builders import announced


def test_it_agrees_with_the_separate_lookups_as_notices_come_and_go(app, count_queries):
    today = uk_today()
    assert register_today(today) == RegisterToday(today, None, [])

    addition = announced(days_ahead=40)
    removal = announced(days_ahead=35, kind=ChangeKind.REMOVAL)
    found = register_today(today)  # the version and the notices are loaded into the cache once
    with count_queries() as again:
        assert register_today(today) == found
    assert again.count == 1  # then one statement finds both

    current = current_published()
    assert found.version is not None and current is not None and found.version.id == current.id
    # Soonest first, as everywhere else.
    assert [n.id for n in found.notices] == [n.id for n in announced_changes(today)] == [removal.id, addition.id]

    withdraw_notice(removal, reason="We found another way.", actor=Actor.system())
    assert [n.id for n in register_today(today).notices] == [addition.id]
    # From the day after the change takes effect, it is no longer announced.
    assert register_today(addition.effective_on + dt.timedelta(days=1)).notices == []
    assert register_today(addition.effective_on).notices[0].id == addition.id
