"""The team counts a manager submits reach the network's team shares: kept with the result
at submission (only numbers: not "unknown", not what is marked not applicable), and replaced
when the assessment is reopened and submitted again."""

from __future__ import annotations

from typing import Any

from survey.indicators.service import Filters, cells_of, take_release
from survey.organisations.models import Organisation
from survey.rounds.models import Round
from tests.factories import make_organisation, make_round
from tests.integration.assessments.helpers import manager_with_assessment
from tests.integration.assessments.test_item_types import put
from tests.integration.indicators.helpers import submit

STAFF, MIGRATION = "tc-personeel-totaal", "tc-personeel-migratie"
BOARD, BOARD_MIGRATION = "tc-bestuur-totaal", "tc-bestuur-migratie"


async def team_share(db: Any, round_: Round, measure: str) -> float | None:
    """The network-wide share of a team measure in a new release of ``round_``."""
    release = await take_release(db, round_, at_close=True)
    await db.commit()
    cells = await cells_of(db, release, Filters())
    await db.commit()
    shares = [c.values["share"] for c in cells if c.indicator == "team" and c.dimension == measure]
    return shares[0] if shares else None


async def submitted_by_a_manager(client: Any, db: Any, round_: Round) -> tuple[str, str]:
    """A manager's "Diverse teams" assessment answered through the API and submitted: 20
    staff of whom 5 with a migration background; the board's total "unknown", its subgroup
    marked not applicable. Returns (the assessment's API path, the manager's token)."""
    setup = await manager_with_assessment(
        client, db, round_.name, questionnaire_id="diverse-teams", new_round=False
    )
    token, assessment_id = setup.token, setup.assessment_id
    for item_id, body in (
        (STAFF, {"value": 20}),
        (MIGRATION, {"value": 5}),
        (BOARD, {"value": "unknown"}),
        (BOARD_MIGRATION, {"not_applicable": True}),
    ):
        saved = await put(client, token, assessment_id, item_id, **body)
        assert saved.status_code == 200, saved.text
    path = f"/api/v1/assessments/{assessment_id}"
    assert (await client.post(f"{path}/submit", headers={"x-csrftoken": token})).status_code == 200
    return path, token


async def peers(db: Any, round_: Round, count: int) -> list[Organisation]:
    """Organisations that submitted 20 staff of whom 5 with a migration background, and a
    board of 8 of whom 2."""
    made = []
    for _ in range(count):
        organisation = await make_organisation(db)
        team = {STAFF: 20, MIGRATION: 5, BOARD: 8, BOARD_MIGRATION: 2}
        await submit(db, organisation, round_, 50.0, questionnaire="diverse-teams", team=team)
        made.append(organisation)
    return made


async def test_submitted_counts_make_the_team_share_and_a_resubmission_replaces_them(
    client: Any, db: Any
) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 4)
    path, token = await submitted_by_a_manager(client, db, round_)
    assessment_id = int(path.rsplit("/", 1)[1])
    assert (await client.post(f"{path}/reopen", headers={"x-csrftoken": token})).status_code == 200
    assert (await put(client, token, assessment_id, MIGRATION, value=15)).status_code == 200
    assert (await client.post(f"{path}/submit", headers={"x-csrftoken": token})).status_code == 200

    # The counts submitted again, not the first ones (5 of 20: 25 %).
    assert await team_share(db, round_, "staff-migration") == 100 * (15 + 4 * 5) / (20 + 4 * 20)
    # The manager's board counts ("unknown", not applicable) are left out: 4 peers only.
    assert await team_share(db, round_, "board-migration") is None
