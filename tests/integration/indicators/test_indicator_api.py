"""GET /api/v1/indicators: releases, suppression, the differencing attack, access."""

from __future__ import annotations

from typing import Any

import pytest

from survey.accounts.models import Provider, Role
from survey.indicators.service import Filters, cells_of, take_release
from survey.rounds.models import Round
from survey.rounds.service import close_round
from tests.factories import api_login, make_organisation, make_round, make_user
from tests.integration.indicators.helpers import QUESTIONNAIRE, network, submit

YOUTH = {"sector": "youth-work", "size_band": "10-49", "funded_by_vgc": True}
MOLENBEEK, BRUSSEL = "21012", "21004"


def overall(body: dict[str, Any]) -> dict[str, Any]:
    return next(
        c
        for c in body["cells"]
        if c["indicator"] == "scores"
        and c["questionnaire"] == QUESTIONNAIRE
        and c["dimension"] == "overall"
    )


async def analyst_client(db: Any, client: Any) -> None:
    await api_login(client, await make_user(db, role=Role.ANALYST))


async def release(db: Any, round_: Round, **kwargs: Any) -> None:
    await take_release(db, round_, **kwargs)
    await db.commit()


async def test_indicators_come_from_the_release_not_live(db: Any, client: Any) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(6, {**YOUTH, "municipality": MOLENBEEK}, 50.0)])
    await analyst_client(db, client)
    response = await client.get("/api/v1/indicators", params={"round": "2026"})
    assert response.status_code == 200
    assert response.json()["release"] is None and response.json()["cells"] == []

    await release(db, round_)
    body = (await client.get("/api/v1/indicators", params={"round": "2026"})).json()
    cell = overall(body)
    assert body["release"]["reason"] == "request"
    assert cell == {**cell, "n_organisations": 6, "suppressed": False, "mean": 53.0}
    assert cell["p25"] is None  # quartiles from 10 organisations on (DESIGN §5)

    # A new submission does not move what analysts see until the next release.
    await submit(db, await make_organisation(db, **YOUTH, municipality=MOLENBEEK), round_, 90)
    again = (await client.get("/api/v1/indicators", params={"round": "2026"})).json()
    assert overall(again)["n_organisations"] == 6


@pytest.mark.parametrize("count", [4, 5])
async def test_a_cell_on_fewer_than_five_organisations_is_suppressed_whatever_the_filters(
    db: Any, client: Any, count: int
) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(count, {**YOUTH, "municipality": MOLENBEEK}, 40.0)])
    await release(db, round_, at_close=True)
    await analyst_client(db, client)
    for params in (
        {},
        {"sector": "youth-work"},
        {"size": "10-49"},
        {"municipality": MOLENBEEK},
        {"funded": "true"},
        {"sector": "youth-work", "size": "10-49", "municipality": MOLENBEEK, "funded": "true"},
    ):
        body = (await client.get("/api/v1/indicators", params=params)).json()
        for cell in body["cells"]:
            assert cell["n_organisations"] == count
            assert cell["suppressed"] is (count < 5), (params, cell)
            if count < 5:
                assert cell["mean"] is None and cell["share_participating"] is None
        assert overall(body)["mean"] == (None if count < 5 else 42.0)


async def test_the_differencing_attack_across_children_and_two_queries_fails(
    db: Any, client: Any
) -> None:
    """Youth work: 9 organisations in Brussel, 3 in Molenbeek. Molenbeek's 3 are
    suppressed; without complementary suppression, youth work minus Brussel (two
    queries differing by one filter value) would give their mean."""
    round_ = await make_round(db, "2026")
    await network(
        db,
        round_,
        [
            (9, {**YOUTH, "municipality": BRUSSEL}, 60.0),
            (3, {**YOUTH, "municipality": MOLENBEEK}, 10.0),
        ],
    )
    await release(db, round_, at_close=True)
    await analyst_client(db, client)

    def get(**params: str) -> Any:
        return client.get("/api/v1/indicators", params=params)

    parent = overall((await get(sector="youth-work")).json())
    brussel = overall((await get(sector="youth-work", municipality=BRUSSEL)).json())
    molenbeek = overall((await get(sector="youth-work", municipality=MOLENBEEK)).json())
    assert parent["suppressed"] is False and parent["n_organisations"] == 12
    assert molenbeek["suppressed"] is True and molenbeek["n_organisations"] == 3
    # The attack: parent × 12 − Brussel × 9 = Molenbeek × 3. It needs Brussel's mean.
    assert brussel["suppressed"] is True and brussel["mean"] is None
    # The same through the network, the size band and the funded flag.
    for params in ({}, {"size": "10-49"}, {"funded": "true"}):
        whole = overall((await get(**params)).json())
        part = overall((await get(**params, municipality=BRUSSEL)).json())
        assert whole["suppressed"] is False
        assert part["suppressed"] is True


async def test_a_cell_whose_organisations_changed_by_one_to_four_is_suppressed(
    db: Any, client: Any
) -> None:
    round_ = await make_round(db, "2026")
    await network(
        db,
        round_,
        [
            (10, {**YOUTH, "municipality": BRUSSEL}, 50.0),
            (10, {**YOUTH, "sector": "sport", "municipality": BRUSSEL}, 50.0),
        ],
    )
    await release(db, round_)
    # Three more in youth work, two in sport: five in the network, below five per sector.
    await network(
        db,
        round_,
        [
            (3, {**YOUTH, "municipality": BRUSSEL}, 90.0),
            (2, {**YOUTH, "sector": "sport", "municipality": BRUSSEL}, 90.0),
        ],
    )
    await release(db, round_)
    await analyst_client(db, client)
    youth = overall(
        (await client.get("/api/v1/indicators", params={"sector": "youth-work"})).json()
    )
    sport = overall((await client.get("/api/v1/indicators", params={"sector": "sport"})).json())
    network_cell = overall((await client.get("/api/v1/indicators")).json())
    assert (youth["n_organisations"], youth["suppressed"]) == (13, True)
    assert (sport["n_organisations"], sport["suppressed"]) == (12, True)
    assert (network_cell["n_organisations"], network_cell["suppressed"]) == (25, False)


async def test_an_open_round_release_needs_five_changed_organisations(db: Any) -> None:
    from survey.errors import Conflict

    round_ = await make_round(db, "2026")
    await network(db, round_, [(6, {**YOUTH, "municipality": BRUSSEL}, 50.0)])
    await release(db, round_)
    await network(db, round_, [(4, {**YOUTH, "municipality": BRUSSEL}, 50.0)])
    with pytest.raises(Conflict):
        await take_release(db, round_)


async def test_closing_a_round_takes_its_closing_release(db: Any, client: Any) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(5, {**YOUTH, "municipality": BRUSSEL}, 50.0)])
    await close_round(db, round_, actor_id=None)
    await db.commit()
    await analyst_client(db, client)
    body = (await client.get("/api/v1/indicators", params={"round": "2026"})).json()
    assert body["release"]["reason"] == "close"
    assert overall(body)["suppressed"] is False


async def test_an_unknown_filter_value_is_refused_naming_the_field(db: Any, client: Any) -> None:
    await make_round(db, "2026")
    await analyst_client(db, client)
    response = await client.get("/api/v1/indicators", params={"municipality": "99999"})
    assert response.status_code == 400
    assert "municipality" in response.json()["errors"]


@pytest.mark.parametrize(
    ("role", "provider", "status"),
    [
        (Role.ANALYST, None, 200),
        (Role.ADMIN, None, 200),
        (Role.MANAGER, None, 403),
        (Role.RESPONDENT, None, 403),
        (Role.COACH, Provider.AGENTSCHAP, 403),
    ],
)
async def test_only_analysts_and_admins_see_indicators(
    db: Any, client: Any, role: Role, provider: Provider | None, status: int
) -> None:
    await make_round(db, "2026")
    organisation = await make_organisation(db)
    user = await make_user(
        db,
        role=role,
        organisation=organisation if role in (Role.MANAGER, Role.RESPONDENT) else None,
        provider=provider,
    )
    await api_login(client, user)
    assert (await client.get("/api/v1/indicators")).status_code == status


async def test_not_logged_in_is_401(db: Any, client: Any) -> None:
    await make_round(db, "2026")
    assert (await client.get("/api/v1/indicators")).status_code == 401


async def test_without_a_round_asked_the_last_closed_round_is_shown_not_an_upcoming_one(
    db: Any, client: Any
) -> None:
    """Between rounds (the last one closed, next year's already planned) an analyst sees
    the figures of the round that ran, not an empty upcoming round."""
    ran = await make_round(db, "2025", state="closed")
    await network(db, ran, [(6, {**YOUTH, "municipality": MOLENBEEK}, 50.0)])
    await release(db, ran, at_close=True)
    await make_round(db, "2027", state="upcoming")
    await analyst_client(db, client)
    body = (await client.get("/api/v1/indicators")).json()
    assert body["round"] == "2025"
    assert overall(body)["n_organisations"] == 6


async def test_a_release_in_the_transaction_that_stored_both_rounds_has_the_change(
    db: Any,
) -> None:
    """The demo stores the previous round and takes releases in one transaction: the
    release must read the previous round's scores as that transaction sees them."""
    before = await make_round(db, "2025", state="closed")
    now = await make_round(db, "2026")
    organisations = [await make_organisation(db, **YOUTH, municipality=MOLENBEEK) for _ in range(6)]
    for i, organisation in enumerate(organisations):
        await submit(db, organisation, before, 40.0 + i, commit=False)
        await submit(db, organisation, now, 50.0 + i, commit=False)
    taken = await take_release(db, now, at_close=True)
    cells = await cells_of(db, taken, Filters(sector="youth-work", municipality=MOLENBEEK))
    change = next(
        c
        for c in cells
        if c.indicator == "change" and c.questionnaire == QUESTIONNAIRE and c.dimension == "overall"
    )
    assert change.n_organisations == 6 and change.values["mean_change"] == 10.0


async def test_an_empty_round_parameter_shows_the_round_a_page_shows_without_one(
    db: Any, client: Any
) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(6, {**YOUTH, "municipality": MOLENBEEK}, 50.0)])
    await release(db, round_)
    await analyst_client(db, client)
    for path in ("/api/v1/indicators", "/api/v1/indicators/spearheads", "/indicators"):
        response = await client.get(path, params={"round": ""})
        assert response.status_code == 200, (path, response.text)
    assert (await client.get("/api/v1/indicators", params={"round": ""})).json()["round"] == "2026"
