"""The OpenAPI description is the contract: schemathesis generates requests for every operation and
checks that none fails on the server, every response conforms to its documented schema, and
authentication is enforced (#27). Small example counts keep it to seconds in `make test`."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from portal.audit.service import Actor
from portal.extensions import db
from portal.register.options import set_option
from tests.factories import make_school

EXAMPLES = 15


@pytest.fixture
def contract(app, confirm_token, azure_fallback):
    school = make_school("Contract Primary", slug="contract-primary")
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), confirm_token


def test_the_document_is_openapi_3_1_and_names_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    documented = set(document["paths"])
    routes = {
        rule.rule.replace("<slug:ref>", "{ref}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == documented


def test_every_operation_conforms_to_the_description(contract):
    schema, token = contract
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the operation that serves the description itself.
    assert {op.label for op in operations} == {
        "GET /api/v1/tenancies",
        "GET /api/v1/tenancies/{ref}",
        "GET /api/v1/tenancies/{ref}/sub-processors",
        "POST /api/v1/tenancies/{ref}/confirmations",
    }
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=token)

        check()


def test_the_known_school_answers_each_operation_as_documented(contract):
    """Generated references rarely name a real school: these calls make sure the 200s conform too."""
    schema, token = contract
    by_label = {result.ok().label: result.ok() for result in schema.get_all_operations()}
    ref = {"ref": "contract-primary"}
    cases = [
        by_label["GET /api/v1/tenancies"].Case(query={"per_page": 1}),
        by_label["GET /api/v1/tenancies/{ref}"].Case(path_parameters=ref),
        by_label["GET /api/v1/tenancies/{ref}/sub-processors"].Case(path_parameters=ref),
        by_label["POST /api/v1/tenancies/{ref}/confirmations"].Case(
            path_parameters=ref,
            body={"kind": "option", "option": "azure-fallback", "version": 1, "applied_at": _now()},
            media_type="application/json",
        ),
    ]
    for case in cases:
        response = case.call_and_validate(headers=token)
        assert response.status_code == 200, (case.operation.label, response.text)


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat()
