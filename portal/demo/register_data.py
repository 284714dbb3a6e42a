"""What the demo register says: Larkspur Learning's sub-processors, their controlled facts, the options.

Modelled on real UK edtech registers: primary AI inference in a UK sovereign cloud, an Azure
OpenAI fallback whose US parent the register's note on US law covers, speech services only when voice input is on,
billing and transactional email as platform utilities, a temporary infrastructure contractor,
and a marketing-site CDN that is not a sub-processor. Suppliers other than Microsoft are fictional.
`portal.demo.register` writes it as two published versions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.register.facts import AIFacts, AIModel, EntryFacts
from portal.register.models import EntryKind, EntryStatus
from portal.register.vocabulary import Activity, AIUse, DataSubject, TransferMechanism

DATA = EntryKind.DATA_SUBPROCESSOR
UTILITY = EntryKind.PLATFORM_UTILITY

FALLBACK_NOTE = (
    "We use Microsoft only as a fallback, when primary AI inference on Pennine Sovereign Cloud (a UK-owned, "
    "UK-headquartered company) is unavailable. A school can switch the Azure fallback off for its own tenancy: "
    "AI features then pause during an outage instead."
)

NOTES = (
    "This register covers the production environment (app.larkspur.example). Development and demo "
    "environments process no real pupil or staff data.\n"
    "Larkspur uses no analytics or advertising suppliers on the learning platform.\n"
    "A planned or conditional supplier processes no live pupil data until the notice period has run and "
    "the data processing agreement terms are in place."
)


def rows() -> list[dict[str, Any]]:
    return [
        {
            "key": "pennine-cloud",
            "supplier": "Pennine Sovereign Cloud Ltd (including Harbour AI)",
            "parent_entity": "Pennine Sovereign Cloud Ltd",
            "services_used": "Managed Kubernetes, PostgreSQL, object storage, Harbour AI inference (MAN1 region)",
            "purpose": "Hosting the Larkspur application and customer data; primary AI inference for lesson "
            "planning, feedback and pupil chat. Harbour AI is a trading name of the same legal entity, "
            "with the same DPO and the same DPA, so it is listed once.",
            "data_categories": "Pupil and staff names, school email addresses, class membership, assignment work, "
            "AI chat history, accessibility flags, session data",
            "location": "United Kingdom (Manchester, MAN1)",
            "residency_note": "UK-owned and UK-headquartered: data subject only to UK law. Any model hosted "
            "outside MAN1 would be a change notified on this page 30 days ahead.",
            "certifications": "ISO 27001, Cyber Essentials Plus, G-Cloud listed",
            "dpa_reference": "Pennine Sovereign Cloud customer data processing agreement v4 (March 2026)",
            "privacy_contact": "dpo@pennine-cloud.example",
            "kind": DATA,
            "status": EntryStatus.ACTIVE,
        },
        {
            "key": "azure-openai",
            "supplier": "Microsoft Azure OpenAI Service",
            "parent_entity": "Microsoft Corporation",
            "services_used": "Azure OpenAI (gpt-4.1-mini)",
            "purpose": "Fallback AI inference, used only when the primary inference service is unavailable.",
            "data_categories": "Chat message text, lesson context, pseudonymous pupil identifier",
            "location": "United Kingdom (Azure UK South)",
            "residency_note": "Configuration-pinned to UK South.",
            "certifications": "ISO 27001, ISO 27017, ISO 27018, SOC 1/2/3, EU Cloud Code of Conduct",
            "dpa_reference": "Microsoft Products and Services Data Protection Addendum",
            "privacy_contact": "https://aka.ms/privacyresponse",
            "risk_note": FALLBACK_NOTE,
            "kind": DATA,
            "status": EntryStatus.ACTIVE,
        },
        {
            "key": "azure-speech",
            "supplier": "Microsoft Azure AI Speech",
            "parent_entity": "Microsoft Corporation",
            "services_used": "Speech to text (en-GB)",
            "purpose": "Turning a pupil's spoken answer into text, only where the school has switched voice input on.",
            "data_categories": "Pupil voice recordings, the resulting text",
            "location": "United Kingdom (Azure UK South)",
            "residency_note": "Audio is not stored by Microsoft after transcription.",
            "certifications": "ISO 27001, ISO 27017, ISO 27018, SOC 1/2/3",
            "dpa_reference": "Microsoft Products and Services Data Protection Addendum",
            "privacy_contact": "https://aka.ms/privacyresponse",
            "kind": DATA,
            "status": EntryStatus.CONDITIONAL,
            "condition_service": "Voice input",
        },
        {
            "key": "fellside-infrastructure",
            "supplier": "Fellside Infrastructure Ltd",
            "parent_entity": "Fellside Infrastructure Ltd",
            "services_used": "Infrastructure management, deployment pipelines, Terraform state",
            "purpose": "Production infrastructure management and technical support during the move to MAN1",
            "data_categories": "Administrative access to production systems holding pupil and staff data",
            "location": "United Kingdom (Leeds)",
            "certifications": "Cyber Essentials Plus",
            "dpa_reference": "Data processing agreement with Larkspur Learning Ltd (January 2026)",
            "privacy_contact": "privacy@fellside.example",
            "kind": DATA,
            "status": EntryStatus.ACTIVE_TEMPORARY,
        },
        {
            "key": "tollgate-payments",
            "supplier": "Tollgate Payments Europe Ltd",
            "parent_entity": "Tollgate Payments Inc.",
            "services_used": "Subscriptions, invoicing, card payments",
            "purpose": "Subscription billing and payment processing.",
            "data_categories": "Billing contact names and email addresses, invoice details",
            "location": "Ireland (EU)",
            "residency_note": "Card data is tokenised and never touches Larkspur's systems.",
            "certifications": "PCI DSS Level 1, ISO 27001, SOC 1/2",
            "dpa_reference": "Tollgate Data Processing Agreement",
            "privacy_contact": "privacy@tollgate.example",
            "kind": UTILITY,
            "status": EntryStatus.ACTIVE,
        },
        {
            "key": "postwick-mail",
            "supplier": "Postwick Mail Inc.",
            "parent_entity": "Postwick Mail Inc.",
            "services_used": "Transactional email API",
            "purpose": "Transactional email: sign-in and account messages, billing notices and this register's "
            "change notifications.",
            "data_categories": "Recipient email addresses and names, message content",
            "location": "United States (mail in transit)",
            "residency_note": "Sending domain authenticated with DKIM, SPF and DMARC.",
            "certifications": "SOC 2 Type II",
            "dpa_reference": "Postwick Data Processing Addendum",
            "privacy_contact": "privacy@postwick.example",
            "kind": UTILITY,
            "status": EntryStatus.ACTIVE,
        },
    ]


def _ai(models: list[tuple[str, str, str]], region: str, retention: str, use: AIUse) -> AIFacts:
    return AIFacts(
        models=tuple(AIModel(*model) for model in models),
        inference_country="GB",
        inference_region=region,
        prompt_retention=retention,
        trains_on_customer_data=False,
        use=use,
    )


PUPILS, STAFF = DataSubject.PUPILS, DataSubject.STAFF
PRIMARY_MODELS = [
    ("Llama 4 Maverick", "Meta (open weights, run by Harbour AI)", "Lesson planning, feedback and pupil chat"),
    ("Qwen3 32B", "Alibaba Cloud (open weights, run by Harbour AI)", "Tool use: looking up curriculum and resources"),
    ("BGE-M3", "BAAI (open weights, run by Harbour AI)", "Semantic search over curriculum and lesson resources"),
]
FALLBACK_MODELS = [("gpt-4.1-mini", "OpenAI, through Microsoft Azure", "Fallback lesson planning, feedback and chat")]


def facts(today: dt.date) -> dict[str, EntryFacts]:
    """Every demo entry's controlled facts (the Data Privacy Framework certifications checked before
    version 1.3 was published, so both versions carry the same date)."""
    checked = today - dt.timedelta(days=180)
    return {
        "pennine-cloud": EntryFacts(
            subjects=(PUPILS, STAFF),
            categories=(
                "contact_details",
                "account_identifiers",
                "class_membership",
                "pupil_work",
                "teaching_materials",
                "chat_prompts",
                "ai_outputs",
                "learning_profile",
                "accessibility_send",
                "usage_logs",
            ),
            activities=(Activity.HOSTING, Activity.AI_INFERENCE),
            pupil_facing=True,
            parent_country="GB",
            countries=("GB",),
            region="Manchester, MAN1",
            retention="For the life of the agreement; deleted within 30 days of its end, and from backups within "
            "a further 30 days.",
            ai=_ai(
                PRIMARY_MODELS,
                "Manchester, MAN1",
                "The inference service keeps no prompts or outputs after answering; chat history is kept in the "
                "application for 12 months.",
                AIUse.PRIMARY,
            ),
        ),
        "azure-openai": EntryFacts(
            subjects=(PUPILS, STAFF),
            categories=("pseudonymous_identifier", "chat_prompts", "ai_outputs", "teaching_materials"),
            activities=(Activity.AI_INFERENCE,),
            pupil_facing=True,
            parent_country="US",
            countries=("GB", "US"),
            region="Azure UK South; Microsoft support engineers may access it from the US",
            transfer=TransferMechanism.DPF,
            dpf_checked_on=checked,
            retention="Nothing kept after the response.",
            ai=_ai(
                FALLBACK_MODELS,
                "Azure UK South",
                "Not stored: abuse-monitoring storage is switched off for Larkspur's deployment.",
                AIUse.FALLBACK,
            ),
        ),
        "azure-speech": EntryFacts(
            subjects=(PUPILS,),
            categories=("pseudonymous_identifier", "voice_recordings"),
            activities=(Activity.SPEECH,),
            pupil_facing=True,
            parent_country="US",
            countries=("GB", "US"),
            region="Azure UK South; Microsoft support engineers may access it from the US",
            transfer=TransferMechanism.DPF,
            dpf_checked_on=checked,
            retention="Audio is deleted as soon as it is transcribed.",
            ai=_ai(
                [("Azure AI Speech to text (en-GB)", "Microsoft", "Turning pupils' spoken answers into text")],
                "Azure UK South",
                "Audio is deleted as soon as it is transcribed; the text is kept with the pupil's work.",
                AIUse.OPTION,
            ),
        ),
        "fellside-infrastructure": EntryFacts(
            subjects=(PUPILS, STAFF),
            categories=(
                "contact_details",
                "account_identifiers",
                "pupil_work",
                "chat_prompts",
                "learning_profile",
                "accessibility_send",
                "usage_logs",
            ),
            activities=(Activity.SUPPORT,),
            parent_country="GB",
            countries=("GB",),
            region="Leeds",
            retention="Keeps no copies: access only, through audited sessions, ending with the engagement.",
        ),
        "kestrel-moderation": EntryFacts(
            subjects=(PUPILS,),
            categories=("pseudonymous_identifier", "chat_prompts", "ai_outputs", "safeguarding_flags"),
            activities=(Activity.MODERATION,),
            parent_country="GB",
            countries=("GB",),
            region="London",
            retention="Flagged excerpts kept for 90 days for review; other messages are not kept.",
            ai=_ai(
                [("Kestrel Guard 3", "Kestrel Moderation Ltd", "Classifying messages for safeguarding concerns")],
                "London",
                "Messages that raise no concern are not kept; flagged excerpts are kept for 90 days.",
                AIUse.PRIMARY,
            ),
        ),
        "tollgate-payments": EntryFacts(
            subjects=(STAFF,),
            categories=("contact_details", "billing_details"),
            activities=(Activity.PAYMENTS,),
            parent_country="US",
            countries=("IE",),
            region="Dublin",
            transfer=TransferMechanism.ADEQUACY,
            retention="Financial records are kept for six years, as tax law requires.",
        ),
        "postwick-mail": EntryFacts(
            subjects=(STAFF, DataSubject.PARENTS, DataSubject.OTHERS),
            other_subjects="People subscribed to this register's changes",
            categories=("contact_details", "message_content"),
            activities=(Activity.EMAIL,),
            parent_country="US",
            countries=("US",),
            region="Mail in transit",
            transfer=TransferMechanism.DPF,
            dpf_checked_on=checked,
            retention="Message content and delivery logs are kept for 30 days.",
        ),
    }


CDN = (
    "Quayside Edge Ltd",
    "Provides DNS, CDN and security for the marketing website (larkspur.example) only. It does not sit in front "
    "of the learning platform or this portal and processes no pupil or school personal data, so it is not a "
    "sub-processor. Confirmed by response-header inspection.",
)

MODERATION = {
    "key": "kestrel-moderation",
    "supplier": "Kestrel Moderation Ltd",
    "parent_entity": "Kestrel Moderation Ltd",
    "services_used": "Text moderation API",
    "purpose": "Automated safeguarding checks on pupil chat messages and AI responses.",
    "data_categories": "Chat message text, pseudonymous pupil identifier",
    "location": "United Kingdom (London)",
    "certifications": "ISO 27001, Cyber Essentials Plus",
    "dpa_reference": "Kestrel data processing agreement (signed, in force from the effective date)",
    "privacy_contact": "dpo@kestrel.example",
    "kind": DATA,
    "status": EntryStatus.PLANNED,
}

OPTIONS: list[dict[str, Any]] = [
    {
        "key": "azure-fallback",
        "name": "Azure OpenAI fallback",
        "description": "When the primary UK inference service is unavailable, AI requests go to Microsoft Azure "
        "OpenAI in UK South so lessons are not interrupted. Microsoft is headquartered in the United States, "
        "so US law can reach the data it holds (see “US law and your data” on the register). Switch this off "
        "to keep all AI inference with Pennine Sovereign Cloud: AI features then pause during an outage instead.",
        "default_enabled": True,
        "entry_keys": ["azure-openai"],
    },
    {
        "key": "voice-input",
        "name": "Voice input",
        "description": "Lets pupils speak their answers instead of typing. Switching it on means Microsoft Azure "
        "AI Speech processes your pupils' voice recordings to turn them into text.",
        "default_enabled": False,
        "entry_keys": ["azure-speech"],
    },
]

# Demo schools whose settings differ from the defaults, by URN: (option key, enabled).
# Meadowbank (a maintained school) keeps all AI inference in the UK; Aurora (an academy) uses voice input.
SETTINGS: dict[str, list[tuple[str, bool]]] = {
    "107701": [("azure-fallback", False)],
    "149901": [("voice-input", True)],
}
