"""Scores and shares written the way the reader's language writes numbers, rounded half up
like the published scores (:func:`survey.scoring.round_half_up`)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment

from survey import i18n
from survey.scoring import round_half_up
from survey.web.rendering import at_render_time


def local_decimal(value: float, digits: int = 2) -> str:
    """A number rounded half up to ``digits`` decimals, written the way the reader's language
    writes numbers (a decimal comma and grouped thousands in Dutch and French).

    >>> i18n.set_language("nl"); local_decimal(84.375), local_decimal(0.5, 0), local_decimal(1e5, 0)
    ('84,38', '1', '100.000')
    """
    return _local_decimal(float(value), digits, i18n.current_language())


def local_percent(value: float, digits: int = 0) -> str:
    """A percentage (0 to 100) rounded half up, with the sign where the language puts it.

    >>> i18n.set_language("fr"); local_percent(59.5)
    '60\xa0%'
    """
    return _local_percent(float(value), digits, i18n.current_language())


# A page shows the same few figures many times (and the next page the same ones again):
# rounding and formatting are done once per value, number of decimals and language.
@lru_cache(maxsize=16384)
def _local_decimal(value: float, digits: int, language: str) -> str:
    return i18n.format_number(round_half_up(value, digits), digits, language)


@lru_cache(maxsize=16384)
def _local_percent(value: float, digits: int, language: str) -> str:
    return i18n.format_percent(round_half_up(value, digits), digits, language)


def register_filters(env: Environment) -> None:
    """The ``decimal`` and ``percent`` template filters."""
    env.filters["decimal"] = at_render_time(local_decimal)
    env.filters["percent"] = at_render_time(local_percent)
