"""Importing GIAS extracts: preview, one transaction, idempotent, closed schools not created, trusts linked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.gias import service
from portal.gias.models import BatchState, GiasEstablishment, GiasGroup
from portal.tenancy.models import Role, Tenancy
from tests.factories import make_school, make_trust, make_user
from tests.gias.extracts import establishment, establishments_csv, group, groups_csv, link, links_csv

ACTOR = audit.Actor.system("test")


def _import(data: bytes, name: str = "extract.csv") -> dict[str, int]:
    batch = service.stage(data, filename=name, uploaded_by=None, actor=ACTOR)
    return service.apply(batch, actor=ACTOR)


def _schools() -> dict[str, GiasEstablishment]:
    return {row.urn: row for row in db.session.scalars(select(GiasEstablishment))}


EXTRACT = [
    establishment("141234", "Oakfield Primary Academy", trust_uid="4012", trust_name="Wharfe Valley Learning Trust"),
    establishment("141235", "Riverside High School", phase="Secondary", la="Bradford"),
    establishment("141236", "Old Mill Primary School", status="Closed"),
    establishment("14123", "Typo School"),
]


def test_preview_says_what_will_happen_and_changes_nothing(app):
    batch = service.stage(establishments_csv(EXTRACT), filename="edubasealldata.csv", uploaded_by=None, actor=ACTOR)
    plan = service.plan(batch.kind, batch.rows)
    assert plan.counts() == {"created": 2, "updated": 0, "unchanged": 0, "closed_not_created": 1, "unknown": 0}
    assert [reject["line"] for reject in batch.rejects] == [5]
    assert len(batch.sha256) == 64
    assert _schools() == {}


def test_import_creates_open_schools_only_and_a_second_import_changes_nothing(app):
    first = _import(establishments_csv(EXTRACT))
    assert first["created"] == 2 and first["closed_not_created"] == 1 and first["rejected"] == 1
    schools = _schools()
    assert set(schools) == {"141234", "141235"}
    assert schools["141234"].trust_uid == "4012"
    assert schools["141235"].local_authority == "Bradford"
    stamps = {urn: row.updated_at for urn, row in schools.items()}
    again = _import(establishments_csv(EXTRACT))
    assert again == {"created": 0, "updated": 0, "unchanged": 2, "closed_not_created": 1, "unknown": 0, "rejected": 1}
    db.session.expire_all()
    assert {urn: row.updated_at for urn, row in _schools().items()} == stamps


def test_a_changed_row_is_updated_and_a_closure_is_recorded(app):
    _import(establishments_csv(EXTRACT))
    changed = [
        establishment("141234", "Oakfield Primary Academy", trust_uid="4012"),
        establishment("141235", "Riverside High School", phase="Secondary", la="Bradford", status="Closed"),
    ]
    batch = service.stage(establishments_csv(changed), filename="next.csv", uploaded_by=None, actor=ACTOR)
    plan = service.plan(batch.kind, batch.rows)
    assert [change["changes"] for change in plan.update] == [{"status": "Closed"}]
    service.apply(batch, actor=ACTOR)
    db.session.expire_all()
    assert _schools()["141235"].status == "Closed"


def test_a_batch_is_applied_once(app):
    batch = service.stage(establishments_csv(EXTRACT), filename="x.csv", uploaded_by=None, actor=ACTOR)
    service.apply(batch, actor=ACTOR)
    db.session.expire_all()
    assert batch.state is BatchState.APPLIED
    with pytest.raises(service.BatchError, match="already been imported"):
        service.apply(batch, actor=ACTOR)


def test_a_failure_mid_import_leaves_nothing_behind(app, monkeypatch):
    batch = service.stage(establishments_csv(EXTRACT), filename="x.csv", uploaded_by=None, actor=ACTOR)
    db.session.commit()

    def broken(actor: audit.Actor) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "sync_tenancies", broken)
    with pytest.raises(RuntimeError):
        service.apply(batch, actor=ACTOR)
    db.session.rollback()
    assert _schools() == {}
    assert db.session.get(type(batch), batch.id).state is BatchState.STAGED


def test_groups_and_links_create_trusts_and_link_schools(app):
    _import(establishments_csv([establishment("141240", "Aire Valley Primary")]))
    summary = _import(
        groups_csv(
            [
                group("4012", "Wharfe Valley Learning Trust", companies_house="08123456"),
                group("4099", "Closed Trust", status="Closed"),
            ]
        )
    )
    assert summary["created"] == 1 and summary["closed_not_created"] == 1
    summary = _import(
        links_csv(
            [
                link("141240", "4020", "Calder Learning Partnership", companies_house="09876543"),
                link("199999", "4020", "Calder Learning Partnership"),
            ]
        )
    )
    assert summary["updated"] == 1 and summary["unknown"] == 1
    db.session.expire_all()
    assert _schools()["141240"].trust_uid == "4020"
    created = db.session.scalar(select(GiasGroup).where(GiasGroup.uid == "4020"))
    assert created is not None and created.companies_house_number == "09876543"


def test_import_refreshes_tenancies_and_joins_academies_to_their_trust(app):
    trust = make_trust("Wharfe Valley Learning Trust", group_uid="4012")
    school = make_school("Oakfield Primary", urn="141234")
    _import(establishments_csv(EXTRACT))
    db.session.expire_all()
    school = db.session.get(Tenancy, school.id)
    assert school.name == "Oakfield Primary Academy"
    assert school.trust_id == trust.id


def test_a_school_that_moves_trust_leaves_its_old_one_and_the_move_is_audited(app, client_request):
    old = make_trust("Wharfe Valley Learning Trust", group_uid="4012")
    new = make_trust("Calder Learning Partnership", group_uid="4020")
    school = make_school("Oakfield Primary", urn="141234", trust=old)
    old_admin = make_user("Old Trust Admin", tenancy=old, role=Role.TRUST_ADMIN)
    db.session.commit()  # a request ends the session's transaction: what it must see is committed first
    slug = school.slug
    client_request.sign_in(old_admin)
    client_request.get("documents.agreements", tenancy=slug)  # the trust's academy: its agreements are open to it
    _import(establishments_csv([establishment("141234", "Oakfield Primary", trust_uid="4012", trust_name=old.name)]))

    _import(links_csv([link("141234", "4020", "Calder Learning Partnership")]))
    db.session.commit()
    assert db.session.get(Tenancy, school.id).trust_id == new.id
    # The old trust's admin no longer reaches the school at all (deny by structure: a 404).
    client_request.get("documents.agreements", _expected_status=404, tenancy=slug)

    # Then to a trust with no tenancy here: it belongs to no trust of ours, not still to the old one.
    _import(links_csv([link("141234", "4077", "Aire Academies Trust")]))
    db.session.expire_all()
    assert db.session.get(Tenancy, school.id).trust_id is None

    moves = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "tenancy.trust_changed").order_by(AuditEvent.id)
    ).all()
    assert [(m.details["from_trust_id"], m.details["to_trust_id"]) for m in moves] == [(old.id, new.id), (new.id, None)]
    assert {m.tenancy_id for m in moves} == {school.id} and {m.actor_label for m in moves} == {ACTOR.label}


def test_a_blank_trust_code_keeps_the_link_it_cannot_contradict(app):
    trust = make_trust("Wharfe Valley Learning Trust", group_uid="4012")
    school = make_school("Oakfield Primary", urn="141234", trust=trust)
    db.session.flush()
    _import(establishments_csv([establishment("141234", "Oakfield Primary Academy")]))
    db.session.expire_all()
    assert _schools()["141234"].trust_uid is None
    assert db.session.get(Tenancy, school.id).trust_id == trust.id
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "tenancy.trust_changed")) == 0


def test_every_import_is_audited(app):
    _import(establishments_csv(EXTRACT))
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("gias.%"))).all()
    assert sorted(actions) == ["gias.imported", "gias.staged"]
    assert db.session.scalar(select(func.count(GiasEstablishment.id))) == 2
