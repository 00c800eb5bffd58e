"""Dates and numbers as each language writes them, dates in Brussels time (DESIGN §9 Time;
issue 11): one style per language, wherever a page, an e-mail or a command shows them."""

from __future__ import annotations

import datetime as dt

import pytest

from survey import i18n

LATE_EVENING_UTC = dt.datetime(2026, 12, 19, 23, 30, tzinfo=dt.UTC)  # already the 20th in Brussels


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "20 december 2026, 00:30"),
        ("fr", "20 décembre 2026, 00:30"),
        ("en", "20 December 2026, 00:30"),  # day first, month in words: not 12/20 nor 20/12
    ],
)
def test_a_timestamp_is_shown_in_brussels_time_with_the_month_written_out(
    language: str, expected: str
) -> None:
    assert i18n.format_datetime(LATE_EVENING_UTC, language) == expected


def test_a_stored_naive_timestamp_is_taken_as_utc() -> None:
    naive = LATE_EVENING_UTC.replace(tzinfo=None)
    assert i18n.format_date(naive, "en") == "20 December 2026"
    assert i18n.format_date(dt.date(2027, 1, 5), "en") == "5 January 2027"


@pytest.mark.parametrize(
    ("language", "number", "percent"),
    [
        ("nl", "100.000 · 0,12", "84%"),
        ("fr", "100\u202f000 · 0,12", "84\u00a0%"),
        ("en", "100,000 · 0.12", "84%"),
    ],
)
def test_numbers_and_percentages_follow_the_language(
    language: str, number: str, percent: str
) -> None:
    assert (
        f"{i18n.format_number(100000, 0, language)} · {i18n.format_number(0.12, 2, language)}"
        == (number)
    )
    assert i18n.format_percent(84, 0, language) == percent


def test_a_template_formats_a_constant_in_the_language_of_each_request() -> None:
    """Jinja folds a filter on a constant when it compiles the template; the number must
    still follow the language of the request that renders it, not of the first one."""
    from survey.formatting import register_filters
    from survey.web.rendering import environment

    env = environment()
    register_filters(env)  # as the app does (survey.web knows no scoring)
    i18n.set_language("fr")
    template = env.from_string("{{ 60|percent }} · {{ 100000|decimal(0) }}")
    assert template.render() == "60\u00a0% · 100\u202f000"
    i18n.set_language("nl")
    assert template.render() == "60% · 100.000"
