"""A conditional question: pa-vrijwilligers (participatie) only applies when pb-vrijwilligers
(personeelsbeleid: working with volunteers, "not applicable" allowed) has a level
(YAML: ``applies_if: {item: pb-vrijwilligers, any_of: [1, 2, 3, 4, 5]}``; DESIGN §9: an item
whose applies_if is false leaves the applicable weight)."""

from __future__ import annotations

import pytest

from tests.integration.assessments.helpers import (
    answer,
    api_post,
    manager_with_assessment,
    stored_answers,
)

# participatie without pa-vrijwilligers, all weight 1:
PARTICIPATION = {
    "pa-inspraak": 5,  # 1.00
    "pa-cocreatie": 5,  # 1.00
    "pa-vormen": 3,  # 0.50
    "pa-gebruikersraad": "yes",  # 1.00
    "pa-bestuur": 4,  # 0.75 (likert5)
    "pa-terugkoppeling": "partly",  # 0.50
}
# Without pa-vrijwilligers: 100 × 4.75 / 6 = 79.1666… → 79.17.
# With pa-vrijwilligers at likert 1 (0.00): 100 × 4.75 / 7 = 67.857… → 67.86.


def _dimension(body: dict, dimension_id: str) -> dict:
    return {d["dimension_id"]: d for d in body["dimensions"]}[dimension_id]


@pytest.mark.parametrize(
    ("source", "applies", "score", "applicable"),
    [
        pytest.param({"value": 2}, True, 67.86, 7, id="source-has-a-level"),
        pytest.param({"value": None, "not_applicable": True}, False, 79.17, 6, id="source-na"),
        pytest.param({"value": None}, False, 79.17, 6, id="source-unanswered"),
    ],
)
async def test_conditional_item_counts_only_when_its_source_has_a_level(
    client, db, sessionmaker, source, applies, score, applicable
) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    await answer(client, a.token, a.assessment_id, "pb-vrijwilligers", 3)
    conditional = await answer(client, a.token, a.assessment_id, "pa-vrijwilligers", 1)
    for item_id, value in PARTICIPATION.items():
        await answer(client, a.token, a.assessment_id, item_id, value)
    before = (await client.get(base)).json()

    await answer(client, a.token, a.assessment_id, "pb-vrijwilligers", **source)
    after = (await client.get(base)).json()
    await api_post(client, a.token, f"{base}/submit")
    result = (await client.get(f"{base}/result")).json()

    # while the source had a level, the question counted: 7 of 7
    assert _dimension(before["progress"], "participatie") == {
        "dimension_id": "participatie",
        "answered": 7,
        "applicable": 7,
    }
    assert before["progress"]["applicable"] == 42
    participation = _dimension(after["progress"], "participatie")
    assert (participation["answered"], participation["applicable"]) == (applicable, applicable)
    assert after["progress"]["applicable"] == (42 if applies else 41)
    scored = _dimension(result, "participatie")
    assert (scored["score"], scored["applicable_items"], scored["coverage"]) == (
        score,
        applicable,
        100.0,
    )
    # the stored answer is kept, whether or not the question applies
    kept = after["response"]["answers"]["pa-vrijwilligers"]
    assert (kept["value"], kept["revision"]) == (1, conditional["revision"])
    assert (await stored_answers(sessionmaker, a.assessment_id))["pa-vrijwilligers"][0] == 1


async def test_conditional_answer_counts_again_when_the_source_gets_a_level_back(
    client, db
) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    await answer(client, a.token, a.assessment_id, "pb-vrijwilligers", 4)
    await answer(client, a.token, a.assessment_id, "pa-vrijwilligers", 1)
    for item_id, value in PARTICIPATION.items():
        await answer(client, a.token, a.assessment_id, item_id, value)

    await answer(client, a.token, a.assessment_id, "pb-vrijwilligers", None, not_applicable=True)
    await api_post(client, a.token, f"{base}/submit")
    without = _dimension((await client.get(f"{base}/result")).json(), "participatie")
    await api_post(client, a.token, f"{base}/reopen")
    await answer(client, a.token, a.assessment_id, "pb-vrijwilligers", 2)
    await api_post(client, a.token, f"{base}/submit")
    again = _dimension((await client.get(f"{base}/result")).json(), "participatie")

    assert (without["score"], without["applicable_items"]) == (79.17, 6)
    assert (again["score"], again["applicable_items"]) == (67.86, 7)


async def test_unanswered_conditional_item_lowers_coverage_only_when_it_applies(client, db) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    for item_id, value in PARTICIPATION.items():
        await answer(client, a.token, a.assessment_id, item_id, value)
    await answer(client, a.token, a.assessment_id, "pb-vrijwilligers", 5)
    await api_post(client, a.token, f"{base}/submit")

    result = _dimension((await client.get(f"{base}/result")).json(), "participatie")

    # pa-vrijwilligers applies but is unanswered: coverage 6 / 7 = 85.71 %, score over
    # the answered items 79.17
    assert (result["answered_items"], result["applicable_items"]) == (6, 7)
    assert (result["coverage"], result["score"]) == (85.71, 79.17)


async def test_the_page_marks_the_question_that_does_not_apply(client, db) -> None:
    a = await manager_with_assessment(client, db)
    path = f"/assessments/{a.assessment_id}/dimensions/participatie"

    unanswered = await client.get(path)
    await answer(client, a.token, a.assessment_id, "pb-vrijwilligers", 3)
    applies = await client.get(path)

    def question(html: str) -> str:
        start = html.index('id="q-pa-vrijwilligers"')
        return html[html.rindex("<div", 0, start) : html.index("</fieldset>", start)]

    assert "not-applicable" in question(unanswered.text)
    assert "<fieldset disabled" in question(unanswered.text)
    assert "not-applicable" not in question(applies.text)
    assert "<fieldset disabled" not in question(applies.text)
