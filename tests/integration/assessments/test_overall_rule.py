"""An overall score only from enough parts (DESIGN §4, §9; issue 10 "An overall score from
almost nothing"): the scored parts must carry at least 60 % of the weight of the parts that
apply, or the overall result is "insufficient data" — no score, maturity, rank or trend, and
no place among the peers of anyone's overall benchmark. Submitting so little stays possible
after a warning; stored results of scoring rules 1 are scored again by ``survey db upgrade``.

The questionnaire has six parts of weight 1: the seven questions of "Visie en beleid" alone
(7 of 41 questions) give that part a score and the others none, 1 of 6 = 16.67 %."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import select, update

from survey.assessments.models import Assessment, AssessmentResult
from survey.assessments.service import rescore_outdated
from survey.benchmarks.recompute import recompute
from survey.cli import main
from tests.factories import login, make_round
from tests.integration.assessments.helpers import (
    DIMENSIONS,
    QUESTIONNAIRE,
    answer,
    api_post,
    form_fields,
    manager_with_assessment,
    nl,
)
from tests.integration.benchmarks.helpers import (
    VISION,
    VISION_SCORE,
    manager_of,
    peers,
    submit_arranged,
)


async def _answer_vision(client: Any, token: str, assessment_id: int) -> None:
    for item_id, value in VISION.items():
        await answer(client, token, assessment_id, item_id, value)


async def _result(client: Any, assessment_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/assessments/{assessment_id}/result")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_one_part_of_six_gives_no_overall_score_rank_or_trend(client, db) -> None:
    a = await manager_with_assessment(client, db)
    last_year = await make_round(db, "2025", "closed")
    # last round this organisation did everything, so a trend would exist if it had a score
    await submit_arranged(db, a.organisation, last_year, 3.5, seed=7)
    # six peers of the same sector and size band, with full answers
    await peers(db, a.round, 6)
    base = f"/api/v1/assessments/{a.assessment_id}"
    await _answer_vision(client, a.token, a.assessment_id)

    # before submitting, the API says what will and will not be scored
    preview = (await client.get(base)).json()["submit_preview"]
    assert preview["overall_status"] == "insufficient_data"
    assert preview["scored_weight_share"] == 16.67
    assert preview["required_weight_share"] == 60.0
    assert preview["scored_dimensions"] == ["visie-en-beleid"]
    assert preview["unscored_dimensions"] == DIMENSIONS[1:]
    assert "Visie en beleid" in preview["message"]
    assert "Personeelsbeleid" in preview["message"]
    assert nl("Submit without an overall score") not in preview["message"]
    assert "17%" in preview["message"] and "60%" in preview["message"]

    submitted = await api_post(client, a.token, f"{base}/submit")  # still allowed
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["submit_preview"] is None  # nothing left to submit

    result = await _result(client, a.assessment_id)
    assert result["rules_version"] == "2"
    assert (result["score"], result["maturity"]) == (None, None)
    assert result["overall_status"] == "insufficient_data"
    assert (result["scored_weight_share"], result["required_weight_share"]) == (16.67, 60.0)
    assert "Visie en beleid" in result["overall_note"] and "60%" in result["overall_note"]
    vision = result["dimensions"][0]
    assert (vision["score"], vision["status"]) == (VISION_SCORE, "scored")
    overall = result["benchmark"]["overall"]
    assert overall["status"] == "no_score"
    assert (overall["percentile_rank"], overall["distribution"], overall["change"]) == (
        None,
        None,
        None,
    )
    assert result["benchmark"]["previous_round"] == "2025"
    # the part itself is still compared, and its change since last round is shown
    assert result["benchmark"]["dimensions"][0]["status"] == "shown"
    assert result["benchmark"]["dimensions"][0]["change"] is not None


async def test_the_assessment_is_no_peer_in_anyones_overall_benchmark(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    others = await peers(db, a.round, 6)
    await _answer_vision(client, a.token, a.assessment_id)
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")

    await manager_of(client, db, others[0])
    async with sessionmaker() as session:
        other_id = await session.scalar(
            select(Assessment.id).where(Assessment.organisation_id == others[0].id)
        )
    benchmark = (await _result(client, other_id))["benchmark"]
    # the five other full peers only; the thin assessment counts in "Visie en beleid" only
    assert benchmark["overall"]["peer_group"]["n_organisations"] == 5
    vision = next(d for d in benchmark["dimensions"] if d["dimension_id"] == "visie-en-beleid")
    assert vision["peer_group"]["n_organisations"] == 6


async def test_the_page_warns_before_submitting_and_shows_insufficient_data(client, db) -> None:
    a = await manager_with_assessment(client, db)
    await _answer_vision(client, a.token, a.assessment_id)
    await login(client, a.manager)

    overview = await client.get(f"/assessments/{a.assessment_id}")
    assert overview.status_code == 200
    warning = overview.text.split('id="submit-preview"', 1)[1].split("</div>", 1)[0]
    assert "Visie en beleid" in warning and "Participatie" in warning
    assert "17%" in warning
    assert not re.search(r"\d %", warning)  # one percent style in Dutch: "60%", never "60 %"
    assert "Er komt geen totaalscore" in warning
    assert nl("Submit without an overall score") in overview.text

    # without JavaScript: the plain form submits
    submit_path = f"/assessments/{a.assessment_id}/submit"
    submitted = await client.post(submit_path, data=form_fields(overview.text, submit_path))
    assert submitted.status_code == 303, submitted.text
    page = await client.get(submitted.headers["location"])
    assert page.status_code == 200
    card = page.text.split('id="overall-score"', 1)[1].split("</div>", 1)[0]
    assert nl("Insufficient data") in card
    assert "Visie en beleid" in card and "17%" in card and "60%" in card
    assert "/100" not in card and "Niveau" not in card

    organisation_page = await client.get(f"/organisations/{a.organisation.id}")
    assert nl("no overall score (insufficient data)") in organisation_page.text


async def test_a_result_not_submitted_yet_says_so(client, db) -> None:
    a = await manager_with_assessment(client, db)
    api = await client.get(f"/api/v1/assessments/{a.assessment_id}/result")
    assert api.status_code == 409
    problem = api.json()
    assert problem["title"] == nl("Not submitted yet")
    assert problem["detail"] == nl(
        "This assessment has not been submitted yet, so it has no scores."
    )

    await login(client, a.manager)
    page = await client.get(f"/assessments/{a.assessment_id}/result")
    assert page.status_code == 409
    assert nl("Not submitted yet") in page.text
    assert nl("This changed in the meantime") not in page.text


async def test_db_upgrade_scores_results_of_rules_1_again(
    client, db, sessionmaker, backend, database_urls, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("SURVEY_ENV", "test")
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SURVEY_DATABASE_URL", database_urls[backend])
    a = await manager_with_assessment(client, db)
    others = await peers(db, a.round, 6)
    await _answer_vision(client, a.token, a.assessment_id)
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")
    # as scoring rules 1 stored it: the one part's score as the overall score
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(AssessmentResult)
            .where(AssessmentResult.assessment_id == a.assessment_id)
            .values(rules_version="1", score=VISION_SCORE, maturity=5)
        )
        await recompute(session, a.round.id, QUESTIONNAIRE, refresh_snapshots=True)
    await manager_of(client, db, others[0])
    async with sessionmaker() as session:
        other_id = await session.scalar(
            select(Assessment.id).where(Assessment.organisation_id == others[0].id)
        )
    before = (await _result(client, other_id))["benchmark"]["overall"]
    assert before["peer_group"]["n_organisations"] == 6  # the thin score counted as a peer
    await db.close()

    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert "Scores of 1 assessment(s) recomputed with scoring rules 2." in capsys.readouterr().out

    async with sessionmaker() as session:
        stored = await session.get(AssessmentResult, a.assessment_id)
        assert stored is not None
        assert (stored.rules_version, stored.score, stored.maturity) == ("2", None, None)
        versions = set(await session.scalars(select(AssessmentResult.rules_version)))
    assert versions == {"2"}
    after = (await _result(client, other_id))["benchmark"]["overall"]
    assert after["peer_group"]["n_organisations"] == 5
    # nothing outdated any more: a second upgrade scores nothing again
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert "Scores of" not in capsys.readouterr().out


async def test_a_reopened_result_of_rules_1_keeps_its_last_submission(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    await _answer_vision_and_submit_thin(client, a)
    await api_post(client, a.token, f"{base}/reopen")
    # answered since the reopening: not part of the last submission
    await answer(client, a.token, a.assessment_id, "vb-missie", 1)
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(AssessmentResult)
            .where(AssessmentResult.assessment_id == a.assessment_id)
            .values(rules_version="1", score=VISION_SCORE, maturity=5)
        )

    async with sessionmaker() as session, session.begin():
        assert await rescore_outdated(session) == 1

    result = await _result(client, a.assessment_id)
    assert (result["rules_version"], result["score"], result["maturity"]) == ("2", None, None)
    assert result["state"] == "reopened"
    # the part keeps the score of the last submission, not of the answers changed since
    assert result["dimensions"][0]["score"] == VISION_SCORE


async def _answer_vision_and_submit_thin(client: Any, a: Any) -> None:
    await _answer_vision(client, a.token, a.assessment_id)
    submitted = await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")
    assert submitted.status_code == 200, submitted.text


async def test_openapi_documents_the_overall_status_and_the_submit_preview(client) -> None:
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    result = schemas["ResultRead"]["properties"]
    assert set(result["overall_status"]["enum"]) == {"scored", "insufficient_data"}
    assert {"scored_weight_share", "required_weight_share", "overall_note"} <= set(result)
    assert "insufficient_data" in result["overall_status"]["description"]
    assert "submit_preview" in schemas["AssessmentRead"]["properties"]
    preview = schemas["SubmitPreview"]
    assert {"scored_dimensions", "unscored_dimensions", "message"} <= set(preview["properties"])
