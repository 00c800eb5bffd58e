"""Pure scoring of N-scan responses (DESIGN §4, §9): item scores, dimension and overall
scores, maturity levels, and consensus over several respondents.

No web or ORM imports: functions over questionnaire Structs, numpy arrays and pandas
frames. A service loads stored answers, calls these functions and stores the result
together with :data:`RULES_VERSION`.
"""

from survey.scoring.consensus import (
    consensus_frame,
    interquartile_range,
    lower_median,
    most_frequent,
    needs_discussion,
    rwg,
)
from survey.scoring.core import (
    MIN_COVERAGE,
    MIN_SCORED_WEIGHT_SHARE,
    RULES_VERSION,
    dimension_scores,
    has_enough_scored_weight,
    maturity_level,
    overall_scores,
    round_half_up,
    scored_weight_share,
)
from survey.scoring.items import AnswerValue, StoredAnswer, applicable_item_ids, item_score
from survey.scoring.response import (
    DimensionScore,
    ResponseScore,
    answers_frame,
    score_response,
    score_responses,
)

__all__ = [
    "MIN_COVERAGE",
    "MIN_SCORED_WEIGHT_SHARE",
    "RULES_VERSION",
    "AnswerValue",
    "DimensionScore",
    "ResponseScore",
    "StoredAnswer",
    "answers_frame",
    "applicable_item_ids",
    "consensus_frame",
    "dimension_scores",
    "has_enough_scored_weight",
    "interquartile_range",
    "item_score",
    "lower_median",
    "maturity_level",
    "most_frequent",
    "needs_discussion",
    "overall_scores",
    "round_half_up",
    "rwg",
    "score_response",
    "score_responses",
    "scored_weight_share",
]
