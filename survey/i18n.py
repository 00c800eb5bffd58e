"""Translations through Babel catalogues (nl, fr, en), chosen per request.

Message ids are English; ``locale/<lang>/LC_MESSAGES/messages.po`` holds the
catalogues. They are compiled in memory at start-up, so a clone needs no build step.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"
# Formats of dates and numbers: Belgian Dutch and French; British English writes a date
# out day first ("5 January 2027"), so no reader takes 05/01 for the 1st of May.
FORMAT_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
TIME_ZONE = ZoneInfo("Europe/Brussels")

_current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> Translations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def set_language(language: str) -> None:
    _current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current_language.get()


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ungettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def _format_locale(language: str | None) -> str:
    return FORMAT_LOCALES.get(language or current_language(), FORMAT_LOCALES[DEFAULT_LANGUAGE])


def format_date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """A date written out in the reader's language; a timestamp (stored in UTC) is first
    taken to Brussels time, so a page, an e-mail and a command name the same day.

    >>> format_date(dt.date(2027, 1, 5), "en"), format_date(dt.date(2027, 1, 5), "nl")
    ('5 January 2027', '5 januari 2027')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _brussels(value).date()
    return dates.format_date(value, "long", locale=_format_locale(language))


def format_datetime(value: dt.datetime | None, language: str | None = None) -> str:
    """A timestamp in Brussels time: the date written out and the time of day.

    >>> format_datetime(dt.datetime(2026, 12, 19, 23, 30, tzinfo=dt.UTC), "nl")
    '20 december 2026, 00:30'
    """
    if value is None:
        return ""
    local = _brussels(value)
    locale = _format_locale(language)
    day = dates.format_date(local.date(), "long", locale=locale)
    time = dates.format_time(local.time(), "short", locale=locale)
    pattern = str(dates.get_datetime_format("long", locale=locale))
    return pattern.replace("{1}", day).replace("{0}", time)


def _brussels(value: dt.datetime) -> dt.datetime:
    # SQLite gives back naive timestamps; they are stored in UTC.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(TIME_ZONE)


def format_number(value: float, digits: int | None = None, language: str | None = None) -> str:
    """A number with grouped thousands as the reader's language writes them: with ``digits``
    decimals (the caller rounds; Babel would round half to even), or with as many as it
    has, up to three, when ``digits`` is None.

    >>> format_number(100000, 0, "nl"), format_number(0.12, 2, "fr"), format_number(0.5, None, "en")
    ('100.000', '0,12', '0.5')
    """
    return _format_number(value, digits, _format_locale(language))


@lru_cache(maxsize=8192)
def _format_number(value: float, digits: int | None, locale: str) -> str:
    """:func:`format_number` once per value: a page shows the same few figures many times,
    and Babel reads its pattern and locale data again on every call."""
    return numbers.format_decimal(value, format=_number_pattern(digits), locale=locale)


@cache
def _number_pattern(digits: int | None) -> numbers.NumberPattern:
    decimals = "###" if digits is None else "0" * digits
    return numbers.parse_pattern("#,##0" + ("." + decimals if decimals else ""))


def number_symbols(language: str | None = None) -> tuple[str, str]:
    """The thousands separator and the decimal sign of the reader's language, as
    :func:`format_number` writes them.

    >>> number_symbols("nl"), number_symbols("en")
    (('.', ','), (',', '.'))
    """
    locale = _format_locale(language)
    return numbers.get_group_symbol(locale), numbers.get_decimal_symbol(locale)


def format_percent(value: float, digits: int = 0, language: str | None = None) -> str:
    """A percentage given on a scale of 0 to 100, with the sign placed as the reader's
    language places it ("84%" in Dutch and English, "84 %" in French).

    >>> format_percent(84, 0, "nl"), format_percent(84, 0, "fr")
    ('84%', '84\u00a0%')
    """
    locale = _format_locale(language)
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return numbers.format_percent(value / 100, format=pattern, locale=locale)


def with_colon(label: str | int, language: str | None = None) -> str:
    """A label followed by a colon as the reader's language writes it: French puts a
    no-break space before it. A label already marked safe stays so (Markup + str escapes
    the str).

    >>> with_colon("E-mail", "en"), with_colon("Adresse e-mail", "fr")
    ('E-mail:', 'Adresse e-mail\u00a0:')
    """
    text = str(label) if isinstance(label, int) else label
    return text + ("\u00a0:" if (language or current_language()) == "fr" else ":")


def in_one_sentence(parts: Iterable[str], language: str | None = None) -> str:
    """Parts of one sentence separated by semicolons as the reader's language writes them:
    French puts a narrow no-break space before each.

    >>> in_one_sentence(["a", "b"], "nl"), in_one_sentence(["a", "b"], "fr")
    ('a; b', 'a\u202f; b')
    """
    separator = "\u202f; " if (language or current_language()) == "fr" else "; "
    return separator.join(parts)


def quoted(text: str, language: str | None = None) -> str:
    """A quotation in the reader's language's quotation marks: « » with no-break spaces in
    French, “ ” otherwise.

    >>> quoted("Goed", "nl"), quoted("Bien", "fr")
    ('“Goed”', '«\u00a0Bien\u00a0»')
    """
    if (language or current_language()) == "fr":
        return "«\u00a0" + text + "\u00a0»"
    return "“" + text + "”"


def negotiate_language(accept_language: str | None) -> str:
    """Pick the best of our languages from an Accept-Language header."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((-quality, position, primary))
    return sorted(weighted)[0][2] if weighted else DEFAULT_LANGUAGE
