"""Every POST form of the portal, described for the fuzzer: who posts, where, and its fields.

A Spec's `prepare(world)` builds what the form acts on and returns the URL values and the
fields, each with a valid value (so most examples get past validation into the services) and
a kind that picks its hostile values. The test in test_forms.py fails when a POST rule of the
app has neither a Spec nor an EXEMPT reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.dates import uk_today
from portal.tenancy.models import DirectoryProvider
from tests.access.matrix import World
from tests.access.rules_changes import _objection
from tests.access.rules_gias import _batch
from tests.access.rules_register import draft_entry, draft_statement, with_draft, with_register
from tests.changes.builders import PLANNED_KEY, announced, publish_register
from tests.factories import bind_directory

HEADER = "header"  # free text that reaches a mail subject or header
TEXT, EMAIL, CHOICE, NUMBER, DATE = "text", "email", "choice", "number", "date"


@dataclass(frozen=True)
class Field:
    kind: str
    valid: str | list[str]
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    endpoint: str
    role: str
    prepare: Callable[[World], tuple[dict[str, Any], dict[str, Field]]] = lambda w: ({}, {})
    rule: str | None = None  # for an endpoint with several POST rules
    tenancy: str | None = None  # "own" or "trust" for /t/<tenancy>/ routes
    # Statuses a refusal may take besides 400/403/404/409/413/429 and the 200 of a re-shown form.
    also: frozenset[int] = frozenset()
    csrf_exempt: str | None = None
    # A user other than the poster whose vendor role the form may legitimately change.
    changes_vendor_role_of: str | None = None
    max_examples: int = 5
    # What the valid body answers: 302 for a form that did its work.
    valid_status: int = 302
    # The statuses of a form that did its work (a download answers 200 and records it).
    writes_on: frozenset[int] = frozenset({302})

    @property
    def key(self) -> str:
        return f"{self.endpoint} {self.rule or ''}".strip()


def date(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _announce(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    day = uk_today() + dt.timedelta(days=40)
    publish_register(planned_on=day)
    return {}, {
        "kind": Field(CHOICE, "addition", ("addition", "replacement", "removal", "material_change")),
        "entry_key": Field(CHOICE, PLANNED_KEY, ("hostwell", "")),
        "replaces_key": Field(CHOICE, "", ("hostwell", PLANNED_KEY)),
        "title": Field(HEADER, "Adding Quillmark"),
        "reason": Field(TEXT, "Reading analytics."),
        "effective_on": Field(DATE, date(day)),
    }


def _lodge(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    change = announced()
    return {"change_id": change.id}, {
        f"change-{change.id}-grounds": Field(TEXT, "We have not assessed this supplier."),
        f"change-{change.id}-target": Field(CHOICE, world.own.slug, (world.other.slug, "all")),
    }


def _decide(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    values = _objection(world, world.own, acknowledged=True)
    return values, {
        "decision": Field(CHOICE, "accommodated", ("not_accommodated", "withdrawn", "open")),
        "reason": Field(TEXT, "We will not use it for this school."),
    }


def _notice(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    from tests.changes.builders import drop_planned

    values = {"notice_id": announced().id}
    drop_planned()  # a notice a planned entry relies on cannot be withdrawn (#21)
    return values, {"reason": Field(TEXT, "We no longer plan this change.")}


def _exit_answer(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    from portal.audit.service import Actor
    from portal.changes import objections
    from portal.changes.models import Objection
    from portal.extensions import db

    values = _objection(world, world.own, acknowledged=True)
    found = db.session.get(Objection, values["objection_id"])
    objections.not_accommodate(found, reason="The service needs it.", actor=Actor.system())
    return values, {f"answer-{found.id}-choice": Field(CHOICE, "accept", ("exit", "", "withdraw"))}


def _record_written(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return {"notice_id": announced().id}, {
        "organisation": Field(TEXT, world.own.slug),
        "channel": Field(CHOICE, "letter", ("email", "portal", "")),
        "received_on": Field(DATE, date(uk_today())),
        "sender": Field(TEXT, "Dana Lead, headteacher"),
        "grounds": Field(TEXT, "We object to this supplier."),
    }


def _objection_only(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return _objection(world, world.own), {}


def _sign(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    from portal.documents import versions

    with_register()
    if versions.latest_text_version() is None:
        versions.publish_text_version(actor=world.users["vendor_staff"], summary="First version.")
    return {}, {
        "confirm": Field(CHOICE, "y", ("", "n", "false")),
        "version": Field(NUMBER, "1"),
        "language": Field(CHOICE, "cy", ("en", "xx", "")),
    }


def _sign_details(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    values, _ = _sign(world)
    return values, {
        "controller_address": Field(TEXT, "1 School Lane, Leeds LS2 1AA"),
        "companies_house_number": Field(HEADER, "09876543"),
        "dpo_name": Field(HEADER, "Sam Officer"),
        "dpo_email": Field(EMAIL, "dpo@school.example"),
        "ico_registration": Field(HEADER, "ZA123456"),
        "notice_contact_name": Field(HEADER, "Nia Notice"),
        "notice_contact_email": Field(EMAIL, "notices@school.example"),
        "signer_name": Field(HEADER, "Dana Lead"),
        "signer_role": Field(HEADER, "Headteacher"),
    }


def _sign_details_trust(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    values, fields = _sign_details(world)
    # The other school's id is offered too: choosing it must never be kept.
    fields["targets"] = Field(CHOICE, str(world.own.id), (str(world.other.id), str(world.trust.id), "0"))
    return values, fields


def _people(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return {"user_id": world.users["viewer"].id}, {"vendor_role": Field(CHOICE, "none", ("staff", "admin"))}


ENTRY_CHOICES = ("data_subprocessor", "platform_utility")
STATUS_CHOICES = ("active", "active_temporary", "conditional", "planned", "retired")


def _entry_fields() -> dict[str, Field]:
    return {
        "key": Field(TEXT, "fuzz-supplier"),
        "supplier": Field(HEADER, "Fuzz Supplier Ltd"),
        "parent_entity": Field(TEXT, ""),
        "kind": Field(CHOICE, "data_subprocessor", ENTRY_CHOICES),
        "status": Field(CHOICE, "active", STATUS_CHOICES),
        "condition_service": Field(TEXT, ""),
        "effective_on": Field(DATE, ["", "", ""]),
        "retires_on": Field(DATE, ["", "", ""]),
        "services_used": Field(TEXT, "Hosting"),
        "purpose": Field(TEXT, "Hosting the service"),
        "data_categories": Field(TEXT, "Names"),
        "location": Field(TEXT, "United Kingdom"),
        "residency_note": Field(TEXT, ""),
        "certifications": Field(TEXT, "ISO 27001"),
        "dpa_reference": Field(TEXT, ""),
        "privacy_contact": Field(EMAIL, "privacy@fuzz.example"),
        "risk_note": Field(TEXT, ""),
        # The Welsh beside the English (#29).
        "purpose_cy": Field(TEXT, "Lletya'r gwasanaeth"),
        "location_cy": Field(TEXT, "Y Deyrnas Unedig"),
        "risk_note_cy": Field(TEXT, ""),
        # The controlled facts (#20).
        "other_subjects": Field(TEXT, ""),
        "pupil_facing": Field(CHOICE, "no", ("yes", "no")),
        "parent_country": Field(CHOICE, "GB", ("", "GB", "US", "IE")),
        "region": Field(TEXT, "London"),
        "transfer": Field(CHOICE, "none", ("none", "uk_adequacy", "uk_dpf_extension", "idta", "addendum")),
        "dpf_checked_on": Field(DATE, ["", "", ""]),
        "retention": Field(TEXT, "For the life of the agreement."),
        "is_ai": Field(CHOICE, "yes", ("yes", "no")),
        "ai_models": Field(TEXT, "Model A | Maker | Chat"),
        "ai_inference_country": Field(CHOICE, "GB", ("GB", "US", "IE")),
        "ai_prompt_retention": Field(TEXT, "Not kept."),
        "ai_training": Field(CHOICE, "no", ("yes", "no")),
        "ai_training_instruction": Field(TEXT, ""),
        "ai_use": Field(CHOICE, "primary", ("primary", "fallback", "option")),
    }


def _new_entry(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    with_draft(world, None)
    return {}, _entry_fields()


def _edit_entry(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return draft_entry(world, None), _entry_fields()


def _statement_fields() -> dict[str, Field]:
    return {
        "supplier": Field(HEADER, "Edge Fonts Ltd"),
        "reason": Field(TEXT, "Marketing site fonts only."),
        "reason_cy": Field(TEXT, "Ffontiau'r wefan farchnata yn unig."),
    }


def _new_statement(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    with_draft(world, None)
    return {}, _statement_fields()


def _edit_statement(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return draft_statement(world, None), _statement_fields()


def _option_fields() -> dict[str, Field]:
    return {
        "key": Field(TEXT, "fuzz-option"),
        "name": Field(HEADER, "Fuzz option"),
        "description": Field(TEXT, "What it changes."),
        "description_cy": Field(TEXT, "Beth mae'n ei newid."),
        "default": Field(CHOICE, "on", ("off", "maybe")),
        "entry_keys": Field(CHOICE, "kestrel-moderation", ("azure-openai", "no-such-entry")),
    }


def _new_option(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    with_register()
    return {}, _option_fields()


def _edit_option(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    from portal.register.choices import load_options

    with_register()
    return {"option_id": load_options()[0].id}, _option_fields()


def _publish(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    with_draft(world, None)
    return {}, {
        "number": Field(HEADER, "1.5"),
        "owner_name": Field(TEXT, "Helen Marsh"),
        "contact_email": Field(EMAIL, "privacy@larkspur.example"),
        "reviewed_on": Field(DATE, date(uk_today())),
        "next_review_on": Field(DATE, date(uk_today() + dt.timedelta(days=300))),
        "summary": Field(HEADER, "Notes tidied."),
        "summary_cy": Field(TEXT, "Nodiadau wedi'u tacluso."),
    }


def _notes(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    with_draft(world, None)
    return {}, {"notes": Field(TEXT, "General notes."), "notes_cy": Field(TEXT, "Nodiadau cyffredinol.")}


def _with_draft(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return with_draft(world, None), {}


def _with_register(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return with_register(), {}


def _spare(world: World, tenancy: Any) -> dict[str, Any]:
    return {"membership_id": world.spare[tenancy.id].id}


def _change_role(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return _spare(world, world.own), {"role": Field(CHOICE, "data_lead", ("viewer", "trust_admin", "vendor_admin"))}


def _invite(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return {}, {
        "email": Field(EMAIL, "new.person@school.example"),
        "role": Field(CHOICE, "viewer", ("data_lead", "trust_admin", "vendor_admin")),
    }


def _option(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    with_register()
    return {}, {
        "option": Field(CHOICE, "azure-fallback", ("no-such-option",)),
        "azure-fallback-enabled": Field(CHOICE, "off", ("on",)),
        "azure-fallback-version": Field(NUMBER, "0"),
    }


def _option_for_academies(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    with_register()
    academy, other = world.own.id, world.other.id
    return {}, {
        "option": Field(CHOICE, "azure-fallback", ("no-such-option",)),
        "all-azure-fallback-enabled": Field(CHOICE, "off", ("on",)),
        # The other school's id smuggled into the versions: it must never be switched.
        "all-azure-fallback-versions": Field(CHOICE, f"{academy}:0", (f"{academy}:0,{other}:0", f"{other}:0", "1:99")),
    }


def _vendor_tenancy(world: World) -> dict[str, Any]:
    return {"slug": world.own.slug}


def _bind(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return _vendor_tenancy(world), {
        "directory-provider": Field(CHOICE, "google", ("microsoft", "okta")),
        "directory-value": Field(TEXT, "matrix.sch.uk"),
    }


def _remove_directory(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    directory = bind_directory(world.own, DirectoryProvider.GOOGLE, "matrix-academy.sch.uk")
    return {**_vendor_tenancy(world), "directory_id": directory.id}, {"remove-submit": Field(TEXT, "Remove")}


def _auto_join(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    bind_directory(world.own, DirectoryProvider.GOOGLE, "matrix-academy.sch.uk")
    return _vendor_tenancy(world), {"auto-join-enabled": Field(CHOICE, "yes", ("no", "maybe"))}


def _vendor_invite(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    bind_directory(world.own, DirectoryProvider.GOOGLE, "matrix-academy.sch.uk")
    return _vendor_tenancy(world), {"invite-email": Field(EMAIL, "lead@matrix-academy.sch.uk")}


def _create_tenancy(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return {}, {"kind": Field(CHOICE, "school", ("trust", "vendor")), "key": Field(NUMBER, "999999")}


def _text_version(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return {}, {"summary": Field(TEXT, "Clause 7 clarified.")}


def _gias_confirm(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return _batch(world, None), {}


def _sign_in_start(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return {"provider": "microsoft"}, {"next": Field(TEXT, "/t/"), "invitation": Field(TEXT, "")}


def _confirm(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    return {"token": "unknown-token-" + "x" * 30}, {}


def _open_objection(world: World) -> tuple[dict[str, Any], dict[str, Field]]:
    values = _objection(world, world.own)
    return values, {}


SPECS: list[Spec] = [
    Spec("auth.sign_out", "viewer"),
    Spec("auth.sign_out_everywhere", "viewer"),
    Spec(
        "language.choose",
        "viewer",
        lambda w: ({}, {"language": Field(CHOICE, "cy", ("en", "cy")), "next": Field(TEXT, "/t/")}),
    ),
    Spec(
        "tenancy_language.language",
        "data_lead",
        lambda w: ({}, {"language": Field(CHOICE, "cy", ("en", "cy"))}),
        tenancy="own",
    ),
    # The providers point at an address the suite holds and never listens on (tests/conftest.py),
    # so a valid start answers 503 whatever else runs on the machine (tested in tests/auth).
    Spec("auth.start", "anonymous", _sign_in_start, also=frozenset({503}), valid_status=503),
    Spec("changes.lodge", "data_lead", _lodge, tenancy="own"),
    Spec("changes.withdraw", "data_lead", _objection_only, tenancy="own"),
    Spec("changes.answer", "data_lead", _exit_answer, tenancy="own"),
    Spec("changes_admin.record_objection", "vendor_staff", _record_written),
    Spec("changes_admin.acknowledge", "vendor_staff", _open_objection),
    Spec("changes_admin.announce", "vendor_staff", _announce, max_examples=15),
    Spec("changes_admin.decide", "vendor_staff", _decide),
    Spec("changes_admin.withdraw_notice", "vendor_staff", _notice),
    Spec("documents.sign", "data_lead", _sign, tenancy="own", max_examples=2),
    Spec("documents.sign_details", "trust_admin", _sign_details_trust, tenancy="trust", max_examples=2),
    Spec(
        "dpia.download",
        "viewer",
        lambda w: ({"fmt": "csv"}, {}),
        tenancy="own",
        valid_status=200,
        writes_on=frozenset({200}),
    ),
    Spec("gias.confirm", "vendor_admin", _gias_confirm),
    # An unknown token: 404 whatever else is posted (tests/notify confirm real tokens).
    Spec("notify.confirm", "anonymous", _confirm, valid_status=404),
    Spec("notify.subscribe", "anonymous", lambda w: ({}, {"email": Field(EMAIL, "fuzz@example.org")}), max_examples=15),
    Spec(
        "notify.unsubscribe",
        "anonymous",
        _confirm,
        valid_status=200,
        csrf_exempt="RFC 8058 one-click unsubscribe: mail clients post without a session; the token is the authority",
    ),
    Spec("people.disable", "vendor_admin", _people, changes_vendor_role_of=None),
    Spec("people.enable", "vendor_admin", _people),
    Spec("people.revoke", "vendor_admin", _people),
    Spec("people.vendor_role", "vendor_admin", _people, changes_vendor_role_of="viewer"),
    Spec("register_admin.discard", "vendor_staff", _with_draft),
    Spec("register_admin.edit_entry", "vendor_staff", _new_entry, rule="/vendor/register/draft/entries/new"),
    Spec(
        "register_admin.edit_entry", "vendor_staff", _edit_entry, rule="/vendor/register/draft/entries/<int:entry_id>"
    ),
    Spec("register_admin.edit_option", "vendor_staff", _new_option, rule="/vendor/register/options/new"),
    Spec("register_admin.edit_option", "vendor_staff", _edit_option, rule="/vendor/register/options/<int:option_id>"),
    Spec("register_admin.edit_statement", "vendor_staff", _new_statement, rule="/vendor/register/draft/statements/new"),
    Spec(
        "register_admin.edit_statement",
        "vendor_staff",
        _edit_statement,
        rule="/vendor/register/draft/statements/<int:statement_id>",
    ),
    Spec("register_admin.publish", "vendor_admin", _publish, max_examples=10),
    Spec("register_admin.remove_entry", "vendor_staff", lambda w: (draft_entry(w, None), {})),
    Spec("register_admin.remove_statement", "vendor_staff", lambda w: (draft_statement(w, None), {})),
    Spec("register_admin.save_notes", "vendor_staff", _notes),
    Spec("register_admin.start_draft", "vendor_staff", _with_register),
    Spec("tenancy.change_role", "data_lead", _change_role, tenancy="own"),
    Spec("tenancy.invite", "data_lead", _invite, tenancy="own", max_examples=15),
    Spec("tenancy.remove", "data_lead", lambda w: (_spare(w, w.own), {}), tenancy="own"),
    Spec(
        "tenancy.withdraw_invitation",
        "data_lead",
        lambda w: ({"invitation_id": w.pending[w.own.id].id}, {}),
        tenancy="own",
    ),
    Spec("tenancy_register.change_option", "data_lead", _option, tenancy="own"),
    Spec("tenancy_register.change_option_for_academies", "trust_admin", _option_for_academies, tenancy="trust"),
    Spec("vendor.auto_join", "vendor_admin", _auto_join),
    Spec("vendor.bind_directory", "vendor_admin", _bind),
    Spec("vendor.create_tenancy", "vendor_staff", _create_tenancy),
    Spec("vendor.invite", "vendor_admin", _vendor_invite, max_examples=15),
    Spec("vendor.remove_directory", "vendor_staff", _remove_directory),
    Spec("vendor_agreements.publish_text", "vendor_admin", _text_version),
]

# The trust hub's forms (#24) live beside it; imported last, they read Field and Spec from here.
from tests.fuzz.specs_trusthub import specs as _trusthub_specs  # noqa: E402

SPECS += _trusthub_specs()

# POST rules fuzzed elsewhere, with the reason.
EXEMPT: dict[str, str] = {
    "trusthub_admin.upload": "a file upload: fuzzed with hostile PDF files in test_trusthub_uploads.py",
    "gias.upload_post": "a file upload: fuzzed with hostile CSV files in test_uploads.py",
    "documents.verify": "a file upload: fuzzed with hostile PDF files in test_uploads.py",
    # The platform API (#27).
    "api.confirm": "JSON under a bearer token: property-tested by schemathesis against the OpenAPI "
    "description (tests/api/test_openapi.py) and by tests/api/test_confirmations.py",
    "api_tokens.create": "answers 200 with the secret when it works, so a write cannot be told from a "
    "re-shown form here; refusals that save nothing are tested in tests/api/test_tokens.py",
    "api_tokens.revoke": "no field to vary (an id in the path and the CSRF token); tests/api/test_tokens.py",
    "applying.confirm_setting": "no field to vary (an id in the path); tests/api/test_confirmations.py",
    "applying.confirm_excluded": "no field to vary (an id in the path); tests/api/test_confirmations.py",
    # Outgoing webhooks (#27).
    "webhooks.register": "answers 200 with the signing secret when it works, so a write cannot be told from a "
    "re-shown form here; hostile addresses, blank events and a repeated submission key are tested in "
    "tests/webhooks/test_console.py",
    "webhooks.rotate": "no field to vary (an id in the path); answers 200 with the new secret; tests/webhooks",
    "webhooks.ping": "no field to vary (an id in the path); tests/webhooks/test_console.py",
    "webhooks.disable": "no field to vary (an id in the path); tests/webhooks/test_console.py",
    "webhooks.enable": "no field to vary (an id in the path); tests/webhooks/test_console.py",
    "webhooks.retry": "no field to vary (ids in the path); tests/webhooks/test_delivery.py",
    "documents.signing_job_retry": "no field to vary (a job id in the path and the CSRF token); retries, "
    "second presses and other trusts' jobs are tested in tests/documents/test_signing_job.py",
}

# The incident and exit forms (#23) have their own module.
from tests.fuzz.specs_after import SPECS as _AFTER_SPECS  # noqa: E402

SPECS += _AFTER_SPECS
