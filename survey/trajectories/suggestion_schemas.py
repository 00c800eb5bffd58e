"""What the API and the pages show of the catalogue and of the suggestions (DESIGN §9)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from survey.accounts.models import Provider
from survey.scoring import AnswerValue
from survey.trajectories.catalogue import Intensity
from survey.trajectories.rules import PeerStatistic

SuggestionsStatus = Literal["suggested", "none_matched", "no_scores"]


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


class ReasonFigures(msgspec.Struct):
    """The figures behind a reason. ``gap`` is the shortfall in points (threshold or peer
    figure minus the score; 0 for an answer)."""

    score: float
    maturity: int | None
    gap: float
    threshold: Annotated[
        float | None,
        msgspec.Meta(
            description="The score below which the rule fires (maturity rules: where the next level begins)."
        ),
    ] = None
    peer_figure: Annotated[
        float | None,
        msgspec.Meta(description="The peers' median (10 peers or more) or mean (5–9 peers)."),
    ] = None
    peer_statistic: PeerStatistic | None = None
    n_peers: int | None = None
    answer: AnswerValue = None


class ReasonRead(msgspec.Struct):
    """Why a trajectory is suggested: one dimension (or one answer to an item) in plain
    words, with the figures; or the organisation's coach suggested it (``kind`` ``coach``:
    no dimension, no figures)."""

    text: str
    dimension: str | None
    item: str | None
    figures: ReasonFigures | None
    kind: Literal["result", "answer", "coach"] = "result"


class SuggestionRead(msgspec.Struct):
    """A suggested trajectory. Ranked by ``gap`` (the largest shortfall in points among its
    reasons), then ``fit`` (how many of its rules matched, plus one when the organisation's
    coach suggested it), then catalogue order."""

    rank: int
    trajectory_id: str
    provider: Provider
    partner: Provider | None
    provider_name: str
    partner_name: str | None
    name: str
    description: str
    intensity: Intensity
    intensity_label: str
    gap: float
    fit: int
    reasons: list[ReasonRead]
    coach_suggested: bool = False
