"""What an organisation's pages show of its profile, and the choices of its form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.organisations.models import Organisation
from survey.organisations.reference import (
    MUNICIPALITY_CODES,
    OUTSIDE_BRUSSELS,
    SECTORS,
    SIZE_BANDS,
    format_enterprise_number,
    municipality_name,
)


def choices() -> dict[str, list[tuple[str, str]]]:
    language = current_language()
    return {
        "sectors": [(slug, _(label)) for slug, label in SECTORS.items()],
        "size_bands": [(slug, _(label)) for slug, label in SIZE_BANDS.items()],
        # alphabetical in the reader's language; "outside Brussels" stays last
        "municipalities": sorted(
            ((code, municipality_name(code, language)) for code in MUNICIPALITY_CODES),
            key=lambda choice: (choice[0] == OUTSIDE_BRUSSELS, choice[1].casefold()),
        ),
    }


def profile_values(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "enterprise_number": format_enterprise_number(organisation.enterprise_number),
        "sector": organisation.sector,
        "size_band": organisation.size_band,
        "municipality": organisation.municipality,
        "funded_by_vgc": organisation.funded_by_vgc,
    }


def sector_name(sector: str) -> str:
    """The sector's name in the reader's language (an unknown slug as it is)."""
    return _(SECTORS.get(sector, sector))


def size_band_name(size_band: str) -> str:
    return _(SIZE_BANDS.get(size_band, size_band))


@dataclass(frozen=True, slots=True)
class OrganisationHeader:
    """What a page shows of an organisation above its own content (its page, a coach's
    file, a line of the caseload), in the reader's language."""

    id: int
    name: str
    enterprise_number: str
    sector: str
    size_band: str
    municipality: str
    funded_by_vgc: bool


def organisation_header(organisation: Organisation) -> OrganisationHeader:
    return OrganisationHeader(
        id=organisation.id,
        name=organisation.name,
        enterprise_number=format_enterprise_number(organisation.enterprise_number),
        sector=sector_name(organisation.sector),
        size_band=size_band_name(organisation.size_band),
        municipality=municipality_name(organisation.municipality, current_language()),
        funded_by_vgc=organisation.funded_by_vgc,
    )
