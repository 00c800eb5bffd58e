"""Consolidation: the organisation's response starts from the respondents' answers, shows the
spread and agreement, flags strong disagreement, and stays the manager's to change."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.assessments.helpers import (
    answer,
    api_post,
    manager_with_assessment,
    nl,
)
from tests.integration.respondents.helpers import (
    submitted_by,
)

# vb-missie (maturity): 1, 3, 5 → start 3, IQR .5, r_wg 0 → discuss
# vb-leiding (maturity): 4, 4, 5 → start 4, IQR .125, r_wg 5/6
ANSWERS = {
    "Ann": {"vb-missie": 1, "vb-leiding": 4},
    "Bert": {"vb-missie": 3, "vb-leiding": 4},
    "Chaima": {"vb-missie": 5, "vb-leiding": 5},
}


async def three_submitted_responses(client: Any, db: Any, settings: Any) -> Any:
    setup = await manager_with_assessment(client, db)
    await submitted_by(client, settings, setup, ANSWERS)
    return setup


async def test_consolidation_shows_median_spread_agreement_and_the_flag(
    client, db, settings
) -> None:
    setup = await three_submitted_responses(client, db, settings)
    body = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/consolidation")).json()
    assert body["submitted_responses"] == 3
    items = {i["item_id"]: i for i in body["items"]}
    missie, leiding = items["vb-missie"], items["vb-leiding"]
    assert (missie["suggestion"], missie["iqr"], missie["rwg"], missie["needs_discussion"]) == (
        3,
        0.5,
        0.0,
        True,
    )
    assert (leiding["suggestion"], leiding["iqr"], leiding["needs_discussion"]) == (4, 0.125, False)
    assert abs(leiding["rwg"] - 5 / 6) < 1e-9
    assert [a["name"] for a in missie["answers"]] == ["Ann", "Bert", "Chaima"]

    page = await client.get(f"/assessments/{setup.assessment_id}/consolidation")
    assert page.status_code == 200
    assert nl("discuss") in page.text
    assert "Chaima" in page.text


async def test_prefill_fills_empty_answers_and_keeps_the_managers_own_unless_asked(
    client, db, settings, sessionmaker
) -> None:
    setup = await three_submitted_responses(client, db, settings)
    await answer(client, setup.token, setup.assessment_id, "vb-leiding", 2)  # the manager decided
    response = await client.post(
        f"/api/v1/assessments/{setup.assessment_id}/consolidation/prefill",
        json={"overwrite": False},
        headers={"x-csrftoken": setup.token},
    )
    assert response.status_code == 200
    assert response.json()["changed"] == 1
    own = (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).json()["response"][
        "answers"
    ]
    assert own["vb-missie"]["value"] == 3
    assert own["vb-leiding"]["value"] == 2

    again = await client.post(
        f"/api/v1/assessments/{setup.assessment_id}/consolidation/prefill",
        json={"overwrite": True},
        headers={"x-csrftoken": setup.token},
    )
    assert again.json()["changed"] == 1
    own = (await client.get(f"/api/v1/assessments/{setup.assessment_id}")).json()["response"][
        "answers"
    ]
    assert own["vb-leiding"]["value"] == 4
    # The manager can still change any value before submitting.
    await answer(client, setup.token, setup.assessment_id, "vb-missie", 2)
    submitted = await api_post(
        client, setup.token, f"/api/v1/assessments/{setup.assessment_id}/submit"
    )
    assert submitted.status_code == 200
    result = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/result")).json()
    assert result["state"] == "submitted"


async def test_prefill_without_submitted_responses_is_refused(client, db) -> None:
    setup = await manager_with_assessment(client, db)
    response = await client.post(
        f"/api/v1/assessments/{setup.assessment_id}/consolidation/prefill",
        json={},
        headers={"x-csrftoken": setup.token},
    )
    assert response.status_code == 409


async def test_the_managers_questions_show_what_the_respondents_said(client, db, settings) -> None:
    setup = await three_submitted_responses(client, db, settings)
    page = await client.get(f"/assessments/{setup.assessment_id}/dimensions/visie-en-beleid")
    lines = re.findall(r'<p class="respondents-line">([^<]*)</p>', page.text)
    assert len(lines) == 2  # vb-missie and vb-leiding were answered by the respondents
    # In words, not as figures (spread 0,50 · agreement 0,00): the figures and what they mean
    # are on the consolidation page.
    missie = next(line for line in lines if nl("answers far apart: talk it through") in line)
    leiding = next(line for line in lines if line != missie)
    assert nl("answers close together") in leiding
    assert not re.search(r"\d,\d", missie + leiding), (missie, leiding)
