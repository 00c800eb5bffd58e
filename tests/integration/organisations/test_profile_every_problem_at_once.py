"""A profile form with a NUL character (a pasted or tampered text) says so at that field and
names every other field's problem in the same answer, instead of the NUL hiding them."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest

from survey.accounts.models import Role
from tests.factories import login, make_organisation, make_user, post_form
from tests.integration.assessments.helpers import nl
from tests.integration.organisations.test_organisations import VALID_FORM, _stored

NUL_MESSAGE = "This contains a character that is not allowed (NUL). Remove it and try again."


@pytest.mark.organisation(name="Kept name")
async def test_a_nul_in_the_name_and_a_wrong_number_are_both_named(
    client: Any, db: Any, sessionmaker: Any, organisation, web_manager
) -> None:
    response = await post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        data={
            **VALID_FORM,
            "name": "Sportclub\x00 Horizon",
            "enterprise_number": "0403.170.702",
            "sector": "astrology",
        },
    )

    assert response.status_code == 422, response.text
    html = response.text
    assert f'id="name-error">{escape(nl(NUL_MESSAGE))}</p>' in html
    assert 'id="enterprise_number-error"' in html
    assert 'id="sector-error"' in html
    assert (await _stored(sessionmaker, organisation.id)).name == "Kept name"


async def test_the_summary_names_each_field_in_the_forms_order(
    client: Any, db: Any, sessionmaker: Any
) -> None:
    """The summary at the top names the field of each problem ("This field is required." alone
    does not), in the order of the form."""
    organisation = await make_organisation(db, name="Kept name")
    await login(client, await make_user(db, Role.MANAGER, organisation, language="en"))
    response = await post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        data={**VALID_FORM, "name": "", "enterprise_number": "12345"},
    )
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</ul>")[0]
    name = summary.index('<a href="#name">Name: This field is required.</a>')
    number = summary.index('<a href="#enterprise_number">Enterprise number (KBO/BCE): Enter a')
    assert name < number
