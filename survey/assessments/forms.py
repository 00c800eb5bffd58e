"""Answers as HTML form fields: ``answer-<item>``, ``comment-<item>``, ``revision-<item>``.

The value ``na`` of ``answer-<item>`` means "not applicable"; sent next to another value,
the answer is refused (a form never saves less than the person chose).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from survey.assessments.models import Answer
from survey.assessments.pages import number_message
from survey.assessments.schemas import AnswerWrite
from survey.errors import Invalid
from survey.i18n import gettext as _
from survey.i18n import number_symbols
from survey.questionnaires.schema import ORDERED_TYPES, Item
from survey.web.input import NUL, refuse_nul

NOT_APPLICABLE = "na"
UNKNOWN = "unknown"


def _value_from_form(item: Item, raw: list[str]) -> Any:
    """The value the form's controls give, or :class:`Invalid` when they contradict each other.

    Nothing is silently left out: two values for a one-answer item, or a number next to
    "don't know", is an error for the person to resolve.
    """
    values = [v.strip() for v in raw if v.strip()]
    if item.type == "multi":
        return values or None
    if not values:
        return None
    if item.type == "number":
        unknown = [v for v in values if v.lower() == UNKNOWN]
        values = [v for v in values if v.lower() != UNKNOWN]
        if unknown and values:
            raise Invalid({"value": _("Enter a number or tick “don't know”, not both.")})
        if unknown:
            return UNKNOWN
    if len(values) > 1:
        raise Invalid({"value": _("Choose one answer.")})
    value = values[0]
    if item.type in ORDERED_TYPES:
        # isdecimal, not isdigit: int() reads every decimal digit but not "²"; a level has one.
        return int(value) if value.isdecimal() and len(value) < 10 else value
    if item.type == "number":
        return number_from_form(value, item)
    return value


# A number as people type it: digits, an optional sign and decimal comma or point.
_TYPED_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
# What Python's float() also reads but nobody types for a count: 1e3, 1_000, inf, nan.
_OTHER_NUMBER = re.compile(r"[+-]?[\d.,_]*(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)", re.I)


def _without_thousands_separators(typed: str) -> str | None:
    """``typed`` without its thousands separators when it groups digits as the reader's
    language writes numbers on the page (Dutch 100.000, French 100 000, English 100,000),
    with a point as the decimal sign; None when it is not written so.

    Without this, "100.000" typed in Dutch would read as 100 with a decimal point.
    """
    group, decimal = number_symbols()
    separator = r"[\s\u00a0\u202f]" if group.isspace() else re.escape(group)
    match = re.fullmatch(
        rf"([+-]?\d{{1,3}}(?:{separator}\d{{3}})+)(?:{re.escape(decimal)}(\d+))?", typed
    )
    if match is None:
        return None
    whole = re.sub(separator, "", match.group(1))
    return f"{whole}.{match.group(2)}" if match.group(2) else whole


def number_from_form(typed: str, item: Item) -> int | float:
    """A number typed in ``item``'s form field: digits with a decimal comma or point, or
    grouped in thousands as the reader's language writes them, nothing else.

    Scientific notation (``1e3``), digit separators and the like are refused with a message
    asking for digits, anything else with the number the item takes (its range); whether the
    number is whole and in range is the item's rule, checked on save.
    """
    grouped = _without_thousands_separators(typed)
    if grouped is not None:
        return number_from_form(grouped, item)
    if _TYPED_NUMBER.fullmatch(typed):
        number = float(typed.replace(",", "."))
        return int(number) if number.is_integer() else number
    if any(c.isdigit() for c in typed) and _OTHER_NUMBER.fullmatch(typed):
        raise Invalid({"value": _("Type the number in digits only, like 12.")})
    raise Invalid({"value": number_message(item)})


def answer_from_form(item: Item, form: Any) -> AnswerWrite | None:
    """The answer the form submits for ``item``, or None when the form has no field for it."""
    revision_field = f"revision-{item.id}"
    if revision_field not in form:
        return None
    try:
        revision = max(int(form.get(revision_field) or 0), 0)
    except ValueError:
        revision = 0
    raw: list[str] = list(form.getall(f"answer-{item.id}", [])) if hasattr(form, "getall") else []
    comment = form.get(f"comment-{item.id}")
    refuse_nul(
        field
        for field, texts in (("value", raw), ("comment", [comment or ""]))
        if any(NUL in text for text in texts)
    )
    # "Not applicable" next to a value is passed on as sent: the service refuses the pair.
    not_applicable = NOT_APPLICABLE in raw
    value = _value_from_form(item, [v for v in raw if v != NOT_APPLICABLE])
    return AnswerWrite(
        revision=revision, value=value, not_applicable=not_applicable, comment=comment or None
    )


def keep_none_of_these(answer: Answer | None, data: AnswerWrite) -> AnswerWrite:
    """``data``, keeping a stored "none of these" (a multi's empty list, given through the API)
    that no ticked box can show: the part's form must not turn it into "no answer"."""
    if answer is not None and answer.value == [] and data.value is None and not data.not_applicable:
        return msgspec.structs.replace(data, value=[])
    return data


def differs(answer: Answer | None, data: AnswerWrite) -> bool:
    """Whether saving ``data`` would change what is stored."""
    stored_comment = answer.comment if answer else None
    new_comment = data.comment.strip() if data.comment and data.comment.strip() else None
    if answer is None:
        return data.value is not None or data.not_applicable or new_comment is not None
    return (answer.value, answer.not_applicable, stored_comment) != (
        data.value,
        data.not_applicable,
        new_comment,
    )
