"""The demo GIAS extracts import cleanly (apart from the one bad row) and a second load changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo import gias as demo_gias
from portal.demo import identity
from portal.extensions import db
from portal.gias.models import GiasEstablishment, GiasGroup, GiasImportBatch
from portal.gias.parse import parse
from portal.tenancy.models import Tenancy


def test_demo_extracts_are_real_format_and_report_only_the_bad_row(app):
    establishments = parse((demo_gias.DATA / "gias_establishments.csv").read_bytes())
    assert [(r["line"], r["reason"]) for r in establishments.rejects] == [(13, "URN must be 6 digits, not '10770'")]
    groups = parse((demo_gias.DATA / "gias_groups.csv").read_bytes())
    assert groups.rejects == [] and groups.ignored == 1


def test_demo_load_is_idempotent_and_keeps_the_demo_tenancies(app):
    list(identity.load())
    before = {t.slug: (t.name, t.trust_id, t.local_authority) for t in db.session.scalars(select(Tenancy))}
    lines = list(demo_gias.load())
    assert "1 rejected" in lines[1] and "line 13" in lines[1]
    assert db.session.scalar(select(func.count(GiasEstablishment.id))) == 11  # closed school, bad row left out
    assert db.session.scalar(select(func.count(GiasGroup.id))) == 2
    assert list(demo_gias.load()) == [
        "GIAS gias_groups.csv: already imported",
        "GIAS gias_establishments.csv: already imported",
    ]
    assert db.session.scalar(select(func.count(GiasImportBatch.id))) == 2
    db.session.expire_all()
    after = {t.slug: (t.name, t.trust_id, t.local_authority) for t in db.session.scalars(select(Tenancy))}
    assert after == before
