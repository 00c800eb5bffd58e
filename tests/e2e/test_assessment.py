"""The assessment journey of a manager, with JavaScript (htmx autosave) and without
(one plain form per part): start or continue, answer a part, leave and come back,
submit, read the result, reopen."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from survey.demo import manager_email
from tests.e2e.harness import assert_accessible, javascript_enabled, login
from tests.e2e.test_questionnaires import _open_assessment

# Managers the other journeys do not use; one per mode so the runs stay independent.
MANAGER_INDEX = {"js": 11, "nojs": 12}
FIRST_PART = "Visie en beleid"


def _open_editable_assessment(page: Any) -> None:
    """This round's "Cultuursensitief werken" assessment, started or reopened as needed."""
    _open_assessment(page, "cultuursensitief-werken")


def test_manager_answers_submits_and_sees_the_result(
    page: Any, demo_logins: Any, screenshot: Any
) -> None:
    mode = "js" if javascript_enabled(page) else "nojs"
    login(page, manager_email(MANAGER_INDEX[mode]), demo_logins.manager.password)
    _open_editable_assessment(page)
    assessment_url = page.url
    screenshot(page, "overview")
    assert_accessible(page)

    page.locator(".assessment-nav a", has_text=FIRST_PART).click()
    expect(page.locator("h1")).to_have_text(FIRST_PART)
    questions = page.locator(".question")
    count = questions.count()
    assert count >= 5
    chosen: list[str] = []
    for index in range(count):
        question = questions.nth(index)
        options = question.locator(".option:not(.option-na) input")
        option = options.nth(min(3, options.count() - 1))  # level 4 where there are five levels
        question.locator(f"label[for='{option.get_attribute('id')}']").click()
        chosen.append(option.get_attribute("id") or "")
        if mode == "js":
            # autosave: the question comes back marked as saved, the part's progress moves
            expect(page.locator(f"#{question.get_attribute('id')} .save-status")).to_have_text(
                "Bewaard"
            )
    if mode == "js":
        expect(page.locator("#progress-visie-en-beleid")).to_contain_text(f"{count} van {count}")
        screenshot(page, "part-autosaved")
        page.goto(assessment_url)  # leave without pressing any button
    else:
        page.get_by_role("button", name="Bewaren en naar het overzicht").click()
        expect(page.locator(".flash")).to_have_text("Je antwoorden zijn bewaard.")

    # Coming back: every answer is still there, and the progress says so.
    expect(page.locator("main table")).to_contain_text(f"{count} van {count}")
    page.locator(".assessment-nav a", has_text=FIRST_PART).click()
    for option_id in chosen:
        expect(page.locator(f"#{option_id}")).to_be_checked()
    screenshot(page, "part-answered")
    assert_accessible(page)

    page.goto(assessment_url)
    # with too few parts answered the button says there will be no overall score
    submit = re.compile(r"^(Zelfevaluatie indienen|Indienen zonder totaalscore)$")
    page.get_by_role("button", name=submit).click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/result$"))
    expect(page.locator(".flash")).to_contain_text("De zelfevaluatie is ingediend.")
    row = page.locator("table.result-table tbody tr", has_text=FIRST_PART)
    expect(row.locator("td").nth(0)).to_have_text(re.compile(r"^\d+,\d\d$"))  # Dutch decimal comma
    expect(row.locator(".maturity-description")).not_to_be_empty()
    expect(page.locator(".bar-chart #chart-title")).to_have_text("Score per deel, van 0 tot 100")
    screenshot(page, "result")
    assert_accessible(page)

    page.get_by_role("button", name="Heropenen om antwoorden te wijzigen").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    expect(page.locator(".state-line")).to_contain_text("Heropend")
