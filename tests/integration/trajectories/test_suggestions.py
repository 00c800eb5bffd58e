"""Suggested support trajectories on the result page and in ``GET …/result`` (DESIGN §6,
§9): an organisation with weak accessibility results gets offers of the Huis van het
Nederlands and of the Agentschap, ranked, each with its reasons and figures and a one-step
request form; an assessment with no scored part says what it needs instead."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from survey.accounts.models import Provider, Role
from survey.assessments.models import Answer, Response
from survey.demo.assessments import demo_answers
from survey.i18n import format_number
from survey.organisations.models import Organisation
from survey.questionnaires.publishing import definition_of, latest_versions
from survey.scoring import StoredAnswer, round_half_up
from survey.trajectories.models import CoachSuggestion
from tests.factories import api_login, login, make_organisation, make_user
from tests.integration.assessments.helpers import (
    api_post,
    html_escape,
    manager_in_round,
    manager_with_assessment,
    nl,
    start,
)
from tests.integration.benchmarks.helpers import submitted_peer

ACCESSIBILITY = "toegankelijkheid"


async def _answers(level: float, seed: int, db: Any) -> tuple[Any, dict[str, StoredAnswer]]:
    version = (await latest_versions(db))[ACCESSIBILITY]
    questionnaire = definition_of(version)
    return version, demo_answers(questionnaire, level, random.Random(seed))


async def _weak_organisation(
    client: Any, db: Any, peers: int = 10
) -> tuple[Any, Organisation, int]:
    """A manager (logged in through the API) whose accessibility assessment, answered low
    throughout, is submitted among ``peers`` stronger organisations."""
    setup = await manager_in_round(client, db)
    organisation, round_, token = setup.organisation, setup.round, setup.token
    for index in range(peers):
        await submitted_peer(
            db, round_, 3.4 + 0.1 * index, seed=200 + index, questionnaire_id=ACCESSIBILITY
        )
    assessment_id = await start(client, token, organisation.id, questionnaire_id=ACCESSIBILITY)
    _version, answers = await _answers(1.5, 7, db)
    response = await db.scalar(
        select(Response).where(
            Response.assessment_id == assessment_id, Response.is_consolidated.is_(True)
        )
    )
    db.add_all(
        Answer(response_id=response.id, item_id=i, value=a.value, not_applicable=a.not_applicable)
        for i, a in answers.items()
    )
    await db.commit()
    submitted = await api_post(client, token, f"/api/v1/assessments/{assessment_id}/submit")
    assert submitted.status_code == 200, submitted.text
    return setup.manager, organisation, assessment_id


def _points(value: float) -> str:
    return format_number(round_half_up(value, 0), 0, "nl")


async def test_weak_accessibility_gets_both_providers_ranked_with_reasons_in_the_api(
    client, db
) -> None:
    _manager, _organisation, assessment_id = await _weak_organisation(client, db)

    result = (await client.get(f"/api/v1/assessments/{assessment_id}/result")).json()

    assert result["suggestions_status"] == "suggested" and result["suggestions_note"] is None
    suggestions = result["suggestions"]
    by_id = {s["trajectory_id"]: s for s in suggestions}
    assert {s["provider"] for s in suggestions} == {"agentschap", "huis"}
    assert {"duidelijke-taal", "nederlands-leren-promoten", "brede-toegankelijkheid"} <= set(by_id)
    # ranked: 1, 2, 3 …; the largest shortfall first, then the most rules matched
    assert [s["rank"] for s in suggestions] == list(range(1, len(suggestions) + 1))
    order = [(-s["gap"], -s["fit"]) for s in suggestions]
    assert order == sorted(order)
    assert all(s["reasons"] for s in suggestions)
    # the joint trajectory: the Agentschap leads, the Huis is partner
    joint = by_id["brede-toegankelijkheid"]
    assert (joint["provider"], joint["partner"]) == ("agentschap", "huis")
    assert joint["name"] == "Brede toegankelijkheid"

    # the reason names the part and the figures, the peers' median from the benchmark
    dimensions = {d["dimension_id"]: d for d in result["dimensions"]}
    peers = {d["dimension_id"]: d for d in result["benchmark"]["dimensions"]}
    understandable = dimensions["begrijpbaarheid"]
    assert understandable["maturity"] <= 2
    median = peers["begrijpbaarheid"]["distribution"]["p50"]
    assert peers["begrijpbaarheid"]["peer_group"]["n_organisations"] == 10
    (reason,) = [
        r
        for r in by_id["duidelijke-taal"]["reasons"]
        if r["dimension"] == "begrijpbaarheid" and r["item"] is None
    ]
    level = understandable["maturity"]
    assert reason["text"] == (
        "Toegankelijkheid — Begrijpbaarheid: "
        + nl(
            "level %(level)s (%(name)s), score %(score)s",
            level=level,
            name=nl(["Starting", "Aware"][level - 1]).lower(),
            score=_points(understandable["score"]),
        )
        + "; "
        + nl("comparable organisations (median): %(figure)s", figure=_points(median))
    )
    figures = reason["figures"]
    assert figures["score"] == understandable["score"]
    assert (figures["peer_figure"], figures["peer_statistic"], figures["n_peers"]) == (
        median,
        "median",
        10,
    )
    assert figures["gap"] == round_half_up(median - understandable["score"])
    assert by_id["duidelijke-taal"]["gap"] >= figures["gap"]


async def test_the_result_page_shows_the_suggestions_with_a_request_form(client, db) -> None:
    manager, organisation, assessment_id = await _weak_organisation(client, db)
    api = (await client.get(f"/api/v1/assessments/{assessment_id}/result")).json()
    await login(client, manager)

    page = await client.get(f"/assessments/{assessment_id}/result")

    assert page.status_code == 200
    html = page.text
    assert nl("Suggested support") in html
    for suggestion in api["suggestions"]:
        assert f'id="suggestion-{suggestion["trajectory_id"]}"' in html
        assert html_escape(suggestion["name"]) in html
        for reason in suggestion["reasons"]:
            assert html_escape(reason["text"]) in html
    # in rank order
    positions = [html.index(f'id="suggestion-{s["trajectory_id"]}"') for s in api["suggestions"]]
    assert positions == sorted(positions)
    assert html_escape(nl("Huis van het Nederlands Brussel")) in html
    assert html_escape(nl("Agentschap Integratie en Inburgering")) in html
    # one step: a form per suggestion, with the CSRF token, to the support requests route
    action = f'action="/organisations/{organisation.id}/support-requests"'
    assert html.count(action) == len(api["suggestions"])
    assert html.count('name="trajectory_id"') == len(api["suggestions"])
    assert 'name="trajectory_id" value="duidelijke-taal"' in html
    form = html.split(action, 1)[1].split("</form>", 1)[0]
    assert 'name="_csrf_token" value="' in form and 'name="note"' in form
    assert f'name="assessment_id" value="{assessment_id}"' in form

    # requesting is one step: the form as it is, with an optional note
    token = form.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    sent = await client.post(
        f"/organisations/{organisation.id}/support-requests",
        data={
            "_csrf_token": token,
            "trajectory_id": "duidelijke-taal",
            "assessment_id": str(assessment_id),
            "note": "Graag in het najaar.",
        },
    )
    assert sent.status_code == 303, sent.text
    (made,) = (await client.get("/api/v1/support-requests")).json()
    assert (made["trajectory_id"], made["provider"], made["state"]) == (
        "duidelijke-taal",
        "huis",
        "requested",
    )
    assert (made["assessment_id"], made["message"]) == (assessment_id, "Graag in het najaar.")


async def test_a_result_without_a_scored_part_says_what_it_needs(client, db) -> None:
    setup = await manager_with_assessment(client, db, questionnaire_id=ACCESSIBILITY)
    organisation, token, assessment_id = setup.organisation, setup.token, setup.assessment_id
    # one answer: no part reaches 60 % of its questions
    response = await db.scalar(select(Response).where(Response.assessment_id == assessment_id))
    db.add(Answer(response_id=response.id, item_id="bg-taaliconen", value="no"))
    await db.commit()
    submitted = await api_post(client, token, f"/api/v1/assessments/{assessment_id}/submit")
    assert submitted.status_code == 200, submitted.text

    result = (await client.get(f"/api/v1/assessments/{assessment_id}/result")).json()

    assert all(d["score"] is None for d in result["dimensions"])
    assert result["suggestions"] == []  # nothing "at random"
    assert result["suggestions_status"] == "no_scores"
    note = result["suggestions_note"]
    assert note and "60%" in note
    await login(client, setup.manager)
    html = (await client.get(f"/assessments/{assessment_id}/result")).text
    assert f'<p class="notice" id="suggestions-note">{html_escape(note)}</p>' in html
    assert "support-requests" not in html

    # a coach's own suggestion is not "at random": it is listed, next to the note
    db.add(
        CoachSuggestion(
            organisation_id=organisation.id, trajectory_id="duidelijke-taal", provider=Provider.HUIS
        )
    )
    await db.commit()
    result = (await client.get(f"/api/v1/assessments/{assessment_id}/result")).json()
    assert [s["trajectory_id"] for s in result["suggestions"]] == ["duidelijke-taal"]
    assert [r["kind"] for r in result["suggestions"][0]["reasons"]] == ["coach"]
    assert (result["suggestions_status"], result["suggestions_note"]) == ("no_scores", note)
    html = (await client.get(f"/assessments/{assessment_id}/result")).text
    assert 'id="suggestion-duidelijke-taal"' in html and html_escape(note) in html


async def test_the_catalogue_in_the_api(client, db) -> None:
    organisation = await make_organisation(db)
    user = await make_user(db, Role.MANAGER, organisation)
    assert (await client.get("/api/v1/trajectories")).status_code == 401
    await api_login(client, user)

    listed = (await client.get("/api/v1/trajectories")).json()

    assert len(listed) == 13
    clear = next(t for t in listed if t["id"] == "duidelijke-taal")
    assert (clear["provider"], clear["partner"], clear["intensity"]) == ("huis", None, "training")
    assert clear["name"] == "Duidelijke taal"
    assert clear["titles"] == {
        "nl": "Duidelijke taal",
        "fr": "Langage clair",
        "en": "Clear language",
    }
    assert {
        "questionnaire_id": "toegankelijkheid",
        "dimension_id": "begrijpbaarheid",
        "title": "Begrijpbaarheid",
    } in clear["dimensions"]
    assert clear["contact"]["url"].startswith("https://")
    joint = next(t for t in listed if t["id"] == "brede-toegankelijkheid")
    assert (joint["provider"], joint["partner"]) == ("agentschap", "huis")
    english = (await client.get("/api/v1/trajectories?lang=en")).json()
    assert next(t for t in english if t["id"] == "duidelijke-taal")["name"] == "Clear language"


async def test_a_coach_suggestion_is_listed_with_its_reason(client, db) -> None:
    _manager, organisation, assessment_id = await _weak_organisation(client, db, peers=0)
    before = (await client.get(f"/api/v1/assessments/{assessment_id}/result")).json()
    fired = {s["trajectory_id"]: s for s in before["suggestions"]}
    assert "praktijkondersteuning" not in fired  # its rules look at another questionnaire
    db.add_all(
        [
            CoachSuggestion(
                organisation_id=organisation.id,
                trajectory_id="praktijkondersteuning",
                provider=Provider.AGENTSCHAP,
            ),
            CoachSuggestion(
                organisation_id=organisation.id,
                trajectory_id="duidelijke-taal",
                provider=Provider.HUIS,
            ),
        ]
    )
    await db.commit()

    after = (await client.get(f"/api/v1/assessments/{assessment_id}/result")).json()

    by_id = {s["trajectory_id"]: s for s in after["suggestions"]}
    coach_reason = {
        "text": nl("Suggested by your coach"),
        "dimension": None,
        "item": None,
        "figures": None,
        "kind": "coach",
    }
    # only suggested by the coach: no gap, one "rule" (the coach), after those with a gap
    practice = by_id["praktijkondersteuning"]
    assert practice["coach_suggested"] is True
    assert (practice["gap"], practice["fit"], practice["reasons"]) == (0.0, 1, [coach_reason])
    assert all(s["rank"] < practice["rank"] for s in after["suggestions"] if s["gap"] > 0)
    # suggested by the rules and by the coach: the coach's reason first, one more to its fit
    clear = by_id["duidelijke-taal"]
    assert clear["reasons"][0] == coach_reason
    assert clear["reasons"][1:] == fired["duidelijke-taal"]["reasons"]
    assert (clear["gap"], clear["fit"]) == (
        fired["duidelijke-taal"]["gap"],
        fired["duidelijke-taal"]["fit"] + 1,
    )
    assert not any(
        s["coach_suggested"] for s in after["suggestions"] if s is not clear and s is not practice
    )


async def test_a_reason_in_french_keeps_french_punctuation(client, db) -> None:
    """« Accessibilité — Compréhensibilité : niveau 1 (…), score 15 ; sous le seuil … »:
    French puts a no-break space before the colon and a narrow one before each semicolon."""
    _manager, _organisation, assessment_id = await _weak_organisation(client, db)
    result = (await client.get(f"/api/v1/assessments/{assessment_id}/result?lang=fr")).json()
    texts = [r["text"] for s in result["suggestions"] for r in s["reasons"] if r["item"] is None]
    assert texts
    for text in texts:
        heading, _colon, rest = text.partition("\u00a0: ")
        assert heading and rest and ":" not in heading, text
        assert "; " not in rest.replace("\u202f; ", ""), text  # every semicolon has its space
    assert any("\u202f; " in text for text in texts)
