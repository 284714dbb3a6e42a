"""Each risk of the DPIA pack is derived from the register's facts for the school's effective set: switching
an option, an accommodated objection or an announced date changes the risks, and nothing else does."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from portal.audit.service import Actor
from portal.dates import govuk_date, uk_today
from portal.demo import identity as demo_identity
from portal.demo.register import load_register, load_settings
from portal.dpia.builder import build_pack
from portal.dpia.content import DpiaPack, Risk, overall
from portal.extensions import db
from portal.register import service
from portal.register.choices import tenancy_choices
from portal.register.models import TenancyExclusion, TenancyOption
from portal.register.options import set_option
from portal.tenancy.models import Tenancy
from tests.dpia.conftest import docx_text, pdf_text, publish, table_named
from tests.factories import make_school, make_user

US_OWNED = (
    "Microsoft Azure OpenAI Service",
    "Microsoft Azure AI Speech",
    "Tollgate Payments Europe Ltd",
    "Postwick Mail Inc.",
)


@pytest.fixture
def demo(app: Any) -> dict[str, TenancyOption]:
    """The demo register (versions 1.3 and 1.4: Kestrel planned, Fellside leaving) and its options by key."""
    list(load_register())
    return {o.key: o for o in db.session.scalars(select(TenancyOption))}


def switch(school: Tenancy, option: TenancyOption, enabled: bool) -> None:
    state = tenancy_choices([school.id]).states[school.id][option.id]
    set_option(school, option, enabled, expected_version=state.version, actor=Actor.system())
    db.session.flush()


def exclude(school: Tenancy, key: str) -> None:
    """As an accommodated objection does: the supplier is excluded for this school."""
    db.session.add(TenancyExclusion(tenancy_id=school.id, entry_key=key, reason="Agreed after objection."))
    db.session.flush()


def of_kind(pack: DpiaPack, kind: str) -> list[Risk]:
    return [r for r in pack.risks if r.kind == kind]


def named(risks: list[Risk]) -> set[str]:
    suppliers = {e.key: e.supplier for e in service.current_version().entries}
    return {suppliers[key] for r in risks for key in r.suppliers}


def entry_on(key: str) -> Any:
    return next(e for e in service.current_version().entries if e.key == key)


def test_a_government_access_risk_names_each_us_owned_supplier_in_the_set(demo):
    aurora = make_school("Aurora Primary Academy")
    switch(aurora, demo["voice-input"], True)
    pack = build_pack(aurora)
    access = of_kind(pack, "government_access")
    assert named(access) == set(US_OWNED)
    assert len(access) == len(US_OWNED)  # one each, each naming its supplier
    for r in access:
        assert r.title.startswith("US authorities could obtain the data") and "CLOUD Act" in r.description
        assert "section 702 of the Foreign Intelligence Surveillance Act" in r.description
    # UK-owned suppliers bring none.
    assert not {"Pennine Sovereign Cloud Ltd (including Harbour AI)", "Fellside Infrastructure Ltd"} & named(access)

    # Children's chat held by a US-owned supplier outranks a transfer under UK adequacy regulations.
    azure = next(r for r in access if r.suppliers == ("azure-openai",))
    tollgate_transfer = next(r for r in of_kind(pack, "transfer") if r.suppliers == ("tollgate-payments",))
    rank = ("Low", "Medium", "High").index
    assert (azure.likelihood, azure.severity, azure.overall) == ("Remote", "Severe", "Medium")
    assert rank(tollgate_transfer.overall) <= rank(azure.overall)
    assert "UK adequacy regulations" in " ".join(tollgate_transfer.measures)
    # Measures are the register's facts: the pseudonymous identifier, the fallback use, the DPF check.
    measures = " ".join(azure.measures)
    assert "receives a pseudonymous pupil identifier, not names" in measures
    assert "Fallback: used only when the primary service is unavailable" in measures
    checked = entry_on("azure-openai").facts.dpf_checked_on
    assert f"Data Privacy Framework was checked on {govuk_date(checked)}" in measures


def test_switching_an_option_off_removes_its_suppliers_risks_and_says_so(demo):
    school = make_school("Meadowbank Primary School")
    before = build_pack(school)
    assert "azure-openai" in {key for r in before.risks for key in r.suppliers}
    effects = " ".join(b for s in before.sections if s.key == "risks" for p in s.parts for b in _bullets(p))
    gone = [r.ref for r in before.risks if r.suppliers == ("azure-openai",)]
    assert f"“Azure OpenAI fallback” is on for your school. Switching it off removes {', '.join(gone)}." in effects

    transfers = of_kind(before, "transfer")
    assert named(transfers) == {"Microsoft Azure OpenAI Service", "Tollgate Payments Europe Ltd", "Postwick Mail Inc."}
    azure_transfer = next(r for r in transfers if r.suppliers == ("azure-openai",))
    assert (
        azure_transfer.title
        == "Personal data processed or accessed in the United States by Microsoft Azure OpenAI Service"
    )
    assert "Transfer mechanism: UK Extension to the EU-US Data Privacy Framework" in " ".join(azure_transfer.measures)

    switch(school, demo["azure-fallback"], False)
    after = build_pack(school)
    assert named(of_kind(after, "transfer")) == {"Tollgate Payments Europe Ltd", "Postwick Mail Inc."}
    assert all("azure-openai" not in r.suppliers for r in after.risks)
    assert named(of_kind(after, "government_access")) == {"Tollgate Payments Europe Ltd", "Postwick Mail Inc."}
    [chats] = of_kind(before, "chat_retention")
    assert (
        "“Azure OpenAI fallback” is on by default for your school. Switch it off on the portal's options page and "
        "Microsoft Azure OpenAI Service is no longer used for your school's data, nor named in this risk."
    ) in chats.measures
    # The shared chat-retention risk stays (Pennine keeps chats) but no longer names Azure.
    assert named(of_kind(after, "chat_retention")) == {
        "Pennine Sovereign Cloud Ltd (including Harbour AI)",
        "Fellside Infrastructure Ltd",
    }
    removed = " ".join(after.removed_risks)
    assert "Microsoft Azure OpenAI Service is not used for your school" in removed
    assert "US authorities could obtain the data Microsoft Azure OpenAI Service holds" in removed


def test_voice_input_on_adds_the_pupil_voice_risks(demo):
    school = make_school("Aurora Primary Academy")
    assert of_kind(build_pack(school), "voice") == []
    assert "Pupils' voices recorded and processed by Microsoft Azure AI Speech" in " ".join(
        build_pack(school).removed_risks
    )

    switch(school, demo["voice-input"], True)
    pack = build_pack(school)
    [voice] = of_kind(pack, "voice")
    assert voice.suppliers == ("azure-speech",) and (voice.likelihood, voice.severity) == ("Possible", "Significant")
    measures = " ".join(voice.measures)
    assert f"Your school switched “Voice input” on on {govuk_date(uk_today())}" in measures
    assert "Audio is deleted as soon as it is transcribed" in measures  # the register's retention fact
    assert "not used to recognise who is speaking" in measures  # no biometric identification in its facts
    assert voice.effect == "Eliminated if you switch “Voice input” off; accepted if you keep it on"
    assert "azure-speech" in {k for r in of_kind(pack, "government_access") for k in r.suppliers}


def test_special_category_data_names_its_suppliers_and_an_exclusion_drops_one(demo):
    school = make_school("Bramble Hill Primary School")
    [special] = of_kind(build_pack(school), "special_category")
    assert special.title == "Special category data processed: accessibility and SEND needs"
    assert named([special]) == {"Pennine Sovereign Cloud Ltd (including Harbour AI)", "Fellside Infrastructure Ltd"}
    assert (special.likelihood, special.severity, special.overall) == ("Remote", "Severe", "Medium")
    assert "Article 9" in special.description

    exclude(school, "fellside-infrastructure")
    pack = build_pack(school)
    [special] = of_kind(pack, "special_category")
    assert named([special]) == {"Pennine Sovereign Cloud Ltd (including Harbour AI)"}
    assert of_kind(pack, "admin_access") == []
    assert "Fellside Infrastructure Ltd is not used for your school" in " ".join(pack.removed_risks)


def test_the_contractors_administrative_access_ends_with_its_engagement(demo):
    school = make_school("Oakfield Primary School")
    [admin] = of_kind(build_pack(school), "admin_access")
    fellside = entry_on("fellside-infrastructure")
    assert admin.title == "Administrative access to production by the contractor Fellside Infrastructure Ltd"
    assert f"Its access ends on {govuk_date(fellside.retires_on)}" in " ".join(admin.measures)
    assert "A temporary engagement (Active (temporary) in the register)." in admin.measures
    assert "Keeps no copies: access only, through audited sessions" in " ".join(admin.measures)
    assert of_kind(build_pack(school, today=fellside.retires_on), "admin_access") == []


def test_moderation_and_automated_decisions_come_with_kestrel(demo):
    school = make_school("Kestrel Lane Primary School")
    kestrel = entry_on("kestrel-moderation")
    pack = build_pack(school)
    # Announced, not yet applied: its risks are listed ahead of its date, with the last day to object.
    announced = [r for r in pack.risks if r.suppliers == ("kestrel-moderation",)]
    assert {r.kind for r in announced} == {"moderation", "automated_decisions"}
    for r in announced:
        assert r.source == "Announced change: Kestrel Moderation Ltd is used for your school from " + govuk_date(
            kestrel.effective_on
        )
        assert r.measures[0].startswith("This change is announced, not yet applied: your school may object until")
    [output] = of_kind(pack, "ai_output")
    assert output.residual == "Medium" and "Announced: Kestrel Moderation Ltd will check" in " ".join(output.measures)

    applied = build_pack(school, today=kestrel.effective_on)
    [decisions] = of_kind(applied, "automated_decisions")
    assert decisions.source == "Register facts: Kestrel Moderation Ltd"
    assert "Articles 22A to 22D" in decisions.description
    safeguards = " ".join(decisions.measures)
    for safeguard in ("make representations", "a person's intervention", "contest the decision"):
        assert safeguard in safeguards
    [moderation] = of_kind(applied, "moderation")
    assert "flagged excerpts are kept for 90 days" in " ".join(moderation.measures)
    [output] = of_kind(applied, "ai_output")
    assert output.residual == "Low"  # moderation in the set checks what pupils read

    exclude(school, "kestrel-moderation")  # the objection was accommodated
    kept_out = build_pack(school, today=kestrel.effective_on)
    assert of_kind(kept_out, "moderation") == of_kind(kept_out, "automated_decisions") == []
    assert of_kind(kept_out, "ai_output")[0].residual == "Medium"


def test_chat_retention_states_what_each_supplier_keeps(demo):
    [chats] = of_kind(build_pack(make_school("Hollin Primary School")), "chat_retention")
    measures = " ".join(chats.measures)
    assert "chat history is kept in the application for 12 months" in measures
    assert (
        "Microsoft Azure OpenAI Service keeps: Prompts and responses: Not stored: abuse-monitoring storage" in measures
    )
    assert chats.residual == "Low"  # every supplier's retention is stated


def test_a_supplier_that_trains_on_customer_data_brings_a_training_risk(demo):
    school = make_school("Fernhill Primary School")
    assert of_kind(build_pack(school), "training") == []
    pennine = entry_on("pennine-cloud")
    facts = pennine.facts
    ai = dataclasses.replace(facts.ai, trains_on_customer_data=True, training_instruction="Instruction of 1 May")
    row = {"key": pennine.key, "supplier": pennine.supplier, "kind": pennine.kind, "status": pennine.status}
    publish("1.5", [dict(row, facts_data=dataclasses.replace(facts, ai=ai).to_json())])
    [training] = of_kind(build_pack(school), "training")
    assert training.suppliers == ("pennine-cloud",) and training.likelihood == "Probable"
    assert "becomes a controller" in training.description
    assert "The written instruction the register records for it: Instruction of 1 May." in training.measures


def test_the_record_of_processing_comes_from_the_facts_and_configuration(demo, app):
    school = make_school("Aurora Primary Academy")
    switch(school, demo["voice-input"], True)
    app.config["VENDOR_DATA_COUNTRY"] = "IE"
    record = {field.key: field for field in build_pack(school).record}
    assert "Larkspur Learning Ltd: processor, Ireland" in record["recipients"].items
    transfers = " ".join(record["transfers"].items)
    assert "Tollgate Payments Europe Ltd: Ireland. Safeguard: UK adequacy regulations" in transfers
    assert "Microsoft Azure AI Speech: United States. Safeguard: UK Extension" in transfers
    assert record["lawful_basis"].to_complete and "Article 6(1)" in record["lawful_basis"].value
    assert (
        record["special_condition"].to_complete and "accessibility and SEND needs" in record["special_condition"].value
    )
    assert "voice recordings" in record["personal_data"].value
    assert any(item.endswith(f"/t/{school.slug}/dpia") for item in record["documents"].items)
    assert any(item.endswith(f"/t/{school.slug}/agreements") for item in record["documents"].items)


def test_every_rating_is_the_icos_combination(demo):
    school = make_school("Aurora Primary Academy")
    switch(school, demo["voice-input"], True)
    pack = build_pack(school)
    assert [r.ref for r in pack.risks] == [f"R{n}" for n in range(1, len(pack.risks) + 1)]
    for r in pack.risks:
        assert r.overall == overall(r.likelihood, r.severity)
        assert r.residual in ("Low", "Medium", "High") and r.measures


def _bullets(part: Any) -> list[str]:
    return [item for block in part.blocks if block.kind == "bullets" for item in block.items]


def test_the_docx_pdf_and_page_print_the_derived_risks(demo, client_request):
    school = make_school("Aurora Primary Academy")
    switch(school, demo["voice-input"], True)
    lead = make_user("Lee Lead", tenancy=school)
    client_request.sign_in(lead)
    body = client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="docx").data
    text, tables, _ = docx_text(body)
    risks = table_named(tables, ("Ref", "Risk to individuals"))
    measures = table_named(tables, ("Ref", "Measures to reduce or eliminate the risk"))
    titles = " ".join(row[1] for row in risks[1:])
    for supplier in US_OWNED:
        assert f"US authorities could obtain the data {supplier} holds" in titles
    assert "Pupils' voices recorded and processed by Microsoft Azure AI Speech" in titles
    voice_ref = next(row[0] for row in risks if "Pupils' voices recorded" in row[1])
    voice_row = next(row for row in measures if row[0] == voice_ref)
    assert "Audio is deleted as soon as it is transcribed" in voice_row[1]
    assert voice_row[2:4] == ["Eliminated if you switch “Voice input” off; accepted if you keep it on", "Low"]
    assert "“Voice input” is on for your school. Switching it off removes" in text

    pdf = pdf_text(client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="pdf").data)
    for supplier in US_OWNED:
        assert f"US authorities could obtain the data {supplier} holds" in pdf
    assert "Pupils' voices recorded and processed by Microsoft Azure AI Speech" in pdf
    assert "Special category data processed: accessibility and SEND needs" in pdf
    assert "What your school's options change" in pdf

    page = client_request.get("dpia.pack", tenancy=school.slug).get_text(" ", strip=True)
    assert "Pupils' voices recorded and processed by Microsoft Azure AI Speech (overall risk medium)" in page


def test_the_demo_schools_dpias_fit_their_sets(demo):
    """The acceptance on `make run`: Aurora (voice input on) has a government-access risk for each US-owned
    supplier in its set and a pupil-voice risk; Meadowbank (Azure fallback off) has neither Azure risk."""
    list(demo_identity.load())
    list(load_settings())
    aurora = db.session.scalar(select(Tenancy).where(Tenancy.urn == "149901"))
    meadowbank = db.session.scalar(select(Tenancy).where(Tenancy.urn == "107701"))
    first = build_pack(aurora)
    assert named(of_kind(first, "government_access")) == set(US_OWNED)
    assert named(of_kind(first, "voice")) == {"Microsoft Azure AI Speech"}
    second = build_pack(meadowbank)
    assert named(of_kind(second, "government_access")) == {"Tollgate Payments Europe Ltd", "Postwick Mail Inc."}
    assert of_kind(second, "voice") == []
