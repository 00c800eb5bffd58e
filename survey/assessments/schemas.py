from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from survey.accounts.models import Provider
from survey.db import StoredInt
from survey.questionnaires.schema import LocalText
from survey.scoring import AnswerValue

AnswerValueIn = int | float | str | list[str] | None
COMMENT_MAX_LENGTH = 2000


class AssessmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    organisation_id: StoredInt
    questionnaire_id: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    round: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class AnswerWrite(msgspec.Struct, forbid_unknown_fields=True):
    """One answer: ordered items 1–5, "yes" | "partly" | "no", an option id, a list of
    option ids, a number or "unknown", or a text. ``revision`` is the revision the
    change is based on (0 for an item never saved)."""

    revision: StoredInt
    value: AnswerValueIn = None
    not_applicable: bool = False
    comment: Annotated[str, msgspec.Meta(max_length=COMMENT_MAX_LENGTH)] | None = None


class AnswerRead(msgspec.Struct):
    item_id: str
    value: Any
    not_applicable: bool
    comment: str | None
    revision: int
    updated_at: dt.datetime | None


class DimensionProgress(msgspec.Struct):
    dimension_id: str
    answered: int
    applicable: int


class Progress(msgspec.Struct):
    answered: int
    applicable: int
    dimensions: list[DimensionProgress]


class ResponseRead(msgspec.Struct):
    id: int
    consolidated: bool
    answers: dict[str, AnswerRead]
    submitted_at: dt.datetime | None = None


OverallStatus = Literal["scored", "insufficient_data"]


class SubmitPreview(msgspec.Struct):
    """What submitting the answers as they are now would score (DESIGN §4): which parts
    get a score and which do not, and whether there will be an overall score (only when
    the scored parts carry at least ``required_weight_share`` percent of the weight of
    the parts that apply). ``message`` says it in the caller's language."""

    overall_status: OverallStatus
    scored_weight_share: float
    required_weight_share: float
    scored_dimensions: list[str]
    unscored_dimensions: list[str]
    message: str


class AssessmentRead(msgspec.Struct):
    id: int
    organisation_id: StoredInt
    questionnaire_id: str
    questionnaire_version: int
    round: str
    state: str
    can_edit: bool
    submitted_at: dt.datetime | None
    progress: Progress
    response: ResponseRead | None
    submit_preview: Annotated[
        SubmitPreview | None,
        msgspec.Meta(
            description="What submitting now would score: the parts with and without a score, "
            "and whether there will be an overall score (a warning when there will not). "
            "For the manager while the assessment can be submitted; null otherwise."
        ),
    ] = None


class AssessmentSummary(msgspec.Struct):
    id: int
    organisation_id: StoredInt
    questionnaire_id: str
    questionnaire_version: int
    round: str
    state: str
    submitted_at: dt.datetime | None


class DimensionResultRead(msgspec.Struct):
    dimension_id: str
    title: str
    score: float | None
    maturity: int | None
    maturity_description: str | None
    coverage: float
    status: str
    answered_items: int
    applicable_items: int


# --- suggested trajectories (filled in by survey.trajectories through result_extensions) ---

# --- the benchmark of a result (DESIGN §5): the shape is the result's, survey.benchmarks
# fills it (survey.benchmarks.presenters.attach_benchmark, a result extension) -----------

PeerGroupLevel = Literal["sector_size", "sector", "network"]
BenchmarkStatus = Literal["shown", "no_score", "too_few_peers"]


class PeerGroupRead(msgspec.Struct):
    """The peers a figure is built on: same questionnaire and round, other organisations,
    same sector × size band, else same sector, else the whole network; never fewer than 5."""

    level: PeerGroupLevel
    key: str
    label: str
    n_organisations: int


class PeerDistributionRead(msgspec.Struct):
    """Percentiles of the peers' scores, linear interpolation (numpy/R default, Hyndman & Fan type 7).

    Given from 10 peers on (the quartiles); ``p10`` and ``p90`` are null below 20 peers:
    in a smaller group they would be (close to) single peers' own scores."""

    p10: Annotated[
        float | None, msgspec.Meta(description="Null below 20 peers: too close to single peers.")
    ]
    p25: float
    p50: float
    p75: float
    p90: Annotated[
        float | None, msgspec.Meta(description="Null below 20 peers: too close to single peers.")
    ]


class DimensionBenchmarkRead(msgspec.Struct):
    """One dimension (or the overall score): the organisation's score against its peers.

    ``percentile_rank`` = 100 × (peers below + peers at or below) / (2 × peers), i.e.
    ``scipy.stats.percentileofscore(kind="mean")``; ``peer_mean`` is the mean of the
    peers' scores. Without a group of at least five comparable organisations
    (``status == "too_few_peers"``) no peer figure is given. What a group shows grows
    with its size, so that no single peer's score can be worked out (DESIGN §5): with
    5–9 peers the percentile rank and the peers' mean only, rounded to whole points
    (``distribution`` null); the quartiles from 10 peers on; P10 and P90 from 20 on.
    ``privacy_note`` then says, in the caller's language, why figures are missing.
    ``change`` is the score minus the score of the organisation's previous round.
    """

    dimension_id: str | None
    title: str
    score: float | None
    status: BenchmarkStatus
    message: str | None
    peer_group: PeerGroupRead | None
    percentile_rank: Annotated[
        float | None,
        msgspec.Meta(description="Whole points with 5–9 peers; null without 5 peers."),
    ]
    peer_mean: Annotated[
        float | None,
        msgspec.Meta(
            description="Mean of the peers' scores; whole points with 5–9 peers; null without 5 peers."
        ),
    ]
    distribution: Annotated[
        PeerDistributionRead | None,
        msgspec.Meta(
            description="Null below 10 peers: the percentiles of a small group are single peers' scores."
        ),
    ]
    privacy_note: Annotated[
        str | None,
        msgspec.Meta(
            description="Why figures are missing for a group of this size (fewer than 20 peers), in the caller's language."
        ),
    ]
    previous_score: float | None
    change: float | None


class BenchmarkRead(msgspec.Struct):
    """The benchmark of a submitted assessment, as last recomputed."""

    round: str
    computed_at: dt.datetime
    """When these figures last changed: they are recomputed on every submission and reopening
    in the round, and stored again only when they move. The organisation's own score and
    rank are current; the peers are its group's snapshot, which is renewed only once at
    least 5 of the group's organisations changed, and at round close (DESIGN §7)."""
    previous_round: str | None
    overall: DimensionBenchmarkRead
    dimensions: list[DimensionBenchmarkRead]


# --- suggested trajectories ---------------------------------------------------------------

SuggestionsStatus = Literal["suggested", "none_matched", "no_scores"]
PeerStatistic = Literal["median", "mean"]
Intensity = Literal["information", "training", "coaching"]


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


class ResultRead(msgspec.Struct):
    """The stored scores of an assessment. ``overall_status`` is ``insufficient_data``
    (``score`` and ``maturity`` null, no overall rank or change under ``benchmark``) when
    the scored parts carry less than ``required_weight_share`` percent of the weight of
    the parts that apply (``scored_weight_share``); ``overall_note`` then explains it in
    the caller's language."""

    assessment_id: int
    state: str
    rules_version: str
    score: float | None
    maturity: int | None
    coverage: float
    computed_at: dt.datetime
    dimensions: list[DimensionResultRead]
    overall_status: Annotated[
        OverallStatus,
        msgspec.Meta(
            description="insufficient_data: no overall score, maturity, percentile rank or "
            "change, because the parts with a score carry less than required_weight_share "
            "percent of the weight of the parts that apply (DESIGN §4)."
        ),
    ] = "scored"
    scored_weight_share: Annotated[
        float,
        msgspec.Meta(
            description="Percent of the weight of the parts that apply that the scored parts carry."
        ),
    ] = 100.0
    required_weight_share: float = 60.0
    overall_note: Annotated[
        str | None,
        msgspec.Meta(description="Why there is no overall score, in the caller's language."),
    ] = None
    items_with_evidence: list[str] = []
    # Peer benchmark and change since the previous round (DESIGN §5); None until computed.
    benchmark: BenchmarkRead | None = None
    # Suggested support trajectories, ranked (DESIGN §6, §9; survey.trajectories.suggestions).
    suggestions: list[SuggestionRead] = []
    suggestions_status: Annotated[
        SuggestionsStatus,
        msgspec.Meta(
            description="suggested: see `suggestions`; none_matched: no trajectory's rules hold "
            "on the parts with a score; no_scores: no part has a score, so nothing is suggested "
            "(`suggestions_note` says what is needed)."
        ),
    ] = "no_scores"
    suggestions_note: Annotated[
        str | None,
        msgspec.Meta(description="Why there are no suggestions, in the caller's language."),
    ] = None


class QuestionnaireSummary(msgspec.Struct):
    id: str
    version: int
    title: LocalText
    dimensions: int
    items: int
