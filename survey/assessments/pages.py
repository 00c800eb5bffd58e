"""What the assessment pages show, prepared in the user's language."""

from __future__ import annotations

from dataclasses import dataclass

from survey.assessments.models import Answer
from survey.assessments.schemas import AnswerWrite
from survey.i18n import N_, format_number
from survey.i18n import gettext as _
from survey.questionnaires.schema import Dimension, Item, Questionnaire
from survey.web import forms as web_forms

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
    allows_unknown: bool = False
    unknown: bool = False
    number_hint: str | None = None
    whole_number: bool = False
    max_length: int | None = None
    evidence_count: int = 0
    respondents: str | None = None  # what the submitted responses say (manager's view)

    @property
    def first_input_id(self) -> str:
        """The id of the question's first answer control (where an error summary leads)."""
        return f"a-{self.id}-{self.options[0].value}" if self.options else f"a-{self.id}"


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
    applicable_items: set[str],
    questionnaire: Questionnaire,
    submitted: AnswerWrite | None = None,
) -> ItemView:
    """The item as shown; ``submitted`` (a rejected form value) wins over the stored answer."""
    value = submitted.value if submitted else (answer.value if answer else None)
    not_applicable = (
        submitted.not_applicable if submitted else bool(answer and answer.not_applicable)
    )
    comment = (submitted.comment if submitted else (answer.comment if answer else None)) or ""
    applicable = item.id in applicable_items
    condition_text = None
    if not applicable:
        source = blocking_question(questionnaire, item, applicable_items)
        if source is not None:
            condition_text = _(
                "This question only applies for some answers to question %(number)s: “%(question)s”",
                number=item_numbers(questionnaire)[source.id],
                question=source.text.get(language),
            )
    return ItemView(
        id=item.id,
        type=item.type,
        number=number,
        text=item.text.get(language),
        # A question that does not apply shows why, in one note; its help (which often
        # states the same condition in other words) returns when it applies.
        help=item.help.get(language) if item.help and applicable else None,
        evidence_prompt=item.evidence_prompt.get(language) if item.evidence_prompt else None,
        options=_options(item, language, value),
        allows_not_applicable=item.allow_not_applicable,
        not_applicable=not_applicable,
        comment=comment,
        revision=answer.revision if answer else 0,
        applicable=applicable,
        condition_text=condition_text,
        value_text=""
        if value is None or isinstance(value, list) or value == "unknown"
        else str(value),
        multiple=item.type == "multi",
        allows_unknown=item.type == "number" and item.allow_unknown,
        unknown=item.type == "number" and value == "unknown",
        number_hint=_number_hint(item, questionnaire) if item.type == "number" else None,
        whole_number=item.type == "number" and item.integer,
        max_length=item.max_length if item.type == "text" else None,
    )


def _number_hint(item: Item, questionnaire: Questionnaire) -> str | None:
    hint = _range_hint(item)
    if item.at_most is not None and item.at_most in (numbers := item_numbers(questionnaire)):
        at_most = _("At most your answer to question %(question)s.", question=numbers[item.at_most])
        hint = f"{hint} {at_most}" if hint else at_most
    return hint


def number_message(item: Item) -> str:
    """The message at a number field whose answer is not what the item takes (no number, not
    whole, out of range), with the item's range, so the person knows what will do: "Enter a
    whole number from 0 to 500."."""
    limits = web_forms.NumberLimits(whole=item.integer, low=item.minimum, high=item.maximum)
    return web_forms.number_message(limits)


def _range_hint(item: Item) -> str | None:
    low, high = item.minimum, item.maximum
    if item.integer and low is not None and high is not None:
        return _(
            "A whole number from %(low)s to %(high)s.",
            low=format_number(low),
            high=format_number(high),
        )
    if low is not None and high is not None:
        return _(
            "A number from %(low)s to %(high)s.", low=format_number(low), high=format_number(high)
        )
    if low is not None:
        return _("A number of at least %(low)s.", low=format_number(low))
    if high is not None:
        return _("A number of at most %(high)s.", high=format_number(high))
    return None


def blocking_question(
    questionnaire: Questionnaire, item: Item, applicable_items: set[str]
) -> Item | None:
    """The earlier question whose answer keeps ``item`` from applying.

    That is the source of its condition, or, when the source does not apply either
    (a chain of conditions), the first question up the chain that does: the one the
    person can answer.
    """
    seen: set[str] = set()
    condition = item.applies_if
    source = None
    while condition is not None and condition.item not in seen:
        seen.add(condition.item)
        source = questionnaire.item(condition.item)
        if source is None or source.id in applicable_items:
            return source
        condition = source.applies_if
    return source


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


def answer_label(item: Item, value: object, not_applicable: bool, language: str) -> str:
    """An answer as a person reads it: "Level 3: Planned", "Partly", an option's label, …"""
    if not_applicable:
        return _("Not applicable")
    if value is None:
        return "—"
    if item.type == "number" and value == "unknown":
        return _("Don't know / not registered")
    if item.type in ("maturity", "likert5", "yes_partly_no", "choice", "multi"):
        labels = [o.label for o in _options(item, language, value) if o.checked]
        if item.type == "multi":
            return ", ".join(labels) if labels else _("None of these")
        return labels[0] if labels else str(value)
    return str(value)


def depends_on(questionnaire: Questionnaire, item: Item, source_id: str) -> bool:
    """Whether ``item``'s condition refers to ``source_id``, directly or through a chain."""
    seen: set[str] = set()
    condition = item.applies_if
    while condition is not None and condition.item not in seen:
        if condition.item == source_id:
            return True
        seen.add(condition.item)
        source = questionnaire.item(condition.item)
        condition = source.applies_if if source else None
    return False
