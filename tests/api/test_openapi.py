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


PUBLIC_REGISTER = {
    "/sub-processors.json",
    "/sub-processors/versions/{sequence}.json",
    "/sub-processors.schema.json",
    "/sub-processors.atom",
}


def test_the_document_is_valid_openapi_3_1_and_names_every_api_route_and_public_register_document(
    app, client, contract
):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    schema, _token = contract
    schema.validate()  # against the OpenAPI 3.1 meta-schema; raises on any fault
    documented = set(document["paths"])
    routes = {
        rule.rule.replace("<slug:ref>", "{ref}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert documented == routes | PUBLIC_REGISTER


def test_every_event_the_portal_sends_is_described_with_its_signature_headers(client):
    from portal.webhooks.events import EVENT_TYPES, PING

    webhooks = client.get("/api/v1/openapi.json").json["webhooks"]
    assert set(webhooks) == {*EVENT_TYPES, PING}
    for described in webhooks.values():
        headers = {p["name"] for p in described["post"]["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_every_operation_conforms_to_the_description(contract):
    schema, token = contract
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the operation that serves the description itself.
    assert {op.label for op in operations} == {
        "GET /api/v1/tenancies",
        "GET /api/v1/tenancies/{ref}",
        "GET /api/v1/tenancies/{ref}/sub-processors",
        "POST /api/v1/tenancies/{ref}/confirmations",
        "GET /api/v1/register/versions",
        "GET /sub-processors.json",
        "GET /sub-processors/versions/{sequence}.json",
        "GET /sub-processors.schema.json",
        "GET /sub-processors.atom",
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


def test_the_public_register_answers_as_documented_without_a_token_from_any_origin(contract):
    """Published versions exist here (the demo register): each public document's 200 conforms, headers too."""
    schema, _token = contract
    by_label = {result.ok().label: result.ok() for result in schema.get_all_operations()}
    cases = [
        by_label["GET /sub-processors.json"].Case(),
        by_label["GET /api/v1/register/versions"].Case(),
        by_label["GET /sub-processors/versions/{sequence}.json"].Case(path_parameters={"sequence": 1}),
        by_label["GET /sub-processors.schema.json"].Case(),
        by_label["GET /sub-processors.atom"].Case(),
    ]
    for case in cases:
        response = case.call_and_validate()
        assert response.status_code == 200, (case.operation.label, response.text)
        assert response.headers["access-control-allow-origin"] == ["*"], case.operation.label
        again = case.call(headers={"If-None-Match": response.headers["etag"][0]})
        assert again.status_code == 304, case.operation.label


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat()
