"""A VGC analyst answers "how did accessibility maturity of youth work in Sint-Jans-Molenbeek
move from last round to this one?" on the indicator pages of the demo network: filters to
the sector and municipality, reads which release the figures come from, finds a figure that
is not shown and why, reads the view by spearhead of the VGC plan, and downloads the XLSX,
in Dutch and in French, axe-checked. Without JavaScript the filter form still works; a
manager is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from survey.i18n import translations
from tests.e2e.harness import assert_accessible, login

YOUTH_WORK, MOLENBEEK = "youth-work", "21012"


def _text(language: str, message: str, **variables: object) -> str:
    text: str = translations(language).ugettext(message)
    return text % variables if variables else text


def _filter(page: Any) -> None:
    page.locator("#sector").select_option(YOUTH_WORK)
    page.locator("#municipality").select_option(MOLENBEEK)
    with page.expect_navigation():
        page.locator("form.indicator-filter button[type=submit]").click()
    assert f"sector={YOUTH_WORK}" in page.url and f"municipality={MOLENBEEK}" in page.url


def _download_xlsx(page: Any, name: str) -> list[tuple[Any, ...]]:
    with page.expect_download() as download:
        page.get_by_role("link", name=name, exact=True).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        return list(load_workbook(handle).active.iter_rows(values_only=True))


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_an_analyst_reads_molenbeek_youth_work_by_questionnaire_and_by_spearhead(
    js_page: Any, demo_logins: Any, screenshot: Any, language: str
) -> None:
    page = js_page
    login(page, demo_logins.analyst.email, demo_logins.analyst.password)
    page.goto(f"/indicators?lang={language}")
    expect(page.locator("h1")).to_have_text(_text(language, "Network indicators"))
    _filter(page)

    # Which release the figures come from.
    release = page.locator(".indicators-release")
    expect(release).to_contain_text(_text(language, "Taken during the round."))
    release_id = int(release.get_attribute("data-release") or 0)
    expect(release).to_contain_text(f"{release_id},")  # the number the exports name

    # The answer: the accessibility questionnaire's overall row, change on the same
    # organisations, with the share at level 3 or higher then and now.
    overall = page.locator("section[aria-labelledby='q-toegankelijkheid'] tr.overall-row")
    expect(overall.locator("th")).to_have_text(_text(language, "Overall score"))
    change = overall.locator("td").last
    expect(change).to_contain_text(_text(language, "points"))
    expect(change).to_contain_text("→")
    assert not page.locator(".field-error").count()

    # A figure that is not shown says so and why, and links to the rule.
    hidden = page.locator("td:has(.suppressed)").first
    expect(hidden.locator(".suppressed")).to_have_text(_text(language, "Not shown"))
    expect(hidden.locator(".suppressed-why")).to_contain_text(re.compile(r"\d+ organisati"))
    hidden.get_by_role("link", name=_text(language, "why?")).click()
    expect(page.locator("#suppression")).to_be_in_viewport()
    screenshot(page, f"indicators-overview-{language}")
    assert_accessible(page)

    # The XLSX of this view: numbers are numbers, the release and filters are in the file.
    rows = _download_xlsx(page, _text(language, "Download Excel (XLSX)"))
    head = {row[0]: row[1] for row in rows[:12] if row and row[0]}
    assert head["release"] == release_id and isinstance(head["release"], int)
    assert head["sector"] == YOUTH_WORK and head["municipality"] == MOLENBEEK
    header = next(row for row in rows if row[0] == "indicator")
    cells = [dict(zip(header, row, strict=True)) for row in rows[rows.index(header) + 1 :]]
    answer = next(
        c
        for c in cells
        if c["indicator"] == "change"
        and c["questionnaire"] == "toegankelijkheid"
        and c["dimension"] == "overall"
    )
    assert isinstance(answer["n_organisations"], int) and answer["n_organisations"] >= 5
    assert isinstance(answer["mean_change"], int | float)
    assert isinstance(answer["share_maturity_3_or_more_before"], int | float)
    assert any(c["suppressed"] is True and c["mean"] is None for c in cells)

    # The same figures by spearhead of the VGC plan, the filters kept.
    page.get_by_role("link", name=_text(language, "By spearhead of the VGC plan")).click()
    expect(page).to_have_url(re.compile(r"/indicators/spearheads\?.*municipality=21012"))
    six = page.locator("#spearhead-6")
    expect(six.locator("h2")).to_contain_text(_text(language, "Spearhead %(n)s", n=6))
    chart = six.locator(".indicator-chart[role=img]")  # the chart's text alternative:
    expect(chart.locator("[id$='-title']")).to_have_count(1)
    expect(chart.locator("[id$='-desc']")).to_contain_text("%")
    expect(six.locator("table caption")).to_be_visible()  # and its data table
    expect(page.locator("#spearhead-11 .suppressed").first).to_be_visible()
    screenshot(page, f"indicators-spearheads-{language}")
    assert_accessible(page)
    rows = _download_xlsx(page, _text(language, "Download Excel (XLSX)"))
    head = {row[0]: row[1] for row in rows[:12] if row and row[0]}
    assert head["view"] == "spearheads" and head["municipality"] == MOLENBEEK
    header = next(row for row in rows if row[0] == "spearhead")
    numbers = {row[0] for row in rows[rows.index(header) + 1 :]}
    assert {2, 4, 6, 11, 13} <= numbers and all(isinstance(n, int) for n in numbers)


def test_the_filters_work_without_javascript(
    nojs_page: Any, demo_logins: Any, screenshot: Any
) -> None:
    page = nojs_page
    login(page, demo_logins.analyst.email, demo_logins.analyst.password)
    page.goto("/indicators?lang=nl")
    _filter(page)
    expect(page.locator(".indicators-release")).to_be_visible()
    expect(page.locator("#sector")).to_have_value(YOUTH_WORK)
    # The municipality table's own form keeps the filters and picks its column.
    page.locator("#questionnaire").select_option("toegankelijkheid")
    with page.expect_navigation():
        page.locator("form.municipality-choice button[type=submit]").click()
    assert "questionnaire=toegankelijkheid" in page.url and f"sector={YOUTH_WORK}" in page.url
    expect(page.locator("tr.chosen-row th")).to_have_text("Sint-Jans-Molenbeek")
    screenshot(page, "indicators-nojs")
    assert_accessible(page)
    page.goto("/indicators?sector=nope")
    expect(page.locator("#sector-error")).to_have_text(
        _text("nl", "Choose a sector from the list.")
    )


def test_a_manager_is_refused(js_page: Any, demo_logins: Any) -> None:
    login(js_page, demo_logins.manager.email, demo_logins.manager.password)
    for path in ("/indicators", "/indicators/spearheads"):
        response = js_page.goto(path)
        assert response is not None and response.status == 403


def test_an_admin_names_a_token_in_a_full_width_field(
    js_page: Any, demo_logins: Any, screenshot: Any
) -> None:
    """The token form looks like the app's other forms: the label above a wide field, a
    blank name refused at that field, and the addresses to call with the token."""
    page = js_page
    login(page, demo_logins.admin.email, demo_logins.admin.password)
    page.goto("/indicators/tokens")
    field = page.locator("#name")
    box = field.bounding_box()
    assert box is not None and box["width"] >= 300, box
    label = page.locator("label[for=name]").bounding_box()
    assert label is not None and label["y"] + label["height"] <= box["y"]  # above, not beside
    field.fill("   ")
    with page.expect_navigation():
        page.locator("form[action='/indicators/tokens'] button[type=submit]").click()
    language = page.locator("html").get_attribute("lang")
    expect(page.locator("#name-error")).to_have_text(_text(language, "Give the token a name."))
    expect(page.locator(".api-addresses code").first).to_have_text("/api/v1/indicators")
    screenshot(page, "token-blank-name")
    assert_accessible(page)
