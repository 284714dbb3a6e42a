"""Annex II is the facts' description of annex IV's suppliers (#22): for every demo school, every data
category and data subject a supplier in annex IV names appears in annex II, and annex II declares
special category data whenever one of those categories is special."""

from __future__ import annotations

from sqlalchemy import select

from portal.dates import uk_today
from portal.demo import identity as demo_identity
from portal.demo.register import load_settings
from portal.documents import annex, processing, versions
from portal.extensions import db
from portal.register.vocabulary import CATEGORIES
from portal.tenancy.models import Tenancy


def test_every_category_and_subject_of_annex_iv_is_in_annex_ii(app, demo_register):
    list(demo_identity.load())
    list(load_settings())
    schools = [t for t in db.session.scalars(select(Tenancy).order_by(Tenancy.id)) if not t.is_trust]
    assert len(schools) >= 2
    text = versions.compose_text()
    special_names = {str(c.name) for c in CATEGORIES.values() if c.special}
    fourth = annex.annex_iv(schools, on=uk_today())
    for school in schools:
        rows = dict(processing.annex_ii(school, uk_today(), text))
        lines = fourth[school.id]["included"]
        assert lines, f"{school.name} uses no supplier"
        assert {"Subject matter", "Duration"} <= set(rows), "the contract's own rows stay"
        for line in lines:
            assert line["transfer"], f"{line['supplier']} has no transfer mechanism in annex IV"
            for name in line["category_names"]:
                assert name in rows["Categories of personal data"], f"{school.name}: {name} missing from annex II"
            for label in line["subject_labels"]:
                assert label in rows["Data subjects"], f"{school.name}: {label} missing from annex II"
        special = sorted({n for line in lines for n in line["category_names"] if n in special_names})
        if special:
            assert rows["Special category data"].startswith("Yes"), school.name
            for name in special:
                assert name in rows["Special category data"]
                assert f"{name} (special category data)" in rows["Categories of personal data"]
        else:
            assert rows["Special category data"] == "None", school.name
