"""What a line says while a tenancy's objection holds a change back (#21): the wording of a standstill.

A new supplier objected to stays wholly out ("Not used for your school: ..."); a supplier already in
use whose material change was objected to stays in on its previous terms, and its line says which
change does not apply and where the objection stands.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.register.choices import Standstill


def standstill_reason(standstill: Standstill) -> str:
    """Why a change is kept out for this tenancy while its objection stands."""
    lodged = govuk_date(standstill.lodged_on)
    if standstill.exit_choice == "exit_taken":
        return str(
            _("Not used for your school: you objected on %(lodged)s and chose to leave the service.", lodged=lodged)
        )
    if standstill.state == "not_accommodated":
        until = govuk_date(standstill.exit_answer_by) if standstill.exit_answer_by else ""
        return str(
            _(
                "Not used for your school: your objection of %(lodged)s was not accommodated, and you have until "
                "%(until)s to choose between the change and leaving the service. If you do not answer, the change "
                "applies from the day after.",
                lodged=lodged,
                until=until,
            )
        )
    return str(_("Not used for your school: your objection of %(lodged)s is awaiting a decision.", lodged=lodged))


def previous_terms_note(standstill: Standstill, what: str) -> str:
    """Why a supplier is used on its terms before a change: the change and this tenancy's objection."""
    when = govuk_date(standstill.effective_on)
    if what:
        head = _(
            "Used on its previous terms: the change of %(date)s (%(what)s) does not apply to your school.",
            date=when,
            what=what,
        )
    else:
        head = _("Used on its previous terms: the change of %(date)s does not apply to your school.", date=when)
    return f"{head} {_objection_position(standstill)}"


def _objection_position(standstill: Standstill) -> str:
    """Where this tenancy's objection stands, in a sentence."""
    lodged = govuk_date(standstill.lodged_on)
    if standstill.exit_choice == "exit_taken":
        return str(_("You objected on %(lodged)s and chose to leave the service.", lodged=lodged))
    if standstill.state == "not_accommodated":
        until = govuk_date(standstill.exit_answer_by) if standstill.exit_answer_by else ""
        return str(
            _(
                "Your objection of %(lodged)s was not accommodated, and you have until %(until)s to choose between "
                "the change and leaving the service. If you do not answer, the change applies from the day after.",
                lodged=lodged,
                until=until,
            )
        )
    return str(_("Your objection of %(lodged)s is awaiting a decision.", lodged=lodged))
