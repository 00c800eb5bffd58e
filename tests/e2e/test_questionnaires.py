"""Every questionnaire can be completed in a browser, in each language, with the keyboard only:
every item type (levels, yes/partly/no, choices, several options, numbers, texts), the
questions that appear through an earlier answer, then submit and see a score per part.
With JavaScript (autosave per answer) and without (one form per part)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from survey.demo import manager_email
from tests.e2e.harness import assert_accessible, javascript_enabled, login

# questionnaire, language, and the demo manager of each mode (not used by other journeys)
CASES = [
    ("cultuursensitief-werken", "fr", {"js": 30, "nojs": 31}),
    ("diverse-teams", "nl", {"js": 32, "nojs": 33}),
    ("toegankelijkheid", "en", {"js": 34, "nojs": 35}),
    ("taalbeleid", "fr", {"js": 36, "nojs": 37}),
]


def _csrf(page: Any) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "nscan_csrf")


def _open_assessment(page: Any, questionnaire_id: str) -> int:
    """Start this round's assessment (or take the existing one) and make it editable."""
    page.goto("/")
    organisation_link = page.locator("main a[href^='/organisations/']").first
    organisation_id = int(organisation_link.get_attribute("href").rsplit("/", 1)[1])
    rounds = page.request.get("/api/v1/rounds").json()
    current = next(r["name"] for r in rounds if r["state"] == "open")
    started = page.request.post(
        "/api/v1/assessments",
        data={
            "organisation_id": organisation_id,
            "questionnaire_id": questionnaire_id,
            "round": current,
        },
        headers={"x-csrftoken": _csrf(page)},
    )
    body = started.json()
    assessment_id = int(body["id"] if started.status == 201 else body["assessment_id"])
    page.goto(f"/assessments/{assessment_id}")
    reopen = page.locator("form[action$='/reopen'] button")
    if reopen.count():
        reopen.click()
        expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}$"))
    return assessment_id


def _answer_question(page: Any, question_id: str, javascript: bool) -> None:
    """Answer one question with the keyboard, whatever its type."""
    question = page.locator(f"#{question_id}")
    if question.locator("fieldset[disabled]").count():
        return  # does not apply (yet)
    radios = question.locator(".options input[type=radio]:not([value=na])")
    checkboxes = question.locator(".options input[type=checkbox]")
    text = question.locator(f"textarea[name='answer-{question_id[2:]}']")
    number = question.locator("input.number-input")
    if radios.count():
        target = radios.nth(min(3, radios.count() - 1))  # level 4 where there are five
        target.focus()
        page.keyboard.press("Space")
        expected = target.get_attribute("id")
    elif checkboxes.count():
        target = checkboxes.nth(0)
        target.focus()
        page.keyboard.press("Space")
        expected = target.get_attribute("id")
    elif number.count():
        number.focus()
        # 0 fits every count rule: a subgroup at most its total (the demo answers a
        # subgroup only together with its total, so an empty total has empty subgroups).
        page.keyboard.type("0")
        page.keyboard.press("Tab")  # leaving the field commits the change
        expected = None
    elif text.count():
        text.focus()
        page.keyboard.type("Een zin / une phrase / a sentence")
        page.keyboard.press("Tab")
        expected = None
    else:
        raise AssertionError(f"no answer control in {question_id}")
    if javascript:
        expect(page.locator(f"#{question_id} .save-status")).not_to_be_empty()
        expect(page.locator(f"#{question_id} .field-error")).to_have_count(0)
    if expected:
        expect(page.locator(f"#{expected}")).to_be_checked()


@pytest.mark.parametrize(
    ("questionnaire_id", "language", "managers"),
    CASES,
    ids=[f"{q}-{lang}" for q, lang, _ in CASES],
)
def test_each_questionnaire_is_completed_with_the_keyboard(
    page: Any,
    demo_logins: Any,
    screenshot: Any,
    questionnaire_id: str,
    language: str,
    managers: dict[str, int],
) -> None:
    javascript = javascript_enabled(page)
    mode = "js" if javascript else "nojs"
    login(page, manager_email(managers[mode]), demo_logins.manager.password)
    page.goto(f"/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assessment_id = _open_assessment(page, questionnaire_id)
    definition = page.request.get(f"/api/v1/questionnaires/{questionnaire_id}").json()
    dimensions = [d["id"] for d in definition["dimensions"]]

    for index, dimension_id in enumerate(dimensions):
        page.goto(f"/assessments/{assessment_id}/dimensions/{dimension_id}")
        # Two passes: a question can start to apply through an answer on the same page
        # (without JavaScript, only after saving).
        for _pass in range(2):
            ids = page.locator(".question").evaluate_all("nodes => nodes.map(n => n.id)")
            for question_id in ids:
                question = page.locator(f"#{question_id}")
                answered = question.locator("input:checked").count() or any(
                    field.input_value()
                    for field in question.locator(
                        "input.number-input, .options ~ textarea, textarea[name^='answer-']"
                    ).all()
                )
                if not answered:
                    _answer_question(page, question_id, javascript)
            if index == 0 and _pass == 0:
                screenshot(page, f"{questionnaire_id}-{language}-first-part")
                assert_accessible(page)
            if javascript:
                break
            with page.expect_navigation():
                page.locator("button[name=next][value='0']").click()
            expect(page.locator(".field-error")).to_have_count(0)
            page.goto(f"/assessments/{assessment_id}/dimensions/{dimension_id}")

    page.goto(f"/assessments/{assessment_id}")
    with page.expect_navigation():
        page.locator(f"form[action='/assessments/{assessment_id}/submit'] button").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment_id}/result$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    screenshot(page, f"{questionnaire_id}-{language}-result")
    result = page.request.get(f"/api/v1/assessments/{assessment_id}/result").json()
    assert [d["dimension_id"] for d in result["dimensions"]] == dimensions
    assert all(d["score"] is not None for d in result["dimensions"]), result["dimensions"]
    assert result["coverage"] >= 0.9
