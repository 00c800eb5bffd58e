"""Reference lists of DESIGN §2: sectors, size bands, Brussels municipalities."""

from __future__ import annotations

import re

from survey.i18n import N_, gettext

SECTORS: dict[str, str] = {
    "culture-community": N_("Culture and community centres"),
    "youth-work": N_("Youth work"),
    "sport": N_("Sport"),
    "welfare": N_("Welfare"),
    "health": N_("Health"),
    "family-childcare": N_("Family and childcare"),
    "education": N_("Education"),
    "adult-education-language": N_("Adult education and language learning"),
    "volunteering-associations": N_("Volunteering and associations"),
    "local-public-service": N_("Local public service"),
    "other": N_("Other"),
}

SIZE_BANDS: dict[str, str] = {
    "1-9": N_("1 to 9 FTE"),
    "10-49": N_("10 to 49 FTE"),
    "50-249": N_("50 to 249 FTE"),
    "250+": N_("250 FTE or more"),
}

# Official NIS codes; names in Dutch and French (English uses the bilingual form).
MUNICIPALITIES: dict[str, tuple[str, str]] = {
    "21001": ("Anderlecht", "Anderlecht"),
    "21002": ("Oudergem", "Auderghem"),
    "21003": ("Sint-Agatha-Berchem", "Berchem-Sainte-Agathe"),
    "21004": ("Brussel", "Bruxelles"),
    "21005": ("Etterbeek", "Etterbeek"),
    "21006": ("Evere", "Evere"),
    "21007": ("Vorst", "Forest"),
    "21008": ("Ganshoren", "Ganshoren"),
    "21009": ("Elsene", "Ixelles"),
    "21010": ("Jette", "Jette"),
    "21011": ("Koekelberg", "Koekelberg"),
    "21012": ("Sint-Jans-Molenbeek", "Molenbeek-Saint-Jean"),
    "21013": ("Sint-Gillis", "Saint-Gilles"),
    "21014": ("Sint-Joost-ten-Node", "Saint-Josse-ten-Noode"),
    "21015": ("Schaarbeek", "Schaerbeek"),
    "21016": ("Ukkel", "Uccle"),
    "21017": ("Watermaal-Bosvoorde", "Watermael-Boitsfort"),
    "21018": ("Sint-Lambrechts-Woluwe", "Woluwe-Saint-Lambert"),
    "21019": ("Sint-Pieters-Woluwe", "Woluwe-Saint-Pierre"),
}
OUTSIDE_BRUSSELS = "outside"
MUNICIPALITY_CODES: tuple[str, ...] = (*MUNICIPALITIES, OUTSIDE_BRUSSELS)


def municipality_name(code: str, language: str) -> str:
    if code == OUTSIDE_BRUSSELS:
        return gettext("Outside Brussels")
    dutch, french = MUNICIPALITIES[code]
    if language == "fr":
        return french
    if language == "nl" or dutch == french:
        return dutch
    return f"{dutch} / {french}"


_SEPARATORS = re.compile(r"[\s.\-]")


def normalise_enterprise_number(raw: str) -> str | None:
    """Return the ten digits of a valid KBO/BCE number, or None when it is not valid.

    Dots, spaces, dashes and a ``BE`` prefix are accepted. Valid when
    97 − (first eight digits mod 97) equals the last two digits.

    >>> normalise_enterprise_number("BE 0403.170.701")
    '0403170701'
    """
    cleaned = _SEPARATORS.sub("", raw.strip()).upper()
    cleaned = cleaned.removeprefix("BE")
    if len(cleaned) == 9 and cleaned.isdigit():
        cleaned = "0" + cleaned  # old nine-digit form
    if len(cleaned) != 10 or not cleaned.isdigit():
        return None
    base, check = int(cleaned[:8]), int(cleaned[8:])
    return cleaned if 97 - (base % 97) == check else None


def format_enterprise_number(digits: str) -> str:
    """0403170701 -> 0403.170.701"""
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def enterprise_number_from_base(base: int) -> str:
    """The valid enterprise number whose first eight digits are ``base``."""
    if not 0 <= base < 100_000_000:
        raise ValueError("base must have at most eight digits")
    return f"{base:08d}{97 - (base % 97):02d}"
