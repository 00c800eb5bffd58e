"""The admin's count of organisations changed since the latest release."""

from __future__ import annotations

from typing import Any

from survey.accounts.models import Role
from survey.indicators.service import take_release
from tests.factories import login, make_organisation, make_round, make_user
from tests.integration.indicators.helpers import network, submit

YOUTH = {"sector": "youth-work", "size_band": "10-49", "funded_by_vgc": True}


async def test_the_admin_page_counts_the_organisations_changed_since_the_release(
    db: Any, client: Any
) -> None:
    round_ = await make_round(db, "2026")
    await network(db, round_, [(6, {**YOUTH, "municipality": "21012"}, 40.0)])
    await take_release(db, round_)
    await db.commit()
    await login(client, await make_user(db, role=Role.ADMIN, language="en"))
    assert "0 organisations changed since" in (await client.get("/indicators")).text
    for _ in range(2):
        await submit(db, await make_organisation(db, **YOUTH, municipality="21012"), round_, 70)
    assert "2 organisations changed since" in (await client.get("/indicators")).text
