"""Every item type through the API and the HTML autosave, on the "Diverse teams" questionnaire
(multi, number with "don't know", text, choice), and a chain of two conditions that shows
and hides questions live (htmx) and keeps a hidden answer for when it applies again."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.assessments.helpers import (
    error_fields,
    manager_with_assessment,
    nl,
    stored_answers,
)

QUESTIONNAIRE = "diverse-teams"


async def diverse_teams(client: Any, db: Any) -> tuple[int, str]:
    setup = await manager_with_assessment(client, db, questionnaire_id=QUESTIONNAIRE)
    return setup.assessment_id, setup.token


async def put(client: Any, token: str, assessment_id: int, item_id: str, **body: Any) -> Any:
    current = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()
    revision = current["response"]["answers"].get(item_id, {}).get("revision", 0)
    return await client.put(
        f"/api/v1/assessments/{assessment_id}/answers/{item_id}",
        json={"revision": revision, **body},
        headers={"x-csrftoken": token},
    )


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("rw-kanalen", ["actiris-vdab", "jobbeurzen"]),
        ("rw-kanalen", []),  # "none of these" is an answer
        ("tc-personeel-totaal", 42),
        ("tc-personeel-totaal", 0),
        ("tc-personeel-totaal", "unknown"),
        ("ic-drempel", "Weinig kandidaten bereiken ons."),
        ("ds-taal", "zelf-regelen"),
    ],
)
async def test_valid_answers_of_each_item_type_are_saved(client, db, item_id, value) -> None:
    assessment_id, token = await diverse_teams(client, db)
    response = await put(client, token, assessment_id, item_id, value=value)
    assert response.status_code == 200, response.text
    assert response.json()["value"] == value


@pytest.mark.parametrize(
    ("item_id", "first", "value"),
    [
        ("rw-kanalen", ["jobbeurzen"], ["jobbeurzen", "tv-reclame"]),  # unknown option
        ("rw-kanalen", ["jobbeurzen"], ["jobbeurzen", "jobbeurzen"]),  # chosen twice
        ("rw-kanalen", ["jobbeurzen"], "jobbeurzen"),  # not a list
        ("tc-personeel-totaal", 12, -1),  # below the minimum
        ("tc-personeel-totaal", 12, 100001),  # above the maximum
        ("tc-personeel-totaal", 12, "a dozen"),
        ("ic-drempel", "kort", "x" * 1001),  # over the limit of this text item
        ("ds-taal", "zelf-regelen", "iets-anders"),
    ],
)
async def test_invalid_answers_are_400_at_the_value_and_keep_the_saved_one(
    client, db, sessionmaker, item_id, first, value
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (await put(client, token, assessment_id, item_id, value=first)).status_code == 200
    response = await put(client, token, assessment_id, item_id, value=value)
    assert response.status_code == 400, response.text
    assert "value" in error_fields(response.json())
    assert (await stored_answers(sessionmaker, assessment_id))[item_id][0] == first


def htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "x-csrftoken": token}


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"answer-tc-personeel-totaal": "17"}, 17),
        ({"answer-tc-personeel-totaal": "17,0"}, 17),  # a count: whole numbers only
        ({"answer-tc-personeel-totaal": ["", "unknown"]}, "unknown"),
        ({"answer-rw-kanalen": ["actiris-vdab", "opleidingen"]}, ["actiris-vdab", "opleidingen"]),
        ({"answer-ic-drempel": "  Tijd  "}, "Tijd"),
    ],
)
async def test_the_form_controls_of_each_type_save_through_autosave(
    client, db, sessionmaker, fields, stored
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    item_id = next(iter(fields)).removeprefix("answer-")
    response = await client.post(
        f"/assessments/{assessment_id}/answers/{item_id}",
        data={**fields, f"revision-{item_id}": "0", f"comment-{item_id}": ""},
        headers=htmx(token),
    )
    assert response.status_code == 200, response.text
    assert (await stored_answers(sessionmaker, assessment_id))[item_id][0] == stored


async def test_a_number_out_of_range_in_the_form_is_422_with_the_message_at_the_field(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    item_id = "tc-bestuur-totaal"  # 0 to 1000
    response = await client.post(
        f"/assessments/{assessment_id}/answers/{item_id}",
        data={f"answer-{item_id}": "5000", f"revision-{item_id}": "0", f"comment-{item_id}": ""},
        headers=htmx(token),
    )
    assert response.status_code == 422
    assert re.search(rf'id="error-{item_id}"[^>]*>[^<]*1\.000', response.text)
    # A count: a whole number, its range with thousands grouped as Dutch groups them.
    expected = nl("Enter a whole number from %(low)s to %(high)s.", low="0", high="1.000")
    assert expected in response.text
    assert 'value="5000"' in response.text  # what the person typed stays in the field
    assert item_id not in await stored_answers(sessionmaker, assessment_id)


async def test_letters_for_a_number_keep_the_typed_text_and_the_saved_answer(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    item_id = "tc-bestuur-totaal"
    fields = {f"revision-{item_id}": "0", f"comment-{item_id}": ""}
    saved = await client.post(
        f"/assessments/{assessment_id}/answers/{item_id}",
        data={f"answer-{item_id}": "12", **fields},
        headers=htmx(token),
    )
    assert saved.status_code == 200
    response = await client.post(
        f"/assessments/{assessment_id}/answers/{item_id}",
        data={f"answer-{item_id}": "twaalf", **fields, f"revision-{item_id}": "1"},
        headers=htmx(token),
    )
    assert response.status_code == 422
    # The message says what number will do (the hint under the question says it too).
    message = nl("Enter a whole number from %(low)s to %(high)s.", low="0", high="1.000")
    assert re.search(rf'id="error-{item_id}"[^>]*>[^<]*{re.escape(message)}', response.text)
    assert 'value="twaalf"' in response.text  # to correct, not retype
    assert (await stored_answers(sessionmaker, assessment_id))[item_id][0] == 12


def applies(html: str, item_id: str) -> bool:
    """Whether the question is shown as applying (its fieldset is not disabled)."""
    match = re.search(rf'<div [^>]*id="q-{item_id}"[^>]*>\s*<fieldset( disabled)?', html)
    assert match, f"q-{item_id} not in the page"
    return match.group(1) is None


async def test_a_chain_of_two_conditions_shows_and_hides_questions_and_keeps_their_answers(
    client, db, sessionmaker
) -> None:
    """dm-opvolging applies when dm-streefcijfers is yes/partly; dm-bijsturen when
    dm-opvolging is af-en-toe/jaarlijks."""
    assessment_id, token = await diverse_teams(client, db)
    page_url = f"/assessments/{assessment_id}/dimensions/streefcijfers-en-monitoring"
    page = (await client.get(page_url)).text
    assert not applies(page, "dm-opvolging") and not applies(page, "dm-bijsturen")

    async def autosave(item_id: str, value: str) -> str:
        current = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()
        revision = current["response"]["answers"].get(item_id, {}).get("revision", 0)
        response = await client.post(
            f"/assessments/{assessment_id}/answers/{item_id}",
            data={f"answer-{item_id}": value, f"revision-{item_id}": str(revision)},
            headers=htmx(token),
        )
        assert response.status_code == 200, response.text
        return response.text

    fragment = await autosave("dm-streefcijfers", "yes")
    # the dependent questions come along, out of band, so htmx updates them in place
    assert 'hx-swap-oob="true" class="question' in fragment
    assert applies(fragment, "dm-opvolging") and not applies(fragment, "dm-bijsturen")
    fragment = await autosave("dm-opvolging", "jaarlijks")
    assert applies(fragment, "dm-bijsturen")
    await autosave("dm-bijsturen", "4")

    result = await client.get(f"/api/v1/assessments/{assessment_id}")
    progress = {d["dimension_id"]: d for d in result.json()["progress"]["dimensions"]}
    applicable_with_chain = progress["streefcijfers-en-monitoring"]["applicable"]

    # Back to "no": both dependents stop applying, on the page and in the counts…
    fragment = await autosave("dm-streefcijfers", "no")
    assert not applies(fragment, "dm-opvolging") and not applies(fragment, "dm-bijsturen")
    page = (await client.get(page_url)).text  # the same after a reload, without JavaScript
    assert not applies(page, "dm-opvolging") and not applies(page, "dm-bijsturen")
    result = await client.get(f"/api/v1/assessments/{assessment_id}")
    progress = {d["dimension_id"]: d for d in result.json()["progress"]["dimensions"]}
    assert progress["streefcijfers-en-monitoring"]["applicable"] == applicable_with_chain - 2
    # …but their answers are kept, and count again when the chain applies again.
    stored = await stored_answers(sessionmaker, assessment_id)
    assert stored["dm-opvolging"][0] == "jaarlijks" and stored["dm-bijsturen"][0] == 4
    await autosave("dm-streefcijfers", "partly")
    page = (await client.get(page_url)).text
    assert applies(page, "dm-opvolging") and applies(page, "dm-bijsturen")
