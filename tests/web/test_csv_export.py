"""Every CSV export, read back as a spreadsheet would (`,`, `;` or tab as separator), starts no formula (#18)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.audit import service as audit
from portal.extensions import db
from portal.web.csv_export import csv_text, safe_cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    "=1+1",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    'Mozilla;=HYPERLINK("http://evil.example","x")',
    'Mozilla,=HYPERLINK("http://evil.example")',
    "a; +b",
    "a\t-b",
    'quoted"=1',
    'a";"=1',
]


def formula_cells(text: str) -> list[str]:
    """Cells that a spreadsheet splitting the text on `,`, `;` or tab would run as a formula."""
    found = []
    for separator in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=separator):
            # Spaces, quotes, tabs and line breaks before a formula character still leave a formula.
            found += [cell for cell in row if cell.lstrip(' "\t\r\n')[:1] in FORMULA_START]
    return found


def test_every_cell_is_quoted_and_no_formula_survives_any_separator():
    text = csv_text(["name", "note"], [[value, "plain"] for value in HOSTILE])
    assert formula_cells(text) == []
    assert text.startswith('"name","note"\r\n"\'=1+1","plain"\r\n')  # every cell quoted, CRLF
    # Read back the way it was written, each value is the original with at most apostrophes added.
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for value, row in zip(HOSTILE, rows[1:], strict=True):
        assert row[0].replace("'", "") == value.replace("'", "")


@given(st.lists(st.text(alphabet=st.sampled_from(list("=+-@\t\r;, \"'aZ1\n")), max_size=12), max_size=5))
def test_no_text_at_all_becomes_a_formula(values):
    assert formula_cells(csv_text(["x"] * len(values), [values])) == []


def test_dates_and_empty_values():
    import datetime as dt

    assert safe_cell(None) == ""
    assert safe_cell(dt.date(2026, 12, 6)) == "2026-12-06"
    assert safe_cell("Smith-Jones") == "Smith-Jones"


@pytest.mark.parametrize("value", HOSTILE)
def test_the_audit_export_starts_no_formula(app, client, vendor_staff, value):
    from tests.factories import sign_in_client

    audit.record("test.hostile", actor=audit.Actor.system(), reason=value)
    db.session.commit()
    sign_in_client(client, vendor_staff)
    response = client.get("/vendor/audit/export.csv?action=test.hostile")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "test.hostile" in text and formula_cells(text) == []
