"""The words of the DPIA draft's first part: about the draft, and steps 1 to 3 of the ICO's sample template."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.dpia.content import YOURS, Block, Bullets, Facts, Known, Paragraph, Part, Section, Table, ToComplete
from portal.dpia.dpa_text import processing_value
from portal.register.effective import EffectiveSet
from portal.register.upcoming import UpcomingChange


def about(known: Known) -> Section:
    vendor = known.vendor
    version = known.found.version.number if known.found.version is not None else "none published"
    return Section(
        "about",
        "About this draft",
        (
            Part(
                "",
                (
                    Paragraph(
                        f"{vendor['name']} prepared this draft for {known.school} from what its portal knows about "
                        f"your use of {vendor['service']}. It follows the seven steps of the Information "
                        "Commissioner's Office (ICO) sample DPIA template. Your school is the controller: the "
                        "assessment, its conclusions and its sign-off are yours."
                    ),
                    Paragraph(
                        f"Parts marked “{YOURS}” need answers only your school can give. Everything else is "
                        "pre-filled: check it, and change it where your school uses the service differently."
                    ),
                    Facts(
                        (
                            ("Controller", f"{known.controller['name']} ({known.controller['identifier']})"),
                            ("School", known.school),
                            ("Processor", f"{vendor['name']}, ICO registration {vendor['ico_registration']}"),
                            ("Processor's data protection officer", vendor["dpo"]),
                            ("Built on", govuk_date(known.built_on)),
                            ("Sub-processor register version", version),
                            ("Agreement text version", str(known.text_version or "none published yet")),
                            ("Signed agreement", known.signed),
                        )
                    ),
                ),
            ),
        ),
    )


def need(known: Known) -> Section:
    return Section(
        "need",
        "Step 1: Identify the need for a DPIA",
        (
            Part(
                "",
                (
                    Paragraph(
                        f"The processing: {processing_value(known.text, 'Subject matter')} Staff content can "
                        "mention pupils, and it passes to the sub-processors listed in step 2, which include "
                        "providers of artificial intelligence (AI) services where the register says so."
                    ),
                    Paragraph(
                        "The ICO's guidance names new technologies such as AI, and the processing of children's "
                        "data, among the things that make a DPIA likely to be needed. The Department for "
                        "Education's data protection guidance for schools also advises a DPIA before a school "
                        "adopts a new service that processes pupils' data."
                    ),
                    ToComplete(
                        (
                            "What does your school aim to achieve with the service, and who will use it?",
                            "Why did your school decide a DPIA is needed (for example: new technology, pupils' "
                            "data, how widely it will be used)?",
                        )
                    ),
                ),
            ),
        ),
    )


def _supplier_rows(found: EffectiveSet) -> tuple[tuple[str, ...], ...]:
    rows = []
    for line in found.included:
        entry = line.entry
        who = entry.supplier + (f" ({entry.parent_entity})" if entry.parent_entity else "")
        where = " ".join(part for part in (entry.location, entry.residency_note) if part)
        rows.append(
            (who, entry.purpose, entry.data_categories, where, entry.certifications or "None stated", line.reason)
        )
    return tuple(rows)


_CHANGE = {"addition": "to be added", "removal": "to be removed"}


def _change_words(change: UpcomingChange) -> str:
    """What an upcoming change does, in a few words: added, removed, or what its notice says changes."""
    if change.kind == "material_change":
        return str(_("material change: %(title)s", title=change.title))
    return _CHANGE[change.kind]


def processing(known: Known) -> Section:
    found = known.found
    nature: list[Block] = [
        Facts(tuple((str(label), str(value)) for label, value in known.text.get("processing", []))),
        Paragraph(
            f"The rows above are annex II of the data processing agreement"
            f"{f', text version {known.text_version}' if known.text_version else ''}. The sub-processors below "
            f"are those used for {known.school} on {govuk_date(known.built_on)}: the register's active suppliers, "
            "with the options your school has set and any objection accommodated for it."
        ),
        Table(
            "suppliers",
            ("Sub-processor", "What it does", "Data", "Location", "Certifications", "Why it is used for your school"),
            _supplier_rows(found),
        )
        if found.included
        else Paragraph("No sub-processors are used for your school."),
    ]
    if found.excluded:
        nature.append(Paragraph("Suppliers in the register that are not used for your school, and why:"))
        nature.append(
            Table(
                "not_used",
                ("Supplier", "Why not"),
                tuple((line.entry.supplier, line.reason) for line in found.excluded),
            )
        )
    if found.upcoming:
        nature.append(Paragraph("Changes already announced in the register:"))
        nature.append(
            Bullets(
                tuple(f"{govuk_date(c.on)}: {c.entry.supplier} ({_change_words(c)}). {c.note}" for c in found.upcoming)
            )
        )
    nature.append(
        ToComplete(
            (
                "How will your school put data into the service (for example, staff accounts from your Microsoft 365 "
                "or Google Workspace directory, and what staff type)?",
                "Will your school share anything produced with the service with anyone else?",
            )
        )
    )
    # Annex II's row, from the facts of the set (countries and regions); the entries' prose where it has none.
    described = {str(label): str(value) for label, value in known.text.get("processing", [])}
    locations = (
        [described["Where the data is processed"]]
        if described.get("Where the data is processed")
        else sorted({line.entry.location for line in found.included if line.entry.location})
    )
    # One list of distinct certifications: several suppliers hold the same ones.
    certifications = sorted(
        {c.strip() for line in found.included for c in line.entry.certifications.split(",") if c.strip()}
    )
    scope: tuple[Block, ...] = (
        Facts(
            (
                ("Categories of personal data", processing_value(known.text, "Categories of personal data")),
                ("Data subjects", processing_value(known.text, "Data subjects")),
                ("Where the data is processed", "; ".join(locations) or "No sub-processors in use"),
            )
        ),
        ToComplete(
            (
                "How many staff will use the service, and how many pupils could their content mention?",
                "How often will it be used, and how long will your school keep content in it?",
                "Will staff enter any special category data, such as health or special educational needs "
                "information? If so, what extra condition under Article 9 applies?",
            )
        ),
    )
    context: tuple[Block, ...] = (
        Paragraph(
            "Certifications held by the sub-processors used for your school: "
            + ("; ".join(certifications) if certifications else "none stated in the register")
            + "."
        ),
        ToComplete(
            (
                "What is your school's relationship with the people affected, and how much control will they have?",
                "Would staff, pupils and parents expect their data to be used in this way? Are there concerns in "
                "your school community about AI that you should take into account?",
                "Do your privacy notices already cover this use?",
            )
        ),
    )
    purposes: tuple[Block, ...] = (
        Facts((("Purpose", processing_value(known.text, "Purpose")),)),
        ToComplete(
            (
                "What are the benefits for pupils, staff and the school, and what effect will the processing "
                "have on the people involved?",
            )
        ),
    )
    return Section(
        "processing",
        "Step 2: Describe the processing",
        (
            Part("The nature of the processing", tuple(nature)),
            Part("The scope of the processing", scope),
            Part("The context of the processing", context),
            Part("The purposes of the processing", purposes),
        ),
    )


def consultation(known: Known) -> Section:
    return Section(
        "consultation",
        "Step 3: Consultation process",
        (
            Part(
                "",
                (
                    Paragraph(
                        f"{known.vendor['name']} helps with this assessment under {known.clause('assistance')}. "
                        f"Ask its data protection officer, {known.vendor['dpo']}, for anything this draft does not "
                        "answer."
                    ),
                    ToComplete(
                        (
                            "When and how will your school seek the views of staff, parents and, where appropriate, "
                            "pupils? If you will not, explain why.",
                            "Who else in your school should be involved (for example the headteacher, governors, "
                            "the IT lead, the designated safeguarding lead)?",
                            "Will you consult information security or other experts?",
                        )
                    ),
                ),
            ),
        ),
    )
