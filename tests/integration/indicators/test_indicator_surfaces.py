"""The analysts' page, the exports (formula neutralisation) and read-only API tokens."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from survey.accounts.models import Role
from survey.indicators.exports import neutralise
from survey.indicators.service import take_release
from survey.indicators.tokens import create_token, revoke_token
from tests.factories import login, make_organisation, make_round, make_user, post_form
from tests.integration.indicators.helpers import network, submit

YOUTH = {"sector": "youth-work", "size_band": "10-49", "funded_by_vgc": True}


async def released_network(db: Any) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(12, {**YOUTH, "municipality": "21012"}, 40.0)])
    await take_release(db, round_)
    await db.commit()


async def test_the_analyst_page_says_which_release_it_shows(db: Any, client: Any) -> None:
    await released_network(db)
    await login(client, await make_user(db, role=Role.ANALYST, language="en"))
    page = await client.get("/indicators", params={"sector": "youth-work"})
    assert page.status_code == 200
    assert "Round 2026, release no. 1, as of" in page.text
    # the chart has a text alternative
    assert 'class="row-chart indicator-chart" role="img"' in page.text
    assert re.search(r'<span id="chart-[^"]*-desc" hidden>[^<]+%', page.text)
    assert "Sint-Jans-Molenbeek" in page.text
    assert "Take a release now" not in page.text  # the button is for admins


async def test_managers_get_403_on_the_page(db: Any, client: Any) -> None:
    await released_network(db)
    organisation = await make_organisation(db)
    await login(client, await make_user(db, role=Role.MANAGER, organisation=organisation))
    assert (await client.get("/indicators")).status_code == 403


async def test_an_admin_takes_a_release_with_the_button(db: Any, client: Any) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(6, {**YOUTH, "municipality": "21012"}, 40.0)])
    await login(client, await make_user(db, role=Role.ADMIN, language="en"))
    page = await client.get("/indicators")
    assert "Take a release now" in page.text
    response = await post_form(client, "/indicators/release", data={"round": "2026"})
    assert response.status_code == 303
    again = await client.get(response.headers["location"])
    assert "Release 1" in again.text
    # Nothing changed since: the next request is refused with the reason.
    await post_form(client, "/indicators/release", data={"round": "2026"})
    assert "at least 5" in (await client.get("/indicators")).text


def test_formula_like_text_is_neutralised_and_numbers_stay_numbers() -> None:
    for text in ("=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx", "\0x"):
        assert neutralise(text) == "'" + text
    assert neutralise(-3.5) == -3.5
    assert neutralise("youth-work") == "youth-work"


async def test_exports_carry_release_and_filters_and_neutralise(db: Any, client: Any) -> None:
    # A round name that starts like a formula (an admin typed it) ends up in the file as text.
    round_ = await make_round(db, "=HYPERLINK(1)")
    await network(db, round_, [(12, {**YOUTH, "municipality": "21012"}, 40.0)])
    await take_release(db, round_)
    await db.commit()
    await login(client, await make_user(db, role=Role.ANALYST, language="en"))
    params = {"sector": "youth-work", "round": "=HYPERLINK(1)"}
    response = await client.get("/indicators/export", params={**params, "format": "csv"})
    assert response.status_code == 200
    assert '"' not in response.headers["content-disposition"].split('filename="')[1][:-1]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["release", "1"] in lines and ["sector", "youth-work"] in lines
    assert ["round", "'=HYPERLINK(1)"] in lines

    response = await client.get("/indicators/export", params={**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert ("round", "'=HYPERLINK(1)") in [tuple(v[:2]) for v in values]
    header = next(v for v in values if v[0] == "indicator")
    participation = next(v for v in values if v[0] == "participation")
    n = participation[header.index("n_organisations")]
    assert n == 12 and isinstance(n, int)


async def test_a_token_reads_indicators_and_nothing_else(db: Any, client: Any) -> None:
    await released_network(db)
    _row, token = await create_token(db, None, "BI")
    await db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = await client.get("/api/v1/indicators", headers=headers)
    assert response.status_code == 200 and response.json()["release"]["id"] == 1
    export = await client.get("/api/v1/indicators/export?format=xlsx", headers=headers)
    assert export.status_code == 200
    organisation = await make_organisation(db)
    for path in (f"/api/v1/organisations/{organisation.id}", "/api/v1/auth/me", "/api/v1/rounds"):
        assert (await client.get(path, headers=headers)).status_code == 401
    # Even with an analyst's session cookie, a bearer request reaches indicators only.
    await login(client, await make_user(db, role=Role.ADMIN, language="en"))
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401


async def test_a_revoked_or_unknown_token_is_refused(db: Any, client: Any) -> None:
    await released_network(db)
    row, token = await create_token(db, None, "BI")
    await revoke_token(db, None, row.id)
    await db.commit()
    for value in (token, "nscan_made-up"):
        response = await client.get(
            "/api/v1/indicators", headers={"Authorization": f"Bearer {value}"}
        )
        assert response.status_code == 401


async def test_an_admin_creates_a_token_shown_once_and_revokes_it(db: Any, client: Any) -> None:
    await login(client, await make_user(db, role=Role.ADMIN, language="en"))
    response = await post_form(client, "/indicators/tokens", data={"name": "Power BI"})
    assert response.status_code == 201
    token = response.text.split("<code>")[1].split("</code>")[0]
    assert token.startswith("nscan_")
    listing = await client.get("/indicators/tokens")
    assert "Power BI" in listing.text and token not in listing.text
    revoke = await post_form(client, "/indicators/tokens/1/revoke")
    assert revoke.status_code == 303
    assert (
        await client.get("/api/v1/indicators", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401


async def test_analysts_cannot_manage_tokens(db: Any, client: Any) -> None:
    await login(client, await make_user(db, role=Role.ANALYST, language="en"))
    assert (await client.get("/indicators/tokens")).status_code == 403


async def test_team_composition_rows_are_named_in_the_readers_language(
    db: Any, client: Any
) -> None:
    round_ = await make_round(db, "2026")
    for organisation in await network(db, round_, [(6, {**YOUTH, "municipality": "21012"}, 40.0)]):
        await submit(
            db,
            organisation,
            round_,
            50.0,
            questionnaire="diverse-teams",
            team={"tc-personeel-totaal": 10, "tc-personeel-migratie": 4},
        )
    await take_release(db, round_)
    await db.commit()
    await login(client, await make_user(db, role=Role.ANALYST, language="nl"))
    page = (await client.get("/indicators")).text
    assert "Personeel met een migratieachtergrond" in page
    assert ">staff-migration<" not in page
