"""A problem with a support or coaching form is shown where the person was, with what they
typed kept: the result page's "request" button, a step a colleague took first, a request
that closed meanwhile. Never a dead-end error page with only a link home."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from sqlalchemy import func, select

from survey.trajectories.models import SupportRequest
from tests.factories import csrf_token, login, post_form
from tests.integration.assessments.helpers import nl
from tests.integration.trajectories.helpers import (
    World,
    as_user,
    coach_on_the_web,
    move,
    post_goal,
)
from tests.integration.trajectories.test_suggestions import _weak_organisation

NUL_MESSAGE = "This contains a character that is not allowed (NUL). Remove it and try again."


def _suggestion(html: str, trajectory_id: str) -> str:
    """The suggestion's card on the result page."""
    start = html.index(f'id="suggestion-{trajectory_id}"')
    return html[start : html.index("</li>", html.index("</form>", start))]


async def _request_from_the_result_page(
    client: Any, organisation_id: int, assessment_id: int, note: str
) -> Any:
    page = await client.get(f"/assessments/{assessment_id}/result")
    assert page.status_code == 200
    return await post_form(
        client,
        f"/organisations/{organisation_id}/support-requests",
        data={
            "trajectory_id": "duidelijke-taal",
            "assessment_id": str(assessment_id),
            "note": note,
        },
    )


async def test_an_over_long_message_is_shown_at_its_suggestion_on_the_result_page(
    client: Any, db: Any
) -> None:
    manager, organisation, assessment_id = await _weak_organisation(client, db)
    await login(client, manager)
    note = "Graag een gesprek over duidelijke taal. " + "x" * 1970  # 2010 characters

    response = await _request_from_the_result_page(client, organisation.id, assessment_id, note)

    assert response.status_code == 422, response.text
    html = response.text
    # the result page itself, not an error page
    assert nl("Suggested support") in html and nl("Score per part") in html
    card = _suggestion(html, "duidelijke-taal")
    message = nl("Use at most %(n)s characters.", n=2000)
    assert f'id="note-duidelijke-taal-error">{message}</p>' in card
    assert f">{note}</textarea>" in card
    textarea = re.search(r'<textarea id="note-duidelijke-taal"[^>]*>', card)
    assert textarea is not None
    assert 'aria-invalid="true"' in textarea.group(0)
    assert "note-duidelijke-taal-error" in textarea.group(0)
    # the other suggestions keep an empty form
    other = _suggestion(html, "brede-toegankelijkheid")
    assert "field-error" not in other and "></textarea>" in other
    # a summary on arrival, taking the person to the field
    summary = html[html.index('class="error-summary"') :]
    named = nl("%(name)s: %(problem)s", name="Duidelijke taal", problem=message)
    assert f'<a href="#note-duidelijke-taal">{named}</a>' in summary.split("</div>", 1)[0]
    assert await db.scalar(select(func.count()).select_from(SupportRequest)) == 0


async def test_a_nul_in_the_message_is_shown_at_its_suggestion(client: Any, db: Any) -> None:
    manager, organisation, assessment_id = await _weak_organisation(client, db)
    await login(client, manager)

    response = await _request_from_the_result_page(
        client, organisation.id, assessment_id, "Graag\x00 in het najaar"
    )

    assert response.status_code == 422, response.text
    card = _suggestion(response.text, "duidelijke-taal")
    assert f'id="note-duidelijke-taal-error">{escape(nl(NUL_MESSAGE))}</p>' in card
    assert ">Graag\x00 in het najaar</textarea>" in card
    assert await db.scalar(select(func.count()).select_from(SupportRequest)) == 0


async def test_a_step_a_colleague_took_first_is_shown_at_the_step_with_the_note_kept(
    client: Any, w: World, requested: int
) -> None:
    # a colleague (here: the same coach through the API) takes the request to intake first
    coach = await as_user(client, w.huis_coach)
    assert (await move(client, coach, requested, "intake")).status_code == 200
    await login(client, w.huis_coach)

    response = await post_form(
        client,
        f"/coaching/requests/{requested}/state",
        data={"state": "intake", "note": "Ik bel maandag voor een afspraak."},
    )

    assert response.status_code == 409, response.text
    html = response.text
    message = nl("The request is already “%(state)s”.", state=nl("intake"))
    assert f'id="state-error">{escape(message)}</p>' in html
    assert ">Ik bel maandag voor een afspraak.</textarea>" in html
    assert f'id="request-state">{nl("intake")}</strong>' in html
    # the steps that are possible now are offered
    assert 'id="state-running"' in html and 'id="state-intake"' not in html
    assert f'<a href="#state">{escape(message)}</a>' in html


async def test_a_blank_step_is_asked_for_in_the_readers_words(
    client: Any, w: World, requested: int
) -> None:
    await coach_on_the_web(client, w)

    response = await post_form(
        client, f"/coaching/requests/{requested}/state", data={"note": "Welkom"}
    )

    assert response.status_code == 422, response.text
    assert f'id="state-error">{nl("Choose the next step.")}</p>' in response.text
    # never the internal names of the states
    assert "requested, intake" not in response.text
    assert ">Welkom</textarea>" in response.text


async def test_withdrawing_a_request_that_closed_meanwhile_says_why_on_its_page(
    client: Any, w: World, requested: int
) -> None:
    coach = await as_user(client, w.huis_coach)
    assert (await move(client, coach, requested, "declined", "Geen plaats")).status_code == 200
    await login(client, w.manager)

    response = await post_form(
        client,
        f"/organisations/{w.organisation.id}/support-requests/{requested}/withdraw",
        data={"note": "Niet meer nodig"},
    )

    assert response.status_code == 409, response.text
    html = response.text
    message = nl(
        "The request is “%(state)s”: it is closed and can no longer change.",
        state=nl("declined"),
    )
    assert escape(message) in html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'id="request-state">{nl("declined")}</strong>' in html
    assert "Geen plaats" in html  # the history says what happened


async def test_a_goal_on_a_request_that_stopped_running_says_why_on_its_page(
    client: Any, w: World, requested: int
) -> None:
    coach = await as_user(client, w.huis_coach)
    for state in ("intake", "running", "completed"):
        assert (await move(client, coach, requested, state)).status_code == 200
    await login(client, w.huis_coach)

    response = await post_goal(client, requested, "2026")

    assert response.status_code == 409, response.text
    message = nl("Goals are agreed on a running trajectory; this request is not running.")
    summary = response.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert escape(message) in summary


async def test_a_refused_coach_note_is_announced_at_the_top_of_the_file(
    client: Any, w: World, requested: int
) -> None:
    await coach_on_the_web(client, w)

    response = await post_form(
        client, f"/coaching/organisations/{w.organisation.id}/notes", data={"body": "   "}
    )

    assert response.status_code == 422, response.text
    html = response.text
    required = nl("This field is required.")
    # the file is long: a summary right under the title leads to the field
    summary_at = html.index('class="error-summary"')
    assert summary_at < html.index('id="results-heading"')
    assert f'<a href="#body">{required}</a>' in html[summary_at:]


async def test_a_request_naming_no_result_of_the_organisation_keeps_the_plain_message(
    client: Any, db: Any
) -> None:
    manager, organisation, assessment_id = await _weak_organisation(client, db)
    await login(client, manager)
    form = {
        "_csrf_token": await csrf_token(client),
        "trajectory_id": "duidelijke-taal",
        "note": "x" * 2001,
    }
    for changed in (str(10**30), "abc", str(assessment_id + 1000)):
        response = await client.post(
            f"/organisations/{organisation.id}/support-requests",
            data={**form, "assessment_id": changed},
        )
        assert response.status_code in (404, 422), response.text
        assert nl("Suggested support") not in response.text
    assert await db.scalar(select(func.count()).select_from(SupportRequest)) == 0
