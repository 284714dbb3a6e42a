"""Every POST form fuzzed: hostile values, wrong types, missing, repeated and extra fields, bad CSRF tokens.

Never a 500, a refusal writes nothing, nothing reaches another tenancy or a vendor role, and no
outbox row carries a line break or NUL in its recipient, subject or headers.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from tests.access.matrix import World, build_world
from tests.fuzz.harness import FUZZ, Poster, other_tenancy_ids, post_and_check, signed_in_id, url_of
from tests.fuzz.specs import CHOICE, DATE, EMAIL, EXEMPT, HEADER, NUMBER, SPECS, TEXT, Field, Spec
from tests.fuzz.strategies import INJECTION, hostile_date, hostile_email, hostile_number, hostile_text

IGNORED = {"GET", "HEAD", "OPTIONS"}
CSRF_MODES = ["valid"] * 6 + ["missing", "empty", "garbage", "foreign", "other-key", "garbage-first"]
# Fields no form has, named to tempt a careless `**request.form`: roles, tenancy ids, flags.
EXTRA_NAMES = ["role", "vendor_role", "tenancy_id", "tenancy", "trust_id", "user_id", "is_vendor", "academies", "id"]


def post_rules(app: Any) -> dict[str, str]:
    """Every POST rule of the app, keyed like Spec.key (the rule is added when an endpoint has several)."""
    rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())]
    counts = {r.endpoint: sum(1 for o in rules if o.endpoint == r.endpoint) for r in rules}
    return {(r.endpoint if counts[r.endpoint] == 1 else f"{r.endpoint} {r.rule}"): r.rule for r in rules}


def test_every_post_rule_is_fuzzed_or_exempt(app):
    rules = post_rules(app)
    specs = [spec.key for spec in SPECS]
    missing = sorted(set(rules) - set(specs) - set(EXEMPT))
    stale = sorted((set(specs) | set(EXEMPT)) - set(rules))
    assert not missing, "POST routes neither fuzzed (tests/fuzz/specs.py SPECS) nor EXEMPT:\n" + "\n".join(missing)
    assert not stale, "fuzz specs for routes that do not exist:\n" + "\n".join(stale)
    assert len(specs) == len(set(specs)), "a route is fuzzed twice"
    assert all(reason.strip() for reason in EXEMPT.values())


def field_values(field: Field) -> st.SearchStrategy[list[str]]:
    """The hostile values of one field: wrong for its kind, or a valid value made dangerous."""
    if field.kind == DATE:
        return hostile_date()
    valid = field.valid if isinstance(field.valid, str) else ""
    wrapped = st.sampled_from(INJECTION).map(lambda bad: f"{valid}{bad}")
    single = {
        CHOICE: st.sampled_from(field.choices or ("",)) | hostile_text() | hostile_number(),
        NUMBER: hostile_number(),
        EMAIL: hostile_email() | wrapped,
        HEADER: hostile_text() | wrapped,
    }.get(field.kind, hostile_text())
    return st.one_of(
        single.map(lambda value: [value]),
        st.just([]),  # missing
        st.lists(single, min_size=2, max_size=3),  # repeated
    )


@st.composite
def form_example(draw: Any, fields: dict[str, Field], extra_values: list[str]) -> tuple[list[tuple[str, str]], str]:
    """A form body: the valid values with up to three fields made hostile, extra fields, and a CSRF mode."""
    names = sorted(fields)
    hostile = draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
    pairs: list[tuple[str, str]] = []
    for name in names:
        valid = fields[name].valid
        values = draw(field_values(fields[name])) if name in hostile else ([valid] if isinstance(valid, str) else valid)
        pairs += [(name, value) for value in values]
    extra = st.tuples(st.sampled_from(EXTRA_NAMES), st.sampled_from(extra_values) | hostile_text())
    pairs += draw(st.lists(extra, max_size=3))
    return pairs, draw(st.sampled_from(CSRF_MODES))


def explicit_examples(fields: dict[str, Field]) -> list[list[tuple[str, str]]]:
    """Cases every run must try, whatever Hypothesis draws: NUL, CR/LF, oversized, missing, wrong types."""
    texts = {name for name, f in fields.items() if f.kind in (TEXT, HEADER, EMAIL)}
    headers = sorted(name for name, f in fields.items() if f.kind in (HEADER, EMAIL))

    def body(change: dict[str, list[str]]) -> list[tuple[str, str]]:
        values = {n: [f.valid] if isinstance(f.valid, str) else f.valid for n, f in fields.items()}
        return [(n, v) for n in sorted(fields) for v in change.get(n, values[n])]

    def valid_of(name: str) -> str:
        valid = fields[name].valid
        return valid if isinstance(valid, str) else ""

    wrong = {DATE: ["31", "February", "\U0001f4a9"], NUMBER: ["١٢٣"], CHOICE: ["vendor_admin"]}
    cases = [
        body({n: [valid_of(n) + "\x00"] for n in texts}),
        body({n: [valid_of(n) + "\r\nBcc: victim@example.org"] for n in texts}),
        body({n: ["x" * 5001] for n in texts}),
        body({n: [] for n in fields}),
        body({n: wrong[f.kind] for n, f in fields.items() if f.kind in wrong}),
    ]
    cases += [body({n: [valid_of(n) + "\nBcc: victim@example.org"]}) for n in headers]
    return cases if fields else [[]]


def poster_for(world: World, spec: Spec) -> Poster:
    user = world.users.get(spec.role)
    return Poster(user_id=signed_in_id(user), others=other_tenancy_ids(world))


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.key)
def test_form_refuses_hostile_input_cleanly(app, client, spec: Spec, request):
    if spec.endpoint.startswith("documents."):
        request.getfixturevalue("fuzz_signing")
    world = build_world()
    values, fields = spec.prepare(world)
    db.session.commit()
    if spec.tenancy:
        values["tenancy"] = (world.own if spec.tenancy == "own" else world.trust).slug
    url = url_of(app, spec.endpoint, values)
    poster = poster_for(world, spec)
    tempting = [str(world.other.id), world.other.slug, "vendor_admin", "admin", "trust_admin", "1", "true"]
    allowed_role_change = frozenset(
        {world.users[spec.changes_vendor_role_of].id} if spec.changes_vendor_role_of else ()
    )
    statuses: list[int] = []

    @settings(FUZZ, max_examples=spec.max_examples)
    @given(example=form_example(fields, tempting))
    def run(example: tuple[list[tuple[str, str]], str]) -> None:
        pairs, csrf = example
        statuses.append(
            post_and_check(
                app,
                client,
                url,
                pairs,
                csrf=csrf,
                poster=poster,
                also=spec.also,
                csrf_exempt=spec.csrf_exempt is not None,
                may_change_vendor_role=allowed_role_change,
                writes_on=spec.writes_on,
            )
        )

    # The valid body first: it must get through to the service, or the fuzzer only ever meets the door.
    valid = [(n, v) for n, f in sorted(fields.items()) for v in ([f.valid] if isinstance(f.valid, str) else f.valid)]
    status = post_and_check(
        app, client, url, valid, csrf="valid", poster=poster, also=spec.also, writes_on=spec.writes_on
    )
    assert status == spec.valid_status, f"the valid form answered {status}, not {spec.valid_status}"
    for pairs in explicit_examples(fields):
        run = example(example=(pairs, "valid"))(run)
    run()
    assert len(statuses) >= min(spec.max_examples, 2)
