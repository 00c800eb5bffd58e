"""First browser journeys: languages, logging in, editing the organisation profile, keyboard."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from survey.demo import demo_organisations
from survey.organisations.reference import enterprise_number_from_base, format_enterprise_number
from tests.e2e.harness import (
    DEMO_SEED,
    assert_accessible,
    javascript_enabled,
    login,
    logout,
)

HEADLINES = {
    "nl": "Hoe divers en toegankelijk is jouw organisatie?",
    "fr": "Votre organisation est-elle diverse et accessible ?",
    "en": "How diverse and accessible is your organisation?",
}
SKIP_LINKS = {
    "nl": "Ga naar de hoofdinhoud",
    "fr": "Aller au contenu principal",
    "en": "Skip to main content",
}
LOGIN_ERROR_NL = "Het e-mailadres of wachtwoord klopt niet."
ENTERPRISE_NUMBER_ERROR_NL = "Vul een geldig ondernemingsnummer in"
PROFILE_SAVED_NL = "Het profiel is bewaard."
BAD_ENTERPRISE_NUMBER = "0403.170.702"  # the check digits should be 01
# Each mode saves its own valid number, so the journeys do not depend on their order.
NEW_ENTERPRISE_NUMBER = {
    "js": "0403.170.701",
    "nojs": format_enterprise_number(enterprise_number_from_base(4_031_708)),
}


def _mode(page: Any) -> str:
    return "js" if javascript_enabled(page) else "nojs"


def _expect_language(page: Any, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(HEADLINES[language])
    expect(page.locator("a.skip-link")).to_have_text(SKIP_LINKS[language])
    expect(page.locator(f"a[hreflang={language}]")).to_have_attribute("aria-current", "true")


def test_anonymous_home_switches_language(page: Any, screenshot: Any) -> None:
    page.goto("/")
    _expect_language(page, "nl")
    expect(page.get_by_role("link", name="Aanmelden").first).to_be_visible()
    screenshot(page, "home-nl")
    assert_accessible(page)

    page.locator("a[hreflang=fr]").click()
    expect(page).to_have_url(re.compile(r"\?lang=fr$"))
    _expect_language(page, "fr")
    screenshot(page, "home-fr")

    page.locator("a[hreflang=en]").click()
    expect(page).to_have_url(re.compile(r"\?lang=en$"))
    _expect_language(page, "en")
    screenshot(page, "home-en")

    # The choice is remembered on the next page without ?lang.
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in")
    screenshot(page, "login-en")
    assert_accessible(page)

    page.locator("a[hreflang=nl]").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text("Aanmelden")
    screenshot(page, "login-nl")
    assert_accessible(page)


def test_manager_logs_in_and_edits_the_profile(
    page: Any, demo_logins: Any, base_url: str, screenshot: Any
) -> None:
    manager = demo_logins.manager
    organisation_name = demo_organisations(DEMO_SEED)[0].name
    mode = _mode(page)

    # A wrong password: the Dutch error at the form, both fields marked invalid.
    login(page, manager.email, manager.password + "-wrong")
    expect(page).to_have_url(f"{base_url}/login")
    alert = page.locator("form [role=alert]")
    expect(alert).to_have_text(LOGIN_ERROR_NL)
    expect(alert).to_be_focused()  # as on the questionnaire: the error is read out first
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password")).to_have_attribute("aria-describedby", "login-error")
    expect(page.locator("#email")).to_have_value(manager.email)
    screenshot(page, "login-wrong-password")
    assert_accessible(page)

    # The right password: home, with the manager's organisation.
    login(page, manager.email, manager.password)
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("h1")).to_contain_text("Welkom")
    organisation_links = page.locator("ul.card-list a")
    expect(organisation_links).to_have_count(1)
    expect(organisation_links).to_have_text(organisation_name)
    screenshot(page, "home-manager")
    assert_accessible(page)

    organisation_links.click()
    expect(page).to_have_url(re.compile(r"/organisations/\d+$"))
    organisation_url = page.url
    expect(page.locator("h1")).to_have_text(organisation_name)
    screenshot(page, "organisation")
    assert_accessible(page)

    page.locator(f"a[href='{organisation_url.removeprefix(base_url)}/edit']").click()
    expect(page).to_have_url(f"{organisation_url}/edit")
    expect(page.locator("h1")).to_have_text("Profiel bewerken")
    screenshot(page, "edit-form")
    assert_accessible(page)

    # A bad enterprise number: the error next to the field, the typed value kept.
    number = page.locator("#enterprise_number")
    number.fill(BAD_ENTERPRISE_NUMBER)
    save = page.locator("#profile-form button[type=submit]")
    if mode == "js":
        page.evaluate("window.__sameDocument = true")
        with page.expect_response(
            lambda r: r.url == f"{organisation_url}/edit" and r.request.method == "POST"
        ) as answer:
            save.click()
        assert answer.value.status == 422
        expect(page.locator("#enterprise_number-error")).to_be_visible()
        # htmx swapped the form in place: the document (and its globals) survived.
        assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
        expect(page.locator("#profile-form")).to_have_count(1)
    else:
        with page.expect_navigation() as navigation:
            save.click()
        response = navigation.value
        assert response is not None
        assert response.status == 422
    expect(page).to_have_url(f"{organisation_url}/edit")
    expect(page.locator("#enterprise_number-error")).to_contain_text(ENTERPRISE_NUMBER_ERROR_NL)
    expect(number).to_have_value(BAD_ENTERPRISE_NUMBER)
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_attribute(
        "aria-describedby", re.compile(r"(^|\s)enterprise_number-error(\s|$)")
    )
    expect(page.locator("#profile-form .error-summary[role=alert]")).to_contain_text(
        ENTERPRISE_NUMBER_ERROR_NL
    )
    # The other fields are not marked.
    expect(page.locator("#name")).not_to_have_attribute("aria-invalid", "true")
    screenshot(page, "edit-form-error")
    assert_accessible(page)

    # A valid number: saved, back on the organisation page with the flash.
    new_number = NEW_ENTERPRISE_NUMBER[mode]
    number.fill(new_number)
    with page.expect_navigation(url=organisation_url):
        save.click()
    expect(page.locator(".flash[role=status]")).to_have_text(PROFILE_SAVED_NL)
    expect(page.locator("dl.profile")).to_contain_text(new_number)
    screenshot(page, "organisation-saved")
    assert_accessible(page)

    # The flash is shown once.
    page.reload()
    expect(page.locator(".flash")).to_have_count(0)

    logout(page)
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("h1")).to_have_text(HEADLINES["nl"])
    expect(page.locator("form.logout-form")).to_have_count(0)
    page.goto(organisation_url)
    expect(page).to_have_url(re.compile(r"/login"))


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    page: Any, screenshot: Any
) -> None:
    for path in ("/", "/login"):
        page.goto(path)
        page.keyboard.press("Tab")
        skip_link = page.locator("a.skip-link")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_have_attribute("href", "#main")
        box = skip_link.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
        if path == "/":
            screenshot(page, "skip-link-focused")
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        expect(page).to_have_url(re.compile(r"#main$"))
