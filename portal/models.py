"""Every model of the portal, imported once so the metadata (and Alembic) sees them all."""

from portal.api.models import ServiceToken
from portal.audit.models import AuditEvent
from portal.auth.models import Identity, User
from portal.changes.models import ChangeNotice, Objection, ObjectionStep
from portal.documents.models import Agreement, DpaTextVersion
from portal.dpia.models import DpiaDownload
from portal.exits.models import DeletionCertificate, ExitCase, ExitDeletion, ExitStep
from portal.gias.models import GiasEstablishment, GiasGroup, GiasImportBatch
from portal.incidents.models import Incident, IncidentEntry, IncidentTenancy
from portal.jobs.models import Job, JobItem
from portal.notify.models import OutboxMessage, Subscriber
from portal.register.models import (
    NotSubProcessor,
    RegisterEntry,
    RegisterVersion,
    TenancyExclusion,
    TenancyOption,
    TenancyOptionEntry,
    TenancyOptionSetting,
)
from portal.tenancy.models import Invitation, Membership, Tenancy, TenancyDirectory
from portal.trusthub.models import (
    AccessRequest,
    DiligenceDocument,
    DocumentDownload,
    NdaAcceptance,
    NdaTextVersion,
    SecurityOverviewVersion,
)
from portal.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "AccessRequest",
    "Agreement",
    "AuditEvent",
    "ChangeNotice",
    "DeletionCertificate",
    "DiligenceDocument",
    "DocumentDownload",
    "DpaTextVersion",
    "DpiaDownload",
    "ExitCase",
    "ExitDeletion",
    "ExitStep",
    "GiasEstablishment",
    "GiasGroup",
    "GiasImportBatch",
    "Identity",
    "Incident",
    "IncidentEntry",
    "IncidentTenancy",
    "Invitation",
    "Job",
    "JobItem",
    "Membership",
    "NdaAcceptance",
    "NdaTextVersion",
    "NotSubProcessor",
    "Objection",
    "ObjectionStep",
    "OutboxMessage",
    "RegisterEntry",
    "RegisterVersion",
    "SecurityOverviewVersion",
    "ServiceToken",
    "Subscriber",
    "Tenancy",
    "TenancyDirectory",
    "TenancyExclusion",
    "TenancyOption",
    "TenancyOptionEntry",
    "TenancyOptionSetting",
    "User",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
