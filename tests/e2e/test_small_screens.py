"""On a phone (390 px wide, and the narrowest, 320 px) no page of a manager's usual path
scrolls sideways: wide tables scroll inside their own region, which the keyboard can reach."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.harness import assert_accessible, login, save_screenshot

PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 320, "height": 640}


def _page_width(page: Any) -> int:
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    return width


# A scroll region's name: the text of the elements its aria-labelledby points to.
_REGION_NAME = """(region) => (region.getAttribute('aria-labelledby') || '').split(/\\s+/)
  .map((id) => document.getElementById(id)).filter(Boolean)
  .map((label) => label.textContent.trim()).join(' ')"""
_HAS_FOCUS = "(element) => document.activeElement === element"


def _assert_fits_with_reachable_tables(page: Any, viewport: dict[str, int]) -> None:
    """The page is no wider than the phone; every table that may be wider scrolls inside a
    region that the keyboard reaches (tabindex 0) and that has a name (WCAG 2.1.1, 4.1.2)."""
    path = page.url
    assert _page_width(page) <= viewport["width"], f"{path} scrolls sideways on a phone"
    for region in page.locator(".table-scroll").all():
        assert region.get_attribute("tabindex") == "0", f"{path}: a scroll region without focus"
        assert region.get_attribute("role") == "region", f"{path}: a scroll region without role"
        assert region.evaluate(_REGION_NAME), f"{path}: a scroll region without a name"
        region.focus()
        assert region.evaluate(_HAS_FOCUS), f"{path}: a scroll region the keyboard cannot reach"
    # The round's and the progress tables are laid out to fit a phone without a region.
    loose = page.locator(
        "main table:not(.table-scroll table):not(.status-table):not(.progress-table)"
    )
    assert loose.count() == 0, f"{path}: a table outside a scroll region"


def test_a_managers_pages_fit_a_phone(js_page: Any, demo_logins: Any) -> None:
    page = js_page
    page.set_viewport_size(PHONE)
    login(page, demo_logins.manager.email, demo_logins.manager.password)
    organisation = page.locator("a[href^='/organisations/']").first.get_attribute("href")
    assert organisation and re.fullmatch(r"/organisations/\d+", organisation), organisation
    page.goto(organisation)
    result = page.locator("main a[href$='/result']").first.get_attribute("href")
    current = page.locator("main table a[href^='/assessments/']").first.get_attribute("href")
    assert result and current, "the demo manager has a result and a current assessment"
    respondents = re.sub(r"(/assessments/\d+).*", r"\1/respondents", current)
    consolidation = re.sub(r"(/assessments/\d+).*", r"\1/consolidation", current)

    for path in (organisation, result, respondents, f"{organisation}/edit", consolidation):
        page.goto(path)
        _assert_fits_with_reachable_tables(page, PHONE)
    assert page.locator("table.consolidation").count() > 0, "the demo has submitted responses"
    assert_accessible(page)  # the consolidation page: axe's scrollable-region-focusable


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("analyst", ["/indicators", "/indicators/spearheads"]),
        ("admin", ["/indicators", "/indicators/spearheads", "/indicators/tokens"]),
    ],
)
def test_the_network_indicators_fit_a_phone(
    js_page: Any, demo_logins: Any, role: str, paths: list[str]
) -> None:
    """The indicator tables (scores per part, team composition, support requests, per
    municipality, per spearhead) scroll inside their own named region; the admin's filters
    (a municipality's two names in one option) and the API addresses stay within the page."""
    page = js_page
    page.set_viewport_size(PHONE)
    account = demo_logins.first(role)
    login(page, account.email, account.password)
    for path in paths:
        page.goto(path)
        assert page.locator("table").count() > 0, f"{path} shows no table in the demo"
        _assert_fits_with_reachable_tables(page, PHONE)
    page.goto("/indicators")
    assert page.locator(".table-scroll").count() >= 5, "each indicator table has its region"
    assert_accessible(page)


def test_a_coachs_pages_fit_a_phone(js_page: Any, demo_logins: Any) -> None:
    page = js_page
    page.set_viewport_size(PHONE)
    login(page, demo_logins.coach.email, demo_logins.coach.password)
    page.goto("/coaching")
    organisation = page.locator("main a[href^='/coaching/organisations/']").first.get_attribute(
        "href"
    )
    request = page.locator("main a[href^='/coaching/requests/']").first.get_attribute("href")
    assert organisation and request, "the demo coach has organisations and requests"
    page.goto(organisation)
    assessment = page.locator("main a[href^='/coaching/assessments/']").first.get_attribute("href")
    assert assessment, "the coach's organisation has a result"
    for path in ("/coaching", organisation, request, assessment):
        page.goto(path)
        _assert_fits_with_reachable_tables(page, PHONE)


def test_an_organisation_and_its_assessment_fit_the_narrowest_phone(
    js_page: Any, demo_logins: Any
) -> None:
    page = js_page
    page.set_viewport_size(NARROW_PHONE)
    login(page, demo_logins.manager.email, demo_logins.manager.password)
    organisation = page.locator("a[href^='/organisations/']").first.get_attribute("href")
    assert organisation
    page.goto(organisation)
    current = page.locator("main table a[href^='/assessments/']").first.get_attribute("href")
    result = page.locator("main a[href$='/result']").first.get_attribute("href")
    assert current and result
    overview = re.sub(r"(/assessments/\d+).*", r"\1", current)

    # The organisation's name (one long Dutch word), the progress table, and the result's
    # suggested trajectories (a card's text area once widened its column to 330 px).
    for path in (organisation, overview, result):
        page.goto(path)
        assert _page_width(page) <= NARROW_PHONE["width"], f"{path} scrolls sideways at 320 px"


def test_every_action_of_the_round_is_in_sight_on_a_phone(js_page: Any, demo_logins: Any) -> None:
    """The round's table on the organisation page: "Continue" and "See the result" are not
    cut off at the phone's right edge (nor hidden in a sideways scroll)."""
    page = js_page
    page.set_viewport_size(PHONE)
    login(page, demo_logins.manager.email, demo_logins.manager.password)
    page.locator("main a[href^='/organisations/']").first.click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    actions = page.locator("main table a, main table button").all()
    assert actions, "the demo manager's round lists questionnaires"
    for action in actions:
        box = action.bounding_box()
        assert box is not None and box["x"] >= 0, action.inner_text()
        assert box["x"] + box["width"] <= PHONE["width"], f"{action.inner_text()!r} is cut off"
    assert_accessible(page)


_LINES_OF_TEXT = """(cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
}"""


def test_the_progress_counts_read_on_one_line_on_the_narrowest_phone(
    js_page: Any, demo_logins: Any
) -> None:
    """The count (3 of 12) and the column's header (Answered) are not broken over lines."""
    page = js_page
    page.set_viewport_size(NARROW_PHONE)
    login(page, demo_logins.manager.email, demo_logins.manager.password)
    page.locator("main a[href^='/organisations/']").first.click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    current = page.locator("main table a[href^='/assessments/']").first.get_attribute("href")
    assert current
    page.goto(re.sub(r"(/assessments/\d+).*", r"\1", current))
    cells = page.locator(".progress-table td, .progress-table thead th:last-child").all()
    assert len(cells) > 2
    for cell in cells:
        assert cell.evaluate(_LINES_OF_TEXT) == 1, f"{cell.inner_text()!r} is broken over lines"
    assert _page_width(page) <= NARROW_PHONE["width"]


def test_the_scores_per_part_are_in_sight_and_labelled_on_a_phone(
    js_page: Any, demo_logins: Any
) -> None:
    """The result's table on a phone: score, maturity level and coverage of each part are in
    view without scrolling sideways, each number named (in French, with its French colon)."""
    page = js_page
    page.set_viewport_size(PHONE)
    login(page, demo_logins.manager.email, demo_logins.manager.password)
    page.goto("/?lang=fr")  # the language is kept on the account: Dutch again after
    try:
        page.locator("main a[href^='/organisations/']").first.click()
        page.wait_for_url(re.compile(r"/organisations/\d+$"))
        result = page.locator("main a[href$='/result']").first.get_attribute("href")
        assert result
        page.goto(result)
        cells = page.locator(".result-table tbody td").all()
        assert cells
        for cell in cells:
            box = cell.bounding_box()
            assert box is not None and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
        coverage = page.locator(".result-table tbody td:last-child").first
        label = coverage.evaluate("(td) => getComputedStyle(td, '::before').content")
        assert label == '"Couverture\u00a0: "', label
        assert_accessible(page)
    finally:
        page.goto("/?lang=nl")


# The size at which a chart's text reaches the eye: an SVG drawing with a viewBox scales its
# text down with its width, so 13 px in a 690-wide drawing read at 7 px on a phone.
_CHART_TEXT_SIZES = """(chart) => [...chart.querySelectorAll('text, .chart-label, .chart-note, li')]
  .filter((e) => e.getClientRects().length > 0 && e.textContent.trim())
  .map((e) => ({
    text: e.textContent.trim(),
    px: parseFloat(getComputedStyle(e).fontSize) * (e.getScreenCTM ? e.getScreenCTM().a : 1),
  }))"""

DESKTOP = {"width": 1280, "height": 800}
READABLE_PX = 12


def _assert_charts_readable(page: Any, selector: str, viewport: dict[str, int], shot: str) -> None:
    charts = page.locator(f"{selector} >> visible=true").all()
    assert charts, f"no {selector} on {page.url}"
    for chart in charts:
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        sizes = chart.evaluate(_CHART_TEXT_SIZES)
        assert sizes, f"{selector} has no text"
        small = [s for s in sizes if s["px"] < READABLE_PX]
        assert not small, (
            f"{selector} at {viewport['width']} px: text below {READABLE_PX} px: {small}"
        )
    save_screenshot(page, f"{shot}-{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_result_charts_read_at_a_normal_size(
    js_page: Any, demo_logins: Any, viewport: Any
) -> None:
    """The score chart, the peers' percentile chart and the profile keep their text at 12 px
    or more on a phone and on a desktop; the profile on a phone numbers its axes and lists
    the parts under it."""
    page = js_page
    page.set_viewport_size(viewport)
    login(page, demo_logins.manager.email, demo_logins.manager.password)
    page.locator("main a[href^='/organisations/']").first.click()
    page.wait_for_url(re.compile(r"/organisations/\d+$"))
    result = page.locator("main a[href$='/result']").first.get_attribute("href")
    assert result
    page.goto(result)
    for selector in (".bar-chart", ".percentile-chart", ".radar"):
        _assert_charts_readable(page, selector, viewport, f"result-chart{selector}")
    key = page.locator(".radar-key")
    assert key.is_visible() == (viewport == PHONE)
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/indicators", "/indicators/spearheads"])
def test_the_indicator_charts_read_at_a_normal_size_on_a_phone(
    js_page: Any, demo_logins: Any, path: str
) -> None:
    page = js_page
    page.set_viewport_size(PHONE)
    login(page, demo_logins.analyst.email, demo_logins.analyst.password)
    page.goto(path)
    _assert_charts_readable(page, ".indicator-chart", PHONE, f"indicator-chart{path}")
