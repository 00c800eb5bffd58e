"""A multi-choice question with "not applicable" (Diverse teams, 1.2 rw-kanalen), with
JavaScript (autosave) and without (one form per part): "not applicable" and the boxes
exclude each other, and what the page shows after a reload is what was chosen."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from survey.demo import manager_email
from tests.e2e.harness import assert_accessible, javascript_enabled, login
from tests.e2e.test_questionnaires import _open_assessment

# Managers no other journey uses; one per mode so the runs stay independent.
MANAGER_INDEX = {"js": 57, "nojs": 58}
PART = "werving-en-onthaal"
ITEM = "rw-kanalen"
BOXES = ["jobbeurzen", "actiris-vdab"]


def _stored(page: Any, assessment_id: int) -> tuple[Any, bool]:
    body = page.request.get(f"/api/v1/assessments/{assessment_id}").json()
    answer = body["response"]["answers"].get(ITEM, {})
    return answer.get("value"), bool(answer.get("not_applicable"))


def _tick(page: Any, value: str, item: str = ITEM) -> None:
    """Click the box or radio; with JavaScript, wait for the autosave it sends."""
    label = page.locator(f"label[for='a-{item}-{value}']")
    if not javascript_enabled(page):
        label.click()
        return
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/answers/{item}")
    ) as saved:
        label.click()
    assert saved.value.status == 200


def _save_without_javascript(page: Any) -> None:
    page.get_by_role("button", name="Bewaren en naar het overzicht").click()


def _expect_saved_status(page: Any) -> None:
    expect(page.locator(f"#status-{ITEM}")).to_have_text("Bewaard")


def _expect_shown(page: Any, checked: list[str]) -> None:
    for box in page.locator(f"#q-{ITEM} input[name='answer-{ITEM}']").all():
        value = box.get_attribute("value")
        if value in checked:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()


def test_not_applicable_and_the_boxes_of_a_multi_choice_exclude_each_other(
    page: Any, demo_logins: Any, screenshot: Any
) -> None:
    javascript = javascript_enabled(page)
    mode = "js" if javascript else "nojs"
    login(page, manager_email(MANAGER_INDEX[mode]), demo_logins.manager.password)
    assessment_id = _open_assessment(page, "diverse-teams")
    part_url = f"/assessments/{assessment_id}/dimensions/{PART}"
    page.goto(part_url)

    # 1. Not applicable (the demo may have ticked boxes: without JavaScript, untick them).
    na = page.locator(f"#a-{ITEM}-na")
    if not javascript:
        for box in page.locator(f"#q-{ITEM} .option:not(.option-na) input:checked").all():
            page.locator(f"label[for='{box.get_attribute('id')}']").click()
    if not na.is_checked():
        _tick(page, "na")
        if javascript:
            _expect_saved_status(page)
    if not javascript:
        _save_without_javascript(page)
        expect(page.locator(".flash")).to_have_text("Je antwoorden zijn bewaard.")
    page.goto(part_url)
    _expect_shown(page, ["na"])
    assert _stored(page, assessment_id) == (None, True)

    # 2. Ticking boxes after "not applicable".
    for box in BOXES:
        _tick(page, box)
    if javascript:
        expect(na).not_to_be_checked()  # cleared as soon as a box is ticked
        _expect_saved_status(page)
        _expect_shown(page, BOXES)
    else:
        # Both at once is refused at the question; nothing is saved and the page says so.
        _save_without_javascript(page)
        expect(page.locator(f"#error-{ITEM}")).to_have_text(
            "Kies een antwoord of “niet van toepassing”, niet allebei."
        )
        expect(page.locator(".flash")).to_have_count(0)
        screenshot(page, "both-refused")
        assert _stored(page, assessment_id) == (None, True)
        # The summary leads to the question's first box, which takes the focus.
        page.locator(".error-summary a").first.click()
        expect(page.locator(f"#a-{ITEM}-eigen-kanalen")).to_be_focused()
        _expect_shown(page, [*BOXES, "na"])  # what was sent, to correct
        _tick(page, "na")
        _save_without_javascript(page)
        expect(page.locator(".flash")).to_have_text("Je antwoorden zijn bewaard.")
    page.goto(part_url)
    _expect_shown(page, BOXES)
    value, not_applicable = _stored(page, assessment_id)
    assert (sorted(value), not_applicable) == (sorted(BOXES), False)
    screenshot(page, "boxes-kept")
    if javascript:
        assert_accessible(page)

    # 3. And back to "not applicable".
    if javascript:
        _tick(page, "na")
        _expect_shown(page, ["na"])  # the boxes cleared at once
        _expect_saved_status(page)
    else:
        for box in BOXES:
            _tick(page, box)
        _tick(page, "na")
        _save_without_javascript(page)
        expect(page.locator(".flash")).to_have_text("Je antwoorden zijn bewaard.")
    page.goto(part_url)
    _expect_shown(page, ["na"])
    assert _stored(page, assessment_id) == (None, True)


def test_a_number_and_not_applicable_exclude_each_other_with_javascript(
    js_page: Any, demo_logins: Any
) -> None:
    """Typing a number clears "not applicable"; "don't know" clears the number."""
    page = js_page
    item = "tc-bestuur-totaal"
    login(page, manager_email(59), demo_logins.manager.password)
    assessment_id = _open_assessment(page, "diverse-teams")
    part_url = f"/assessments/{assessment_id}/dimensions/teamsamenstelling"
    page.goto(part_url)
    number = page.locator(f"#a-{item}")

    _tick(page, "na", item)  # saved (200)
    expect(number).to_have_value("")
    number.fill("900")  # above any subgroup the demo may have saved (the limit is 1000)
    expect(page.locator(f"#a-{item}-na")).not_to_be_checked()  # cleared while typing
    with page.expect_response(lambda r: r.url.endswith(f"/answers/{item}")) as saved:
        page.keyboard.press("Tab")
    assert saved.value.status == 200
    page.goto(part_url)
    expect(number).to_have_value("900")
    expect(page.locator(f"#a-{item}-na")).not_to_be_checked()

    _tick(page, "unknown", item)
    expect(number).to_have_value("")
    page.goto(part_url)
    expect(page.locator(f"#a-{item}-unknown")).to_be_checked()
    expect(number).to_have_value("")
    expect(page.locator(f"#a-{item}-na")).not_to_be_checked()
