"""What the assessment pages show, prepared in the user's language."""

from __future__ import annotations

from dataclasses import dataclass

from survey.assessments.models import Answer
from survey.assessments.schemas import AnswerWrite
from survey.i18n import N_
from survey.i18n import gettext as _
from survey.questionnaires.schema import Dimension, Item, Questionnaire

MATURITY_LEVEL_NAMES = {
    1: N_("Starting"),
    2: N_("Aware"),
    3: N_("Planned"),
    4: N_("Embedded"),
    5: N_("Exemplary"),
}
LIKERT_LABELS = {
    1: N_("Strongly disagree"),
    2: N_("Disagree"),
    3: N_("Neither agree nor disagree"),
    4: N_("Agree"),
    5: N_("Strongly agree"),
}
YES_PARTLY_NO = {"yes": N_("Yes"), "partly": N_("Partly"), "no": N_("No")}


@dataclass
class OptionView:
    value: str
    label: str
    description: str | None
    checked: bool


@dataclass
class ItemView:
    id: str
    type: str
    number: str
    text: str
    help: str | None
    evidence_prompt: str | None
    options: list[OptionView]
    allows_not_applicable: bool
    not_applicable: bool
    comment: str
    revision: int
    applicable: bool
    condition_text: str | None
    value_text: str
    error: str | None = None
    conflict: bool = False
    saved: bool = False
    multiple: bool = False


def maturity_name(level: int | None) -> str:
    return _(MATURITY_LEVEL_NAMES[level]) if level in MATURITY_LEVEL_NAMES else ""


def _options(item: Item, language: str, selected: object) -> list[OptionView]:
    chosen = set(selected) if isinstance(selected, list) else {selected}
    if item.type == "maturity":
        anchors = item.anchors or []
        return [
            OptionView(
                value=str(level),
                label=_("Level %(level)s: %(name)s", level=level, name=maturity_name(level)),
                description=anchors[level - 1].get(language) if len(anchors) >= level else None,
                checked=level in chosen,
            )
            for level in range(1, 6)
        ]
    if item.type == "likert5":
        anchors = item.anchors or []
        return [
            OptionView(
                value=str(level),
                label=anchors[level - 1].get(language) if anchors else _(LIKERT_LABELS[level]),
                description=None,
                checked=level in chosen,
            )
            for level in range(1, 6)
        ]
    if item.type == "yes_partly_no":
        return [
            OptionView(value=v, label=_(label), description=None, checked=v in chosen)
            for v, label in YES_PARTLY_NO.items()
        ]
    if item.type in ("choice", "multi"):
        return [
            OptionView(
                value=o.id, label=o.label.get(language), description=None, checked=o.id in chosen
            )
            for o in item.options or []
        ]
    return []


def item_view(
    item: Item,
    number: str,
    answer: Answer | None,
    language: str,
    applicable: bool,
    questionnaire: Questionnaire,
    submitted: AnswerWrite | None = None,
) -> ItemView:
    """The item as shown; ``submitted`` (a rejected form value) wins over the stored answer."""
    value = submitted.value if submitted else (answer.value if answer else None)
    not_applicable = (
        submitted.not_applicable if submitted else bool(answer and answer.not_applicable)
    )
    comment = (submitted.comment if submitted else (answer.comment if answer else None)) or ""
    condition_text = None
    if item.applies_if is not None:
        source = questionnaire.item(item.applies_if.item)
        if source is not None:
            condition_text = _(
                "This question only applies for some answers to: “%(question)s”",
                question=source.text.get(language),
            )
    return ItemView(
        id=item.id,
        type=item.type,
        number=number,
        text=item.text.get(language),
        help=item.help.get(language) if item.help else None,
        evidence_prompt=item.evidence_prompt.get(language) if item.evidence_prompt else None,
        options=_options(item, language, value),
        allows_not_applicable=item.allow_not_applicable,
        not_applicable=not_applicable,
        comment=comment,
        revision=answer.revision if answer else 0,
        applicable=applicable,
        condition_text=condition_text,
        value_text="" if value is None or isinstance(value, list) else str(value),
        multiple=item.type == "multi",
    )


def item_numbers(questionnaire: Questionnaire) -> dict[str, str]:
    """Question numbers such as 2.3 (dimension 2, third item)."""
    return {
        item.id: f"{d_index}.{i_index}"
        for d_index, dimension in enumerate(questionnaire.dimensions, start=1)
        for i_index, item in enumerate(dimension.items, start=1)
    }


def neighbours(
    questionnaire: Questionnaire, dimension: Dimension
) -> tuple[Dimension | None, Dimension | None]:
    ids = [d.id for d in questionnaire.dimensions]
    index = ids.index(dimension.id)
    previous = questionnaire.dimensions[index - 1] if index > 0 else None
    following = questionnaire.dimensions[index + 1] if index + 1 < len(ids) else None
    return previous, following
