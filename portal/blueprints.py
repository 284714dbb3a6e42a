"""Every blueprint of the portal, in one list, and the URL converters they share."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

from portal.api.admin import bp as api_tokens
from portal.api.console import bp as applying
from portal.api.views import bp as api
from portal.audit.views import admin as audit_admin
from portal.audit.views import bp as audit
from portal.auth.language import bp as language
from portal.auth.people import bp as people
from portal.auth.views import bp as auth
from portal.changes.admin import bp as changes_admin
from portal.changes.views import bp as changes
from portal.changes.views import public as changes_public
from portal.documents.views import bp as documents
from portal.documents.views import vendor_bp as vendor_agreements
from portal.dpia.views import bp as dpia
from portal.exits.admin import bp as exits_admin
from portal.exits.views import bp as exits
from portal.gias.views import bp as gias
from portal.homes.views import bp as vendor_tenancy
from portal.incidents.admin import bp as incidents_admin
from portal.incidents.views import bp as incidents
from portal.notify.admin import bp as notify_admin
from portal.notify.views import bp as notify
from portal.ops.metrics import bp as metrics
from portal.register.admin import bp as register_admin
from portal.register.tenancy_views import bp as tenancy_register
from portal.register.views import bp as register_public
from portal.tenancy.language_views import bp as tenancy_language
from portal.tenancy.views import bp as tenancy
from portal.trusthub.admin import bp as trusthub_admin
from portal.trusthub.views import bp as trusthub
from portal.trusthub.views import member as trusthub_member
from portal.vendor.views import bp as vendor
from portal.web.views import bp as web
from portal.webhooks.views import bp as webhooks


class SlugConverter(BaseConverter):
    """A tenancy's URL name: lower-case letters, digits and hyphens."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?"


def register(app: Flask) -> None:
    """Register the converters, then every capability's blueprints."""
    app.url_map.converters["slug"] = SlugConverter

    for blueprint in (
        web,
        auth,
        language,
        tenancy,
        tenancy_language,
        audit,
        audit_admin,
        people,
        notify,
        notify_admin,
        vendor,
        vendor_tenancy,
        gias,
        documents,
        vendor_agreements,
        changes,
        changes_public,
        changes_admin,
        dpia,
        register_public,
        register_admin,
        tenancy_register,
        metrics,
        incidents,
        incidents_admin,
        exits,
        exits_admin,
        trusthub,
        trusthub_member,
        trusthub_admin,
        api,
        api_tokens,
        applying,
        webhooks,
    ):
        app.register_blueprint(blueprint)
