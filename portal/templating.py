"""Jinja set-up: our templates first, then the GOV.UK Frontend macros; filters and globals."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from portal import dates, navigation
from portal.auth.sessions import user_or_none
from portal.web import language
from portal.web.forms import csrf_token


def init_app(app: Flask) -> None:
    """Install the loader, strict undefined, date filters and the vendor's details."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder or "templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.jinja_env.filters["govuk_date"] = dates.govuk_date
    app.jinja_env.filters["govuk_datetime"] = dates.govuk_datetime
    app.jinja_env.filters["or_not_set"] = or_not_set
    # No Python None reaches a page (#25): an absent value printed anywhere reads as a dash; a
    # labelled value says "Not set" through `or_not_set`. (Compiled in: set before any template loads.)
    app.jinja_env.finalize = _finalize
    app.context_processor(_vendor_context)
    app.jinja_env.globals["signed_in_user"] = user_or_none
    app.jinja_env.globals["current_language"] = language.current
    app.jinja_env.globals["language_names"] = language.NAMES
    app.jinja_env.globals["language_cookie"] = language.COOKIE
    # In place of Flask-WTF's own (CSRFProtect set it as a global and a context processor, earlier,
    # and a later context processor wins): the same token, signed once a minute.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    navigation.init_app(app)


ABSENT = "\u2013"  # an en dash: what an absent value reads as where no label says "Not set"


def _finalize(value: Any) -> Any:
    return ABSENT if value is None else value


def or_not_set(value: Any, text: str | None = None) -> Any:
    """The value, or "Not set" (or the given text) when it is None or empty; zero is a value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return text if text is not None else lazy_gettext("Not set")
    return value


def _notice_period_days() -> int:
    from portal.changes.window import notice_period_days

    return notice_period_days()


def _vendor_context() -> dict[str, Any]:
    config = current_app.config
    return {
        "vendor": {
            "name": config["VENDOR_NAME"],
            "legal_entity": config["VENDOR_LEGAL_ENTITY"],
            "company_number": config["VENDOR_COMPANY_NUMBER"],
            "address": config["VENDOR_REGISTERED_ADDRESS"],
            "ico_registration": config["VENDOR_ICO_REGISTRATION"],
            "dpo_name": config["VENDOR_DPO_NAME"],
            "dpo_email": config["VENDOR_DPO_EMAIL"],
            "privacy_email": config["VENDOR_PRIVACY_EMAIL"],
            # The contract's period (#21): read from the agreement texts in force only if a page shows it.
            "notice_period_days": LazyString(_notice_period_days),
        }
    }
