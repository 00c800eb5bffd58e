"""Helpers for the assessment tests: a started assessment, answers via the API, what is
stored in the database, the form a browser would send, and the Dutch texts of the UI."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.assessments.models import Answer, Assessment, AssessmentResult, Response
from survey.i18n import translations
from survey.organisations.models import Organisation
from survey.questionnaires import get_questionnaire
from survey.rounds.models import Round
from tests.factories import api_login, make_organisation, make_round, make_user

QUESTIONNAIRE = "cultuursensitief-werken"
ROUND = "2026"
# The parts of the questionnaire, in its order.
DIMENSIONS = [
    "visie-en-beleid",
    "personeelsbeleid",
    "toegankelijkheid-aanbod",
    "dienstverlening",
    "methodieken",
    "participatie",
]


def definition() -> Any:
    """The real questionnaire, as loaded from its data file."""
    return get_questionnaire(QUESTIONNAIRE)


def dimension_items(dimension_id: str) -> list[str]:
    for dimension in definition().dimensions:
        if dimension.id == dimension_id:
            return [item.id for item in dimension.items]
    raise KeyError(dimension_id)


def all_items() -> list[str]:
    return [item.id for item in definition().items]


def maturity_text(dimension_id: str, level: int, language: str = "nl") -> str:
    for dimension in definition().dimensions:
        if dimension.id == dimension_id:
            text: str = dimension.maturity[level - 1].get(language)
            return text
    raise KeyError(dimension_id)


def nl(message: str, **variables: object) -> str:
    """A UI text as the Dutch catalogue renders it (the text a Dutch user sees)."""
    text: str = translations("nl").ugettext(message)
    return text % variables if variables else text


def error_fields(body: dict[str, Any]) -> set[str]:
    """The fields a 400 answer names under ``errors``.

    Domain validation answers ``{field: message}``; the framework's body validation
    answers ``[{"key": field, "message": ...}]``. Both name the field.
    """
    errors = body.get("errors") or {}
    if isinstance(errors, dict):
        return set(errors)
    return {str(error.get("key")) for error in errors}


def html_escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@dataclass
class Manager:
    organisation: Organisation
    manager: User
    round: Round
    token: str


@dataclass
class Setup(Manager):
    assessment_id: int


async def manager_in_round(
    client: Any,
    db: Any,
    round_name: str = ROUND,
    *,
    round_state: str = "open",
    language: str = "nl",
    new_round: bool = True,
) -> Manager:
    """A new organisation and its manager (speaking ``language``) logged in through the API,
    with the round ``round_name``: made in ``round_state``, or the one that exists when
    ``new_round`` is false."""
    organisation = await make_organisation(db)
    manager = await make_user(db, Role.MANAGER, organisation, language=language)
    if new_round:
        round_ = await make_round(db, round_name, round_state)
    else:
        round_ = await db.scalar(select(Round).where(Round.name == round_name))
        await db.commit()  # end the read: on SQLite it would block the app's writes
    token = await api_login(client, manager)
    return Manager(organisation, manager, round_, token)


async def manager_with_assessment(
    client: Any,
    db: Any,
    round_name: str = ROUND,
    *,
    questionnaire_id: str = QUESTIONNAIRE,
    language: str = "nl",
    new_round: bool = True,
) -> Setup:
    """An organisation with an open round, its manager logged in (API), and a started
    assessment of ``questionnaire_id``."""
    m = await manager_in_round(client, db, round_name, language=language, new_round=new_round)
    assessment_id = await start(client, m.token, m.organisation.id, round_name, questionnaire_id)
    return Setup(m.organisation, m.manager, m.round, m.token, assessment_id)


async def invited_respondent(db: Any, organisation: Organisation, assessment_id: int) -> User:
    """A respondent of ``organisation`` who accepted an invitation: they have their own response."""
    respondent = await make_user(db, Role.RESPONDENT, organisation)
    db.add(Response(assessment_id=assessment_id, respondent_id=respondent.id))
    await db.commit()
    return respondent


async def start_response(
    client: Any,
    token: str,
    organisation_id: int,
    round_name: str = ROUND,
    questionnaire_id: str = QUESTIONNAIRE,
) -> Any:
    """The API's answer to "start an assessment", whatever it is."""
    return await client.post(
        "/api/v1/assessments",
        json={
            "organisation_id": organisation_id,
            "questionnaire_id": questionnaire_id,
            "round": round_name,
        },
        headers={"x-csrftoken": token},
    )


async def start(
    client: Any,
    token: str,
    organisation_id: int,
    round_name: str = ROUND,
    questionnaire_id: str = QUESTIONNAIRE,
) -> int:
    """The id of a newly started assessment."""
    response = await start_response(client, token, organisation_id, round_name, questionnaire_id)
    assert response.status_code == 201, response.text
    assessment_id: int = response.json()["id"]
    return assessment_id


async def put_answer(
    client: Any,
    token: str,
    assessment_id: int,
    item_id: str,
    value: Any = None,
    revision: int = 0,
    not_applicable: bool = False,
    comment: str | None = None,
) -> Any:
    return await client.put(
        f"/api/v1/assessments/{assessment_id}/answers/{item_id}",
        json={
            "value": value,
            "not_applicable": not_applicable,
            "comment": comment,
            "revision": revision,
        },
        headers={"x-csrftoken": token},
    )


async def answer(
    client: Any, token: str, assessment_id: int, item_id: str, value: Any, **kw: Any
) -> dict[str, Any]:
    """Save an answer based on its current revision; fail the test if it is refused."""
    current = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()
    revision = current["response"]["answers"].get(item_id, {}).get("revision", 0)
    response = await put_answer(client, token, assessment_id, item_id, value, revision, **kw)
    assert response.status_code == 200, response.text
    saved: dict[str, Any] = response.json()
    return saved


async def api_post(client: Any, token: str, path: str) -> Any:
    return await client.post(path, headers={"x-csrftoken": token})


async def close_round(sessionmaker: Any, round_id: int) -> None:
    """An admin closes the round early."""
    async with sessionmaker() as db, db.begin():
        round_ = await db.get(Round, round_id)
        assert round_ is not None
        round_.closed_at = dt.datetime.now(dt.UTC)


async def stored_answers(sessionmaker: Any, assessment_id: int) -> dict[str, tuple[Any, ...]]:
    """item id -> (value, not_applicable, comment, revision) of the consolidated response."""
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.assessment_id == assessment_id)
        )
        return {a.item_id: (a.value, a.not_applicable, a.comment, a.revision) for a in rows}


async def stored_state(sessionmaker: Any, assessment_id: int) -> tuple[str, Any, float | None]:
    """(state, submitted_at, stored overall score) of an assessment."""
    async with sessionmaker() as db:
        assessment = await db.get(Assessment, assessment_id)
        assert assessment is not None
        result = await db.get(AssessmentResult, assessment_id)
        return (
            assessment.state.value,
            assessment.submitted_at,
            result.score if result is not None else None,
        )


async def assessments_of(sessionmaker: Any, organisation_id: int) -> list[int]:
    async with sessionmaker() as db:
        return list(
            await db.scalars(
                select(Assessment.id).where(Assessment.organisation_id == organisation_id)
            )
        )


class _FormParser(HTMLParser):
    """The fields a browser would send for each form: hidden and text inputs, checked
    radios and checkboxes, textareas, and the first submit button with a name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._text = ""
        self._fieldsets: list[bool] = []  # disabled flag of each open fieldset

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "fieldset":
            self._fieldsets.append("disabled" in a)
            return
        if tag == "form":
            self._fields = []
            self.forms.append((a.get("action", ""), self._fields))
        elif self._fields is None or any(self._fieldsets):
            return  # a browser sends nothing from a disabled fieldset
        elif tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._fields.append((a["name"], a.get("value", "on")))
            elif kind != "submit":
                self._fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and "name" in a:
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def form_fields(html: str, action: str) -> dict[str, str]:
    """The fields of the form posting to ``action``, as a browser would submit them.

    The dimension forms have one value per name (radios), so a dict is enough.
    """
    parser = _FormParser()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action == action:
            return dict(fields)
    raise AssertionError(f"no form posting to {action} on the page")


def checked_values(html: str, item_id: str) -> list[str]:
    """The options of ``item_id`` shown as checked on a page or fragment."""
    pattern = re.compile(r"<input\b[^>]*>")
    found = []
    for tag in pattern.findall(html):
        if f'name="answer-{item_id}"' in tag and re.search(r"\schecked(\s|>|=)", tag):
            value = re.search(r'value="([^"]*)"', tag)
            found.append(value.group(1) if value else "on")
    return found
