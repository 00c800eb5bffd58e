"""The trajectory catalogue file: every trajectory of DESIGN §6, and a file with a mistake
refused with the file, the trajectory, the field and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.accounts.models import Provider
from survey.questionnaires import all_versions
from survey.trajectories.catalogue import (
    CATALOGUE_FILE,
    CatalogueError,
    catalogue,
    load_catalogue,
    trajectory,
    validate_catalogue,
)
from survey.trajectories.rules import leaves

GOOD = CATALOGUE_FILE.read_text(encoding="utf-8")


def test_the_catalogue_holds_every_trajectory_of_design_6() -> None:
    trajectories = catalogue()
    by_provider = {
        provider: {t.id for t in trajectories.values() if t.provider == provider}
        for provider in Provider
    }
    assert by_provider[Provider.AGENTSCHAP] == {
        "coaching-cultuursensitief-werken",
        "praktijkondersteuning",
        "vorming-diversiteit",
        "outreach-en-brugfiguren",
        "sociaal-tolken-en-intercultureel-bemiddelen",
        "divers-vrijwilligerswerk",
        "diversiteitsbeleid-en-charter",
        "participatie-doelgroep",
        "brede-toegankelijkheid",
    }
    assert by_provider[Provider.HUIS] == {
        "taalbeleid-coaching",
        "duidelijke-taal",
        "nederlands-op-de-werkvloer",
        "nederlands-leren-promoten",
    }
    joint = trajectory("brede-toegankelijkheid")
    assert joint is not None and (joint.provider, joint.partner) == (
        Provider.AGENTSCHAP,
        Provider.HUIS,
    )
    assert joint.providers == (Provider.AGENTSCHAP, Provider.HUIS)
    assert all(t.partner is None for t in trajectories.values() if t is not joint)
    assert trajectory("no-such-trajectory") is None
    # three languages everywhere, and texts that differ between them
    for t in trajectories.values():
        assert len({t.name.nl, t.name.fr, t.name.en}) >= 2, t.id
        assert len({t.description.nl, t.description.fr, t.description.en}) == 3, t.id
        assert t.intensity in ("information", "training", "coaching")
        assert list(leaves(t.trigger)), t.id


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    _valid, problems = validate_catalogue(path)
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    assert raised.value.problems == problems
    return [str(problem) for problem in problems]


def _mistake(old: str, new: str, count: int = 1) -> str:
    assert GOOD.count(old) >= count, old
    return GOOD.replace(old, new, count)


def test_an_unknown_dimension_is_refused_naming_file_trajectory_and_field(tmp_path: Path) -> None:
    text = _mistake(
        "{kind: maturity_at_most, questionnaire: taalbeleid, dimension: duidelijke-taal, level: 2}",
        "{kind: maturity_at_most, questionnaire: taalbeleid, dimension: duidelijk-taal, level: 2}",
    )
    assert _problems(tmp_path, text) == [
        "catalogue.yaml: trajectory duidelijke-taal: trigger.rules[0].dimension: 'duidelijk-taal' "
        "is not a dimension of taalbeleid; its dimensions: duidelijke-taal, meertaligheid-als-brug, "
        "nederlands-op-de-werkvloer, nederlands-promoten, taal-in-personeelsbeleid, visie-en-taalbeleid"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    intensity: training\n",
            "    intensity: course\n",
            "catalogue.yaml: trajectory vorming-diversiteit: intensity: 'course' is not allowed; "
            "use one of: information, training, coaching",
        ),
        (
            "    partner: huis\n",
            "    partner: agentschap\n",
            "catalogue.yaml: trajectory brede-toegankelijkheid: partner: is the lead provider too; "
            "a partner is the other provider",
        ),
        (
            "    provider: huis\n    intensity: training\n",
            "    provider: bon\n    intensity: training\n",
            "catalogue.yaml: trajectory duidelijke-taal: provider: 'bon' is not allowed; "
            "use one of: agentschap, huis",
        ),
        (
            'item: pr-ouders, any_of: ["no"]',
            'item: pr-ouders, any_of: ["nee"]',
            "catalogue.yaml: trajectory nederlands-leren-promoten: trigger.rules[2].any_of: 'nee' "
            "is not an answer of pr-ouders (a yes_partly_no item: yes, partly or no)",
        ),
        (
            "dimension: visie-en-beleid, level: 2}",
            "dimension: visie-en-beleid, level: 5}",
            "catalogue.yaml: trajectory coaching-cultuursensitief-werken: trigger.rules[0].level: "
            "must be at most 4",
        ),
        (
            "            - {kind: score_below, questionnaire: diverse-teams, dimension: doorstroom, threshold: 50}",
            "            - {kind: score_below, questionnaire: diverse-teams, dimension: doorstroom, treshold: 50}",
            "catalogue.yaml: trajectory diversiteitsbeleid-en-charter: trigger.rules[2].rules[1]: "
            "unknown field 'treshold'",
        ),
        (
            '{kind: answer, questionnaire: taalbeleid, item: tb-geschreven, any_of: ["no"]}',
            '{kind: answer, questionnaire: toegankelijkheid, item: bg-taaliconen, any_of: ["no"]}',
            "catalogue.yaml: trajectory taalbeleid-coaching: trigger.rules[2]: looks at "
            "toegankelijkheid/begrijpbaarheid, which is not among the trajectory's dimensions; "
            "add it there or change the rule",
        ),
        (
            '      url: "https://www.integratie-inburgering.be"',
            '      url: "www.integratie-inburgering.be"',
            "catalogue.yaml: trajectory sociaal-tolken-en-intercultureel-bemiddelen: contact.url: "
            "expected a web address starting with https://",
        ),
        (
            "  - id: praktijkondersteuning\n",
            "  - id: participatie-doelgroep\n",
            "catalogue.yaml: trajectory participatie-doelgroep: id: used twice (trajectories[1] and [7])",
        ),
        (
            '      nl: "Duidelijke taal"\n',
            '      nl: "  "\n',
            "catalogue.yaml: trajectory duidelijke-taal: name.nl: is blank; write the nl text",
        ),
    ],
)
def test_a_mistake_is_refused_naming_file_trajectory_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert _problems(tmp_path, _mistake(old, new)) == [expected]


def test_an_entry_without_a_valid_id_is_named_by_its_position(tmp_path: Path) -> None:
    text = _mistake("  - id: praktijkondersteuning\n", "  - id: Praktijk Ondersteuning\n")
    (problem,) = _problems(tmp_path, text)
    assert problem.startswith("catalogue.yaml: trajectories[1]: id: expected an id")


def test_yaml_errors_and_a_wrong_shape_are_reported(tmp_path: Path) -> None:
    assert _problems(tmp_path, "trajectories: [\n")[0].startswith("catalogue.yaml: line ")
    assert _problems(tmp_path, "") == [
        "catalogue.yaml: the file is empty; it must hold 'trajectories:'"
    ]
    assert _problems(tmp_path, "- id: x\n") == [
        "catalogue.yaml: the file must hold one mapping with one key, 'trajectories:'"
    ]


def test_the_catalogue_is_checked_against_the_questionnaires_it_is_given(tmp_path: Path) -> None:
    # without the language policy questionnaire, every rule on it is refused
    others = [q for q in all_versions() if q.id != "taalbeleid"]
    _valid, problems = validate_catalogue(CATALOGUE_FILE, others)
    assert problems and all("unknown questionnaire 'taalbeleid'" in p.problem for p in problems)
    assert {p.trajectory for p in problems} >= {"taalbeleid-coaching", "duidelijke-taal"}
