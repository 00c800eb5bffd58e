"""The questionnaire-quality pages of the demo network for a VGC analyst: every region
has a name of its own (axe "landmark-unique"), and the pages meet WCAG 2.x A/AA."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import assert_accessible, login

LANDMARK_RULES = ("landmark-unique", "duplicate-id-aria")


def test_every_quality_page_names_each_region_once(
    page: Any, demo_logins: Any, screenshot: Any
) -> None:
    login(page, demo_logins.analyst.email, demo_logins.analyst.password)
    page.goto("/quality")
    links = page.locator("main a[href$='/quality']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert links, "the demo network has questionnaires with quality figures"

    for link in links:
        page.goto(link)
        assert page.locator(".quality-dimension").count() > 1, f"{link} shows several parts"
        names = page.locator("[role=region]").evaluate_all(
            "regions => regions.map(region => region.getAttribute('aria-labelledby')"
            ".split(' ').map(id => document.getElementById(id).textContent.trim()).join(' '))"
        )
        assert len(names) == len(set(names)), f"{link}: regions share a name: {names}"
        screenshot(page, link.strip("/").replace("/", "-"))
        assert_accessible(page, rules=LANDMARK_RULES)
        assert_accessible(page)
