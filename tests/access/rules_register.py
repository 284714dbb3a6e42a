"""Access rows for the public register, the vendor's register console and a tenancy's sub-processors and options."""

from __future__ import annotations

from typing import Any

from tests.access.matrix import Row

EVERYONE = "{0} {0} {0} {0} {0} {0} {0}"
VENDOR = "302 403 403 403 403 {0} {0}"
MEMBERS_OWN = "302 200 200 200 404 404 404"
OUTSIDER = "302 404 404 404 404 404 404"


def with_register(world: Any = None, tenancy: Any = None) -> dict[str, Any]:
    """The demo register (versions 1.3 and 1.4 and the options); no URL values."""
    from portal.demo.register import load_register

    list(load_register())
    return {}


def version_one(world: Any, tenancy: Any) -> dict[str, Any]:
    with_register()
    return {"sequence": 1}


def _draft() -> Any:
    from portal.audit.service import Actor
    from portal.register import service

    with_register()
    return service.draft_version() or service.start_draft(actor=Actor.system())


def with_draft(world: Any, tenancy: Any) -> dict[str, Any]:
    _draft()
    return {}


def draft_entry(world: Any, tenancy: Any) -> dict[str, Any]:
    return {"entry_id": _draft().entries[0].id}


def draft_statement(world: Any, tenancy: Any) -> dict[str, Any]:
    return {"statement_id": _draft().statements[0].id}


def switch_off(world: Any, tenancy: Any) -> dict[str, Any]:
    return {"option": "azure-fallback", "azure-fallback-enabled": "off", "azure-fallback-version": "0"}


ROWS = [
    Row("register.public_register", status=EVERYONE.format(200), values=with_register),
    Row("register.public_register_json", status=EVERYONE.format(200), values=with_register),
    Row("register.schema", status=EVERYONE.format(200)),
    Row("register.feed", status=EVERYONE.format(200), values=with_register),
    Row("register.versions", status=EVERYONE.format(200), values=with_register),
    Row("register.version", status=EVERYONE.format(200), values=version_one),
    Row("register.version_json_view", status=EVERYONE.format(200), values=version_one),
    Row("register.compare", status=EVERYONE.format(200), values=with_register),
    Row("register_admin.home", status=VENDOR.format(200), values=with_register),
    Row("register_admin.start_draft", "POST", status=VENDOR.format(302), values=with_register),
    Row("register_admin.draft", status=VENDOR.format(200), values=with_draft),
    Row("register_admin.edit_entry", status=VENDOR.format(200), values=with_draft),
    # An empty form is refused with its errors (400), nothing written.
    Row("register_admin.edit_entry", "POST", status=VENDOR.format(400), values=with_draft),
    Row("register_admin.remove_entry", "POST", status=VENDOR.format(302), values=draft_entry),
    Row("register_admin.edit_statement", status=VENDOR.format(200), values=with_draft),
    Row("register_admin.edit_statement", "POST", status=VENDOR.format(400), values=with_draft),
    Row("register_admin.remove_statement", "POST", status=VENDOR.format(302), values=draft_statement),
    Row("register_admin.save_notes", "POST", status=VENDOR.format(302), values=with_draft),
    # Publishing also needs a recent sign-in, which both vendor users of the matrix have.
    Row("register_admin.publish", status=VENDOR.format(200), values=with_draft),
    Row("register_admin.publish", "POST", status=VENDOR.format(400), values=with_draft),
    Row("register_admin.confirm_discard", status=VENDOR.format(200), values=with_draft),
    Row("register_admin.discard", "POST", status=VENDOR.format(302), values=with_draft),
    Row("register_admin.edit_option", status=VENDOR.format(200), values=with_register),
    Row("register_admin.edit_option", "POST", status=VENDOR.format(400), values=with_register),
    Row("tenancy_register.effective_set", own=MEMBERS_OWN, other=OUTSIDER, values=with_register),
    # JSON: anonymous callers get 401, not a sign-in page.
    Row(
        "tenancy_register.effective_set_json",
        own="401 200 200 200 404 404 404",
        other="401 404 404 404 404 404 404",
        values=with_register,
    ),
    Row("tenancy_register.options", own=MEMBERS_OWN, other=OUTSIDER, values=with_register),
    Row(
        "tenancy_register.change_option",
        "POST",
        own="302 403 302 302 404 404 404",
        other=OUTSIDER,
        values=with_register,
        data=switch_off,
    ),
    # Only a trust admin may switch all academies; the matrix's own tenancy is an academy, not a trust.
    Row(
        "tenancy_register.change_option_for_academies",
        "POST",
        own="302 403 403 404 404 404 404",
        other=OUTSIDER,
        values=with_register,
        data=lambda w, t: {"option": "azure-fallback", "all-azure-fallback-enabled": "off"},
    ),
]
