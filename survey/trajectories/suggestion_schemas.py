"""What the API and the pages show of the catalogue and of the suggestions (DESIGN §9)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from survey.accounts.models import Provider
from survey.trajectories.catalogue import Intensity


class TextsRead(msgspec.Struct):
    """One text in the three languages of the product."""

    nl: str
    fr: str
    en: str


class DimensionRefRead(msgspec.Struct):
    questionnaire_id: str
    dimension_id: str
    title: Annotated[str, msgspec.Meta(description="In the caller's language.")]


class ContactRead(msgspec.Struct):
    name: str
    url: str
    email: str | None


class TrajectoryRead(msgspec.Struct):
    """One trajectory of the catalogue. ``name``, ``description`` and ``intensity_label`` are
    in the caller's language; ``titles`` and ``descriptions`` give all three."""

    id: str
    provider: Annotated[
        Provider, msgspec.Meta(description="The lead provider, who receives a request.")
    ]
    partner: Annotated[
        Provider | None,
        msgspec.Meta(description="For a joint trajectory: the partner, whose coaches see it too."),
    ]
    provider_name: str
    intensity: Intensity
    intensity_label: str
    name: str
    description: str
    titles: TextsRead
    descriptions: TextsRead
    dimensions: list[DimensionRefRead]
    contact: ContactRead
