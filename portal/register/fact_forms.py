"""The facts part of the entry form: GOV.UK checkboxes, radios and selects over the vocabularies."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal.register.facts import AIFacts, AIModel, EntryFacts
from portal.register.vocabulary import (
    Activity as ActivityKind,
)
from portal.register.vocabulary import (
    AIUse,
    DataSubject,
    TransferMechanism,
    category_choices,
    country_choices,
    subject_choices,
)

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
MODEL_LINE = _l("Enter each model on its own line as: name | provider | purpose")


def _choices(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in pairs]


def _multi(label: Any) -> SelectMultipleField:
    return SelectMultipleField(label, validators=[Optional()], widget=GovCheckboxesInput())


def _radio(label: Any) -> RadioField:
    # Not required: a form sent without facts (an older client, a script) keeps the safe answer
    # ("no", "no restricted transfer"), and the facts' own checks still refuse what cannot hold.
    return RadioField(label, validators=[Optional()], widget=GovRadioInput())


class FactsFields:
    """Fields for an entry's controlled facts; mixed into the entry form."""

    subjects = _multi(_l("Data subjects"))
    other_subjects = StringField(
        _l("Other data subjects (if any)"), validators=[Optional(), Length(max=200)], widget=GovTextInput()
    )
    categories = _multi(_l("Data categories"))
    activities = _multi(_l("What the supplier does with the data"))
    pupil_facing = _radio(_l("Do pupils use it directly?"))
    parent_country = SelectField(
        _l("Country of the parent's headquarters"), validators=[Optional()], widget=GovSelect()
    )
    countries = _multi(_l("Countries where the data is processed or accessed"))
    region = StringField(_l("Region or site"), validators=[Optional(), Length(max=200)], widget=GovTextInput())
    transfer = _radio(_l("Transfer mechanism"))
    retention = TextAreaField(
        _l("How long the supplier keeps the data"), validators=[Optional(), Length(max=1000)], widget=GovTextArea()
    )
    is_ai = _radio(_l("Is it an AI service?"))
    ai_models = TextAreaField(_l("Models in use"), validators=[Optional(), Length(max=4000)], widget=GovTextArea())
    ai_inference_country = SelectField(_l("Where inference runs"), validators=[Optional()], widget=GovSelect())
    ai_inference_region = StringField(
        _l("Inference region"), validators=[Optional(), Length(max=200)], widget=GovTextInput()
    )
    ai_prompt_retention = TextAreaField(
        _l("How long prompts and outputs are kept"), validators=[Optional(), Length(max=1000)], widget=GovTextArea()
    )
    ai_training = RadioField(
        _l("May the supplier use customer data to train or improve models?"),
        validators=[Optional()],
        widget=GovRadioInput(),
    )
    ai_training_instruction = StringField(
        _l("The signed instruction that allows it"), validators=[Optional(), Length(max=400)], widget=GovTextInput()
    )
    ai_use = RadioField(_l("When it is used"), validators=[Optional()], widget=GovRadioInput())

    def set_fact_choices(self) -> None:
        """Choices are set per request so that their labels are in the reader's language."""
        countries = _choices(country_choices())
        form: Any = self
        form.subjects.choices = _choices(subject_choices())
        form.categories.choices = _choices(category_choices())
        form.activities.choices = _choices([(a.value, a.label[0].upper() + a.label[1:]) for a in ActivityKind])
        form.pupil_facing.choices = _choices(YES_NO)
        form.parent_country.choices = [SelectChoice("", str(_l("Not known"))), *countries]
        form.countries.choices = countries
        form.transfer.choices = _choices([(m.value, m.label) for m in TransferMechanism])
        form.is_ai.choices = _choices(YES_NO)
        form.ai_inference_country.choices = countries
        form.ai_training.choices = _choices(YES_NO)
        form.ai_use.choices = _choices([(u.value, u.label) for u in AIUse])

    def fill_facts(self, facts: EntryFacts) -> None:
        """Show an entry's facts in the form."""
        form: Any = self
        form.subjects.data = [s.value for s in facts.subjects]
        form.other_subjects.data = facts.other_subjects
        form.categories.data = list(facts.categories)
        form.activities.data = [a.value for a in facts.activities]
        form.pupil_facing.data = "yes" if facts.pupil_facing else "no"
        form.parent_country.data = facts.parent_country
        form.countries.data = list(facts.countries)
        form.region.data = facts.region
        form.transfer.data = facts.transfer.value
        form.dpf_checked_on.data = facts.dpf_checked_on
        form.retention.data = facts.retention
        form.is_ai.data = "yes" if facts.ai is not None else "no"
        if facts.ai is not None:
            ai = facts.ai
            form.ai_models.data = "\n".join(f"{m.name} | {m.provider} | {m.purpose}" for m in ai.models)
            form.ai_inference_country.data = ai.inference_country
            form.ai_inference_region.data = ai.inference_region
            form.ai_prompt_retention.data = ai.prompt_retention
            form.ai_training.data = "yes" if ai.trains_on_customer_data else "no"
            form.ai_training_instruction.data = ai.training_instruction
            form.ai_use.data = ai.use.value

    def validate_facts(self) -> bool:
        """Checks that depend on several fact fields; adds GOV.UK errors and says whether they hold."""
        form: Any = self
        valid = True
        if form.is_ai.data == "yes":
            if _models(form.ai_models.data) is None:
                form.ai_models.errors = [*form.ai_models.errors, str(MODEL_LINE)]
                valid = False
            if form.ai_training.data not in ("yes", "no"):
                message = str(_l("Choose whether it trains on customer data"))
                form.ai_training.errors = [*form.ai_training.errors, message]
                valid = False
            if form.ai_use.data not in {u.value for u in AIUse}:
                form.ai_use.errors = [*form.ai_use.errors, str(_l("Choose when it is used"))]
                valid = False
        return valid

    def facts_value(self) -> EntryFacts:
        """The facts the form describes (call after validation)."""
        form: Any = self
        ai = None
        if form.is_ai.data == "yes":
            ai = AIFacts(
                models=_models(form.ai_models.data) or (),
                inference_country=form.ai_inference_country.data or "GB",
                inference_region=(form.ai_inference_region.data or "").strip(),
                prompt_retention=(form.ai_prompt_retention.data or "").strip(),
                trains_on_customer_data=form.ai_training.data == "yes",
                training_instruction=(form.ai_training_instruction.data or "").strip(),
                use=AIUse(form.ai_use.data),
            )
        subjects = set(form.subjects.data or [])
        return EntryFacts(
            subjects=tuple(s for s in DataSubject if s.value in subjects),
            other_subjects=(form.other_subjects.data or "").strip(),
            categories=tuple(form.categories.data or []),
            activities=tuple(a for a in ActivityKind if a.value in set(form.activities.data or [])),
            pupil_facing=form.pupil_facing.data == "yes",
            parent_country=form.parent_country.data or "",  # "" is "Not known"
            countries=tuple(form.countries.data or []),
            region=(form.region.data or "").strip(),
            transfer=TransferMechanism(form.transfer.data or TransferMechanism.NONE.value),
            dpf_checked_on=form.dpf_checked_on.data,
            retention=(form.retention.data or "").strip(),
            ai=ai,
        )


def _models(text: str | None) -> tuple[AIModel, ...] | None:
    """Models from "name | provider | purpose" lines, or None if a line is not in that form."""
    models = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            return None
        models.append(AIModel(*parts))
    return tuple(models) if models else None
