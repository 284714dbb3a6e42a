"""Reading GIAS extracts: encodings, the three kinds, every rejected row with its line and reason."""

from __future__ import annotations

import pytest

from portal.gias.models import ExtractKind
from portal.gias.parse import ExtractError, parse
from tests.gias.extracts import establishment, establishments_csv, group, groups_csv, link, links_csv


def test_reads_a_windows_1252_extract_as_gias_publishes_it():
    data = establishments_csv([establishment("141234", "Brontë Academy")], encoding="cp1252")
    assert "ë".encode("cp1252") in data
    parsed = parse(data)
    assert parsed.kind is ExtractKind.ESTABLISHMENTS
    assert parsed.rows[0]["name"] == "Brontë Academy"


@pytest.mark.parametrize("bom", [True, False])
def test_reads_utf8_with_or_without_a_bom(bom):
    parsed = parse(establishments_csv([establishment("141234", "Brontë Academy")], encoding="utf-8", bom=bom))
    assert parsed.rows[0]["urn"] == "141234"
    assert parsed.rows[0]["name"] == "Brontë Academy"


def test_every_rejected_row_has_its_line_number_and_reason():
    parsed = parse(
        establishments_csv(
            [
                establishment("141234", "Good School"),
                establishment("12345", "Short Urn School"),
                establishment("14123X", "Letter Urn School"),
                establishment("141235", ""),
                establishment("141236", "Odd Status School", status="Sleeping"),
                establishment("141234", "Good School Again"),
                establishment("141237", "Bad Trust School", trust_uid="TR01"),
            ]
        )
    )
    assert [row["urn"] for row in parsed.rows] == ["141234"]
    reasons = {reject["line"]: reject["reason"] for reject in parsed.rejects}
    assert reasons == {
        3: "URN must be 6 digits, not '12345'",
        4: "URN must be 6 digits, not '14123X'",
        5: "EstablishmentName is missing",
        6: "EstablishmentStatus (name) 'Sleeping' is not a GIAS status",
        7: "URN 141234 appears more than once in the file",
        8: "Trusts (code) must be a group UID (digits), not 'TR01'",
    }


def test_groups_extract_keeps_trusts_and_leaves_federations_alone():
    parsed = parse(
        groups_csv(
            [
                group("4012", "Wharfe Valley Learning Trust", companies_house="7654321"),
                group("4013", "Calder Federation", group_type="Federation"),
                group("4014", "", companies_house="08123456"),
                group("4015", "Bad Number Trust", companies_house="12-34"),
            ]
        )
    )
    assert parsed.kind is ExtractKind.GROUPS
    assert parsed.rows[0]["companies_house_number"] == "07654321"  # leading zero a spreadsheet dropped
    assert parsed.ignored == 1
    assert [reject["line"] for reject in parsed.rejects] == [4, 5]


def test_links_extract_is_recognised_and_closed_memberships_are_left_alone():
    parsed = parse(
        links_csv(
            [
                link("141234", "4012", "Wharfe Valley Learning Trust"),
                link("141235", "4001", "Old Trust", status="Closed"),
            ]
        )
    )
    assert parsed.kind is ExtractKind.LINKS
    assert [(row["urn"], row["group_uid"]) for row in parsed.rows] == [("141234", "4012")]
    assert parsed.ignored == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty"),
        (b"%PDF-1.7\x00\x01\x02binary", "this one is binary"),
        (b"Name,Town\r\nOakfield,Leeds\r\n", "it has no URN, EstablishmentName, EstablishmentStatus (name) columns"),
        (b"URN,EstablishmentName\r\n141234,Oakfield\r\n", "it has no EstablishmentStatus (name) column"),
        (b'URN,EstablishmentName,EstablishmentStatus (name)\r\n"141234,Oak"x,Open\r\n', "not a readable CSV file"),
    ],
)
def test_a_file_that_is_not_an_extract_gets_a_clear_message(data, message):
    with pytest.raises(ExtractError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(data)
