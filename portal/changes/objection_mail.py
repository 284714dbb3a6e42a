"""Who hears of a tenancy's objections, and the mail each step of an objection sends them."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from portal.changes.controllers import AUTO_SUBMITTED, controller_addresses, objection_link
from portal.changes.models import Objection, ObjectionStep
from portal.notify.outbox import enqueue
from portal.tenancy.models import Tenancy
from portal.web.language import written_in

MAIL_CATEGORY = "objection"


def lead_addresses(tenancy: Tenancy) -> list[str]:
    """Everyone told of this tenancy's objections: data leads, trust admins and its notice contact."""
    return controller_addresses([tenancy])[tenancy.id]


def mail_step(objection: Objection, step: ObjectionStep) -> None:
    """Queue the step's mail to everyone told of the tenancy's objections, in the tenancy's language."""
    tenancy, change = objection.tenancy, objection.change
    with written_in(tenancy.language):  # its mail in its language (#29)
        text = render_template(
            "changes/step_mail.txt",
            objection=objection,
            step=step,
            change=change,
            tenancy=tenancy,
            link=objection_link(tenancy, objection.id),
        )
        subject = _(
            "%(name)s's objection to “%(title)s”: %(step)s",
            name=tenancy.name,
            title=change.title,
            step=step.step.label.lower(),
        )
    for address in lead_addresses(tenancy):
        enqueue(
            to=address,
            subject=subject,
            text=text,
            category=MAIL_CATEGORY,
            reference=f"objection:{objection.id}:{step.id}",
            headers=AUTO_SUBMITTED,
        )
