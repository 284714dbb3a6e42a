"""Access rows for the API (#27) and its service tokens page.

The API authenticates service tokens, not sessions: every signed-in role, vendor admins included,
gets 401 problem+json without a token (tests/api checks tokens and their scopes). The tokens
page is for vendor admins with a recent sign-in.
"""

from portal.api.models import TokenScope
from portal.api.tokens import create_token
from portal.audit.service import Actor
from tests.access.matrix import Row

NO_TOKEN = "401 401 401 401 401 401 401"
ADMIN_PAGE = "302 403 403 403 403 403 200"
ADMIN_ACTION = "302 403 403 403 403 403 302"


def _ref(world, tenancy):
    return {"ref": world.own.slug}


def _token(world, tenancy):
    token, _ = create_token("Matrix token", [TokenScope.READ], actor=Actor.system("matrix"))
    return {"token_id": token.id}


def _setting(world, tenancy):
    from portal.extensions import db
    from portal.register.models import TenancyOptionSetting
    from tests.register.builders import make_option

    option = make_option("matrix-option", default=True, governs=[])
    setting = TenancyOptionSetting(tenancy_id=world.own.id, option_id=option.id, enabled=False, version=1)
    db.session.add(setting)
    db.session.flush()
    return {"setting_id": setting.id}


def _exclusion(world, tenancy):
    from portal.extensions import db
    from portal.register.models import TenancyExclusion

    exclusion = TenancyExclusion(tenancy_id=world.own.id, entry_key="matrix-entry")
    db.session.add(exclusion)
    db.session.flush()
    return {"exclusion_id": exclusion.id}


ROWS = [
    Row("api.openapi", status="200 200 200 200 200 200 200"),
    # The register's versions as open data: public, like /sub-processors.json.
    Row("api.register_versions", status="200 200 200 200 200 200 200"),
    Row("api.tenancies", status=NO_TOKEN),
    Row("api.tenancy", status=NO_TOKEN, values=_ref),
    Row("api.tenancy_set", status=NO_TOKEN, values=_ref),
    Row("api.confirm", "POST", status=NO_TOKEN, values=_ref),
    Row("api_tokens.index", status=ADMIN_PAGE),
    # Invalid (no name, no scope): the form answers with its errors.
    Row("api_tokens.create", "POST", status=ADMIN_PAGE, data=lambda w, t: {"name": ""}),
    Row("api_tokens.revoke", "POST", status=ADMIN_ACTION, values=_token),
    Row("applying.index", status="302 403 403 403 403 200 200"),
    Row("applying.confirm_setting", "POST", status="302 403 403 403 403 302 302", values=_setting),
    Row("applying.confirm_excluded", "POST", status="302 403 403 403 403 302 302", values=_exclusion),
]
