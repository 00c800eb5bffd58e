""" "Not applicable", "don't know" and the answer exclude each other (issue 10): a form or an
API call that sends two of them is refused at the question and nothing is saved; a save
never says "saved" for less than the person chose. Also the error summary's links and the
note of a question that does not apply (issue 11)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.assessments.helpers import (
    checked_values,
    error_fields,
    form_fields,
    html_escape,
    nl,
    stored_answers,
)
from tests.integration.assessments.test_item_types import diverse_teams, htmx, put

BOTH = "Give an answer or choose “not applicable”, not both."

# One item of each type that allows "not applicable", in "Diverse teams", with a valid value.
WITH_NOT_APPLICABLE = [
    ("rw-vacatures", 3, "3"),  # maturity
    ("rw-kanalen", ["jobbeurzen"], ["jobbeurzen"]),  # multi
    ("rw-opstap", 2, "2"),  # likert5
    ("ds-interne-vacatures", "yes", "yes"),  # yes_partly_no
    ("ds-taal", "zelf-regelen", "zelf-regelen"),  # choice
    ("tc-bestuur-totaal", 4, "4"),  # number
]


async def autosave(client: Any, token: str, assessment_id: int, item_id: str, values: Any) -> Any:
    """The question's controls as htmx sends them on a change, based on the stored revision."""
    current = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()
    revision = current["response"]["answers"].get(item_id, {}).get("revision", 0)
    return await client.post(
        f"/assessments/{assessment_id}/answers/{item_id}",
        data={
            f"answer-{item_id}": values,
            f"revision-{item_id}": str(revision),
            f"comment-{item_id}": "",
        },
        headers=htmx(token),
    )


def question_html(html: str, item_id: str) -> str:
    match = re.search(rf'<div [^>]*id="q-{item_id}".*?</fieldset>', html, re.S)
    assert match, f"q-{item_id} not in the page"
    return match.group(0)


# --- JSON API ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "value"),
    [(item_id, value) for item_id, value, _form in WITH_NOT_APPLICABLE]
    + [("rw-kanalen", []), ("tc-bestuur-totaal", "unknown")],
)
async def test_the_api_refuses_not_applicable_with_a_value_naming_the_field(
    client, db, sessionmaker, item_id, value
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (
        await put(client, token, assessment_id, item_id, not_applicable=True)
    ).status_code == 200

    response = await put(client, token, assessment_id, item_id, value=value, not_applicable=True)

    assert response.status_code == 400, response.text
    assert "not_applicable" in error_fields(response.json())
    assert (await stored_answers(sessionmaker, assessment_id))[item_id][:2] == (None, True)


# --- htmx autosave ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "form_value"), [(item_id, form) for item_id, _value, form in WITH_NOT_APPLICABLE]
)
async def test_autosave_of_not_applicable_with_a_value_is_422_at_the_question_and_saves_nothing(
    client, db, sessionmaker, item_id, form_value
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    assert (await autosave(client, token, assessment_id, item_id, "na")).status_code == 200
    sent = [*form_value, "na"] if isinstance(form_value, list) else [form_value, "na"]

    response = await autosave(client, token, assessment_id, item_id, sent)

    assert response.status_code == 422, response.text
    assert re.search(
        rf'id="error-{item_id}"[^>]*>{re.escape(html_escape(nl(BOTH)))}<', response.text
    )
    assert nl("Saved") not in response.text
    if item_id != "tc-bestuur-totaal":  # what was sent stays shown, to correct
        assert sorted(checked_values(response.text, item_id)) == sorted(sent)
    assert (await stored_answers(sessionmaker, assessment_id))[item_id][:2] == (None, True)


async def test_a_multi_answer_after_not_applicable_is_stored_as_ticked(
    client, db, sessionmaker
) -> None:
    """The defect: once "not applicable" was chosen, ticked boxes were thrown away."""
    assessment_id, token = await diverse_teams(client, db)
    item_id = "rw-kanalen"
    page = (await client.get(f"/assessments/{assessment_id}/dimensions/werving-en-onthaal")).text
    # "not applicable" is a box of its own that can be unticked, not a radio among boxes
    assert re.search(rf'<input type="checkbox" id="a-{item_id}-na"', page)

    steps = [
        (["na"], (None, True)),
        (["jobbeurzen", "actiris-vdab"], (["jobbeurzen", "actiris-vdab"], False)),
        (["na"], (None, True)),
        ([""], (None, False)),  # "not applicable" unticked again, nothing else: no answer
    ]
    for sent, stored in steps:
        response = await autosave(client, token, assessment_id, item_id, sent)
        assert response.status_code == 200, (sent, response.text)
        assert (await stored_answers(sessionmaker, assessment_id))[item_id][:2] == stored
        shown = [value for value in sent if value]
        assert sorted(checked_values(response.text, item_id)) == sorted(shown)


@pytest.mark.parametrize(
    ("item_id", "sent", "message"),
    [
        ("tc-bestuur-totaal", ["12", "unknown"], "Enter a number or tick “don't know”, not both."),
        ("rw-vacatures", ["3", "4"], "Choose one answer."),
        ("ds-taal", ["zelf-regelen", "geen-steun"], "Choose one answer."),
        ("rw-kanalen", ["jobbeurzen", "tv-reclame"], "Choose one of the options."),
    ],
)
async def test_autosave_never_drops_part_of_what_was_sent(
    client, db, sessionmaker, item_id, sent, message
) -> None:
    assessment_id, token = await diverse_teams(client, db)

    response = await autosave(client, token, assessment_id, item_id, sent)

    assert response.status_code == 422, response.text
    assert html_escape(nl(message)) in response.text
    assert item_id not in await stored_answers(sessionmaker, assessment_id)


# --- the form without JavaScript -------------------------------------------------------------


async def test_the_form_with_not_applicable_and_boxes_is_422_at_the_question_and_saves_nothing(
    client, db, sessionmaker
) -> None:
    assessment_id, token = await diverse_teams(client, db)
    await put(client, token, assessment_id, "rw-kanalen", not_applicable=True)
    path = f"/assessments/{assessment_id}/dimensions/werving-en-onthaal"
    form: dict[str, Any] = form_fields((await client.get(path)).text, path)
    assert form["answer-rw-kanalen"] == "na"

    form["answer-rw-kanalen"] = ["na", "jobbeurzen", "actiris-vdab"]
    form["answer-rw-vacatures"] = "4"
    response = await client.post(path, data=form)

    assert response.status_code == 422
    html = response.text
    assert nl("Your answers were saved.") not in html
    assert re.search(rf'id="error-rw-kanalen"[^>]*>{re.escape(html_escape(nl(BOTH)))}<', html)
    assert sorted(checked_values(html, "rw-kanalen")) == ["actiris-vdab", "jobbeurzen", "na"]
    stored = await stored_answers(sessionmaker, assessment_id)
    assert stored["rw-kanalen"][:2] == (None, True)
    assert stored["rw-vacatures"][:2] == (4, False)  # the rest of the part is saved

    # Unticking "not applicable" (the form can say it now) saves the boxes.
    form["answer-rw-kanalen"] = ["jobbeurzen", "actiris-vdab"]
    form["revision-rw-kanalen"] = "1"
    form["revision-rw-vacatures"] = "1"
    response = await client.post(path, data=form)
    assert response.status_code == 303
    stored = await stored_answers(sessionmaker, assessment_id)
    assert stored["rw-kanalen"][:2] == (["jobbeurzen", "actiris-vdab"], False)


async def test_the_form_with_a_number_and_not_applicable_is_422(client, db, sessionmaker) -> None:
    assessment_id, _token = await diverse_teams(client, db)
    path = f"/assessments/{assessment_id}/dimensions/teamsamenstelling"
    form: dict[str, Any] = form_fields((await client.get(path)).text, path)

    form["answer-tc-bestuur-totaal"] = ["7", "na"]
    response = await client.post(path, data=form)

    assert response.status_code == 422
    assert re.search(
        rf'id="error-tc-bestuur-totaal"[^>]*>{re.escape(html_escape(nl(BOTH)))}<', response.text
    )
    assert 'value="7"' in question_html(response.text, "tc-bestuur-totaal")
    assert "tc-bestuur-totaal" not in await stored_answers(sessionmaker, assessment_id)


# --- issue 11: where the error summary leads, the note of a question that does not apply -----


@pytest.mark.parametrize(
    ("item_id", "sent", "first_input"),
    [
        ("rw-kanalen", ["na", "jobbeurzen"], "a-rw-kanalen-eigen-kanalen"),
        ("tc-bestuur-totaal", "twaalf", "a-tc-bestuur-totaal"),
    ],
)
async def test_the_error_summary_links_to_the_first_input_of_the_question(
    client, db, item_id, sent, first_input
) -> None:
    assessment_id, _token = await diverse_teams(client, db)
    dimension = "werving-en-onthaal" if item_id == "rw-kanalen" else "teamsamenstelling"
    path = f"/assessments/{assessment_id}/dimensions/{dimension}"
    form: dict[str, Any] = form_fields((await client.get(path)).text, path)

    response = await client.post(path, data={**form, f"answer-{item_id}": sent})

    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S)
    assert summary
    links = re.findall(r'href="#([^"]+)"', summary.group(0))
    assert links == [first_input]
    # the target is a form control (it takes focus), inside the question
    assert re.search(rf'<(input|textarea)\b[^>]*\bid="{first_input}"', response.text)
    assert f'id="{first_input}"' in question_html(response.text, item_id)


async def test_a_question_that_does_not_apply_shows_one_note_naming_the_question_to_answer(
    client, db
) -> None:
    """6.4 (dm-bijsturen) hangs on 6.3, which hangs on 6.2: with 6.2 "no", 6.4 showed its
    help and a note about 6.3 (a question that does not apply either), two notes saying
    nearly the same."""
    assessment_id, token = await diverse_teams(client, db)
    await put(client, token, assessment_id, "dm-streefcijfers", value="no")
    path = f"/assessments/{assessment_id}/dimensions/streefcijfers-en-monitoring"

    html = question_html((await client.get(path)).text, "dm-bijsturen")

    assert html.count('class="condition-note"') == 1
    assert 'class="hint"' not in html  # the help returns when the question applies
    note = re.search(r'class="condition-note"[^>]*>([^<]*)<', html)
    assert note
    assert note.group(1) == html_escape(
        nl(
            "This question only applies for some answers to question %(number)s: “%(question)s”",
            number="6.2",
            question="Hebben jullie streefcijfers voor de samenstelling van het team, "
            "bijvoorbeeld voor personeel, leiding of bestuur?",
        )
    )
    # once it applies, the help is back and the note is gone
    await put(client, token, assessment_id, "dm-streefcijfers", value="yes")
    await put(client, token, assessment_id, "dm-opvolging", value="jaarlijks")
    html = question_html((await client.get(path)).text, "dm-bijsturen")
    assert 'class="condition-note"' not in html
    assert 'class="hint" id="help-dm-bijsturen"' in html


async def test_saving_a_part_keeps_a_none_of_these_answer_its_boxes_cannot_show(
    client, db, sessionmaker
) -> None:
    """ "None of these" (an empty list, from the API) shows as no box ticked; saving the part
    without touching it must not turn it into "no answer"."""
    assessment_id, token = await diverse_teams(client, db)
    assert (await put(client, token, assessment_id, "rw-kanalen", value=[])).status_code == 200
    path = f"/assessments/{assessment_id}/dimensions/werving-en-onthaal"
    form = form_fields((await client.get(path)).text, path)

    response = await client.post(path, data={**form, "answer-rw-vacatures": "2"})

    assert response.status_code == 303
    stored = await stored_answers(sessionmaker, assessment_id)
    assert stored["rw-kanalen"][:2] == ([], False)
    assert stored["rw-kanalen"][3] == 1  # not saved again

    # a comment added to it keeps the answer as well
    form = form_fields((await client.get(path)).text, path)
    response = await client.post(path, data={**form, "comment-rw-kanalen": "Geen vacatures"})
    assert response.status_code == 303
    stored = await stored_answers(sessionmaker, assessment_id)
    assert stored["rw-kanalen"][:3] == ([], False, "Geen vacatures")
