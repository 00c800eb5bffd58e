"""A manager with weak accessibility results requests a suggested trajectory in one step; a
coach of that provider takes it through intake to running and agrees a goal; the manager
sees each step. In Dutch and in French, axe-checked at every page."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest
from playwright.sync_api import expect

from survey.i18n import translations
from tests.e2e.harness import assert_accessible, login, logout

# Demo organisations 80..99 get no support data from the demo and no other journey uses them.
CANDIDATES = range(80, 100)


def _text(language: str, message: str, **variables: object) -> str:
    text: str = translations(language).ugettext(message)
    return text % variables if variables else text


def _weak_accessibility(data_dir: Any, taken: set[int]) -> tuple[str, int]:
    """A candidate manager and their submitted Toegankelijkheid assessment of the newest round
    with a part at maturity 1 or 2."""
    with sqlite3.connect(data_dir / "survey.sqlite3") as db:
        rows = db.execute(
            """
            SELECT u.email, a.id, o.id FROM assessments a
            JOIN organisations o ON o.id = a.organisation_id
            JOIN memberships m ON m.organisation_id = o.id AND m.role = 'manager'
            JOIN users u ON u.id = m.user_id
            JOIN rounds r ON r.id = a.round_id
            WHERE a.questionnaire_id = 'toegankelijkheid' AND a.state = 'submitted'
              AND r.opens_on = (SELECT MAX(opens_on) FROM rounds
                                WHERE opens_on <= date('now'))
              AND EXISTS (SELECT 1 FROM dimension_results d
                          WHERE d.assessment_id = a.id AND d.maturity <= 2)
            ORDER BY o.id
            """
        ).fetchall()
    for email, assessment_id, organisation_id in rows:
        index = int(re.search(r"manager(\d+)@", email).group(1)) - 1  # type: ignore[union-attr]
        if index in CANDIDATES and organisation_id not in taken:
            taken.add(organisation_id)
            return email, assessment_id
    raise AssertionError("no demo manager with weak accessibility results among the candidates")


_TAKEN: set[int] = set()


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_request_intake_running_and_goal_seen_by_the_manager(
    js_page: Any,
    browser: Any,
    base_url: str,
    app_server: Any,
    demo_logins: Any,
    screenshot: Any,
    language: str,
) -> None:
    page = js_page
    manager, assessment_id = _weak_accessibility(app_server.data_dir, _TAKEN)
    login(page, manager, demo_logins.manager.password)
    page.goto(f"/assessments/{assessment_id}/result?lang={language}")
    first = page.locator(".suggestion").first
    expect(first).to_be_visible()
    provider_text = first.locator(".suggestion-provider").inner_text()
    provider = (
        "huis"
        if provider_text.startswith("Huis") or provider_text.startswith("Maison")
        else "agentschap"
    )
    trajectory_name = first.locator("h3").inner_text()
    assert_accessible(page)
    first.locator("textarea").fill(
        "Graag een gesprek" if language == "nl" else "Volontiers un entretien"
    )
    with page.expect_navigation():
        first.locator("button[type=submit]").click()

    # One step: the request page, its state and what sharing it turned on.
    assert re.search(r"/organisations/\d+/support-requests/\d+$", page.url), page.url
    request_path = page.url.removeprefix(base_url)
    request_id = int(request_path.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_have_text(trajectory_name)
    expect(page.locator("#request-state")).to_have_text(_text(language, "requested"))
    expect(page.locator("main .notice")).to_be_visible()
    screenshot(page, f"support-requested-{language}")
    assert_accessible(page)
    logout(page)

    coach = next(c for c in demo_logins.by_role("coach") if f"coach.{provider}@" in c.email)
    login(page, coach.email, coach.password)
    page.goto(f"/coaching?lang={language}")
    expect(page.locator(f"a[href='/coaching/requests/{request_id}']")).to_be_visible()
    assert_accessible(page)
    page.locator(f"a[href='/coaching/requests/{request_id}']").click()
    for state, note in (("intake", "Intake op 12 maart"), ("running", "We starten")):
        page.locator(f"#state-{state}").check()
        page.locator("#note").fill(note)
        with page.expect_navigation():
            page.get_by_role("button", name=_text(language, "Save step")).click()
        expect(page.locator("#request-state")).to_have_text(_text(language, state))
    page.locator("#dimension_id").select_option("toegankelijkheid/begrijpbaarheid")
    page.locator("#target_level").select_option("3")
    round_name = page.locator("#round").input_value()  # the newest round comes first
    with page.expect_navigation():
        page.get_by_role("button", name=_text(language, "Save goal")).click()
    expect(page.locator(".flash")).to_have_text(_text(language, "The goals were saved."))
    screenshot(page, f"support-coach-{language}")
    assert_accessible(page)
    logout(page)

    login(page, manager, demo_logins.manager.password)
    page.goto(f"{request_path}?lang={language}")
    expect(page.locator("#request-state")).to_have_text(_text(language, "running"))
    steps = page.locator("ol.timeline > li")
    expect(steps).to_have_count(3)
    expect(steps.nth(1)).to_contain_text("Intake op 12 maart")
    expect(page.locator("#goals-heading")).to_have_text(
        _text(language, "Goals agreed with your coach")
    )
    expect(page.locator("section.goals")).to_contain_text(round_name or "")
    screenshot(page, f"support-manager-{language}")
    assert_accessible(page)
    assert browser
