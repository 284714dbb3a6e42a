"""Annex IV's note on US law comes from the register's facts: it names each supplier whose group is
headquartered in the United States and is used for the school, and only those (#22 item 3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.demo import identity as demo_identity
from portal.demo.register import load_register, load_settings
from portal.documents import annex, document
from portal.extensions import db
from portal.tenancy.models import Tenancy
from tests.documents.conftest import PARTIES
from tests.documents.test_annexes import words
from tests.documents.test_signing import pdf_text


def _school(urn: str) -> Tenancy:
    school = db.session.scalar(select(Tenancy).where(Tenancy.urn == urn))
    assert school is not None
    return school


def test_the_us_law_note_names_the_us_owned_suppliers_in_each_schools_set(text_v1: Any) -> None:
    list(load_register())
    list(demo_identity.load())
    list(load_settings())
    aurora, meadowbank = _school("149901"), _school("107701")  # voice input on; Azure fallback off
    fourth = annex.annex_iv([aurora, meadowbank])
    us_owned = ["Tollgate Payments Europe Ltd", "Postwick Mail Inc."]
    assert fourth[aurora.id]["us_law_suppliers"] == [
        "Microsoft Azure OpenAI Service",
        "Microsoft Azure AI Speech",
        *us_owned,
    ]
    assert fourth[meadowbank.id]["us_law_suppliers"] == us_owned

    draft = words(pdf_text(document.draft_pdf(document.prepare([meadowbank], text_v1, PARTIES)[0])))
    assert (
        "Note on foreign law: Tollgate Payments Europe Ltd, Postwick Mail Inc. belong to groups headquartered in "
        "the United States."
    ) in draft
    assert "section 702 of the Foreign Intelligence Surveillance Act" in draft
