"""The assessment in the browser without JavaScript: plain forms and redirects
(DESIGN §8 Web UI: "every page works without JavaScript"; §9 Status codes)."""

from __future__ import annotations

import re

from survey.accounts.models import Role
from survey.scoring import round_half_up
from tests.factories import (
    api_login,
    login,
    make_organisation,
    make_round,
    make_user,
    post_form,
)
from tests.integration.assessments.helpers import (
    answer,
    api_post,
    checked_values,
    form_fields,
    html_escape,
    invited_respondent,
    manager_with_assessment,
    maturity_text,
    nl,
    stored_answers,
    stored_state,
)
from tests.integration.benchmarks.helpers import answer_more_parts

# Visie en beleid, from the YAML: vb-missie (maturity, weight 2), vb-leiding,
# vb-actieplan (maturity), vb-middelen, vb-gedragscode (yes_partly_no), vb-opvolging,
# vb-gedragen (likert5); no reversed items.
VISION = {
    "vb-missie": "5",  # 1.00 × 2 = 2.00
    "vb-leiding": "4",  # 0.75
    "vb-actieplan": "4",  # 0.75
    "vb-middelen": "yes",  # 1.00
    "vb-gedragscode": "partly",  # 0.50
    "vb-opvolging": "4",  # 0.75
    "vb-gedragen": "5",  # 1.00
}
# 2.00 + 0.75 + 0.75 + 1.00 + 0.50 + 0.75 + 1.00 = 6.75 over weight 8:
# 100 × 6.75 / 8 = 84.375 → rounded half up 84.38 → band [80, 100] → level 5.


def _progress_cell(html: str, dimension_id: str) -> str:
    match = re.search(rf'id="progress-{dimension_id}"[^>]*>(.*?)<progress', html, re.S)
    assert match, f"no progress for {dimension_id}"
    return " ".join(match.group(1).split())


async def test_full_flow_with_plain_forms(client, db, sessionmaker) -> None:
    organisation = await make_organisation(db)
    manager = await make_user(db, Role.MANAGER, organisation)
    await make_round(db, "2026")
    await login(client, manager)

    # start from the organisation page
    page = await client.get(f"/organisations/{organisation.id}")
    action = f"/organisations/{organisation.id}/assessments"
    started = await client.post(action, data=form_fields(page.text, action))
    assert started.status_code == 303, started.text
    overview_path = started.headers["location"]
    assert re.fullmatch(r"/assessments/\d+", overview_path)
    assessment_id = int(overview_path.rsplit("/", 1)[1])
    overview = await client.get(overview_path)
    assert overview.status_code == 200
    assert f'href="/assessments/{assessment_id}/dimensions/visie-en-beleid"' in overview.text

    # answer the first part and go on to the next one
    dimension_path = f"/assessments/{assessment_id}/dimensions/visie-en-beleid"
    form = form_fields((await client.get(dimension_path)).text, dimension_path)
    assert {f"revision-{i}" for i in VISION} <= set(form)
    assert not any(name.startswith("answer-") for name in form)  # nothing checked yet
    form.update({f"answer-{item}": value for item, value in VISION.items()})
    form["comment-vb-actieplan"] = "Actieplan 2026–2028, zie bijlage."
    saved = await client.post(dimension_path, data={**form, "next": "1"})

    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/assessments/{assessment_id}/dimensions/personeelsbeleid"
    following = await client.get(saved.headers["location"])
    assert nl("Your answers were saved.") in following.text

    # leave and come back: the answers are shown checked, the progress counts them
    await client.get(f"/organisations/{organisation.id}")
    back = await client.get(dimension_path)
    for item_id, value in VISION.items():
        assert checked_values(back.text, item_id) == [value], item_id
    assert "Actieplan 2026–2028, zie bijlage." in back.text
    assert _progress_cell(back.text, "visie-en-beleid") == "7 van 7"
    assert _progress_cell(back.text, "personeelsbeleid") == nl(
        "%(answered)s of %(total)s", answered=0, total=7
    )
    overview = await client.get(overview_path)
    assert nl("%(answered)s of %(total)s questions answered", answered=7, total=41) in overview.text

    # submit from the overview page
    submit_path = f"/assessments/{assessment_id}/submit"
    submitted = await client.post(submit_path, data=form_fields(overview.text, submit_path))
    assert submitted.status_code == 303, submitted.text
    assert submitted.headers["location"] == f"/assessments/{assessment_id}/result"

    result = await client.get(submitted.headers["location"])
    assert result.status_code == 200
    html = result.text
    assert "84,38" in html  # the score of the part, two decimals, with a Dutch decimal comma
    assert html_escape(maturity_text("visie-en-beleid", 5)) in html
    assert "Visie en beleid" in html
    assert nl("insufficient data") in html  # the parts left unanswered
    assert (await stored_state(sessionmaker, assessment_id))[:1] == ("submitted",)
    assert (await stored_answers(sessionmaker, assessment_id))["vb-actieplan"] == (
        4,
        False,
        "Actieplan 2026–2028, zie bijlage.",
        1,
    )

    # reopen from the result page: back to the overview, answers editable again
    reopen_path = f"/assessments/{assessment_id}/reopen"
    reopened = await client.post(reopen_path, data=form_fields(html, reopen_path))
    assert reopened.status_code == 303
    assert reopened.headers["location"] == overview_path
    overview = await client.get(overview_path)
    assert f'action="{submit_path}"' in overview.text
    assert (await stored_state(sessionmaker, assessment_id))[0] == "reopened"


async def test_starting_an_existing_assessment_from_the_page_goes_to_it(client, db) -> None:
    a = await manager_with_assessment(client, db)

    response = await post_form(
        client,
        f"/organisations/{a.organisation.id}/assessments",
        data={"questionnaire_id": "cultuursensitief-werken", "round": "2026"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/assessments/{a.assessment_id}"
    page = await client.get(f"/organisations/{a.organisation.id}")
    assert f'href="/assessments/{a.assessment_id}"' in page.text


async def test_invalid_and_stale_answers_are_422_at_the_item_and_the_rest_is_saved(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-leiding", 2)
    await answer(client, a.token, a.assessment_id, "vb-missie", 1)
    path = f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid"
    form = form_fields((await client.get(path)).text, path)
    await answer(client, a.token, a.assessment_id, "vb-leiding", 3)  # a colleague, meanwhile

    form.update(
        {
            "answer-vb-missie": "7",  # not a level
            "answer-vb-leiding": "5",  # based on revision 1, now stale
            "answer-vb-actieplan": "3",
            "answer-vb-middelen": "yes",
            "answer-vb-gedragscode": "na",  # "not applicable" is not allowed here
        }
    )
    response = await client.post(path, data=form)

    assert response.status_code == 422
    html = response.text
    assert nl("Some answers were not saved") in html
    for item_id in ("vb-missie", "vb-leiding", "vb-gedragscode"):
        assert f'id="error-{item_id}"' in html, item_id
        # listed in the error summary, leading to the question's first control
        first = "yes" if item_id == "vb-gedragscode" else "1"
        assert f'href="#a-{item_id}-{first}"' in html, item_id
    for item_id in ("vb-actieplan", "vb-middelen"):
        assert f'id="error-{item_id}"' not in html, item_id
    assert nl("Choose a level from 1 to 5.") in html
    assert (
        html_escape(
            nl("Someone else changed this answer in the meantime. The current answer is shown.")
        )
        in html
    )
    assert checked_values(html, "vb-leiding") == ["3"]  # the colleague's answer
    assert 'name="revision-vb-leiding" value="2"' in html
    stored = await stored_answers(sessionmaker, a.assessment_id)
    assert stored["vb-missie"][:2] == (1, False)
    assert stored["vb-leiding"][::3] == (3, 2)
    assert stored["vb-actieplan"][::3] == (3, 1)
    assert stored["vb-middelen"][::3] == ("yes", 1)
    assert "vb-gedragscode" not in stored


async def test_unchanged_answers_are_not_saved_again(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 3)
    path = f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid"
    form = form_fields((await client.get(path)).text, path)

    response = await client.post(path, data={**form, "answer-vb-leiding": "2"})

    assert response.status_code == 303
    stored = await stored_answers(sessionmaker, a.assessment_id)
    assert stored["vb-missie"][3] == 1  # the page sent it back unchanged: no new revision
    assert stored["vb-leiding"][::3] == (2, 1)
    assert set(stored) == {"vb-missie", "vb-leiding"}


async def test_submitted_assessment_is_read_only_in_the_ui(client, db, sessionmaker) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 3)
    path = f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid"
    form = form_fields((await client.get(path)).text, path)
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")

    page = await client.get(path)
    posted = await client.post(path, data={**form, "answer-vb-missie": "5"})
    autosave = await client.post(
        f"/assessments/{a.assessment_id}/answers/vb-missie",
        data={"answer-vb-missie": "5", "revision-vb-missie": "1"},
        headers={"HX-Request": "true", "x-csrftoken": a.token},
    )

    assert page.status_code == 200
    assert "<fieldset disabled" in page.text
    assert "hx-post=" not in page.text
    assert (posted.status_code, autosave.status_code) == (409, 409)
    assert (await stored_answers(sessionmaker, a.assessment_id))["vb-missie"][::3] == (3, 1)


async def test_unknown_part_is_404(client, db) -> None:
    a = await manager_with_assessment(client, db)

    page = await client.get(f"/assessments/{a.assessment_id}/dimensions/astrologie")
    posted = await post_form(client, f"/assessments/{a.assessment_id}/dimensions/astrologie")

    assert (page.status_code, posted.status_code) == (404, 404)


async def test_result_page_before_the_first_submit_is_409(client, db) -> None:
    a = await manager_with_assessment(client, db)

    response = await client.get(f"/assessments/{a.assessment_id}/result")

    assert response.status_code == 409


async def test_a_respondent_answers_in_their_own_response_and_sees_it_read_only_once_submitted(
    client, db
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-missie", 2)  # the manager's answer
    respondent = await invited_respondent(db, a.organisation, a.assessment_id)
    token = await api_login(client, respondent)

    page = await client.get(f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid")
    assert checked_values(page.text, "vb-missie") == []  # not the manager's answer
    assert "hx-post=" in page.text
    await answer(client, token, a.assessment_id, "vb-missie", 4)
    submitted = await client.post(
        f"/assessments/{a.assessment_id}/submit", data={"_csrf_token": token}
    )
    assert submitted.status_code == 303
    assert submitted.headers["location"] == f"/assessments/{a.assessment_id}"

    overview = await client.get(f"/assessments/{a.assessment_id}")
    page = await client.get(f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid")
    assert f'action="/assessments/{a.assessment_id}/submit"' not in overview.text
    assert f'action="/assessments/{a.assessment_id}/reopen"' in overview.text
    assert checked_values(page.text, "vb-missie") == ["4"]
    assert "hx-post=" not in page.text
    assert "<fieldset disabled" in page.text


async def test_a_colleagues_change_to_an_item_i_did_not_touch_is_not_overwritten(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    await answer(client, a.token, a.assessment_id, "vb-leiding", 2)
    path = f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid"
    form = form_fields((await client.get(path)).text, path)  # shows vb-leiding = 2
    await answer(client, a.token, a.assessment_id, "vb-leiding", 4)  # a colleague, meanwhile

    # I only answer vb-missie; the form sends vb-leiding back as it was shown
    response = await client.post(path, data={**form, "answer-vb-missie": "3"})

    stored = await stored_answers(sessionmaker, a.assessment_id)
    assert stored["vb-leiding"][::3] == (4, 2)
    assert stored["vb-missie"][::3] == (3, 1)
    if response.status_code == 422:  # told about the colleague's answer, never silently lost
        assert checked_values(response.text, "vb-leiding") == ["4"]
    else:
        assert response.status_code == 303


async def test_not_applicable_is_saved_from_the_form_where_allowed(
    client, db, sessionmaker
) -> None:
    a = await manager_with_assessment(client, db)
    path = f"/assessments/{a.assessment_id}/dimensions/personeelsbeleid"
    page = await client.get(path)
    form = form_fields(page.text, path)
    assert 'id="a-pb-werving-na"' in page.text  # offered where the YAML allows it
    assert 'id="a-pb-selectie-na"' not in page.text  # and only there

    response = await client.post(
        path, data={**form, "answer-pb-werving": "na", "answer-pb-selectie": "2"}
    )

    assert response.status_code == 303
    stored = await stored_answers(sessionmaker, a.assessment_id)
    assert stored["pb-werving"][:2] == (None, True)
    assert stored["pb-selectie"][:2] == (2, False)
    back = await client.get(path)
    assert checked_values(back.text, "pb-werving") == ["na"]
    assert _progress_cell(back.text, "personeelsbeleid") == nl(
        "%(answered)s of %(total)s", answered=2, total=7
    )


async def test_organisation_page_shows_the_submitted_score(client, db) -> None:
    a = await manager_with_assessment(client, db)
    for item_id, value in VISION.items():
        await answer(
            client, a.token, a.assessment_id, item_id, int(value) if value.isdigit() else value
        )
    await answer_more_parts(db, a.assessment_id)  # four of six parts: an overall score
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")
    score = (await client.get(f"/api/v1/assessments/{a.assessment_id}/result")).json()["score"]

    page = await client.get(f"/organisations/{a.organisation.id}")

    assert f'href="/assessments/{a.assessment_id}/result"' in page.text
    # the overall score, shown rounded
    assert nl("score %(score)s/100", score=f"{round_half_up(score, 0):.0f}") in page.text


# English UI texts that must not show on a Dutch page (their msgids in the catalogue).
ENGLISH = [
    "Save and go to the overview",
    "Add a comment",
    "questions answered",
    "Starting",
    "Overall score",
    "Coverage",
    "insufficient data",
    "Saved",
]


async def test_assessment_pages_are_in_dutch(client, db) -> None:
    a = await manager_with_assessment(client, db)
    saved = await client.post(
        f"/assessments/{a.assessment_id}/answers/vb-missie",
        data={"answer-vb-missie": "4", "revision-vb-missie": "0"},
        headers={"HX-Request": "true", "x-csrftoken": a.token},
    )
    page = await client.get(f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid")
    await api_post(client, a.token, f"/api/v1/assessments/{a.assessment_id}/submit")
    result = await client.get(f"/assessments/{a.assessment_id}/result")

    def visible(html: str) -> str:
        return re.sub(r"<[^>]+>", " ", html)

    shown = " ".join(visible(r.text) for r in (saved, page, result))
    assert '<html lang="nl">' in page.text
    assert [w for w in ENGLISH if re.search(rf"\b{w}\b", shown)] == []
