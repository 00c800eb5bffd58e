"""Several respondents, as people live it: the manager invites a colleague by e-mail, the
colleague opens the personal link, makes an account, answers a part and submits; the manager
sees the submitted answers and starts the organisation's answers from them."""

from __future__ import annotations

import email
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from survey.demo import manager_email
from tests.e2e.harness import assert_accessible, javascript_enabled, login, new_context
from tests.e2e.test_questionnaires import _answer_question, _open_assessment

MANAGERS = {"js": 40, "nojs": 41}
QUESTIONNAIRE = "taalbeleid"


def _invitation_link(outbox: Path, address: str) -> str:
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes())
        if message["To"] == address:
            body = message.get_payload(decode=True).decode()
            found = re.search(r"https?://\S+/invitations/[A-Za-z0-9_-]+", body)
            assert found, body
            return found.group(0)
    raise AssertionError(f"no invitation to {address} in {outbox}")


def test_a_colleague_answers_and_the_manager_consolidates(
    page: Any, browser: Any, base_url: str, app_server: Any, demo_logins: Any, screenshot: Any
) -> None:
    javascript = javascript_enabled(page)
    mode = "js" if javascript else "nojs"
    address = f"collega-{mode}@example.org"
    login(page, manager_email(MANAGERS[mode]), demo_logins.manager.password)
    assessment_id = _open_assessment(page, QUESTIONNAIRE)

    page.goto(f"/assessments/{assessment_id}")
    page.get_by_role("link", name="Respondenten uitnodigen en hun voortgang volgen").click()
    page.locator("#email").fill(address)
    page.locator("#name").fill("Lina Collega")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.locator(".flash")).to_have_text(f"Er is een uitnodiging gestuurd naar {address}.")
    expect(page.locator("main table")).to_contain_text(address)
    screenshot(page, "invited")
    assert_accessible(page)

    link = _invitation_link(app_server.data_dir / "outbox", address)
    colleague_context = new_context(browser, base_url, javascript=javascript)
    colleague = colleague_context.new_page()
    try:
        colleague.goto(link)
        expect(colleague.locator("main")).to_contain_text("Wie ziet je antwoorden?")
        assert_accessible(colleague)
        colleague.locator("#name").fill("Lina Collega")
        colleague.locator("#password").fill("een lang genoeg wachtwoord")
        colleague.get_by_role("button", name="Aanvaarden en beginnen").click()
        expect(colleague).to_have_url(re.compile(rf"/assessments/{assessment_id}$"))
        expect(colleague.locator("main .notice").first).to_contain_text(
            "Dit zijn jouw eigen antwoorden"
        )

        definition = colleague.request.get(f"/api/v1/questionnaires/{QUESTIONNAIRE}").json()
        first_part = definition["dimensions"][0]["id"]
        colleague.goto(f"/assessments/{assessment_id}/dimensions/{first_part}")
        ids = colleague.locator(".question").evaluate_all("nodes => nodes.map(n => n.id)")
        for question_id in ids:
            _answer_question(colleague, question_id, javascript)
        if not javascript:
            colleague.get_by_role("button", name="Bewaren en naar het overzicht").click()

        # Evidence for the first question: a link, then it is listed with the question.
        colleague.goto(f"/assessments/{assessment_id}/evidence/{ids[0].removeprefix('q-')}")
        colleague.locator("#url").fill("www.example.org/taalbeleid.pdf")
        colleague.get_by_role("button", name="Link toevoegen").click()
        expect(colleague.locator(".flash")).to_have_text("Het bewijsstuk is toegevoegd.")
        expect(colleague.locator(".evidence-list")).to_contain_text(
            "https://www.example.org/taalbeleid.pdf"
        )
        assert_accessible(colleague)
        colleague.goto(f"/assessments/{assessment_id}/dimensions/{first_part}")
        expect(colleague.locator(f"#{ids[0]} .evidence-link")).to_contain_text("1 bewijsstuk")

        colleague.goto(f"/assessments/{assessment_id}")
        colleague.get_by_role("button", name="Je antwoorden indienen").click()
        expect(colleague.locator(".flash")).to_contain_text("Je antwoorden zijn ingediend.")
        screenshot(colleague, "respondent-submitted")
        # The organisation's scores stay with the manager.
        assert colleague.request.get(f"/api/v1/assessments/{assessment_id}/result").status == 403
    finally:
        colleague_context.close()

    page.goto(f"/assessments/{assessment_id}/respondents")
    expect(page.locator("main table tr", has_text=address)).to_contain_text("Ingediend op")
    page.get_by_role("link", name="Antwoorden vergelijken en samenbrengen").click()
    expect(page.locator("main")).to_contain_text("Lina Collega")
    assert_accessible(page)
    page.get_by_role(
        "button", name="Invullen op basis van de antwoorden van de respondenten"
    ).click()
    expect(page.locator(".flash")).to_contain_text("antwoorden van de organisatie zijn ingevuld")
    screenshot(page, "consolidated")

    # The colleague leaves: the manager removes them, after reading what that means.
    page.goto(f"/assessments/{assessment_id}/respondents")
    row = page.locator("main table tr", has_text=address)
    row.locator("summary").click()
    expect(row).to_contain_text("kan deze zelfevaluatie dan niet meer openen")
    assert_accessible(page)
    row.get_by_role("button", name="Lina Collega verwijderen").click()
    expect(page.locator(".flash")).to_contain_text(
        "De persoon is verwijderd uit deze zelfevaluatie"
    )
    expect(page.locator("main table tr", has_text=address)).to_contain_text("Verwijderd op")
    answers = page.request.get(f"/api/v1/assessments/{assessment_id}").json()["response"]["answers"]
    assert answers, "the organisation's answers taken over from the colleague stay"
