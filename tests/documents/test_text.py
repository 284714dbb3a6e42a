"""The clause map: every requirement has a clause that says it, and every citation says what the clause relies on."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.documents import clause_map, measures, text, versions

# Words each clause must keep saying for the requirement the map gives it (a map entry alone proves nothing).
MUST_SAY: dict[str, tuple[str, ...]] = {
    "28(2)": ("general written authorisation", "object", "clear days"),
    "28(3)(a)": ("only on your documented instructions",),
    "28(3)(b)": ("duty of confidentiality",),
    "28(3)(c)": ("Article 32",),
    "28(3)(d)": ("written contract", "same data protection duties"),
    "28(3)(e)": ("exercise their rights",),
    "28(3)(f)": ("Article 32", "Articles 33 and 34", "Article 35", "Article 36"),
    "28(3)(g)": ("delete", "return"),
    "28(3)(h)": ("audits and inspections", "all the information"),
    "28(3) second subparagraph": ("breaks data protection law",),
    "28(3) obligations and rights": ("lawful basis", "privacy information", "object", "audits", "suspend", "export"),
    "28(4)": ("fully liable", "copy of those terms", "fails to meet"),
    "33(2)": ("72 hours", "without undue delay"),
    "no training": ("train", "unless you instruct us to in writing", "sub-processor"),
    "government access": ("public authority", "unless the law forbids", "challenge"),
    "complaints": ("section 164A",),
    "breach contents": ("Article 33(3)", "updates", "without consulting you first"),
    "transfers approved by regulations": (),
    "transfer mechanisms": ("Article 45A", "UK Extension", "IDTA", "Addendum"),
}


def clauses() -> dict[str, text.Clause]:
    return {clause.key: clause for clause in text.CLAUSES}


@pytest.mark.parametrize("requirement", clause_map.REQUIREMENTS, ids=lambda r: r.source)
def test_every_requirement_has_a_clause_citing_it(requirement: clause_map.Requirement) -> None:
    if requirement.clause in clause_map.ANNEXES:
        assert requirement.cites is None
        return
    clause = clauses().get(requirement.clause)
    assert clause is not None, f"{requirement.source} ({requirement.about}): clause {requirement.clause!r} is missing"
    if requirement.cites is not None:
        assert requirement.cites in clause.meets, f"clause {clause.key!r} no longer cites {requirement.cites}"
    body = " ".join(clause.paragraphs)
    for phrase in MUST_SAY.get(requirement.source, ()):
        assert phrase in body, f"clause {clause.key!r} ({requirement.source}) lost {phrase!r}"


@pytest.mark.parametrize("clause", text.CLAUSES, ids=lambda c: c.key)
def test_every_citation_says_what_the_clause_relies_on(clause: text.Clause) -> None:
    assert clause.cites, f"clause {clause.key!r} cites nothing"
    for provision, relied_on in clause.cites:
        assert provision in clause_map.PROVISIONS, f"clause {clause.key!r} cites {provision}, which the map lacks"
        about, topics = clause_map.PROVISIONS[provision]
        assert relied_on in topics, (
            f"clause {clause.key!r} relies on {provision} for {relied_on!r}: it is about {about}"
        )


def test_a_wrong_citation_is_caught() -> None:
    # The first text cited Art. 28(10) for suspension; 28(10) is about a processor becoming a controller.
    _about, topics = clause_map.PROVISIONS["28(10)"]
    assert "suspension" not in topics and "documented instructions" not in topics
    assert all(provision != "28(10)" for provision, _ in clauses()["noncompliance"].cites)


def test_every_uk_gdpr_point_and_eu_clause_topic_is_mapped() -> None:
    sources = {r.source for r in clause_map.REQUIREMENTS}
    assert {f"28(3)({p})" for p in "abcdefgh"} <= sources
    assert {"28(2)", "28(4)", "33(2)", "28(3) subject matter", "28(3) type of data", "28(3) data subjects"} <= sources
    assert {"Clause 7.1", "Clause 7.5", "Clause 7.7", "Clause 7.8", "Clause 8", "Clause 9", "Clause 10"} <= sources
    assert {"Annex I", "Annex II", "Annex III", "Annex IV"} <= sources


def test_cross_references_point_at_the_right_clauses() -> None:
    numbers = {clause.key: n for n, clause in enumerate(text.CLAUSES, start=1)}
    body = " ".join(" ".join(c.paragraphs) for c in text.CLAUSES)
    for key, number in (("subprocessors", 9), ("audits", 16), ("noncompliance", 17), ("end", 18)):
        assert numbers[key] == number
        assert f"clause {number}" in body
    assert numbers["government"] == 11  # annex IV's foreign-law note points here


def test_published_text_states_its_periods_as_data(app: Any) -> None:
    app.config.update(NOTICE_PERIOD_DAYS=45, EXPORT_DAYS=21, DELETION_DAYS=60)
    composed = versions.compose_text()
    assert composed["terms"] == {"notice_period_days": 45, "export_days": 21, "deletion_days": 60}
    body = " ".join(" ".join(c["paragraphs"]) for c in composed["clauses"])
    assert "at least 45 clear days before it takes effect" in body
    assert "within 21 days" in body and "within 60 days" in body
    assert not re.search(r"[{}]", body)
    assert "Data Protection Act 2018, section 164A" in " ".join(" ".join(c["citations"]) for c in composed["clauses"])
    assert [group["heading"] for group in composed["measures"]] == [group.heading for group in measures.MEASURES]
    assert versions.canonical(composed) == versions.canonical(versions.compose_text())


def test_terms_are_read_from_a_version_1_text_that_stated_them_only_in_prose() -> None:
    import json

    from portal.documents.models import DpaTextVersion

    old = {
        "clauses": [
            {
                "key": "subprocessors",
                "paragraphs": ["We will tell you at least 30 days before we add or replace a sub-processor."],
            }
        ]
    }
    terms = versions.terms_of(DpaTextVersion(content=json.dumps(old)))
    assert (terms.notice_period_days, terms.export_days, terms.deletion_days) == (30, None, None)
