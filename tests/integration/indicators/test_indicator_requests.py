"""Support requests per provider and trajectory in the network indicators: counted per
filter combination, suppressed below five organisations, on the API, page and export."""

from __future__ import annotations

import csv
import io
from typing import Any

from survey.accounts.models import Provider, Role
from survey.indicators.service import take_release
from survey.trajectories.catalogue import trajectory
from survey.trajectories.models import RequestState, SupportRequest
from tests.factories import api_login, login, make_round, make_user
from tests.integration.indicators.helpers import network

YOUTH = {"sector": "youth-work", "size_band": "10-49", "funded_by_vgc": True}
MOLENBEEK, BRUSSEL, ANDERLECHT = "21012", "21004", "21001"
TRAJECTORY = "praktijkondersteuning"


def request_cells(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in body["cells"] if c["indicator"] == "requests"]


async def released(db: Any) -> None:
    round_ = await make_round(db, "2026")
    molenbeek = await network(db, round_, [(6, {**YOUTH, "municipality": MOLENBEEK}, 50.0)])
    brussel = await network(db, round_, [(3, {**YOUTH, "municipality": BRUSSEL}, 50.0)])
    anderlecht = await network(db, round_, [(5, {**YOUTH, "municipality": ANDERLECHT}, 50.0)])
    states = [
        RequestState.RUNNING,
        RequestState.RUNNING,
        RequestState.COMPLETED,
        RequestState.REQUESTED,
        RequestState.INTAKE,
        RequestState.DECLINED,
    ]
    for organisation, state in zip(molenbeek, states, strict=True):
        db.add(
            SupportRequest(
                organisation_id=organisation.id,
                trajectory_id=TRAJECTORY,
                provider=Provider.AGENTSCHAP,
                state=state,
            )
        )
    # A second request of one organisation: two requests, still one organisation.
    db.add(
        SupportRequest(
            organisation_id=molenbeek[0].id,
            trajectory_id=TRAJECTORY,
            provider=Provider.AGENTSCHAP,
            state=RequestState.COMPLETED,
        )
    )
    for organisation in [*brussel, *anderlecht]:
        db.add(
            SupportRequest(
                organisation_id=organisation.id,
                trajectory_id=TRAJECTORY,
                provider=Provider.AGENTSCHAP,
                state=RequestState.RUNNING,
            )
        )
    await db.commit()
    await take_release(db, round_)
    await db.commit()


async def test_requests_are_counted_per_provider_and_trajectory_and_suppressed_below_five(
    db: Any, client: Any
) -> None:
    await released(db)
    await api_login(client, await make_user(db, role=Role.ANALYST))
    body = (
        await client.get("/api/v1/indicators", params={"round": "2026", "municipality": MOLENBEEK})
    ).json()
    [cell] = request_cells(body)
    assert cell == {
        **cell,
        "provider": "agentschap",
        "trajectory_id": TRAJECTORY,
        "questionnaire": None,
        "n_organisations": 6,
        "suppressed": False,
        "requested": 7,
        "running": 2,
        "completed": 2,
    }
    # Three organisations in Brussel: suppressed; the network minus the shown municipalities
    # would give them away, so the smallest shown sibling (Anderlecht, 5) is hidden too.
    body = (
        await client.get("/api/v1/indicators", params={"round": "2026", "municipality": BRUSSEL})
    ).json()
    [small] = request_cells(body)
    assert small["n_organisations"] == 3 and small["suppressed"] is True
    assert small["requested"] is None and small["running"] is None
    body = (
        await client.get("/api/v1/indicators", params={"round": "2026", "municipality": ANDERLECHT})
    ).json()
    assert request_cells(body)[0]["suppressed"] is True
    whole = request_cells(
        (await client.get("/api/v1/indicators", params={"round": "2026"})).json()
    )[0]
    assert (whole["n_organisations"], whole["requested"], whole["running"]) == (14, 15, 10)


async def test_the_page_and_the_export_show_the_request_counts(db: Any, client: Any) -> None:
    await released(db)
    await login(client, await make_user(db, role=Role.ANALYST, language="en"))
    page = await client.get("/indicators", params={"municipality": MOLENBEEK})
    assert page.status_code == 200
    found = trajectory(TRAJECTORY)
    assert found is not None
    assert "Support requests" in page.text and found.name.get("en") in page.text
    export = await client.get(
        "/indicators/export", params={"municipality": MOLENBEEK, "format": "csv"}
    )
    assert export.status_code == 200
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = next(line for line in lines if line and line[0] == "indicator")
    row = next(line for line in lines if line and line[0] == "requests")
    named = dict(zip(header, row, strict=True))
    assert (named["provider"], named["requested"], named["running"]) == ("agentschap", "7", "2")
