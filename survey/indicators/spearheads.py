"""The indicators by spearhead of the VGC policy plan: which questionnaire parts inform which
spearhead (``spearheads.yaml`` next to this module), and the view that groups a release's
cells that way.

The mapping is data: each of the plan's 14 spearheads with its number, its title in Dutch
(as the plan words it), French and English, and the parts (questionnaire × dimension, or
``overall``) that inform it. :func:`spearhead_plan` loads it once and checks it (numbers 1 to
14 each once, titles in the three languages, each part once, every questionnaire and
dimension named exists in a questionnaire definition); the app refuses to start when it is
invalid.

The view (:func:`spearheads_read`) only regroups cells of a stored release, for the filters
asked: it computes no figure, so every suppression of the release holds as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated

import msgspec

from survey.i18n import gettext as _
from survey.indicators.core import OVERALL, dimension_ids
from survey.indicators.schemas import (
    IndicatorCellRead,
    IndicatorsRead,
    LocalTextRead,
    SpearheadPartRead,
    SpearheadRead,
    SpearheadsRead,
)
from survey.questionnaires import all_versions
from survey.questionnaires.schema import Questionnaire, blank_languages

__all__ = [
    "PLAN_FILE",
    "Part",
    "Spearhead",
    "SpearheadPlan",
    "SpearheadPlanError",
    "check_plan",
    "load_plan",
    "spearhead_plan",
    "spearheads_read",
]

PLAN_FILE: Path = Path(__file__).resolve().parent / "spearheads.yaml"
SPEARHEAD_COUNT = 14
"""The policy plan "Samenleven in Brussel" 2022-2025 has 14 spearheads."""

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]


class Title(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    nl: str
    fr: str
    en: str

    def get(self, language: str) -> str:
        value: str = getattr(self, language, self.nl)
        return value


class Part(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A questionnaire part that informs a spearhead: a dimension, or ``overall``."""

    questionnaire: Slug
    dimension: Slug


class Spearhead(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    number: Annotated[int, msgspec.Meta(ge=1, le=SPEARHEAD_COUNT)]
    title: Title
    parts: list[Part]
    team_composition: bool = False
    """The team-composition shares of "Diverse teams" inform it too."""

    @property
    def measured(self) -> bool:
        return bool(self.parts) or self.team_composition


class SpearheadPlan(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    plan: Title
    spearheads: list[Spearhead]


class SpearheadPlanError(Exception):
    """The mapping file is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in {PLAN_FILE.name}:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )


def check_plan(plan: SpearheadPlan, questionnaires: Iterable[Questionnaire]) -> list[str]:
    """The problems of a decoded plan: numbering, blank titles, parts listed twice, and
    parts naming a questionnaire or a dimension that no definition has."""
    dimensions = dimension_ids(questionnaires)
    problems: list[str] = []
    numbers = [s.number for s in plan.spearheads]
    if numbers != list(range(1, SPEARHEAD_COUNT + 1)):
        problems.append(
            f"spearheads: numbers must be 1 to {SPEARHEAD_COUNT}, each once and in order; "
            f"found {numbers}"
        )
    for where, title in [("plan", plan.plan)] + [
        (f"spearhead {s.number}: title", s.title) for s in plan.spearheads
    ]:
        problems.extend(
            f"{where}.{language}: is blank; write the {language} text"
            for language in blank_languages(title)
        )
    for spearhead in plan.spearheads:
        seen: set[tuple[str, str]] = set()
        for index, part in enumerate(spearhead.parts):
            where = f"spearhead {spearhead.number}: parts[{index}]"
            key = (part.questionnaire, part.dimension)
            if key in seen:
                problems.append(f"{where}: {part.questionnaire}/{part.dimension} is listed twice")
            seen.add(key)
            if part.questionnaire not in dimensions:
                known = ", ".join(sorted(dimensions))
                problems.append(
                    f"{where}: unknown questionnaire {part.questionnaire!r}; known: {known}"
                )
            elif part.dimension not in dimensions[part.questionnaire]:
                known = ", ".join(sorted(dimensions[part.questionnaire]))
                problems.append(
                    f"{where}: {part.dimension!r} is not a dimension of {part.questionnaire}; "
                    f"its dimensions: {known}"
                )
    return problems


def load_plan(
    path: Path = PLAN_FILE, questionnaires: Iterable[Questionnaire] | None = None
) -> SpearheadPlan:
    """Decode and check a mapping file (against every questionnaire definition by default)."""
    try:
        plan = msgspec.yaml.decode(path.read_bytes(), type=SpearheadPlan)
    except msgspec.ValidationError as error:
        raise SpearheadPlanError([str(error)]) from error
    problems = check_plan(plan, all_versions() if questionnaires is None else questionnaires)
    if problems:
        raise SpearheadPlanError(problems)
    return plan


@cache
def spearhead_plan() -> SpearheadPlan:
    """The app's mapping (``spearheads.yaml``), loaded and checked once."""
    return load_plan()


# --- The view ---------------------------------------------------------------------------


def _local(title: Title) -> LocalTextRead:
    return LocalTextRead(nl=title.nl, fr=title.fr, en=title.en)


def _dimension_title(
    definitions: Mapping[str, Questionnaire], part: Part, language: str
) -> tuple[str, str]:
    """(questionnaire title, part title) in ``language``; the ids when no published
    definition has them."""
    definition = definitions.get(part.questionnaire)
    if definition is None:
        return part.questionnaire, part.dimension
    if part.dimension == OVERALL:
        return definition.title.get(language), _("Overall score")
    found = next((d for d in definition.dimensions if d.id == part.dimension), None)
    return definition.title.get(language), (
        found.title.get(language) if found is not None else part.dimension
    )


def spearheads_read(
    read: IndicatorsRead,
    definitions: Mapping[str, Questionnaire],
    language: str,
    plan: SpearheadPlan | None = None,
) -> SpearheadsRead:
    """The cells of ``read`` (one filter combination of a release) grouped by spearhead.

    Each part gets the release's ``scores`` and ``change`` cells of its questionnaire and
    dimension (None: no organisation has that score); a spearhead with
    ``team_composition`` gets the ``team`` cells. Nothing is computed here."""
    plan = plan or spearhead_plan()
    by_key: dict[tuple[str, str | None, str | None], IndicatorCellRead] = {
        (c.indicator, c.questionnaire, c.dimension): c
        for c in read.cells
        if c.indicator in ("scores", "change", "participation")
    }
    team = [c for c in read.cells if c.indicator == "team"]
    spearheads = []
    for spearhead in plan.spearheads:
        parts = []
        for part in spearhead.parts:
            questionnaire_title, dimension_title = _dimension_title(definitions, part, language)
            parts.append(
                SpearheadPartRead(
                    questionnaire=part.questionnaire,
                    dimension=part.dimension,
                    questionnaire_title=questionnaire_title,
                    dimension_title=dimension_title,
                    scores=by_key.get(("scores", part.questionnaire, part.dimension)),
                    change=by_key.get(("change", part.questionnaire, part.dimension)),
                )
            )
        spearheads.append(
            SpearheadRead(
                number=spearhead.number,
                title=_local(spearhead.title),
                measured=spearhead.measured,
                parts=parts,
                team=team if spearhead.team_composition else [],
            )
        )
    return SpearheadsRead(
        round=read.round,
        release=read.release,
        filters=read.filters,
        plan=_local(plan.plan),
        participation=by_key.get(("participation", None, None)),
        spearheads=spearheads,
    )
