"""The words of the DPIA draft's first part: about the draft, and steps 1 to 3 of the ICO's sample template."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.dpia.content import Block, Bullets, Facts, Known, Paragraph, Part, Section, Table, ToComplete, yours
from portal.dpia.dpa_text import processing_value
from portal.register.effective import EffectiveSet
from portal.register.upcoming import UpcomingChange


def about(known: Known) -> Section:
    vendor = known.vendor
    version = known.found.version.number if known.found.version is not None else _("none published")
    return Section(
        "about",
        _("About this draft"),
        (
            Part(
                "",
                (
                    Paragraph(
                        _(
                            "%(vendor)s prepared this draft for %(school)s from what its portal knows about your "
                            "use of %(service)s. It follows the seven steps of the Information Commissioner's Office "
                            "(ICO) sample DPIA template. Your school is the controller: the assessment, its "
                            "conclusions and its sign-off are yours.",
                            vendor=vendor["name"],
                            school=known.school,
                            service=vendor["service"],
                        )
                    ),
                    Paragraph(
                        _(
                            "Parts marked “%(yours)s” need answers only your school can give. Everything else is "
                            "pre-filled: check it, and change it where your school uses the service differently.",
                            yours=yours(),
                        )
                    ),
                    Facts(
                        (
                            (_("Controller"), f"{known.controller['name']} ({known.controller['identifier']})"),
                            (_("School"), known.school),
                            (
                                _("Processor"),
                                _(
                                    "%(vendor)s, ICO registration %(number)s",
                                    vendor=vendor["name"],
                                    number=vendor["ico_registration"],
                                ),
                            ),
                            (_("Processor's data protection officer"), vendor["dpo"]),
                            (_("Built on"), govuk_date(known.built_on)),
                            (_("Sub-processor register version"), str(version)),
                            (_("Agreement text version"), str(known.text_version or _("none published yet"))),
                            (_("Signed agreement"), known.signed),
                        )
                    ),
                ),
            ),
        ),
    )


def need(known: Known) -> Section:
    return Section(
        "need",
        _("Step 1: Identify the need for a DPIA"),
        (
            Part(
                "",
                (
                    Paragraph(
                        _(
                            "The processing: %(subject)s Staff content can mention pupils, and it passes to the "
                            "sub-processors listed in step 2, which include providers of artificial intelligence "
                            "(AI) services where the register says so.",
                            subject=processing_value(known.text, "Subject matter"),
                        )
                    ),
                    Paragraph(
                        _(
                            "The ICO's guidance names new technologies such as AI, and the processing of children's "
                            "data, among the things that make a DPIA likely to be needed. The Department for "
                            "Education's data protection guidance for schools also advises a DPIA before a school "
                            "adopts a new service that processes pupils' data."
                        )
                    ),
                    ToComplete(
                        (
                            _("What does your school aim to achieve with the service, and who will use it?"),
                            _(
                                "Why did your school decide a DPIA is needed (for example: new technology, pupils' "
                                "data, how widely it will be used)?"
                            ),
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
            (who, entry.purpose, entry.data_categories, where, entry.certifications or _("None stated"), line.reason)
        )
    return tuple(rows)


def _change(kind: str) -> str:
    return str(_("to be added") if kind == "addition" else _("to be removed"))


def _annex_note(known: Known) -> str:
    """Where the rows above come from, and which sub-processors follow."""
    if known.text_version:
        note = _(
            "The rows above are annex II of the data processing agreement, text version %(version)s. The "
            "sub-processors below are those used for %(school)s on %(date)s: the register's active suppliers, with "
            "the options your school has set and any objection accommodated for it.",
            version=known.text_version,
            school=known.school,
            date=govuk_date(known.built_on),
        )
    else:
        note = _(
            "The rows above are annex II of the data processing agreement. The sub-processors below are those used "
            "for %(school)s on %(date)s: the register's active suppliers, with the options your school has set and "
            "any objection accommodated for it.",
            school=known.school,
            date=govuk_date(known.built_on),
        )
    return str(note)


def _change_words(change: UpcomingChange) -> str:
    """What an upcoming change does, in a few words: added, removed, or what its notice says changes."""
    if change.kind == "material_change":
        return str(_("material change: %(title)s", title=change.title))
    return _change(change.kind)


def processing(known: Known) -> Section:
    found = known.found
    nature: list[Block] = [
        Facts(tuple((str(label), str(value)) for label, value in known.text.get("processing", []))),
        Paragraph(_annex_note(known)),
        Table(
            "suppliers",
            (
                _("Sub-processor"),
                _("What it does"),
                _("Data"),
                _("Location"),
                _("Certifications"),
                _("Why it is used for your school"),
            ),
            _supplier_rows(found),
        )
        if found.included
        else Paragraph(_("No sub-processors are used for your school.")),
    ]
    if found.excluded:
        nature.append(Paragraph(_("Suppliers in the register that are not used for your school, and why:")))
        nature.append(
            Table(
                "not_used",
                (_("Supplier"), _("Why not")),
                tuple((line.entry.supplier, line.reason) for line in found.excluded),
            )
        )
    if found.upcoming:
        nature.append(Paragraph(_("Changes already announced in the register:")))
        nature.append(
            Bullets(
                tuple(
                    _(
                        "%(date)s: %(supplier)s (%(change)s). %(note)s",
                        date=govuk_date(c.on),
                        supplier=c.entry.supplier,
                        change=_change_words(c),
                        note=c.note,
                    )
                    for c in found.upcoming
                )
            )
        )
    nature.append(
        ToComplete(
            (
                _(
                    "How will your school put data into the service (for example, staff accounts from your "
                    "Microsoft 365 or Google Workspace directory, and what staff type)?"
                ),
                _("Will your school share anything produced with the service with anyone else?"),
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
                (_("Categories of personal data"), processing_value(known.text, "Categories of personal data")),
                (_("Data subjects"), processing_value(known.text, "Data subjects")),
                (_("Where the data is processed"), "; ".join(locations) or _("No sub-processors in use")),
            )
        ),
        ToComplete(
            (
                _("How many staff will use the service, and how many pupils could their content mention?"),
                _("How often will it be used, and how long will your school keep content in it?"),
                _(
                    "Will staff enter any special category data, such as health or special educational needs "
                    "information? If so, what extra condition under Article 9 applies?"
                ),
            )
        ),
    )
    context: tuple[Block, ...] = (
        Paragraph(
            _(
                "Certifications held by the sub-processors used for your school: %(list)s.",
                list="; ".join(certifications) if certifications else _("none stated in the register"),
            )
        ),
        ToComplete(
            (
                _("What is your school's relationship with the people affected, and how much control will they have?"),
                _(
                    "Would staff, pupils and parents expect their data to be used in this way? Are there concerns in "
                    "your school community about AI that you should take into account?"
                ),
                _("Do your privacy notices already cover this use?"),
            )
        ),
    )
    purposes: tuple[Block, ...] = (
        Facts(((_("Purpose"), processing_value(known.text, "Purpose")),)),
        ToComplete(
            (
                _(
                    "What are the benefits for pupils, staff and the school, and what effect will the processing "
                    "have on the people involved?"
                ),
            )
        ),
    )
    return Section(
        "processing",
        _("Step 2: Describe the processing"),
        (
            Part(_("The nature of the processing"), tuple(nature)),
            Part(_("The scope of the processing"), scope),
            Part(_("The context of the processing"), context),
            Part(_("The purposes of the processing"), purposes),
        ),
    )


def consultation(known: Known) -> Section:
    return Section(
        "consultation",
        _("Step 3: Consultation process"),
        (
            Part(
                "",
                (
                    Paragraph(
                        _(
                            "%(vendor)s helps with this assessment under %(clause)s. Ask its data protection "
                            "officer, %(dpo)s, for anything this draft does not answer.",
                            vendor=known.vendor["name"],
                            clause=known.clause("assistance"),
                            dpo=known.vendor["dpo"],
                        )
                    ),
                    ToComplete(
                        (
                            _(
                                "When and how will your school seek the views of staff, parents and, where "
                                "appropriate, pupils? If you will not, explain why."
                            ),
                            _(
                                "Who else in your school should be involved (for example the headteacher, governors, "
                                "the IT lead, the designated safeguarding lead)?"
                            ),
                            _("Will you consult information security or other experts?"),
                        )
                    ),
                ),
            ),
        ),
    )
