"""The spearhead view and the municipality table in the page, the API and the exports, and
the filters every indicator route reads (one dependency: 400 naming the field in the API, a
message at the filter on the page)."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from openpyxl import load_workbook

from survey.accounts.models import Role
from survey.indicators.service import take_release
from survey.indicators.tokens import create_token
from tests.factories import api_login, login, make_organisation, make_round, make_user
from tests.integration.indicators.helpers import network, submit

YOUTH = {"sector": "youth-work", "size_band": "10-49", "funded_by_vgc": True}
MOLENBEEK, BRUSSEL, SCHAARBEEK = "21012", "21004", "21015"


async def two_rounds(db: Any) -> None:
    """Youth work on the accessibility questionnaire: six organisations in Molenbeek that
    fell from 60 to 40 points since the previous round, five in Schaarbeek, and four in
    Brussel (too few to show; Schaarbeek, the next smallest, is hidden to protect them)."""
    before = await make_round(db, "2025", state="closed")
    now = await make_round(db, "2026")
    for _i in range(6):
        organisation = await make_organisation(db, **YOUTH, municipality=MOLENBEEK)
        await submit(db, organisation, before, 60.0)
        await submit(db, organisation, now, 40.0)
    await network(
        db,
        now,
        [
            (5, {**YOUTH, "municipality": SCHAARBEEK}, 50.0),
            (4, {**YOUTH, "municipality": BRUSSEL}, 70.0),
        ],
    )
    await take_release(db, now)
    await db.commit()


def _part(body: dict[str, Any], number: int, questionnaire: str, dimension: str) -> Any:
    spearhead = next(s for s in body["spearheads"] if s["number"] == number)
    return next(
        p
        for p in spearhead["parts"]
        if p["questionnaire"] == questionnaire and p["dimension"] == dimension
    )


async def test_the_spearhead_view_shows_the_release_cells_of_each_part(
    db: Any, client: Any
) -> None:
    await two_rounds(db)
    await api_login(client, await make_user(db, role=Role.ANALYST, language="en"))
    query = {"sector": "youth-work", "municipality": MOLENBEEK}
    cells = (await client.get("/api/v1/indicators", params=query)).json()["cells"]
    body = (await client.get("/api/v1/indicators/spearheads", params=query)).json()
    assert body["release"]["id"] == 1 and body["filters"]["municipality"] == MOLENBEEK
    assert [s["number"] for s in body["spearheads"]] == list(range(1, 15))
    # Spearhead 6 (mapping barriers) reads the accessibility questionnaire as a whole: the
    # very cells of the plain view, the change included (same organisations, a fall).
    part = _part(body, 6, "toegankelijkheid", "overall")
    same = [
        c for c in cells if c["questionnaire"] == "toegankelijkheid" and c["dimension"] == "overall"
    ]
    assert [part["scores"], part["change"]] == same
    assert part["change"]["mean_change"] == -20.0 and part["change"]["n_organisations"] == 6
    assert part["questionnaire_title"] == "Accessibility"
    assert next(s for s in body["spearheads"] if s["number"] == 7)["measured"] is False

    # Brussel has 4 organisations: the same part is suppressed there, without a value.
    hidden = (
        await client.get("/api/v1/indicators/spearheads", params={**query, "municipality": BRUSSEL})
    ).json()
    scores = _part(hidden, 6, "toegankelijkheid", "overall")["scores"]
    assert scores["suppressed"] is True and scores["n_organisations"] == 4
    assert scores["mean"] is None and scores["share_maturity_3_or_more"] is None


async def test_the_municipality_table_has_a_row_for_each_municipality(db: Any, client: Any) -> None:
    await two_rounds(db)
    _row, token = await create_token(db, None, "BI")
    await db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    params = {"sector": "youth-work", "questionnaire": "toegankelijkheid", "dimension": "overall"}
    response = await client.get("/api/v1/indicators/municipalities", params=params, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert len(body["rows"]) == 20 and body["rows"][-1]["municipality"] == "outside"
    rows = {row["municipality"]: row for row in body["rows"]}
    assert rows[MOLENBEEK]["name"] == "Sint-Jans-Molenbeek"
    molenbeek = {c["indicator"]: c for c in rows[MOLENBEEK]["cells"]}
    assert molenbeek["scores"]["n_organisations"] == 6 and molenbeek["scores"]["mean"] == 40.0
    brussel = {c["indicator"]: c for c in rows[BRUSSEL]["cells"]}
    assert brussel["scores"]["suppressed"] is True and brussel["scores"]["mean"] is None
    schaarbeek = {c["indicator"]: c for c in rows[SCHAARBEEK]["cells"]}
    assert schaarbeek["scores"]["suppressed"] is True  # protects Brussel from differencing
    assert schaarbeek["scores"]["n_organisations"] == 5
    assert rows["21002"]["cells"] == []  # Oudergem: no organisations
    spearheads = await client.get("/api/v1/indicators/spearheads", headers=headers)
    assert spearheads.status_code == 200 and len(spearheads.json()["spearheads"]) == 14


async def test_the_spearhead_and_municipality_exports_keep_numbers_and_say_what_they_are(
    db: Any, client: Any
) -> None:
    await two_rounds(db)
    await login(client, await make_user(db, role=Role.ANALYST, language="fr"))
    params = {"sector": "youth-work", "municipality": MOLENBEEK, "format": "xlsx"}
    response = await client.get("/indicators/export", params={**params, "view": "spearheads"})
    assert response.status_code == 200
    assert "indicators-spearheads-2026-release-1.xlsx" in response.headers["content-disposition"]
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    head = {v[0]: v[1] for v in values[:12] if v}
    assert head["view"] == "spearheads" and head["release"] == 1 and head["round"] == "2026"
    assert head["sector"] == "youth-work" and head["municipality"] == MOLENBEEK
    header = next(v for v in values if v[0] == "spearhead")
    change = next(
        v
        for v in values
        if v[0] == 6
        and v[header.index("indicator")] == "change"
        and v[header.index("dimension")] == "overall"
    )
    assert "obstacles" in change[1]  # the spearhead's title in the reader's language
    assert change[header.index("mean_change")] == -20  # a negative change is a number
    assert isinstance(change[header.index("n_organisations")], int)

    table = await client.get(
        "/indicators/export",
        params={**params, "view": "municipalities", "questionnaire": "toegankelijkheid"},
    )
    rows = list(load_workbook(io.BytesIO(table.content)).active.iter_rows(values_only=True))
    header = next(v for v in rows if v[0] == "municipality_code")
    brussel = next(v for v in rows if v[0] == BRUSSEL and v[header.index("indicator")] == "scores")
    assert brussel[header.index("suppressed")] is True and brussel[header.index("mean")] is None
    assert ("municipality", None) in [tuple(v[:2]) for v in rows]  # the table spans them all


async def test_the_pages_show_both_views_and_explain_what_is_not_shown(
    db: Any, client: Any
) -> None:
    await two_rounds(db)
    await login(client, await make_user(db, role=Role.ANALYST, language="nl"))
    page = await client.get(
        "/indicators/spearheads", params={"sector": "youth-work", "municipality": BRUSSEL}
    )
    assert page.status_code == 200
    assert "Speerpunt 11" in page.text and "Diverse teams in het N-netwerk" in page.text
    assert "slechts 4 organisaties; een cijfer vraagt er minstens 5" in page.text
    assert 'id="suppression"' in page.text
    assert "Speerpunten die N-scan niet meet" in page.text
    overview = await client.get("/indicators", params={"sector": "youth-work"})
    assert "Per gemeente" in overview.text and "Buiten Brussel" in overview.text
    assert "view=municipalities" in overview.text and "−20" in overview.text


async def test_a_bad_filter_is_named_in_the_api_and_at_the_filter_on_the_page(
    db: Any, client: Any
) -> None:
    await two_rounds(db)
    user = await make_user(db, role=Role.ANALYST, language="nl")
    await api_login(client, user)
    for path in ("/api/v1/indicators", "/api/v1/indicators/spearheads"):
        response = await client.get(path, params={"questionnaire": "nope", "funded": "maybe"})
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"questionnaire", "funded"}
    response = await client.get(
        "/api/v1/indicators/municipalities",
        params={"questionnaire": "taalbeleid", "dimension": "bekendheid"},
    )
    assert response.status_code == 400 and "dimension" in response.json()["errors"]

    await login(client, user)
    page = await client.get("/indicators/spearheads", params={"sector": "nope", "round": "1999"})
    assert page.status_code == 422
    assert 'id="sector-error"' in page.text and "Kies een sector uit de lijst." in page.text
    assert 'id="round-error"' in page.text
    assert "Speerpunt 11" not in page.text  # no figures for filters that were refused


async def test_a_manager_gets_403_on_every_view(db: Any, client: Any) -> None:
    await two_rounds(db)
    organisation = await make_organisation(db)
    await login(client, await make_user(db, role=Role.MANAGER, organisation=organisation))
    for path in ("/indicators", "/indicators/spearheads", "/indicators/export?view=spearheads"):
        assert (await client.get(path)).status_code == 403
    assert (await client.get("/api/v1/indicators/municipalities")).status_code == 403


async def test_a_refused_export_does_not_hold_up_the_next_one(db: Any, client: Any) -> None:
    """An export writes (it is audited), so it waits for its turn among the writers; a
    request refused while its filters were read must give that turn back."""
    await two_rounds(db)
    await login(client, await make_user(db, role=Role.ANALYST, language="en"))
    for params in ({"size": "x" * 100}, {"sector": "nope"}, {"questionnaire": "\t=1"}):
        refused = await asyncio.wait_for(client.get("/indicators/export", params=params), 10)
        assert refused.status_code in (400, 422)
        answered = await asyncio.wait_for(client.get("/api/v1/indicators/export"), 10)
        assert answered.status_code == 200
    # The API reads its caller with the filters: a refused filter or token gives it back too.
    refusals = [
        ({"sector": "nope"}, {}, 400),
        ({}, {"Authorization": "Bearer nscan_unknown"}, 401),
        ({"size": "x" * 100}, {"Authorization": "Bearer nscan_unknown"}, 401),
    ]
    for params, headers, status in refusals:
        refused = await asyncio.wait_for(
            client.get("/api/v1/indicators/export", params=params, headers=headers), 10
        )
        assert refused.status_code == status
        answered = await asyncio.wait_for(client.get("/api/v1/indicators/export"), 10)
        assert answered.status_code == 200
