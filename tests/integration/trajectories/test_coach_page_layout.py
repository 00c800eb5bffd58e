"""What a coach sees next to what they did: each goal's "remove" button in the goal's own
row, and the trajectories they already suggested listed on the organisation's file."""

from __future__ import annotations

from typing import Any

from tests.factories import login, post_form
from tests.integration.assessments.helpers import html_escape, nl
from tests.integration.trajectories.helpers import (
    World,
    coach_on_the_web,
    post_goal,
)


async def test_each_goal_has_its_remove_button_in_its_own_row(
    client: Any, w: World, running: int, goal_rounds: None
) -> None:
    await login(client, w.huis_coach)
    for dimension in ("toegankelijkheid/bekendheid", "taalbeleid/visie-en-taalbeleid"):
        saved = await post_goal(client, running, "2027", dimension)
        assert saved.status_code == 303, saved.text

    page = (await client.get(f"/coaching/requests/{running}")).text

    table = page.split('<section class="goals"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("</tr>")[:-1]
    assert len(rows) == 2
    for row, dimension in zip(
        rows, ("toegankelijkheid/bekendheid", "taalbeleid/visie-en-taalbeleid"), strict=True
    ):
        # the row names its part and carries the button that removes exactly that goal
        assert f'name="remove" value="{dimension}"' in row
        assert nl("Remove goal") in row
    # and no loose buttons under the table any more
    after_table = page.split("</table>", 1)[1].split("<h2", 1)[0]
    assert 'name="remove"' not in after_table

    removed = await post_form(
        client,
        f"/coaching/requests/{running}/goals",
        data={"remove": "taalbeleid/visie-en-taalbeleid"},
    )
    assert removed.status_code == 303
    page = (await client.get(f"/coaching/requests/{running}")).text
    assert page.count('name="remove" value=') == 1


async def test_the_file_lists_the_trajectories_the_coaches_suggested(
    client: Any, w: World, requested: int
) -> None:
    await coach_on_the_web(client, w)
    path = f"/coaching/organisations/{w.organisation.id}"
    before = (await client.get(path)).text
    intro = nl("Already suggested to this organisation; it sees them among its suggestions:")
    assert html_escape(intro) not in before

    suggested = await post_form(
        client, f"{path}/suggestions", data={"trajectory_id": "taalbeleid-coaching"}
    )
    assert suggested.status_code == 303, suggested.text

    page = (await client.get(path)).text
    listed = page.split(html_escape(intro), 1)[1].split("</ul>", 1)[0]
    assert f"<li>{html_escape('Coaching taalbeleid')}</li>" in listed
    assert listed.count("<li>") == 1


async def test_the_french_file_and_request_say_campagne_for_a_round_throughout(
    client: Any, w: World, running: int, goal_rounds: None
) -> None:
    await login(client, w.huis_coach)
    saved = await post_goal(client, running, "2027", query="?lang=fr")
    assert saved.status_code == 303, saved.text

    for path in (
        f"/coaching/requests/{running}",
        f"/coaching/organisations/{w.organisation.id}",
    ):
        page = (await client.get(f"{path}?lang=fr")).text
        main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        assert "campagne" in main.lower(), path
        assert "cycle" not in main.lower(), path
