"""Every model of the portal, imported once so the metadata (and Alembic) sees them all."""

from portal.audit.models import AuditEvent
from portal.auth.models import Identity, User
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Invitation, Membership, Tenancy, TenancyDirectory

__all__ = [
    "AuditEvent",
    "Identity",
    "Invitation",
    "Membership",
    "OutboxMessage",
    "Tenancy",
    "TenancyDirectory",
    "User",
]
