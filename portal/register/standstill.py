"""What a line says while a tenancy's objection holds a change back (#21): the wording of a standstill.

A new supplier objected to stays wholly out ("Not used for your school: ..."); a supplier already in
use whose material change was objected to stays in on its previous terms, and its line says which
change does not apply and where the objection stands; a supplier whose replacement was objected to
stays in ("Still used for your school: ..."), since its retirement is part of the change kept out.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.register.choices import Standstill


def position(standstill: Standstill) -> str:
    """Where a tenancy's objection stands, once for every note: "exit_taken" (it chose to leave),
    "accommodated", "accepted" (it accepted the change after a refusal, on `chosen_on`),
    "not_accommodated" (it may still choose, until `exit_answer_by`) or "awaiting" (a decision)."""
    if standstill.exit_choice == "exit_taken":
        return "exit_taken"
    if standstill.state == "accommodated":
        return "accommodated"
    if standstill.exit_choice == "accepted" and standstill.chosen_on is not None:
        return "accepted"
    if standstill.state == "not_accommodated":
        return "not_accommodated"
    return "awaiting"


def _dates(standstill: Standstill) -> dict[str, str]:
    """The dates a note may name, in words."""
    return {
        "lodged": govuk_date(standstill.lodged_on),
        "chosen": govuk_date(standstill.chosen_on) if standstill.chosen_on else "",
        "until": govuk_date(standstill.exit_answer_by) if standstill.exit_answer_by else "",
    }


def standstill_reason(standstill: Standstill) -> str:
    """Why a change is kept out for this tenancy while its objection stands."""
    dates = _dates(standstill)
    match position(standstill):
        case "exit_taken":
            return str(
                _("Not used for your school: you objected on %(lodged)s and chose to leave the service.", **dates)
            )
        case "accommodated":
            return str(_("Not used for your school: your objection of %(lodged)s was accommodated.", **dates))
        case "accepted":
            return str(
                _(
                    "Not used for your school until the end of %(chosen)s: you accepted the change after objecting "
                    "on %(lodged)s, and it applies from the next day.",
                    **dates,
                )
            )
        case "not_accommodated":
            return str(
                _(
                    "Not used for your school: your objection of %(lodged)s was not accommodated, and you have "
                    "until %(until)s to choose between the change and leaving the service. If you do not answer, "
                    "the change applies from the day after.",
                    **dates,
                )
            )
    return str(_("Not used for your school: your objection of %(lodged)s is awaiting a decision.", **dates))


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


def held_change_note(standstill: Standstill) -> str:
    """An announced material change this tenancy's objection holds back, in the upcoming changes."""
    head = _("Will not apply to your school on this date: it keeps the current terms.")
    return f"{head} {_objection_position(standstill)}"


def _objection_position(standstill: Standstill) -> str:
    """Where this tenancy's objection to a material change stands, in a sentence. (An accommodated one
    holds no standstill: the change never applies to the tenancy, so no note of its terms is needed.)"""
    dates = _dates(standstill)
    match position(standstill):
        case "exit_taken":
            return str(_("You objected on %(lodged)s and chose to leave the service.", **dates))
        case "accepted":
            return str(
                _(
                    "You accepted the change on %(chosen)s after objecting on %(lodged)s: it applies from the next "
                    "day.",
                    **dates,
                )
            )
        case "not_accommodated":
            return str(
                _(
                    "Your objection of %(lodged)s was not accommodated, and you have until %(until)s to choose "
                    "between the change and leaving the service. If you do not answer, the change applies from the "
                    "day after.",
                    **dates,
                )
            )
    return str(_("Your objection of %(lodged)s is awaiting a decision.", **dates))


def replaced_note(standstill: Standstill) -> str:
    """Why a supplier the register retires stays in use for this tenancy: its objection to the replacement."""
    dates = _dates(standstill)
    match position(standstill):
        case "accommodated":
            return str(
                _(
                    "Still used for your school: your objection of %(lodged)s to its replacement was accommodated, "
                    "so it is not replaced for your school.",
                    **dates,
                )
            )
        case "exit_taken":
            return str(
                _(
                    "Still used for your school: you objected on %(lodged)s to its replacement and chose to leave "
                    "the service, so it is not replaced for your school.",
                    **dates,
                )
            )
        case "accepted":
            return str(
                _(
                    "Still used for your school until the end of %(chosen)s: you accepted its replacement after "
                    "objecting on %(lodged)s, and the replacement applies from the next day.",
                    **dates,
                )
            )
        case "not_accommodated":
            return str(
                _(
                    "Still used for your school: your objection of %(lodged)s to its replacement was not "
                    "accommodated, and you have until %(until)s to choose between the replacement and leaving the "
                    "service. If you do not answer, the replacement applies from the day after.",
                    **dates,
                )
            )
    return str(
        _(
            "Still used for your school: your objection of %(lodged)s to its replacement is awaiting a decision.",
            **dates,
        )
    )
