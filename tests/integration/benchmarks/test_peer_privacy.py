"""What a peer group shows grows with its size, so that no single peer's score can be worked
out (DESIGN §5): with 5–9 peers the percentile rank and the peers' mean in whole points, the
quartiles from 10 peers, P10 and P90 from 20 — in the API, in the table and in the chart."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.assessments.models import Assessment, AssessmentResult, DimensionResult
from survey.benchmarks.recompute import recompute
from survey.organisations.models import Organisation
from survey.questionnaires.publishing import definition_of, latest_versions
from tests.factories import api_login, login, make_round, make_user
from tests.integration.assessments.helpers import (
    QUESTIONNAIRE,
    html_escape,
    manager_with_assessment,
    nl,
)
from tests.integration.benchmarks.helpers import (
    DIMENSION,
    VISION_SCORE,
    assessment_of,
    peers,
    stored_scores,
    submitted_peer,
)
from tests.integration.benchmarks.test_benchmark_result import (
    SHOWN,
    _answer_vision_and_submit,
    _benchmark,
    _by_dimension,
    _expected,
    _own_overall,
)

OVERALL = "overall"


async def _scores_by_peer(sessionmaker: Any, organisations: list[Organisation]) -> list[dict]:
    """Per organisation its stored scores: every dimension with a score, and the overall."""
    ids = [o.id for o in organisations]
    async with sessionmaker() as db:
        assessments = dict(
            (
                await db.execute(
                    select(Assessment.id, AssessmentResult.score)
                    .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
                    .where(Assessment.organisation_id.in_(ids))
                )
            ).all()
        )
        dimensions = (
            await db.execute(
                select(
                    DimensionResult.assessment_id,
                    DimensionResult.dimension_id,
                    DimensionResult.score,
                ).where(
                    DimensionResult.assessment_id.in_(assessments),
                    DimensionResult.score.is_not(None),
                )
            )
        ).all()
    scores: dict[int, dict] = {
        assessment: {OVERALL: overall} for assessment, overall in assessments.items()
    }
    for assessment, dimension_id, score in dimensions:
        scores[assessment][dimension_id] = score
    return list(scores.values())


def _shown(figure: dict) -> dict:
    return {k: figure[k] for k in SHOWN}


def _consistent_other_peers(
    peer_scores: list[dict],
    dimension_id: str,
    weights: dict[str, float],
    own: dict[str, float],
    seen: dict[str, dict],
) -> list[dict] | None:
    """Other peer scores that give exactly the figures ``seen`` (every dimension and the
    overall), differing from ``peer_scores`` in ``dimension_id``: two peers on the same side
    of the organisation's own score move to their average, their overall scores (weighted
    means of their dimension scores) follow. None when no such pair exists."""
    with_score = [p for p in peer_scores if dimension_id in p]
    for first, second in itertools.combinations(with_score, 2):
        low, high = sorted((first[dimension_id], second[dimension_id]))
        if low == high or (low < own[dimension_id] < high) or own[dimension_id] in (low, high):
            continue
        middle = (low + high) / 2
        other = [dict(p) for p in peer_scores]
        for index, peer in enumerate(peer_scores):
            if peer is first or peer is second:
                moved = other[index]
                weight = sum(weights[d] for d in moved if d != OVERALL)
                moved[OVERALL] = (
                    moved[OVERALL] + weights[dimension_id] * (middle - moved[dimension_id]) / weight
                )
                moved[dimension_id] = middle
        if all(
            _expected(own[scope], [p[scope] for p in other if scope in p]) == figures
            for scope, figures in seen.items()
        ):
            return other
    return None


@pytest.mark.parametrize("n_peers", [5, 7, 9])
async def test_nobody_can_rebuild_the_peer_scores_from_what_a_small_group_shows(
    client, db, sessionmaker, n_peers: int
) -> None:
    round_ = await make_round(db, "2026")
    attacker = await submitted_peer(db, round_, 2.9, seed=999)
    others = await peers(db, round_, n_peers)
    await recompute(db, round_.id, QUESTIONNAIRE)
    await db.commit()
    manager = await make_user(db, Role.MANAGER, attacker)
    await api_login(client, manager)
    assessment_id = await assessment_of(sessionmaker, attacker)

    # everything the group shows the attacker: every dimension and the overall score
    benchmark = await _benchmark(client, assessment_id)
    figures = {**_by_dimension(benchmark), OVERALL: benchmark["overall"]}
    assert all(f["status"] == "shown" for f in figures.values())
    assert {f["peer_group"]["n_organisations"] for f in figures.values()} == {n_peers}
    seen = {scope: _shown(f) for scope, f in figures.items()}
    own = {scope: f["score"] for scope, f in figures.items()}
    for figure in figures.values():
        assert figure["distribution"] is None  # no percentile: each would be a peer's score
        assert figure["percentile_rank"] == round(figure["percentile_rank"])
        assert figure["peer_mean"] == round(figure["peer_mean"])
    # the result page shows the same and nothing more: no percentile in the table or chart
    await login(client, manager)
    html = (await client.get(f"/assessments/{assessment_id}/result")).text
    for scope, figure in figures.items():
        row_id = "overall" if scope == OVERALL else scope
        row = re.search(rf'id="benchmark-{row_id}">(.*?)</tr>', html, re.S)
        assert row, scope
        cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
        assert cells[2:] == [
            f"{figure['percentile_rank']:.0f}",
            f"{figure['peer_mean']:.0f}",
            str(n_peers),  # no percentile column at all: no group here may show one
        ]
    assert 'class="peer-box"' not in html and 'class="whisker"' not in html
    assert html.count('class="peer-mean"') == len(figures)

    # the real peer scores give exactly what is shown...
    real = await _scores_by_peer(sessionmaker, others)
    assert all(
        _expected(own[scope], [p[scope] for p in real if scope in p]) == figures
        for scope, figures in seen.items()
    )
    # ...and so do other peer scores, for every dimension: none of them can be rebuilt
    version = (await latest_versions(db))[QUESTIONNAIRE]
    weights = {d.id: d.weight for d in definition_of(version).dimensions}
    for dimension_id in weights:
        other = _consistent_other_peers(real, dimension_id, weights, own, seen)
        assert other is not None, f"{dimension_id}: the peer scores are determined"
        assert sorted(p[dimension_id] for p in other) != sorted(p[dimension_id] for p in real)


@pytest.mark.parametrize(
    ("n_peers", "tails"), [(10, False), (19, False), (20, True)], ids=["10", "19", "20"]
)
async def test_quartiles_from_ten_peers_and_the_outer_percentiles_from_twenty(
    client, db, sessionmaker, n_peers: int, tails: bool
) -> None:
    setup = await manager_with_assessment(client, db)
    others = await peers(db, setup.round, n_peers)

    await _answer_vision_and_submit(client, db, setup)
    benchmark = await _benchmark(client, setup.assessment_id)

    scores = await stored_scores(sessionmaker, others)
    vision = _by_dimension(benchmark)[DIMENSION]
    assert vision["peer_group"]["n_organisations"] == n_peers
    assert _shown(vision) == _expected(VISION_SCORE, scores[DIMENSION])
    own_overall = await _own_overall(client, setup.assessment_id)
    assert _shown(benchmark["overall"]) == _expected(own_overall, scores["overall"])
    distribution = vision["distribution"]
    assert None not in (distribution["p25"], distribution["p50"], distribution["p75"])
    assert (distribution["p10"] is not None, distribution["p90"] is not None) == (tails, tails)
    assert (vision["privacy_note"] is None) == tails

    await login(client, setup.manager)
    html = (await client.get(f"/assessments/{setup.assessment_id}/result")).text
    assert 'class="peer-box"' in html  # the quartiles are drawn...
    assert ('class="whisker"' in html) == tails  # ...the whiskers only from 20 peers
    table = html.split('id="benchmark-table"', 1)[1].split("</thead>", 1)[0]
    assert f">{html_escape(nl('Median'))}<" in table  # the quartile columns are there...
    assert (f">{html_escape(nl('10th pct.'))}<" in table) == tails  # ...P10 only from 20 peers
    note = nl(
        "With fewer than %(tails)s comparable organisations the 10th and 90th percentiles are not shown: they would come too close to single organisations' scores.",
        tails=20,
    )
    assert (html_escape(note) in html) == (not tails)


async def test_the_openapi_document_says_why_peer_figures_may_be_null(client) -> None:
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    figure = next(v for k, v in schemas.items() if k.endswith("DimensionBenchmarkRead"))
    for field in ("percentile_rank", "peer_mean", "distribution", "privacy_note"):
        assert "peers" in str(figure["properties"][field]), field
    distribution = next(v for k, v in schemas.items() if k.endswith("PeerDistributionRead"))
    assert "20 peers" in str(distribution["properties"]["p10"])
