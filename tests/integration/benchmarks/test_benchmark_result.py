"""The peer benchmark on the result page and in the API (DESIGN §5, §8): shown with five
comparable organisations, hidden with four, the organisation never among its own peers,
recomputed when an assessment is submitted or reopened, and the change since last round."""

from __future__ import annotations

import re

import msgspec
import numpy as np
from scipy import stats

from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import content_hash
from survey.questionnaires.schema import Questionnaire
from survey.scoring import round_half_up
from tests.factories import api_login, login, make_round
from tests.integration.assessments.helpers import (
    answer,
    api_post,
    html_escape,
    manager_with_assessment,
    nl,
)
from tests.integration.benchmarks.helpers import (
    DIMENSION,
    VISION,
    VISION_SCORE,
    answer_more_parts,
    assessment_of,
    manager_of,
    peers,
    stored_scores,
    submit_arranged,
    submitted_peer,
)
from tests.unit.test_questionnaire_versions import version_two


async def _answer_vision_and_submit(client, db, setup) -> None:
    """Answer "Visie en beleid" (and three more parts, for an overall score) and submit."""
    for item_id, value in VISION.items():
        await answer(client, setup.token, setup.assessment_id, item_id, value)
    await answer_more_parts(db, setup.assessment_id)
    submitted = await api_post(
        client, setup.token, f"/api/v1/assessments/{setup.assessment_id}/submit"
    )
    assert submitted.status_code == 200, submitted.text


async def _own_overall(client, assessment_id: int) -> float:
    response = await client.get(f"/api/v1/assessments/{assessment_id}/result")
    score = response.json()["score"]
    assert score is not None
    return float(score)


async def _benchmark(client, assessment_id: int) -> dict:
    response = await client.get(f"/api/v1/assessments/{assessment_id}/result")
    assert response.status_code == 200, response.text
    return response.json()["benchmark"]


def _by_dimension(benchmark: dict) -> dict[str, dict]:
    return {d["dimension_id"]: d for d in benchmark["dimensions"]}


def _expected(own: float, peer_scores: list[float]) -> dict:
    """What a group of these peers shows (DESIGN §5): with 5–9 peers the rank and the mean in
    whole points; the quartiles from 10 peers; P10 and P90 from 20."""
    n = len(peer_scores)
    digits = 0 if n < 10 else 2
    rank = stats.percentileofscore(peer_scores, own, kind="mean")
    values = np.percentile(peer_scores, [10, 25, 50, 75, 90])
    distribution = (
        {
            f"p{q}": round_half_up(float(value)) if n >= 20 or 25 <= q <= 75 else None
            for q, value in zip((10, 25, 50, 75, 90), values, strict=True)
        }
        if n >= 10
        else None
    )
    return {
        "percentile_rank": round_half_up(rank, digits),
        "peer_mean": round_half_up(float(np.mean(peer_scores)), digits),
        "distribution": distribution,
    }


SHOWN = ("percentile_rank", "peer_mean", "distribution")


async def test_five_comparable_organisations_give_a_benchmark_in_the_api(
    client, db, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    others = await peers(db, setup.round, 5)

    await _answer_vision_and_submit(client, db, setup)
    benchmark = await _benchmark(client, setup.assessment_id)

    scores = await stored_scores(sessionmaker, others)
    overall = benchmark["overall"]
    # sector × size band, five organisations: the others, never the organisation itself
    assert overall["status"] == "shown"
    assert overall["peer_group"]["level"] == "sector_size"
    assert overall["peer_group"]["key"] == "youth-work|10-49"
    assert overall["peer_group"]["n_organisations"] == 5
    own_overall = await _own_overall(client, setup.assessment_id)
    assert overall["score"] == own_overall
    assert {k: overall[k] for k in SHOWN} == _expected(own_overall, scores["overall"])
    assert overall["distribution"] is None  # five peers: no percentiles, only rank and mean
    assert overall["privacy_note"] is not None
    vision = _by_dimension(benchmark)[DIMENSION]
    assert vision["status"] == "shown" and vision["peer_group"]["n_organisations"] == 5
    assert {k: vision[k] for k in SHOWN} == _expected(VISION_SCORE, scores[DIMENSION])
    # the parts left unanswered have no score, so no comparison
    staff = _by_dimension(benchmark)["personeelsbeleid"]
    assert (staff["status"], staff["percentile_rank"], staff["distribution"]) == (
        "no_score",
        None,
        None,
    )
    assert benchmark["round"] == setup.round.name and benchmark["previous_round"] is None


async def test_the_result_page_shows_charts_table_and_peer_group(client, db, sessionmaker) -> None:
    setup = await manager_with_assessment(client, db)
    others = await peers(db, setup.round, 5)
    await _answer_vision_and_submit(client, db, setup)
    await login(client, setup.manager)

    page = await client.get(f"/assessments/{setup.assessment_id}/result")

    assert page.status_code == 200
    html = page.text
    benchmark = await _benchmark(client, setup.assessment_id)
    group = benchmark["overall"]["peer_group"]
    assert (
        html_escape(
            nl(
                "Peer group: %(group)s, %(n)s organisations that submitted this questionnaire in round %(round)s. Your own organisation is not one of them.",
                group=group["label"],
                n=5,
                round=setup.round.name,
            )
        )
        in html
    )
    # the percentile chart and the profile are images with a text alternative
    assert html.count('role="img"') >= 3
    assert 'aria-labelledby="percentile-title percentile-desc"' in html
    assert 'aria-labelledby="radar-title radar-desc"' in html
    scores = await stored_scores(sessionmaker, others)
    mean = _expected(VISION_SCORE, scores[DIMENSION])["peer_mean"]
    row = re.search(r'id="benchmark-visie-en-beleid">(.*?)</tr>', html, re.S)
    assert row, "no table row for the first part"
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[0] == "84,38"  # Dutch: decimal comma
    assert cells[1] == "—"  # no earlier round: no change
    assert cells[3] == f"{mean:.0f}"  # the peers' mean, in whole points with five peers
    assert cells[4:] == ["5"]  # no percentiles of five peers: no such column, then the peers
    # a part the organisation left unanswered: no score of its own, not a lack of peers
    profile = html.split('id="radar-desc"', 1)[1].split("</span>", 1)[0]
    assert html_escape(nl("No score, so no comparison.")) in profile
    # the text alternatives read as sentences, a part each, with no bare semicolons
    percentiles = html.split('id="percentile-desc"', 1)[1].split("</span>", 1)[0]
    assert "; " not in percentiles and "; " not in profile
    peers_mean = nl("peers' average %(mean)s", mean=f"{mean:.0f}")
    assert f", {html_escape(peers_mean)}." in percentiles
    assert f"{nl('no score')}. {html_escape(nl('No score, so no comparison.'))}" in profile
    no_median = nl("no peer median: too few comparable organisations to show it")
    assert f", {html_escape(no_median)}." in profile
    assert nl("not enough comparable organisations") not in profile
    assert 'style="' not in html and "<script>" not in html  # CSP: no inline styles or scripts


async def test_four_comparable_organisations_are_never_shown(client, db) -> None:
    setup = await manager_with_assessment(client, db)
    await peers(db, setup.round, 4)

    await _answer_vision_and_submit(client, db, setup)
    benchmark = await _benchmark(client, setup.assessment_id)

    for figure in [benchmark["overall"], *benchmark["dimensions"]]:
        assert figure["peer_group"] is None
        assert figure["percentile_rank"] is None
        assert figure["distribution"] is None
    assert benchmark["overall"]["status"] == "too_few_peers"
    await login(client, setup.manager)
    html = (await client.get(f"/assessments/{setup.assessment_id}/result")).text
    assert (
        html_escape(
            nl(
                "Not enough comparable organisations: a comparison needs at least 5 other organisations with a score for this questionnaire in this round."
            )
        )
        in html
    )
    assert "percentile-title" not in html or nl("not enough comparable organisations") in html
    assert 'class="peer-box"' not in html


async def test_four_in_sector_and_size_fall_back_to_the_sector(client, db) -> None:
    setup = await manager_with_assessment(client, db)
    await peers(db, setup.round, 4)
    await submitted_peer(db, setup.round, 3.0, seed=7, size_band="250+")

    await _answer_vision_and_submit(client, db, setup)
    group = (await _benchmark(client, setup.assessment_id))["overall"]["peer_group"]

    assert (group["level"], group["key"], group["n_organisations"]) == ("sector", "youth-work", 5)
    await login(client, setup.manager)
    html = (await client.get(f"/assessments/{setup.assessment_id}/result")).text
    assert (
        html_escape(
            nl(
                "Fewer than 5 other organisations have the same sector and size, so the organisations of the same sector are used."
            )
        )
        in html
    )


async def test_submit_recomputes_and_one_reopening_leaves_the_peers_snapshot(
    client, db, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    others = await peers(db, setup.round, 5)
    await _answer_vision_and_submit(client, db, setup)

    # a peer's manager: four others plus the newly submitted organisation make five
    await manager_of(client, db, others[0])
    peer_assessment = await assessment_of(sessionmaker, others[0])
    shown = await _benchmark(client, peer_assessment)
    assert shown["overall"]["peer_group"]["n_organisations"] == 5

    # reopening changes one member of the group: the peers keep comparing with the
    # group's snapshot (DESIGN §7), so the reopening cannot be seen from outside
    token = await api_login(client, setup.manager)
    reopened = await api_post(client, token, f"/api/v1/assessments/{setup.assessment_id}/reopen")
    assert reopened.status_code == 200, reopened.text
    await manager_of(client, db, others[0])
    assert await _benchmark(client, peer_assessment) == shown

    # submitting again leaves it as it was too
    token = await api_login(client, setup.manager)
    again = await api_post(client, token, f"/api/v1/assessments/{setup.assessment_id}/submit")
    assert again.status_code == 200, again.text
    await manager_of(client, db, others[0])
    assert await _benchmark(client, peer_assessment) == shown


async def test_change_since_the_previous_round(client, db, sessionmaker) -> None:
    setup = await manager_with_assessment(client, db)
    await peers(db, setup.round, 5)
    last_year = await make_round(db, "2025", "closed")
    previous = await submit_arranged(db, setup.organisation, last_year, 2.5, seed=11)
    previous_vision = next(d.score for d in previous.dimensions if d.dimension_id == DIMENSION)
    assert previous.score is not None and previous_vision is not None

    await _answer_vision_and_submit(client, db, setup)
    benchmark = await _benchmark(client, setup.assessment_id)

    assert benchmark["previous_round"] == "2025"
    vision = _by_dimension(benchmark)[DIMENSION]
    assert vision["previous_score"] == previous_vision
    assert vision["change"] == round_half_up(VISION_SCORE - previous_vision)
    assert benchmark["overall"]["previous_score"] == previous.score
    own_overall = await _own_overall(client, setup.assessment_id)
    assert benchmark["overall"]["change"] == round_half_up(own_overall - previous.score)
    await login(client, setup.manager)
    html = (await client.get(f"/assessments/{setup.assessment_id}/result")).text
    assert nl("Change since %(round)s", round="2025") in html
    # the organisation page names last year's questionnaire by its title, with its score
    organisation_page = (await client.get(f"/organisations/{setup.organisation.id}")).text
    assert "Cultuursensitief werken · 2025</a>" in organisation_page
    assert nl("score %(score)s/100", score=f"{previous.score:.0f}") in organisation_page


async def _publish_version_two(db, second: dict) -> None:
    definition = msgspec.convert(second, Questionnaire)
    db.add(
        QuestionnaireVersion(
            questionnaire_id=definition.id,
            version=2,
            definition=msgspec.to_builtins(definition),
            content_hash=content_hash(definition),
        )
    )
    await db.commit()


async def _submit_on_the_newest_version(client, db, round_name: str, answers: dict) -> int:
    setup = await manager_with_assessment(client, db, round_name, new_round=False)
    token, assessment_id = setup.token, setup.assessment_id
    assert (await client.get(f"/api/v1/assessments/{assessment_id}")).json()[
        "questionnaire_version"
    ] == 2
    for item_id, value in answers.items():
        await answer(client, token, assessment_id, item_id, value)
    await answer_more_parts(db, assessment_id)
    submitted = await api_post(client, token, f"/api/v1/assessments/{assessment_id}/submit")
    assert submitted.status_code == 200, submitted.text
    return assessment_id


async def test_peers_on_the_older_version_are_compared_when_the_parts_are_the_same(
    client, db
) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 5)  # on version 1
    # version 2 renames an item (mapped through previous_item_ids); the parts stay the same
    await _publish_version_two(db, version_two({"vb-missie": "vb-missie-en-visie"}))
    answers = {("vb-missie-en-visie" if k == "vb-missie" else k): v for k, v in VISION.items()}

    assessment_id = await _submit_on_the_newest_version(client, db, "2026", answers)
    benchmark = await _benchmark(client, assessment_id)

    assert _by_dimension(benchmark)[DIMENSION]["peer_group"]["n_organisations"] == 5
    assert benchmark["overall"]["peer_group"]["n_organisations"] == 5


async def test_a_renamed_part_has_no_peers_on_the_older_version(client, db) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 5)  # on version 1
    second = version_two({})
    second["dimensions"][0]["id"] = "visie"  # the first part gets another id
    await _publish_version_two(db, second)

    assessment_id = await _submit_on_the_newest_version(client, db, "2026", VISION)
    benchmark = await _benchmark(client, assessment_id)

    renamed = _by_dimension(benchmark)["visie"]
    assert (renamed["status"], renamed["peer_group"], renamed["distribution"]) == (
        "too_few_peers",
        None,
        None,
    )
    # the overall score of another set of parts is not comparable either
    assert benchmark["overall"]["status"] == "too_few_peers"
