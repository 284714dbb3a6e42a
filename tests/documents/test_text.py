"""The agreement text meets Art. 28(2)-(4) and Art. 33: each duty maps to a clause that is really there."""

from __future__ import annotations

from typing import Any

import pytest

from portal.documents import measures, text, versions

# Each duty of the law, the clause that meets it, and words that clause must keep saying.
DUTY_TO_CLAUSE: dict[str, tuple[str, tuple[str, ...]]] = {
    "28(2)": ("subprocessors", ("general written authorisation", "object")),
    "28(3)(a)": ("instructions", ("only on your documented instructions",)),
    "28(3)(b)": ("confidentiality", ("duty of confidentiality",)),
    "28(3)(c)": ("security", ("Article 32",)),
    "28(3)(d)": ("subprocessors", ("written contract", "same data protection duties")),
    "28(3)(e)": ("rights", ("exercise their rights",)),
    "28(3)(f)": ("assistance", ("Article 32", "Articles 33 and 34", "Article 35", "Article 36")),
    "28(3)(g)": ("end", ("delete", "return")),
    "28(3)(h)": ("audits", ("audits and inspections", "all the information")),
    "28(4)": ("subprocessors", ("fully responsible",)),
    "33": ("breach", ("72 hours",)),
}
# The EU standard clauses' checklist (Decision 2021/915) and the portal's own promises.
CHECKLIST = ("purpose", "duration", "sensitive", "transfers", "noncompliance", "exit", "law")


def clauses() -> dict[str, Any]:
    return {clause.key: clause for clause in text.CLAUSES}


@pytest.mark.parametrize("duty", sorted(text.DUTIES))
def test_every_duty_is_met_by_a_clause_that_says_so(duty: str) -> None:
    key, phrases = DUTY_TO_CLAUSE[duty]
    clause = clauses().get(key)
    assert clause is not None, f"clause {key!r} meeting Art. {duty} is missing"
    assert duty in clause.meets, f"clause {key!r} no longer claims Art. {duty}"
    body = " ".join(clause.paragraphs)
    for phrase in phrases:
        assert phrase in body, f"clause {key!r} (Art. {duty}) lost {phrase!r}"


def test_the_map_covers_every_duty() -> None:
    assert set(DUTY_TO_CLAUSE) == set(text.DUTIES)


@pytest.mark.parametrize("key", CHECKLIST)
def test_checklist_clauses_are_present(key: str) -> None:
    assert key in clauses()


def test_published_text_fills_in_the_notice_period_and_annexes(app: Any) -> None:
    app.config["NOTICE_PERIOD_DAYS"] = 30
    composed = versions.compose_text()
    body = " ".join(" ".join(c["paragraphs"]) for c in composed["clauses"])
    assert "at least 30 clear days before we add or replace a sub-processor" in body
    assert "{" not in body and "}" not in body
    assert [label for label, _ in composed["processing"]] == [
        "Subject matter",
        "Duration",
        "Nature of the processing",
        "Purpose",
        "Categories of personal data",
        "Data subjects",
    ]
    assert [group["heading"] for group in composed["measures"]] == [group.heading for group in measures.MEASURES]
    assert versions.canonical(composed) == versions.canonical(versions.compose_text())
