"""What start-up prepares so that the first requests under load do not wait (issue 15)."""

from __future__ import annotations

import gc
from typing import Any

from litestar.testing import AsyncTestClient

from survey.settings import Settings
from survey.web.rendering import TEMPLATE_DIR, environment_of


async def test_every_template_is_compiled_before_the_first_request(
    app: Any, settings: Settings
) -> None:
    environment_of(settings).cache.clear()  # type: ignore[union-attr]

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        compiled = {name for _, name in environment_of(settings).cache}  # type: ignore[union-attr]
        page = await client.get("/login")
        compiled_after_a_page = len(environment_of(settings).cache)  # type: ignore[arg-type]

    assert page.status_code == 200
    assert compiled_after_a_page == len(compiled)  # the page compiled nothing more

    assert "assessments/result.html" in compiled
    assert "assessments/answer_saved.html" in compiled
    on_disk = {str(path.relative_to(TEMPLATE_DIR)) for path in TEMPLATE_DIR.rglob("*.html")}
    assert on_disk <= compiled


async def test_start_up_objects_are_kept_out_of_the_cycle_collector_while_serving(
    app: Any,
) -> None:
    gc.unfreeze()

    async with AsyncTestClient(app=app, base_url="http://testserver.local"):
        frozen_while_serving = gc.get_freeze_count()

    assert frozen_while_serving > 10_000
    assert gc.get_freeze_count() == 0  # collectable again once the app stopped
