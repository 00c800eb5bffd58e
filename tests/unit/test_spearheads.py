"""The mapping of the VGC plan's spearheads to questionnaire parts (survey/indicators/
spearheads.yaml): it names the plan's 14 spearheads as the plan words them, every part it
names exists, a wrong file is refused with the problem named, and the view regroups a
release's cells without computing or revealing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.indicators.schemas import FiltersRead, IndicatorCellRead, IndicatorsRead
from survey.indicators.spearheads import (
    PLAN_FILE,
    SpearheadPlanError,
    load_plan,
    spearhead_plan,
    spearheads_read,
)
from survey.questionnaires import registry

# Titles as the VGC page "Samenleven in Brussel" lists the spearheads of the plan 2022-2025.
PLAN_TITLES = {
    2: "We versterken de toegankelijkheid van onze communicatie en zorgen voor laagdrempelige "
    "infopunten over het Nederlandstalig aanbod",
    4: "Divers-sensitief werken wordt de norm binnen het N-netwerk",
    5: "Brusselaars met een migratieachtergrond participeren structureel aan "
    "besluitvormingsprocessen binnen beleid en aanbod",
    11: "Diverse teams in het N-netwerk",
    13: "Nederlands en meertaligheid",
}


def test_the_plan_has_its_fourteen_spearheads_in_its_own_words() -> None:
    plan = spearhead_plan()
    assert [s.number for s in plan.spearheads] == list(range(1, 15))
    for number, title in PLAN_TITLES.items():
        assert plan.spearheads[number - 1].title.nl == title
    for spearhead in plan.spearheads:
        assert spearhead.title.fr and spearhead.title.en


def test_every_part_names_a_dimension_of_the_current_questionnaires() -> None:
    current = registry()  # the newest version of each questionnaire
    for spearhead in spearhead_plan().spearheads:
        for part in spearhead.parts:
            assert part.questionnaire in current, (spearhead.number, part)
            dimensions = {d.id for d in current[part.questionnaire].dimensions} | {"overall"}
            assert part.dimension in dimensions, (spearhead.number, part)


def test_the_spearheads_the_questionnaires_cite_are_informed_by_them() -> None:
    """The questionnaire headers cite spearheads 2, 3, 4, 5, 6, 11 and 13."""
    by_number = {s.number: s for s in spearhead_plan().spearheads}
    cited = {
        2: "toegankelijkheid",
        3: "toegankelijkheid",
        4: "diverse-teams",
        5: "cultuursensitief-werken",
        6: "toegankelijkheid",
        11: "diverse-teams",
        13: "taalbeleid",
    }
    for number, questionnaire in cited.items():
        assert questionnaire in {p.questionnaire for p in by_number[number].parts}, number
    assert by_number[11].team_composition
    assert not by_number[7].measured


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "dimension: participatie}",
            "dimension: nope}",
            "'nope' is not a dimension of cultuursensitief-werken",
        ),
        (
            "{questionnaire: cultuursensitief-werken, dimension: participatie}",
            "{questionnaire: nope-q, dimension: participatie}",
            "unknown questionnaire 'nope-q'",
        ),
        ("number: 13", "number: 12", "numbers must be 1 to 14"),
        (
            "{questionnaire: cultuursensitief-werken, dimension: methodieken}",
            "{questionnaire: cultuursensitief-werken, dimension: methodieken}\n"
            "      - {questionnaire: cultuursensitief-werken, dimension: methodieken}",
            "is listed twice",
        ),
        ('en: "Diverse teams in the N-network"', 'en: "  "', "spearhead 11: title.en: is blank"),
    ],
)
def test_a_wrong_mapping_is_refused_naming_the_problem(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    text = PLAN_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "spearheads.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SpearheadPlanError) as refused:
        load_plan(path)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def _cell(
    indicator: str, q: str, d: str, n: int, suppressed: bool, **values: float
) -> IndicatorCellRead:
    return IndicatorCellRead(
        indicator=indicator,
        questionnaire=q,
        dimension=d,
        n_organisations=n,
        suppressed=suppressed,
        **values,  # type: ignore[arg-type]
    )


def test_the_view_regroups_the_release_cells_as_they_are() -> None:
    shown = _cell("scores", "toegankelijkheid", "overall", 12, False, share_maturity_3_or_more=58.0)
    hidden = _cell("change", "toegankelijkheid", "overall", 4, True)
    other = _cell("scores", "taalbeleid", "duidelijke-taal", 3, True)
    read = IndicatorsRead(
        round="2026",
        release=None,
        filters=FiltersRead(None, None, "21012", None, None, None),
        cells=[shown, hidden, other],
    )
    view = spearheads_read(read, {}, "nl")
    six = next(s for s in view.spearheads if s.number == 6)
    overall = next(p for p in six.parts if p.dimension == "overall")
    assert overall.scores is shown and overall.change is hidden
    assert overall.change.mean_change is None and overall.change.n_organisations == 4
    two = next(s for s in view.spearheads if s.number == 2)
    clear = next(p for p in two.parts if p.dimension == "duidelijke-taal")
    assert clear.scores is other and clear.scores.share_maturity_3_or_more is None
    # A part with no cell in the release has none: nothing is computed to fill it.
    assert next(p for p in two.parts if p.dimension == "bekendheid").scores is None
    assert view.filters.municipality == "21012"
