"""Team counts that can be true ("Diverse teams" version 2): whole numbers only, a subgroup at
most its total in either order of entry, refused with a message at the field that names the
other question, through the API, the htmx autosave and the form without JavaScript; nothing
is saved on refusal. "unknown" and "not applicable" stay allowed; assessments on version 1
keep saving as before."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select, update

from survey.assessments.models import Assessment
from survey.i18n import translations
from survey.questionnaires.models import QuestionnaireVersion
from tests.integration.assessments.helpers import (
    form_fields,
    manager_with_assessment,
    nl,
    stored_answers,
)
from tests.integration.assessments.test_item_types import diverse_teams, htmx, put

TOTAL, PART, PART_OF_PART = "tc-personeel-totaal", "tc-personeel-migratie", "tc-personeel-buiten-eu"
TOTAL_TEXT = "Hoeveel personeelsleden heeft jullie organisatie vandaag? Tel personen, geen voltijdse equivalenten."
PART_TEXT = "Hoeveel van die personeelsleden hebben een migratieachtergrond?"
TEAM_PAGE = "teamsamenstelling"
# The count's own message says the range (0 to 100.000 in Dutch), not just "a whole number".
WHOLE_NUMBER = "Enter a whole number from %(low)s to %(high)s."
TOTAL_RANGE = {"low": "0", "high": "100.000"}


def too_high(question: str, total: str, language: str = "nl") -> str:
    message = "This number cannot be higher than your answer to question %(question)s: %(total)s."
    text: str = translations(language).ugettext(message)
    return text % {"question": question, "total": total}


def too_low(question: str, part: str) -> str:
    return nl(
        "This number cannot be lower than your answer to question %(question)s: %(part)s. "
        "Change that answer first.",
        question=question,
        part=part,
    )


async def autosave(client: Any, token: str, assessment_id: int, item_id: str, typed: str) -> Any:
    current = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()
    revision = current["response"]["answers"].get(item_id, {}).get("revision", 0)
    return await client.post(
        f"/assessments/{assessment_id}/answers/{item_id}",
        data={f"answer-{item_id}": typed, f"revision-{item_id}": str(revision)},
        headers=htmx(token),
    )


def error_at(html: str, item_id: str) -> str:
    match = re.search(rf'id="error-{item_id}"[^>]*>([^<]*)<', html)
    assert match, f"no error at {item_id}"
    return match.group(1).strip()


# --------------------------------------------------------------------------------------------
# API


@pytest.mark.parametrize("value", [2.5, 0.5])
async def test_api_refuses_a_count_that_is_not_whole(client, db, sessionmaker, value) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (await put(client, token, assessment_id, TOTAL, value=12)).status_code == 200
    response = await put(client, token, assessment_id, TOTAL, value=value)
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == {"value": nl(WHOLE_NUMBER, **TOTAL_RANGE)}
    assert (await stored_answers(sessionmaker, assessment_id))[TOTAL][0] == 12


@pytest.mark.parametrize("value", [-1, 100_001, "twaalf", 2.5])
async def test_api_says_the_counts_range_at_the_field(client, db, sessionmaker, value) -> None:
    assessment_id, token = await diverse_teams(client, db)
    response = await put(client, token, assessment_id, TOTAL, value=value)
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == {"value": nl(WHOLE_NUMBER, **TOTAL_RANGE)}
    assert TOTAL not in await stored_answers(sessionmaker, assessment_id)


async def test_api_accepts_a_whole_number_sent_as_a_float(client, db, sessionmaker) -> None:
    assessment_id, token = await diverse_teams(client, db)
    response = await put(client, token, assessment_id, TOTAL, value=1e3)
    assert response.status_code == 200, response.text
    assert (await stored_answers(sessionmaker, assessment_id))[TOTAL][0] == 1000


async def test_api_refuses_a_subgroup_above_its_total_naming_the_total(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (await put(client, token, assessment_id, TOTAL, value=5)).status_code == 200
    response = await put(client, token, assessment_id, PART, value=10)
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == {"value": too_high(f"3.2 “{TOTAL_TEXT}”", "5")}
    assert PART not in await stored_answers(sessionmaker, assessment_id)
    assert (await put(client, token, assessment_id, PART, value=5)).status_code == 200


async def test_api_refuses_a_total_below_a_saved_subgroup(client, db, sessionmaker) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (await put(client, token, assessment_id, PART, value=4)).status_code == 200
    assert (await put(client, token, assessment_id, TOTAL, value=10)).status_code == 200
    response = await put(client, token, assessment_id, TOTAL, value=3)
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == {"value": too_low(f"3.3 “{PART_TEXT}”", "4")}
    assert (await stored_answers(sessionmaker, assessment_id))[TOTAL][0] == 10


async def test_an_unknown_count_is_allowed_and_the_next_total_up_applies(client, db) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (await put(client, token, assessment_id, TOTAL, value="unknown")).status_code == 200
    assert (await put(client, token, assessment_id, PART, value=10)).status_code == 200
    assert (await put(client, token, assessment_id, PART, value="unknown")).status_code == 200
    assert (await put(client, token, assessment_id, TOTAL, value=8)).status_code == 200
    # With the migration count unknown, non-EU origin is measured against the staff in all.
    refused = await put(client, token, assessment_id, PART_OF_PART, value=9)
    assert refused.status_code == 400
    assert refused.json()["errors"]["value"] == too_high(f"3.2 “{TOTAL_TEXT}”", "8")
    assert (await put(client, token, assessment_id, PART_OF_PART, value=8)).status_code == 200


async def test_no_board_is_not_applicable_for_both_counts(client, db) -> None:
    assessment_id, token = await diverse_teams(client, db)
    board, board_part = "tc-bestuur-totaal", "tc-bestuur-migratie"
    assert (await put(client, token, assessment_id, board, not_applicable=True)).status_code == 200
    assert (await put(client, token, assessment_id, board_part, value=3)).status_code == 200


async def test_the_message_is_in_the_persons_language(client, db) -> None:
    setup = await manager_with_assessment(
        client, db, questionnaire_id="diverse-teams", language="fr"
    )
    token, assessment_id = setup.token, setup.assessment_id
    assert (await put(client, token, assessment_id, TOTAL, value=5)).status_code == 200
    response = await put(client, token, assessment_id, PART, value=10)
    total_fr = (
        "Combien de membres du personnel votre organisation compte-t-elle aujourd'hui ? "
        "Comptez des personnes, pas des équivalents temps plein."
    )
    assert response.json()["errors"]["value"] == too_high(
        f"3.2 «\u00a0{total_fr}\u00a0»", "5", "fr"
    )
    assert "ne peut pas" in response.json()["errors"]["value"]


async def test_assessments_on_version_1_keep_saving_without_the_rules(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    first = await db.scalar(
        select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire_id == "diverse-teams",
            QuestionnaireVersion.version == 1,
        )
    )
    await db.execute(
        update(Assessment)
        .where(Assessment.id == assessment_id)
        .values(questionnaire_version_id=first)
    )
    await db.commit()
    assert (await put(client, token, assessment_id, TOTAL, value=5)).status_code == 200
    assert (await put(client, token, assessment_id, PART, value=10)).status_code == 200
    assert (await put(client, token, assessment_id, PART_OF_PART, value=2.5)).status_code == 200


# --------------------------------------------------------------------------------------------
# HTML: autosave (htmx) and the form without JavaScript


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e3", "Type the number in digits only, like 12."),
        ("2,5", WHOLE_NUMBER),
        ("2.5", WHOLE_NUMBER),
        ("1_000", "Type the number in digits only, like 12."),
    ],
)
async def test_autosave_refuses_what_is_no_count_with_422_at_the_field(
    client, db, sessionmaker, typed, message
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    response = await autosave(client, token, assessment_id, TOTAL, typed)
    assert response.status_code == 422, response.text
    assert error_at(response.text, TOTAL) == nl(message, **TOTAL_RANGE)
    assert f'value="{typed.replace(",", ".")}"' in response.text  # to correct, not retype
    assert TOTAL not in await stored_answers(sessionmaker, assessment_id)


async def test_autosave_refuses_a_subgroup_above_its_total_in_either_order(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (await autosave(client, token, assessment_id, TOTAL, "5")).status_code == 200
    response = await autosave(client, token, assessment_id, PART, "10")
    assert response.status_code == 422
    from markupsafe import escape

    assert error_at(response.text, PART) == str(escape(too_high(f"3.2 “{TOTAL_TEXT}”", "5")))
    assert PART not in await stored_answers(sessionmaker, assessment_id)
    assert (await autosave(client, token, assessment_id, PART, "4")).status_code == 200
    response = await autosave(client, token, assessment_id, TOTAL, "3")
    assert response.status_code == 422
    assert error_at(response.text, TOTAL) == str(escape(too_low(f"3.3 “{PART_TEXT}”", "4")))
    assert (await stored_answers(sessionmaker, assessment_id))[TOTAL][0] == 5
    # "don't know" stays possible
    response = await autosave(client, token, assessment_id, TOTAL, "unknown")
    assert response.status_code == 200


async def test_the_form_without_javascript_saves_a_total_and_its_subgroup_lowered_together(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    await put(client, token, assessment_id, TOTAL, value=20)
    await put(client, token, assessment_id, PART, value=10)
    page = (await client.get(f"/assessments/{assessment_id}/dimensions/{TEAM_PAGE}")).text
    action = f"/assessments/{assessment_id}/dimensions/{TEAM_PAGE}"
    fields = form_fields(page, action)
    fields.update({f"answer-{TOTAL}": "3", f"answer-{PART}": "2"})
    response = await client.post(action, data=fields, headers={"x-csrftoken": token})
    assert response.status_code == 303, response.text
    stored = await stored_answers(sessionmaker, assessment_id)
    assert (stored[TOTAL][0], stored[PART][0]) == (3, 2)


async def test_the_form_without_javascript_refuses_a_subgroup_above_its_total(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    action = f"/assessments/{assessment_id}/dimensions/{TEAM_PAGE}"
    fields = form_fields((await client.get(action)).text, action)
    fields.update({f"answer-{TOTAL}": "5", f"answer-{PART}": "10"})
    response = await client.post(action, data=fields, headers={"x-csrftoken": token})
    assert response.status_code == 422, response.text
    assert "3.2" in error_at(response.text, PART)
    stored = await stored_answers(sessionmaker, assessment_id)
    assert stored[TOTAL][0] == 5 and PART not in stored


async def test_the_page_says_a_count_is_whole_and_at_most_its_total(client, db) -> None:
    assessment_id, _token = await diverse_teams(client, db)
    page = (await client.get(f"/assessments/{assessment_id}/dimensions/{TEAM_PAGE}")).text
    hint = re.search(rf'id="nh-{PART}"[^>]*>([^<]*)<', page)
    assert hint is not None
    expected = (
        nl("A whole number from %(low)s to %(high)s.", low="0", high="100.000")
        + " "
        + nl("At most your answer to question %(question)s.", question="3.2")
    )
    assert hint.group(1) == expected
    assert re.search(rf'inputmode="numeric" id="a-{PART}"', page)
