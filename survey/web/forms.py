"""HTML forms decoded into msgspec Structs, and msgspec's validation errors as field errors.

A form decodes with ``msgspec.convert`` into the same Struct the API takes, so the limits
in its ``Meta`` (lengths, ranges, choices) hold for both and live in one place. Every field
is checked on its own first, so a form shows all its problems at once, each at its field
and in the reader's language (:class:`~survey.errors.Invalid`, answered with 422).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from msgspec import inspect as msgspec_types

from survey.errors import Invalid
from survey.i18n import format_number
from survey.i18n import gettext as _
from survey.web.input import refuse_nul_in_form

S = TypeVar("S", bound=msgspec.Struct)

_PATH = re.compile(r" - at `\$\.(\w+)")
_MISSING = re.compile(r"^Object missing required field `(\w+)`")
_LENGTH = re.compile(r"^Expected `\w+` of length (<=|>=) (\d+)")
_BOUND = re.compile(r"^Expected `(?:int|float)` (<=|>=|<|>) (-?[\d.]+)")
_TYPE = re.compile(r"^Expected `(\w+)`")


_AT = re.compile(r" - at `(\$[^`]*)`$")
_STEP = re.compile(r"\[(\d+)\]|\.(\w+)")
NUMBER_PROBLEM = re.compile(r"^Expected `(?:int|float|number)(?: \| null)?`")
"""msgspec's message for a value that is no number where a number (or nothing) was asked."""


@dataclass(frozen=True, slots=True)
class NumberLimits:
    """What a number field takes: a whole number or any, from ``low`` to ``high``."""

    whole: bool
    low: float | None = None
    high: float | None = None


def number_message(limits: NumberLimits) -> str:
    """The message at a number field that got something else, with what it takes, so the
    person knows what will do, whatever went wrong (letters, a fraction, out of range).

    >>> from survey import i18n; i18n.set_language("nl")
    >>> number_message(NumberLimits(whole=True, low=0, high=100_000))
    'Vul een heel getal in van 0 tot 100.000.'
    """
    low = format_number(limits.low) if limits.low is not None else None
    high = format_number(limits.high) if limits.high is not None else None
    if limits.whole:
        if low is not None and high is not None:
            return _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        if low is not None:
            return _("Enter a whole number of at least %(low)s.", low=low)
        if high is not None:
            return _("Enter a whole number of at most %(high)s.", high=high)
        return _("Enter a whole number.")
    if low is not None and high is not None:
        return _("Enter a number from %(low)s to %(high)s.", low=low, high=high)
    if low is not None:
        return _("Enter a number of at least %(low)s.", low=low)
    if high is not None:
        return _("Enter a number of at most %(high)s.", high=high)
    return _("Enter a number.")


def _limits(info: msgspec_types.Type) -> NumberLimits | None:
    if isinstance(info, msgspec_types.UnionType):  # an optional number: ``int | None``
        numbers = [limits for member in info.types if (limits := _limits(member))]
        return numbers[0] if len(numbers) == 1 else None
    if isinstance(info, msgspec_types.IntType):
        low = info.ge if info.gt is None else info.gt + 1
        high = info.le if info.lt is None else info.lt - 1
        return NumberLimits(whole=True, low=low, high=high)
    # A bound that excludes itself (gt, lt) has no "from … to …" for a fraction.
    if isinstance(info, msgspec_types.FloatType) and info.gt is None and info.lt is None:
        return NumberLimits(whole=False, low=info.ge, high=info.le)
    return None


def _member(info: msgspec_types.Type, kind: type[msgspec_types.Type]) -> msgspec_types.Type | None:
    members = info.types if isinstance(info, msgspec_types.UnionType) else (info,)
    return next((member for member in members if isinstance(member, kind)), None)


def number_limits(annotation: Any, path: str = "$") -> NumberLimits | None:
    """The limits of the number field at msgspec's ``path`` (``$[0].target_level``) in
    ``annotation``, read from its type and ``Meta``; None when no number field is there.

    >>> from typing import Annotated
    >>> number_limits(Annotated[int, msgspec.Meta(ge=1, le=5)])
    NumberLimits(whole=True, low=1, high=5)
    """
    info = msgspec_types.type_info(annotation)
    for index, name in _STEP.findall(path.removeprefix("$")):
        step: msgspec_types.Type | None
        if index:
            items = _member(info, msgspec_types.ListType)
            step = items.item_type if isinstance(items, msgspec_types.ListType) else None
        else:
            struct = _member(info, msgspec_types.StructType)
            fields = struct.fields if isinstance(struct, msgspec_types.StructType) else ()
            step = next((field.type for field in fields if field.encode_name == name), None)
        if step is None:
            return None
        info = step
    return _limits(info)


def number_problem(error: msgspec.ValidationError, annotation: Any) -> str | None:
    """The range message when ``error`` (converting into ``annotation``) is a number field
    that got something else; None for any other problem."""
    text = str(error)
    if not NUMBER_PROBLEM.match(text):
        return None
    at = _AT.search(text)
    limits = number_limits(annotation, at.group(1) if at else "$")
    return number_message(limits) if limits is not None else None


def message(error: msgspec.ValidationError, annotation: Any = None) -> str:
    """msgspec's English description of a failed limit, said to a person in their language;
    with the field's type (``annotation``), a number field says the number it takes.

    >>> from survey import i18n; i18n.set_language("nl")
    >>> message(msgspec.ValidationError("Expected `str` of length <= 200 - at `$.name`"))
    'Gebruik maximaal 200 tekens.'
    """
    if annotation is not None and (number := number_problem(error, annotation)):
        return number
    text = str(error)
    if _MISSING.match(text):
        return _("This field is required.")
    if length := _LENGTH.match(text):
        n = int(length.group(2))
        if length.group(1) == "<=":
            return _("Use at most %(n)s characters.", n=n)
        return _("This field is required.") if n == 1 else _("Use at least %(n)s characters.", n=n)
    if bound := _BOUND.match(text):
        number = bound.group(2)
        if bound.group(1).startswith(">"):
            return _("A number of at least %(low)s.", low=number)
        return _("A number of at most %(high)s.", high=number)
    if text.startswith("Invalid enum value"):
        return _("Choose one of the options.")
    kind = _TYPE.match(text)
    if kind and kind.group(1) == "int":
        return _("Enter a whole number.")
    if kind and kind.group(1) == "float":
        return _("Enter a number.")
    return _("This value is not valid.")


def field_errors(
    error: msgspec.ValidationError, field: str | None = None, annotation: Any = None
) -> dict[str, str]:
    """``{field: message}`` for one validation error; the field comes from msgspec's path
    (``$.name`` is ``name``) unless the caller checked one field and names it. ``annotation``
    is the type that was converted into (the struct, or the one field's type)."""
    text = str(error)
    named = _PATH.search(text) or _MISSING.match(text)
    key = field or (named.group(1) if named else "form")
    return {key: message(error, annotation)}


def limit_errors(values: Mapping[str, Any], struct: type[msgspec.Struct]) -> dict[str, str]:
    """Every field of ``struct`` present in ``values`` checked against its own type and
    ``Meta``, one at a time, so that each field that breaks its limit gets its message."""
    errors: dict[str, str] = {}
    for field in msgspec.structs.fields(struct):
        if field.name in values:
            try:
                msgspec.convert(values[field.name], field.type, strict=False)
            except msgspec.ValidationError as error:
                errors.update(field_errors(error, field.name, field.type))
    return errors


def form_values(
    form: Mapping[str, Any],
    struct: type[msgspec.Struct],
    *,
    checkboxes: tuple[str, ...] = (),
    blank_is_none: tuple[str, ...] = (),
    as_typed: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The form's fields that ``struct`` has, as a dict for ``msgspec.convert``: text with
    its surrounding spaces removed (except ``as_typed``, a password), a checkbox true when it
    was sent, a blank optional field left out (``blank_is_none``). Other form fields (the
    CSRF token, buttons) are not kept."""
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(struct):
        name = field.name
        if name in checkboxes:
            values[name] = name in form
        elif name in form:
            raw = form[name]
            text = raw.strip() if isinstance(raw, str) and name not in as_typed else raw
            if name in blank_is_none and text == "":
                continue
            values[name] = text
    return values


def nul_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """``{field: message}`` for each text of ``values`` holding a NUL character."""
    try:
        refuse_nul_in_form(values)
    except Invalid as invalid:
        return invalid.errors
    return {}


def decode_form(
    values: Mapping[str, Any],
    struct: type[S],
    *,
    rules: Callable[[Mapping[str, Any]], dict[str, str]] | None = None,
    refuse_nul: bool = False,
) -> S:
    """``values`` (see :func:`form_values`) converted into ``struct`` with its ``Meta``
    limits, or :class:`Invalid` with a message at every field that breaks one. ``rules``
    (the service's checks on the same values) add their messages for the other fields, so
    the person sees every problem in one go; so does ``refuse_nul`` (a form route with
    ``FORM_CHECKS_NUL``): a NUL is refused at its field next to the other fields' problems."""
    refused = nul_errors(values) if refuse_nul else {}
    errors = limit_errors(values, struct)
    if not errors and not refused:
        try:
            return msgspec.convert(values, struct, strict=False)
        except msgspec.ValidationError as error:
            errors = field_errors(error, annotation=struct)
    if rules is not None:
        errors = {**rules(values), **errors}
    raise Invalid({**errors, **refused})
