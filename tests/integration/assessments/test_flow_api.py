"""The assessment life cycle through the JSON API: start, answer, submit, result, reopen
(DESIGN §2 Assessment, §4 Scoring, §8 API, §9 Contract details)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import AuditEvent
from survey.rounds.models import Round
from tests.factories import api_login, make_organisation, make_round, make_user
from tests.integration.assessments.helpers import (
    DIMENSIONS,
    QUESTIONNAIRE,
    ROUND,
    all_items,
    answer,
    api_post,
    dimension_items,
    error_fields,
    manager_in_round,
    manager_with_assessment,
    maturity_text,
    start_response,
    stored_state,
)


async def test_start_returns_the_new_empty_draft(client, db) -> None:
    m = await manager_in_round(client, db)
    organisation, token = m.organisation, m.token

    response = await start_response(client, token, organisation.id)

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["organisation_id"], body["questionnaire_id"], body["round"]) == (
        organisation.id,
        QUESTIONNAIRE,
        ROUND,
    )
    assert (body["state"], body["can_edit"], body["submitted_at"]) == ("draft", True, None)
    assert body["questionnaire_version"] == 1
    assert body["response"]["answers"] == {}
    # 42 questions, of which pa-vrijwilligers only applies once the organisation said it
    # works with volunteers
    assert (body["progress"]["answered"], body["progress"]["applicable"]) == (0, 41)
    assert [d["dimension_id"] for d in body["progress"]["dimensions"]] == DIMENSIONS
    assert [d["applicable"] for d in body["progress"]["dimensions"]] == [7, 7, 7, 7, 7, 6]
    read = await client.get(f"/api/v1/assessments/{body['id']}")
    assert read.status_code == 200 and read.json()["id"] == body["id"]


async def test_starting_an_existing_assessment_is_409_with_its_id(client, db, sessionmaker) -> None:
    m = await manager_in_round(client, db)
    organisation, token = m.organisation, m.token
    first = await start_response(client, token, organisation.id)

    again = await start_response(client, token, organisation.id)

    assert again.status_code == 409
    assert again.json()["assessment_id"] == first.json()["id"]
    listing = await client.get(f"/api/v1/organisations/{organisation.id}/assessments")
    assert [a["id"] for a in listing.json()] == [first.json()["id"]]


@pytest.mark.parametrize(
    ("questionnaire", "round_name", "field"),
    [
        ("astrologie", ROUND, "questionnaire_id"),
        (QUESTIONNAIRE, "1999", "round"),
    ],
)
async def test_starting_with_an_unknown_questionnaire_or_round_is_400_naming_it(
    client, db, sessionmaker, questionnaire, round_name, field
) -> None:
    m = await manager_in_round(client, db)
    organisation, token = m.organisation, m.token

    response = await start_response(client, token, organisation.id, round_name, questionnaire)

    assert response.status_code == 400
    assert field in error_fields(response.json())
    listing = await client.get(f"/api/v1/organisations/{organisation.id}/assessments")
    assert listing.json() == []


@pytest.mark.parametrize("round_state", ["closed", "upcoming", "closed early"])
async def test_starting_in_a_round_that_is_not_open_is_409(client, db, round_state) -> None:
    m = await manager_in_round(
        client, db, round_state="open" if round_state == "closed early" else round_state
    )
    organisation, round_, token = m.organisation, m.round, m.token
    if round_state == "closed early":
        round_.closed_at = dt.datetime.now(dt.UTC)
        await db.commit()

    response = await start_response(client, token, organisation.id)

    assert response.status_code == 409
    listing = await client.get(f"/api/v1/organisations/{organisation.id}/assessments")
    assert listing.json() == []


async def test_starting_for_an_organisation_one_cannot_see_is_404(client, db) -> None:
    token = (await manager_in_round(client, db)).token
    other = await make_organisation(db)

    hidden = await start_response(client, token, other.id)
    missing = await start_response(client, token, 999_999)

    assert (hidden.status_code, missing.status_code) == (404, 404)


async def test_state_changes_that_are_not_allowed_are_409(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    await answer(client, a.token, a.assessment_id, "vb-missie", 3)

    reopen_draft = await api_post(client, a.token, f"{base}/reopen")
    result_draft = await client.get(f"{base}/result")
    submitted = await api_post(client, a.token, f"{base}/submit")
    first_submit = await stored_state(sessionmaker, a.assessment_id)
    submit_again = await api_post(client, a.token, f"{base}/submit")
    reopened = await api_post(client, a.token, f"{base}/reopen")
    reopen_again = await api_post(client, a.token, f"{base}/reopen")

    assert (reopen_draft.status_code, result_draft.status_code) == (409, 409)
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert submitted.json()["submitted_at"] is not None
    assert submit_again.status_code == 409
    assert reopened.status_code == 200 and reopened.json()["state"] == "reopened"
    assert reopened.json()["can_edit"] is True
    assert reopen_again.status_code == 409
    # a refused second submit did not stamp a new submission
    state, submitted_at, _score = await stored_state(sessionmaker, a.assessment_id)
    assert state == "reopened" and submitted_at == first_submit[1]


async def test_full_flow_one_dimension_scored_by_hand(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    # Toegankelijkheid van het aanbod, from the YAML: ta-drempels (maturity, weight 2),
    # ta-prijs (yes_partly_no), ta-communicatie, ta-kanalen, ta-outreach (maturity),
    # ta-brugfiguren (yes_partly_no), ta-vanzelf (likert5, reverse: true); others weight 1.
    chosen = {
        "ta-drempels": 4,  # 0.75 × 2 = 1.50
        "ta-prijs": "partly",  # 0.50
        "ta-communicatie": 3,  # 0.50
        "ta-kanalen": 5,  # 1.00
        "ta-outreach": 1,  # 0.00
        "ta-brugfiguren": "yes",  # 1.00
        "ta-vanzelf": 2,  # 0.25, reversed → 0.75
    }
    assert list(chosen) == dimension_items("toegankelijkheid-aanbod")
    # 1.50 + 0.50 + 0.50 + 1.00 + 0.00 + 1.00 + 0.75 = 5.25 over weight 8:
    # 100 × 5.25 / 8 = 65.625 → rounded half up 65.63 → band [60, 80) → level 4.
    for item_id, value in chosen.items():
        await answer(client, a.token, a.assessment_id, item_id, value)
    await answer(client, a.token, a.assessment_id, "vb-missie", 5)  # 1 of 7 elsewhere

    read = (await client.get(base)).json()
    submitted = await api_post(client, a.token, f"{base}/submit")
    result = (await client.get(f"{base}/result")).json()

    progress = {d["dimension_id"]: d for d in read["progress"]["dimensions"]}
    assert (progress["toegankelijkheid-aanbod"]["answered"], read["progress"]["answered"]) == (7, 8)
    assert submitted.status_code == 200
    dimensions = {d["dimension_id"]: d for d in result["dimensions"]}
    assert list(dimensions) == DIMENSIONS
    access = dimensions["toegankelijkheid-aanbod"]
    assert (access["status"], access["score"], access["maturity"], access["coverage"]) == (
        "scored",
        65.63,
        4,
        100.0,
    )
    assert (access["answered_items"], access["applicable_items"]) == (7, 7)
    assert access["title"] == "Toegankelijkheid van het aanbod"
    assert access["maturity_description"] == maturity_text("toegankelijkheid-aanbod", 4)
    for dimension_id in set(DIMENSIONS) - {"toegankelijkheid-aanbod"}:
        assert dimensions[dimension_id]["status"] == "insufficient_data", dimension_id
        assert dimensions[dimension_id]["score"] is None
        assert dimensions[dimension_id]["maturity"] is None
        assert dimensions[dimension_id]["maturity_description"] is None
    # vb-missie (weight 2) answered out of weight 8 in visie-en-beleid: 25 % coverage
    assert dimensions["visie-en-beleid"]["coverage"] == 25.0
    # Overall: one scored part of six (weight 1 each) carries 16.67 % of the weight, less
    # than the 60 % an overall score needs: insufficient data (DESIGN §4). Coverage: 10
    # answered weight (8 + vb-missie 2) over 43 applicable (42 items, two of weight 2, minus
    # pa-vrijwilligers) = 23.26 %.
    assert (result["score"], result["maturity"]) == (None, None)
    assert (result["overall_status"], result["scored_weight_share"]) == (
        "insufficient_data",
        16.67,
    )
    assert result["coverage"] == pytest.approx(23.26)
    assert result["state"] == "submitted"

    # Reopen, change one answer, submit again: ta-vanzelf 2 → 5 (reversed: 0.75 → 0.00).
    # 100 × (5.25 − 0.75) / 8 = 56.25 → level 3.
    reopened = await api_post(client, a.token, f"{base}/reopen")
    stale_result = (await client.get(f"{base}/result")).json()
    changed = await answer(client, a.token, a.assessment_id, "ta-vanzelf", 5)
    resubmitted = await api_post(client, a.token, f"{base}/submit")
    second = (await client.get(f"{base}/result")).json()

    assert reopened.status_code == 200 and reopened.json()["state"] == "reopened"
    # while reopened, the result of the last submission stays readable
    assert stale_result["state"] == "reopened"
    assert {d["dimension_id"]: d["score"] for d in stale_result["dimensions"]}[
        "toegankelijkheid-aanbod"
    ] == 65.63
    assert changed["revision"] == 2
    assert resubmitted.status_code == 200 and resubmitted.json()["state"] == "submitted"
    access = {d["dimension_id"]: d for d in second["dimensions"]}["toegankelijkheid-aanbod"]
    assert (access["score"], access["maturity"]) == (56.25, 3)
    assert access["maturity_description"] == maturity_text("toegankelijkheid-aanbod", 3)
    assert (second["score"], second["maturity"], second["state"]) == (None, None, "submitted")
    assert (await stored_state(sessionmaker, a.assessment_id))[2] is None


async def test_result_texts_follow_the_callers_language(client, db) -> None:
    setup = await manager_with_assessment(client, db, language="en")
    token, assessment_id = setup.token, setup.assessment_id
    for item_id in dimension_items("visie-en-beleid"):
        value = "yes" if item_id in ("vb-middelen", "vb-gedragscode") else 1
        await answer(client, token, assessment_id, item_id, value)
    await api_post(client, token, f"/api/v1/assessments/{assessment_id}/submit")

    english = (await client.get(f"/api/v1/assessments/{assessment_id}/result")).json()
    french = (await client.get(f"/api/v1/assessments/{assessment_id}/result?lang=fr")).json()

    # five items at level 1 (0) and two "yes" (1): 100 × 2 / 8 = 25 → level 2
    vision = english["dimensions"][0]
    assert (vision["dimension_id"], vision["score"], vision["maturity"]) == (
        "visie-en-beleid",
        25.0,
        2,
    )
    assert vision["title"] == "Vision and policy"
    assert vision["maturity_description"] == maturity_text("visie-en-beleid", 2, "en")
    assert french["dimensions"][0]["title"] == "Vision et politique"
    assert french["dimensions"][0]["maturity_description"] == maturity_text(
        "visie-en-beleid", 2, "fr"
    )


async def test_not_applicable_leaves_the_weight_unlike_an_unanswered_item(client, db) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    # participatie: every item at its best answer, pa-bestuur "not applicable",
    # pa-vrijwilligers not applying (no answer on volunteers in personeelsbeleid)
    best = {"pa-gebruikersraad": "yes", "pa-terugkoppeling": "yes"}
    for item_id in (
        "pa-inspraak",
        "pa-cocreatie",
        "pa-vormen",
        "pa-gebruikersraad",
        "pa-terugkoppeling",
    ):
        await answer(client, a.token, a.assessment_id, item_id, best.get(item_id, 5))
    await answer(client, a.token, a.assessment_id, "pa-bestuur", None, not_applicable=True)
    # visie-en-beleid: the same, but vb-gedragen left unanswered
    for item_id in dimension_items("visie-en-beleid")[:-1]:
        await answer(
            client,
            a.token,
            a.assessment_id,
            item_id,
            "yes" if item_id in ("vb-middelen", "vb-gedragscode") else 5,
        )
    await api_post(client, a.token, f"{base}/submit")
    result = (await client.get(f"{base}/result")).json()

    dimensions = {d["dimension_id"]: d for d in result["dimensions"]}
    participation, vision = dimensions["participatie"], dimensions["visie-en-beleid"]
    # 5 of 5 applicable items, all scoring 1: 100 × 5 / 5
    assert (participation["answered_items"], participation["applicable_items"]) == (5, 5)
    assert (participation["score"], participation["coverage"]) == (100.0, 100.0)
    # the unanswered item stays in the applicable weight: coverage 7 / 8, score over answered
    assert (vision["answered_items"], vision["applicable_items"]) == (6, 7)
    assert (vision["score"], vision["coverage"]) == (100.0, 87.5)


async def test_organisation_lists_its_assessments_newest_round_first(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    older = await make_round(db, "2025")
    older_id = (await start_response(client, a.token, a.organisation.id, "2025")).json()["id"]
    async with sessionmaker() as change, change.begin():  # 2025 lies in the past
        round_ = await change.get(Round, older.id)
        today = dt.datetime.now(dt.UTC).date()
        round_.opens_on, round_.closes_on = (
            today - dt.timedelta(days=400),
            today - dt.timedelta(days=40),
        )
    await answer(client, a.token, a.assessment_id, "vb-missie", 2)
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")

    response = await client.get(f"/api/v1/organisations/{a.organisation.id}/assessments")

    assert response.status_code == 200
    assert [(x["id"], x["round"], x["state"]) for x in response.json()] == [
        (a.assessment_id, ROUND, "submitted"),
        (older_id, "2025", "draft"),
    ]
    assert response.json()[0]["submitted_at"] is not None
    assert response.json()[0]["questionnaire_id"] == QUESTIONNAIRE


async def test_published_questionnaires_are_listed_and_readable(client, db) -> None:
    a = await manager_with_assessment(client, db)

    listing = await client.get("/api/v1/questionnaires")
    detail = await client.get(f"/api/v1/questionnaires/{QUESTIONNAIRE}")
    missing = await client.get("/api/v1/questionnaires/astrologie")

    assert listing.status_code == 200
    summary = {q["id"]: q for q in listing.json()}[QUESTIONNAIRE]
    assert (summary["version"], summary["dimensions"], summary["items"]) == (1, 6, 42)
    assert summary["title"]["nl"] == "Cultuursensitief werken"
    assert detail.status_code == 200
    body = detail.json()
    assert [d["id"] for d in body["dimensions"]] == DIMENSIONS
    assert [i["id"] for d in body["dimensions"] for i in d["items"]] == all_items()
    drempels = next(i for i in body["dimensions"][2]["items"] if i["id"] == "ta-drempels")
    assert drempels["weight"] == 2
    assert missing.status_code == 404
    assert a.assessment_id


async def test_start_submit_and_reopen_are_audited(client, db) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"
    await answer(client, a.token, a.assessment_id, "vb-missie", 4)
    await api_post(client, a.token, f"{base}/submit")
    await api_post(client, a.token, f"{base}/reopen")

    events = list(
        await db.scalars(
            select(AuditEvent).where(AuditEvent.action.like("assessment.%")).order_by(AuditEvent.id)
        )
    )

    assert [e.action for e in events] == [
        "assessment.start",
        "assessment.submit",
        "assessment.reopen",
    ]
    for event in events:
        assert event.actor_id == a.manager.id
        assert event.organisation_id == a.organisation.id
        assert (event.object_type, event.object_id) == ("assessment", str(a.assessment_id))
        assert event.at is not None


async def test_refused_state_changes_are_not_audited(client, db) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}"

    await api_post(client, a.token, f"{base}/reopen")  # a draft: 409
    respondent = await make_user(db, Role.RESPONDENT, a.organisation)
    token = await api_login(client, respondent)
    await api_post(client, token, f"{base}/submit")  # a respondent: 403

    actions = list(
        await db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("assessment.%")))
    )
    assert actions == ["assessment.start"]
