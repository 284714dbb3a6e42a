"""Regressions the fuzzer found: NUL characters reached PostgreSQL (a 500) from forms, queries and GIAS files."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.changes.models import Objection
from portal.extensions import db
from portal.gias.parse import ExtractError, parse
from tests.changes.builders import announced
from tests.factories import sign_in_client
from tests.fuzz.harness import snapshot
from tests.gias.extracts import establishment, establishments_csv


def test_a_nul_in_a_form_field_is_refused_before_anything_is_written(client_request, school, data_lead):
    change = announced()
    client_request.sign_in(data_lead)
    before = snapshot()
    response = client_request.post(
        "changes.lodge",
        {f"change-{change.id}-grounds": "We object\x00"},
        _expected_status=400,
        tenancy=school.slug,
        change_id=change.id,
    )
    assert "There is a problem with your request" in response.get_data(as_text=True)
    assert snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(Objection)) == 0


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1"])
def test_a_nul_in_a_query_string_is_refused(client, vendor_staff, query):
    sign_in_client(client, vendor_staff)
    assert client.get(f"/vendor/tenancies?{query}").status_code == 400


def test_a_nul_in_an_uploaded_file_name_is_refused(client_request, vendor_staff):
    client_request.sign_in(vendor_staff)
    data = establishments_csv([establishment("150001", "Fuzz Academy")])
    client_request.post("gias.upload_post", {"extract": (io.BytesIO(data), "a\x00.csv")}, _expected_status=400)


def test_a_gias_extract_with_a_nul_past_its_first_64_kb_is_refused_as_binary():
    padding = [establishment(f"{150001 + i}", "Padding " + "p" * 80) for i in range(700)]
    data = establishments_csv([*padding, establishment("151999", "Nul\x00School")])
    assert data.index(b"\x00") > 65536
    with pytest.raises(ExtractError, match="binary"):
        parse(data)
