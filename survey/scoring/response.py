"""Score one response: build the tidy frame and run the vectorised core on it."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Literal, TypeVar, cast

import msgspec
import numpy as np
import pandas as pd

from survey.questionnaires.schema import Questionnaire
from survey.scoring.core import (
    ANSWER_COLUMNS,
    RULES_VERSION,
    dimension_scores,
    overall_scores,
)
from survey.scoring.items import StoredAnswer, applicable_item_ids, item_score

__all__ = [
    "DimensionScore",
    "OverallStatus",
    "ResponseScore",
    "answers_frame",
    "score_response",
]

DimensionStatus = Literal["scored", "insufficient_data", "not_applicable", "no_scored_items"]
OverallStatus = Literal["scored", "insufficient_data"]

_UNANSWERED = StoredAnswer()


K = TypeVar("K", bound=Hashable)


class DimensionScore(msgspec.Struct, frozen=True):
    """The score of one dimension of one response.

    ``score`` is 0–100 with two decimals, ``None`` unless ``status == "scored"``;
    ``coverage`` is the answered share of the applicable item weight in percent
    (two decimals; 0 when nothing is applicable). The item counts are over scored
    items only.
    """

    dimension_id: str
    score: float | None
    maturity: int | None
    coverage: float
    status: DimensionStatus
    answered_items: int
    applicable_items: int


class ResponseScore(msgspec.Struct, frozen=True):
    """The scores of one response, with the version of the rules that made them.

    ``status`` is ``insufficient_data`` (``score`` and ``maturity`` None) unless the
    scored dimensions carry at least 60 % of the weight of the dimensions that apply;
    ``scored_weight_share`` is that share in percent (DESIGN §4).
    """

    dimensions: list[DimensionScore]
    score: float | None
    maturity: int | None
    coverage: float
    status: OverallStatus
    scored_weight_share: float
    rules_version: str


def answers_frame(
    questionnaire: Questionnaire,
    answers: Mapping[str, StoredAnswer],
    assessment_id: object = "response",
) -> pd.DataFrame:
    """The tidy frame of one response's scored items, the input of the vectorised core.

    One row per scored item of ``questionnaire`` (unanswered items included, with
    ``item_score`` NaN), columns as :data:`survey.scoring.core.ANSWER_COLUMNS`.
    ``applicable`` is False for an answer marked not applicable and for an item
    whose ``applies_if`` does not hold. Every answered value is validated with
    :func:`survey.scoring.item_score`, unscored items included.

    Raises
    ------
    ValueError
        An answer for an item that is not in the questionnaire, "not applicable"
        on an item that does not allow it, or a value not valid for its item.
    """
    items = questionnaire.items
    known = {item.id for item in items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValueError(f"answers for item(s) not in the questionnaire: {', '.join(unknown)}")
    applies = applicable_item_ids(questionnaire, answers)

    columns: dict[str, list[object]] = {name: [] for name in ANSWER_COLUMNS}
    for dimension in questionnaire.dimensions:
        for item in dimension.items:
            answer = answers.get(item.id, _UNANSWERED)
            if answer.not_applicable and not item.allow_not_applicable:
                raise ValueError(f"item {item.id!r} does not allow 'not applicable'")
            score = None if answer.not_applicable else item_score(item, answer.value)
            if not item.is_scored:
                continue
            columns["assessment_id"].append(assessment_id)
            columns["dimension_id"].append(dimension.id)
            columns["dimension_weight"].append(dimension.weight)
            columns["item_id"].append(item.id)
            columns["item_weight"].append(item.weight)
            columns["item_score"].append(math.nan if score is None else score)
            columns["applicable"].append(item.id in applies and not answer.not_applicable)
    return pd.DataFrame(
        {
            "assessment_id": pd.Series(columns["assessment_id"], dtype=object),
            "dimension_id": pd.Series(columns["dimension_id"], dtype=object),
            "dimension_weight": pd.Series(columns["dimension_weight"], dtype=np.float64),
            "item_id": pd.Series(columns["item_id"], dtype=object),
            "item_weight": pd.Series(columns["item_weight"], dtype=np.float64),
            "item_score": pd.Series(columns["item_score"], dtype=np.float64),
            "applicable": pd.Series(columns["applicable"], dtype=bool),
        }
    )


def _optional_float(value: object) -> float | None:
    number = float(cast(float, value))
    return None if math.isnan(number) else number


def _optional_int(value: object) -> int | None:
    return None if value is pd.NA or value is None else int(cast(int, value))


def score_response(
    questionnaire: Questionnaire, answers: Mapping[str, StoredAnswer]
) -> ResponseScore:
    """Score one response to ``questionnaire`` (DESIGN §4, §9 "Scoring arithmetic").

    ``answers`` maps item id → :class:`StoredAnswer`; a missing id is unanswered.
    The response is turned into the tidy frame of :func:`answers_frame` and
    scored by :func:`survey.scoring.dimension_scores` and
    :func:`survey.scoring.overall_scores`, so one response and a whole round share
    one arithmetic. Dimensions come in questionnaire order; a dimension without
    scored items gets status ``no_scored_items``.

    Examples
    --------
    The worked example of DESIGN §9 — weights 1, 1, 2, 1, 1: maturity level 4
    (0.75), likert 2 (0.25), reversed likert 5 (0), partly (0.5), not applicable —
    gives a dimension score of 100 × 1.5 / 5 = 30.00, coverage 100.00, maturity 2.
    With only that dimension scored out of two of equal weight, the scored share is
    50 % < 60 %: the overall status is ``insufficient_data``, without score or maturity.

    Raises
    ------
    ValueError
        As :func:`answers_frame`.
    """
    return score_responses(questionnaire, {"response": answers})["response"]


def score_responses(
    questionnaire: Questionnaire, responses: Mapping[K, Mapping[str, StoredAnswer]]
) -> dict[K, ResponseScore]:
    """Score many responses to one questionnaire in one vectorised pass.

    The same arithmetic as :func:`score_response`, which calls this with one response;
    the result maps each key of ``responses`` to its :class:`ResponseScore`.
    """
    if not responses:
        return {}
    frame = pd.concat(
        [
            answers_frame(questionnaire, answers, assessment_id=key)
            for key, answers in responses.items()
        ],
        ignore_index=True,
    )
    dimensions = dimension_scores(frame)
    overall = overall_scores(dimensions, frame)
    dimension_rows: dict[object, dict[str, dict[str, object]]] = {}
    for row in dimensions.to_dict("records"):
        dimension_rows.setdefault(row["assessment_id"], {})[str(row["dimension_id"])] = row
    overall_rows = {row["assessment_id"]: row for row in overall.to_dict("records")}
    return {
        key: _response_score(questionnaire, dimension_rows.get(key, {}), overall_rows.get(key))
        for key in responses
    }


def _response_score(
    questionnaire: Questionnaire,
    by_id: Mapping[str, Mapping[str, object]],
    total: Mapping[str, object] | None,
) -> ResponseScore:
    results: list[DimensionScore] = []
    for dimension in questionnaire.dimensions:
        row = by_id.get(dimension.id)
        if row is None:
            results.append(
                DimensionScore(
                    dimension_id=dimension.id,
                    score=None,
                    maturity=None,
                    coverage=0.0,
                    status="no_scored_items",
                    answered_items=0,
                    applicable_items=0,
                )
            )
            continue
        results.append(
            DimensionScore(
                dimension_id=dimension.id,
                score=_optional_float(row["score"]),
                maturity=_optional_int(row["maturity"]),
                coverage=float(cast(float, row["coverage"])),
                status=cast(DimensionStatus, str(row["status"])),
                answered_items=int(cast(int, row["answered_items"])),
                applicable_items=int(cast(int, row["applicable_items"])),
            )
        )
    if total is None:
        return ResponseScore(
            dimensions=results,
            score=None,
            maturity=None,
            coverage=0.0,
            status="insufficient_data",
            scored_weight_share=0.0,
            rules_version=RULES_VERSION,
        )
    return ResponseScore(
        dimensions=results,
        score=_optional_float(total["score"]),
        maturity=_optional_int(total["maturity"]),
        coverage=float(cast(float, total["coverage"])),
        status=cast(OverallStatus, str(total["status"])),
        scored_weight_share=float(cast(float, total["scored_weight_share"])),
        rules_version=RULES_VERSION,
    )
