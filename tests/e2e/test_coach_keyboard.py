"""A coach of the Huis van het Nederlands takes a new request to intake with the keyboard
alone: every control on the way has a visible focus, the steps are radio buttons large enough
to hit (WCAG 2.5.8: 24 × 24 px), the page is in French and axe finds nothing."""

from __future__ import annotations

import sqlite3
from typing import Any

from playwright.sync_api import expect

from tests.e2e.harness import assert_accessible, login
from tests.e2e.test_support_journey import _text

FOCUS_STYLE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {id: element.id, tag: element.tagName, outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth)};
}"""


def _newest_requested(data_dir: Any, provider: str) -> int:
    """The demo's newest request of ``provider`` still waiting for its intake."""
    with sqlite3.connect(data_dir / "survey.sqlite3") as db:
        row = db.execute(
            "SELECT id FROM support_requests WHERE provider = ? AND state = 'requested' "
            "ORDER BY id DESC LIMIT 1",
            (provider,),
        ).fetchone()
    assert row is not None, f"the demo has no requested request of {provider}"
    return int(row[0])


def test_a_coach_moves_a_request_by_keyboard_with_visible_focus(
    js_page: Any, app_server: Any, demo_logins: Any, screenshot: Any
) -> None:
    page = js_page
    request_id = _newest_requested(app_server.data_dir, "huis")
    coach = next(c for c in demo_logins.by_role("coach") if c.email.startswith("coach.huis2@"))
    login(page, coach.email, coach.password)
    page.goto(f"/coaching/requests/{request_id}?lang=fr")

    for radio in page.locator("fieldset input[type=radio]").all():
        box = radio.bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, box

    # From the link back to the organisation: the steps, the note, the button.
    page.locator("main a").first.focus()
    visited = []
    for _step in range(3):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        assert focus["outline"] == "solid" and focus["width"] >= 2, focus
        visited.append(focus["id"] or focus["tag"])
    assert visited == ["state-intake", "note", "BUTTON"], visited
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # the first step: intake
    expect(page.locator("#state-intake")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Rendez-vous fixé au 3 mars.")
    page.keyboard.press("Tab")
    screenshot(page, "coach-keyboard-fr")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("#request-state")).to_have_text(_text("fr", "intake"))
    expect(page.locator("ol.timeline")).to_contain_text("Rendez-vous fixé au 3 mars.")
    assert_accessible(page)
