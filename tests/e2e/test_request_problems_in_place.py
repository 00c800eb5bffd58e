"""A manager asks for a suggested trajectory from the result page with a message the app
refuses (over-long, typed past the field's limit as developer tools allow). The same result
page comes back with a summary that has the focus, the message at that suggestion's field and
what was typed kept; by keyboard alone the person reaches the field, corrects it and sends
the request. With JavaScript (French) and without (Dutch), axe-checked."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from playwright.sync_api import expect

from survey.demo import manager_email
from tests.e2e.harness import assert_accessible, javascript_enabled, login
from tests.e2e.test_support_journey import _text

LANGUAGE = {"js": "fr", "nojs": "nl"}
# Demo managers no other journey uses, whose organisations have no support requests (the
# demo gives none to the first 100) and a weak accessibility result this round.
MANAGER_INDEX = {"js": 44, "nojs": 51}
OPENING = {"fr": "Volontiers un entretien en avril. ", "nl": "Graag een gesprek in april. "}


def _newest_accessibility_result(data_dir: Any, manager: str) -> int:
    """The manager's submitted Toegankelijkheid assessment of the newest round."""
    with sqlite3.connect(data_dir / "survey.sqlite3") as db:
        row = db.execute(
            """
            SELECT a.id FROM assessments a
            JOIN memberships m ON m.organisation_id = a.organisation_id AND m.role = 'manager'
            JOIN users u ON u.id = m.user_id
            JOIN rounds r ON r.id = a.round_id
            WHERE u.email = ? AND a.questionnaire_id = 'toegankelijkheid'
              AND a.state = 'submitted'
              AND r.opens_on = (SELECT MAX(opens_on) FROM rounds
                                WHERE opens_on <= date('now'))
            """,
            (manager,),
        ).fetchone()
    assert row is not None, f"{manager} has no submitted accessibility result this round"
    return int(row[0])


def test_a_refused_request_message_comes_back_at_its_suggestion(
    page: Any, app_server: Any, demo_logins: Any, screenshot: Any
) -> None:
    mode = "js" if javascript_enabled(page) else "nojs"
    language = LANGUAGE[mode]
    manager = manager_email(MANAGER_INDEX[mode])
    assessment_id = _newest_accessibility_result(app_server.data_dir, manager)
    login(page, manager, demo_logins.manager.password)
    page.goto(f"/assessments/{assessment_id}/result?lang={language}")
    card = page.locator(".suggestion").first
    trajectory_id = (card.get_attribute("id") or "").removeprefix("suggestion-")
    name = card.locator("h3").inner_text()
    typed = OPENING[language] + "x" * 2000
    card.locator("textarea").evaluate(
        "(field, text) => { field.removeAttribute('maxlength'); field.value = text; }", typed
    )
    with page.expect_navigation():
        card.locator("button[type=submit]").click()

    # The result page again, not an error page: a summary that has the focus and is in view…
    expect(page.locator("h1")).to_contain_text(_text(language, "Result: %(title)s", title=""))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    message = _text(language, "Use at most %(n)s characters.", n=2000)
    expect(summary.locator("a")).to_have_text(
        _text(language, "%(name)s: %(problem)s", name=name, problem=message)
    )
    # … the message at the suggestion's own field, and what was typed kept
    field = page.locator(f"#note-{trajectory_id}")
    expect(page.locator(f"#note-{trajectory_id}-error")).to_have_text(message)
    expect(field).to_have_value(typed)
    expect(field).to_have_attribute("aria-invalid", "true")
    screenshot(page, f"request-refused-{language}")
    assert_accessible(page)

    # Keyboard only: from the summary to its link, to the field; corrected, sent.
    page.keyboard.press("Tab")
    expect(summary.locator("a")).to_be_focused()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type(OPENING[language].strip())
    page.keyboard.press("Tab")
    button = page.locator(f"#suggestion-{trajectory_id} button[type=submit]")
    expect(button).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/organisations/\d+/support-requests/\d+$"))
    expect(page.locator("#request-state")).to_have_text(_text(language, "requested"))
    expect(page.locator("ol.timeline")).to_contain_text(OPENING[language].strip())
    assert_accessible(page)
