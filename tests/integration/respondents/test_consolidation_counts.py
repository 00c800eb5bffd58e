"""Consolidation of team counts ("Diverse teams"): respondents' counts that do not add up are
marked, and a starting value that would break a count rule is not filled into the
organisation's answer (which must follow the rules)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from survey.assessments.models import Assessment
from survey.questionnaires.models import QuestionnaireVersion
from tests.integration.assessments.helpers import (
    Setup,
    manager_with_assessment,
    nl,
)
from tests.integration.respondents.helpers import (
    submitted_by,
)

TOTAL, PART = "tc-personeel-totaal", "tc-personeel-migratie"


async def diverse_teams_with_responses(
    client: Any, db: Any, settings: Any, answers: dict[str, dict[str, Any]], version: int = 2
) -> Setup:
    """A "Diverse teams" assessment on ``version`` whose respondents submitted ``answers``."""
    setup = await manager_with_assessment(client, db, questionnaire_id="diverse-teams")
    assessment_id = setup.assessment_id
    if version != 2:
        version_id = await db.scalar(
            select(QuestionnaireVersion.id).where(
                QuestionnaireVersion.questionnaire_id == "diverse-teams",
                QuestionnaireVersion.version == version,
            )
        )
        await db.execute(
            update(Assessment)
            .where(Assessment.id == assessment_id)
            .values(questionnaire_version_id=version_id)
        )
        await db.commit()
    await submitted_by(client, settings, setup, answers)
    return setup


async def test_starting_values_that_do_not_add_up_are_marked_and_not_filled_in(
    client, db, settings, sessionmaker
) -> None:
    # Each response follows the rules; the medians do not: staff 4 (only Bert knows),
    # with a migration background 8 (the lower median of 10 and 8).
    setup = await diverse_teams_with_responses(
        client,
        db,
        settings,
        {
            "Ann": {TOTAL: "unknown", PART: 10},
            "Bert": {TOTAL: 4, PART: "unknown"},
            "Chaima": {TOTAL: "unknown", PART: 8},
        },
    )
    url = f"/api/v1/assessments/{setup.assessment_id}/consolidation"
    items = {i["item_id"]: i for i in (await client.get(url)).json()["items"]}
    assert (items[TOTAL]["suggestion"], items[PART]["suggestion"]) == (4, 8)
    assert items[PART]["count_problem"] == nl("more than question %(question)s", question="3.2")
    assert items[TOTAL]["count_problem"] == nl("less than question %(question)s", question="3.3")
    page = (await client.get(f"/assessments/{setup.assessment_id}/consolidation")).text
    assert nl("does not add up") in page

    prefill = await client.post(
        f"{url}/prefill", json={"overwrite": False}, headers={"x-csrftoken": setup.token}
    )
    assert prefill.status_code == 200, prefill.text
    assert prefill.json()["skipped"] == [PART]
    own = (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).json()["response"]
    assert own["answers"][TOTAL]["value"] == 4
    assert PART not in own["answers"]


async def test_the_form_prefill_says_which_questions_were_left_out(client, db, settings) -> None:
    setup = await diverse_teams_with_responses(
        client,
        db,
        settings,
        {"Ann": {TOTAL: "unknown", PART: 10}, "Bert": {TOTAL: 4, PART: "unknown"}},
    )
    response = await client.post(
        f"/assessments/{setup.assessment_id}/consolidation",
        data={"overwrite": "1"},
        headers={"x-csrftoken": setup.token},
    )
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    left_out = nl(
        "Not filled in, because the counts do not add up: questions %(questions)s. "
        "Fill them in yourself.",
        questions="3.3",
    )
    assert left_out in page


async def test_version_1_counts_of_a_respondent_that_break_the_rules_are_marked(
    client, db, settings
) -> None:
    setup = await diverse_teams_with_responses(
        client,
        db,
        settings,
        {"Ann": {TOTAL: 5, PART: 10}, "Bert": {TOTAL: 5, PART: 2.5}},
        version=1,
    )
    url = f"/api/v1/assessments/{setup.assessment_id}/consolidation"
    items = {i["item_id"]: i for i in (await client.get(url)).json()["items"]}
    problems = {
        item_id: [a.get("count_problem") for a in items[item_id]["answers"]]
        for item_id in (TOTAL, PART)
    }
    assert problems == {
        TOTAL: [nl("less than question %(question)s", question="3.3"), None],
        PART: [
            nl("more than question %(question)s", question="3.2"),
            nl("not a whole number"),
        ],
    }
    page = (await client.get(f"/assessments/{setup.assessment_id}/consolidation")).text
    assert nl("not a whole number") in page
