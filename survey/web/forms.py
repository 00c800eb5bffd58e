"""HTML forms decoded into msgspec Structs, and msgspec's validation errors as field errors.

A form decodes with ``msgspec.convert`` into the same Struct the API takes, so the limits
in its ``Meta`` (lengths, ranges, choices) hold for both and live in one place. Every field
is checked on its own first, so a form shows all its problems at once, each at its field
and in the reader's language (:class:`~survey.errors.Invalid`, answered with 422).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import msgspec

from survey.errors import Invalid
from survey.i18n import gettext as _
from survey.web.input import refuse_nul_in_form

S = TypeVar("S", bound=msgspec.Struct)

_PATH = re.compile(r" - at `\$\.(\w+)")
_MISSING = re.compile(r"^Object missing required field `(\w+)`")
_LENGTH = re.compile(r"^Expected `\w+` of length (<=|>=) (\d+)")
_BOUND = re.compile(r"^Expected `(?:int|float)` (<=|>=|<|>) (-?[\d.]+)")
_TYPE = re.compile(r"^Expected `(\w+)`")


def message(error: msgspec.ValidationError) -> str:
    """msgspec's English description of a failed limit, said to a person in their language.

    >>> from survey import i18n; i18n.set_language("nl")
    >>> message(msgspec.ValidationError("Expected `str` of length <= 200 - at `$.name`"))
    'Gebruik maximaal 200 tekens.'
    """
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


def field_errors(error: msgspec.ValidationError, field: str | None = None) -> dict[str, str]:
    """``{field: message}`` for one validation error; the field comes from msgspec's path
    (``$.name`` is ``name``) unless the caller checked one field and names it."""
    text = str(error)
    named = _PATH.search(text) or _MISSING.match(text)
    key = field or (named.group(1) if named else "form")
    return {key: message(error)}


def limit_errors(values: Mapping[str, Any], struct: type[msgspec.Struct]) -> dict[str, str]:
    """Every field of ``struct`` present in ``values`` checked against its own type and
    ``Meta``, one at a time, so that each field that breaks its limit gets its message."""
    errors: dict[str, str] = {}
    for field in msgspec.structs.fields(struct):
        if field.name in values:
            try:
                msgspec.convert(values[field.name], field.type, strict=False)
            except msgspec.ValidationError as error:
                errors.update(field_errors(error, field.name))
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
            errors = field_errors(error)
    if rules is not None:
        errors = {**rules(values), **errors}
    raise Invalid({**errors, **refused})
