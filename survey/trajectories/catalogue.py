"""The trajectory catalogue: a data file (``catalogue.yaml`` next to this module), its shape
as msgspec Structs, and its loader (DESIGN §2 "Trajectory", §6, §9).

Loading is two steps, like the questionnaire definitions (``survey.questionnaires.loader``):

1. decode each entry of ``trajectories:`` into a :class:`Trajectory` (types, required
   fields, value limits; an unknown field is refused);
2. :func:`check_trajectory`: the rules across fields and files (unique ids, a partner
   other than the lead provider, every dimension and item named in ``dimensions`` and in
   the trigger rules exists in a questionnaire definition, answers that the item can
   have, trigger rules only on the dimensions the trajectory addresses).

Every problem is a :class:`CatalogueProblem` naming the file, the trajectory, the field and
the problem in plain words; :class:`CatalogueError` carries all of them, so an author
fixes the file in one pass. The app loads the catalogue once at start-up through
:func:`catalogue` and refuses to start when it is invalid; ``survey trajectories
validate`` reports the same problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from survey.accounts.models import Provider
from survey.i18n import N_
from survey.i18n import gettext as _
from survey.questionnaires import Questionnaire, all_versions
from survey.questionnaires.loader import FileProblems, _parse_yaml
from survey.questionnaires.schema import ORDERED_TYPES, Item, LocalText, blank_languages
from survey.trajectories.rules import AnswerIs, Rule, leaves

__all__ = [
    "CATALOGUE_FILE",
    "INTENSITIES",
    "CatalogueError",
    "CatalogueProblem",
    "Contact",
    "DimensionRef",
    "Intensity",
    "Trajectory",
    "catalogue",
    "check_trajectory",
    "intensity_name",
    "load_catalogue",
    "provider_name",
    "trajectory",
    "validate_catalogue",
]

CATALOGUE_FILE: Path = Path(__file__).resolve().parent / "catalogue.yaml"
"""The catalogue the app uses (``survey/trajectories/catalogue.yaml``)."""

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
Intensity = Literal["information", "training", "coaching"]
INTENSITIES: tuple[Intensity, ...] = ("information", "training", "coaching")
"""From light to heavy: information (a session, advice, a service on demand), training (a
course for staff or volunteers), coaching (a trajectory over several months)."""

Url = Annotated[str, msgspec.Meta(pattern=r"^https://[^\s]+$", max_length=300)]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", max_length=200)]


PROVIDER_NAMES: dict[Provider, str] = {
    Provider.AGENTSCHAP: N_("Agentschap Integratie en Inburgering"),
    Provider.HUIS: N_("Huis van het Nederlands Brussel"),
}
INTENSITY_NAMES: dict[str, str] = {
    "information": N_("Information and advice"),
    "training": N_("Training"),
    "coaching": N_("Coaching trajectory"),
}


def provider_name(provider: Provider | str) -> str:
    """The provider's name in the current language."""
    return _(PROVIDER_NAMES[Provider(provider)])


def intensity_name(intensity: str) -> str:
    """The intensity in plain words, in the current language."""
    return _(INTENSITY_NAMES[intensity])


class DimensionRef(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A dimension of a questionnaire, by their ids."""

    questionnaire: Slug
    dimension: Slug


class Contact(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Who to turn to: the team (in the three languages), its website and, if any, e-mail."""

    name: LocalText
    url: Url
    email: Email | None = None


class Trajectory(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One offer of a provider. A joint trajectory has a lead ``provider``, who receives the
    request, and a ``partner`` whose coaches see it too (DESIGN §9)."""

    id: Slug
    provider: Provider
    partner: Provider | None = None
    intensity: Intensity
    name: LocalText
    description: LocalText
    dimensions: Annotated[list[DimensionRef], msgspec.Meta(min_length=1)]
    trigger: Rule
    contact: Contact

    @property
    def providers(self) -> tuple[Provider, ...]:
        """The lead provider, then the partner if any."""
        return (self.provider,) if self.partner is None else (self.provider, self.partner)


class CatalogueProblem(msgspec.Struct, frozen=True):
    """One problem in the catalogue file: where (``trajectory`` id, or its position such as
    ``trajectories[3]`` when the id itself is wrong; None for the file as a whole), which
    ``field`` (a path such as ``trigger.rules[1].level``; None for the whole entry) and
    what is wrong.

    >>> str(CatalogueProblem("catalogue.yaml", "duidelijke-taal", "intensity", "'course' is not allowed"))
    "catalogue.yaml: trajectory duidelijke-taal: intensity: 'course' is not allowed"
    """

    file: str
    trajectory: str | None
    field: str | None
    problem: str

    def __str__(self) -> str:
        where = [self.file]
        if self.trajectory is not None:
            where.append(
                self.trajectory
                if self.trajectory.startswith("trajectories[")
                else f"trajectory {self.trajectory}"
            )
        if self.field is not None:
            where.append(self.field)
        return ": ".join([*where, self.problem])


class CatalogueError(FileProblems[CatalogueProblem]):
    """The catalogue file is invalid; ``problems`` lists every problem found."""

    subject = "the trajectory catalogue"


# --------------------------------------------------------------------------------------------
# Rules across fields


def _blank(text: LocalText, field: str) -> Iterator[tuple[str, str]]:
    for language in blank_languages(text):
        yield f"{field}.{language}", f"is blank; write the {language} text"


def _answers(item: Item) -> tuple[str, list[int | str]]:
    if item.type in ORDERED_TYPES:
        return "levels 1 to 5", [1, 2, 3, 4, 5]
    if item.type == "yes_partly_no":
        return "yes, partly or no", ["yes", "partly", "no"]
    ids: list[int | str] = [option.id for option in item.options or ()]
    return "its option ids: " + (", ".join(str(i) for i in ids) or "none defined"), ids


def _is_answer(value: int | str, valid: list[int | str]) -> bool:
    return not isinstance(value, bool) and any(
        type(value) is type(candidate) and value == candidate for candidate in valid
    )


class _Definitions:
    """Dimensions and items of every questionnaire version, by questionnaire id."""

    def __init__(self, questionnaires: Iterable[Questionnaire]) -> None:
        self.dimensions: dict[str, set[str]] = {}
        self.items: dict[str, dict[str, tuple[Item, str]]] = {}
        for questionnaire in questionnaires:
            dimensions = self.dimensions.setdefault(questionnaire.id, set())
            items = self.items.setdefault(questionnaire.id, {})
            for dimension in questionnaire.dimensions:
                dimensions.add(dimension.id)
                for item in dimension.items:
                    items.setdefault(item.id, (item, dimension.id))

    def dimension_problem(self, questionnaire: str, dimension: str) -> str | None:
        if questionnaire not in self.dimensions:
            known = ", ".join(sorted(self.dimensions))
            return f"unknown questionnaire {questionnaire!r}; known: {known}"
        if dimension not in self.dimensions[questionnaire]:
            known = ", ".join(sorted(self.dimensions[questionnaire]))
            return f"{dimension!r} is not a dimension of {questionnaire}; its dimensions: {known}"
        return None


def check_trajectory(
    trajectory: Trajectory, questionnaires: Iterable[Questionnaire]
) -> list[tuple[str | None, str]]:
    """The problems of one decoded trajectory as ``(field, problem)`` pairs."""
    definitions = _Definitions(questionnaires)
    problems: list[tuple[str | None, str]] = []
    if trajectory.partner is not None and trajectory.partner == trajectory.provider:
        problems.append(("partner", "is the lead provider too; a partner is the other provider"))
    for field, text in (("name", trajectory.name), ("description", trajectory.description)):
        problems.extend(_blank(text, field))
    problems.extend(_blank(trajectory.contact.name, "contact.name"))

    addressed: set[tuple[str, str]] = set()
    for index, ref in enumerate(trajectory.dimensions):
        key = (ref.questionnaire, ref.dimension)
        if key in addressed:
            problems.append((f"dimensions[{index}]", f"{ref.dimension} is listed twice"))
        addressed.add(key)
        if problem := definitions.dimension_problem(ref.questionnaire, ref.dimension):
            problems.append((f"dimensions[{index}]", problem))

    for path, rule in leaves(trajectory.trigger):
        field = f"trigger{path}"
        if isinstance(rule, AnswerIs):
            if rule.questionnaire not in definitions.items:
                known = ", ".join(sorted(definitions.items))
                problems.append(
                    (
                        f"{field}.questionnaire",
                        f"unknown questionnaire {rule.questionnaire!r}; known: {known}",
                    )
                )
                continue
            found = definitions.items[rule.questionnaire].get(rule.item)
            if found is None:
                problems.append(
                    (f"{field}.item", f"{rule.item!r} is not an item of {rule.questionnaire}")
                )
                continue
            item, dimension = found
            if not item.is_scored and item.type not in ("choice", "multi"):
                problems.append(
                    (
                        f"{field}.item",
                        f"{rule.item} is a {item.type} item; a rule can only "
                        "look at a maturity, likert5, yes_partly_no, choice or multi item",
                    )
                )
                continue
            description, valid = _answers(item)
            for value in rule.any_of:
                if not _is_answer(value, valid):
                    problems.append(
                        (
                            f"{field}.any_of",
                            f"{value!r} is not an answer of {rule.item} "
                            f"(a {item.type} item: {description})",
                        )
                    )
        else:
            dimension = rule.dimension
            if problem := definitions.dimension_problem(rule.questionnaire, dimension):
                field_name = (
                    "questionnaire"
                    if rule.questionnaire not in definitions.dimensions
                    else "dimension"
                )
                problems.append((f"{field}.{field_name}", problem))
                continue
        if (rule.questionnaire, dimension) not in addressed:
            problems.append(
                (
                    field,
                    f"looks at {rule.questionnaire}/{dimension}, which is not among the "
                    "trajectory's dimensions; add it there or change the rule",
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Decoding the file

_ERROR_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "null": "nothing",
}
_ALLOWED = {
    "provider": ", ".join(provider.value for provider in Provider),
    "partner": ", ".join(provider.value for provider in Provider),
    "intensity": ", ".join(INTENSITIES),
    "kind": "maturity_at_most, score_below, below_peers, answer, all, any",
}


def _plain(message: str, field: str) -> str:
    """msgspec's validation message in the words of a catalogue author."""
    last = field.rsplit(".", 1)[-1]
    if match := re.fullmatch(r"Expected `([^`]+)`, got `([^`]+)`", message):
        expected = " or ".join(
            _TYPE_WORDS.get(word.strip(), word.strip()) for word in match[1].split("|")
        )
        return f"expected {expected}, got {_TYPE_WORDS.get(match[2], match[2])}"
    if match := re.fullmatch(r"Object missing required field `([^`]+)`", message):
        return f"missing required field {match[1]!r}"
    if match := re.fullmatch(r"Object contains unknown field `([^`]+)`", message):
        return f"unknown field {match[1]!r}"
    if match := re.fullmatch(r"Invalid (?:enum )?value (.+)", message):
        allowed = _ALLOWED.get(last)
        return f"{match[1]} is not allowed" + (f"; use one of: {allowed}" if allowed else "")
    if re.fullmatch(r"Expected `str` matching regex .+", message):
        if last in ("url",):
            return "expected a web address starting with https://"
        if last == "email":
            return "expected an e-mail address"
        return "expected an id of lower-case letters and digits, words joined by - or _"
    if match := re.fullmatch(r"Expected `(?:str|array|object)` of length (>=|<=) (\d+)", message):
        if match[1] == ">=" and match[2] == "1":
            return "must not be empty"
        return f"must have a length of {'at least' if match[1] == '>=' else 'at most'} {match[2]}"
    if match := re.fullmatch(r"Expected `(?:int|float)` (>=|>|<=|<) (\S+)", message):
        words = {">=": "at least", ">": "greater than", "<=": "at most", "<": "less than"}
        return f"must be {words[match[1]]} {match[2].removesuffix('.0')}"
    return message[:1].lower() + message[1:]


def _decode(
    entry: Any, name: str, position: str, file: str
) -> tuple[Trajectory | None, list[CatalogueProblem]]:
    try:
        return msgspec.convert(entry, type=Trajectory), []
    except msgspec.ValidationError as error:
        match = _ERROR_PATH.match(str(error))
        assert match is not None  # the pattern matches any text
        path = (match["path"] or "").lstrip(".")
        # A wrong id cannot name its trajectory: the position does.
        where = position if path == "id" else name
        return None, [CatalogueProblem(file, where, path or None, _plain(match["message"], path))]


def _entries(raw: Any, file: str) -> tuple[list[Any], list[CatalogueProblem]]:
    if raw is None:
        return [], [
            CatalogueProblem(file, None, None, "the file is empty; it must hold 'trajectories:'")
        ]
    if not isinstance(raw, dict) or set(raw) != {"trajectories"}:
        return [], [
            CatalogueProblem(
                file, None, None, "the file must hold one mapping with one key, 'trajectories:'"
            )
        ]
    entries = raw["trajectories"]
    if not isinstance(entries, list) or not entries:
        return [], [CatalogueProblem(file, None, "trajectories", "expected a list of trajectories")]
    return entries, []


def validate_catalogue(
    path: Path | None = None, questionnaires: Iterable[Questionnaire] | None = None
) -> tuple[list[Trajectory], list[CatalogueProblem]]:
    """Check a catalogue file (default :data:`CATALOGUE_FILE`) against the questionnaire
    definitions (default: every version in ``survey/questionnaires``).

    Returns the valid trajectories (in file order) and every problem found; never raises
    for an invalid file.
    """
    path = CATALOGUE_FILE if path is None else path
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        return [], [
            CatalogueProblem(str(path), None, None, f"cannot read the file: {error.strerror}")
        ]
    raw, yaml_problems = _parse_yaml(data, file)
    problems = [CatalogueProblem(file, None, None, p.problem) for p in yaml_problems]
    if raw is None and problems:
        return [], problems
    entries, entry_problems = _entries(raw, file)
    problems.extend(entry_problems)
    definitions = list(all_versions() if questionnaires is None else questionnaires)
    valid: list[Trajectory] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        position = f"trajectories[{index}]"
        name = entry_id if isinstance(entry_id, str) and entry_id.strip() else position
        decoded, decode_problems = _decode(entry, name, position, file)
        problems.extend(decode_problems)
        if decoded is None:
            continue
        if decoded.id in seen:
            problems.append(
                CatalogueProblem(
                    file,
                    decoded.id,
                    "id",
                    f"used twice (trajectories[{seen[decoded.id]}] and [{index}])",
                )
            )
            continue
        seen[decoded.id] = index
        found = check_trajectory(decoded, definitions)
        problems.extend(CatalogueProblem(file, decoded.id, field, text) for field, text in found)
        if not found:
            valid.append(decoded)
    return valid, problems


def load_catalogue(
    path: Path | None = None, questionnaires: Iterable[Questionnaire] | None = None
) -> dict[str, Trajectory]:
    """The trajectories of a catalogue file by id, in file order.

    Raises
    ------
    CatalogueError
        With every problem found (see :func:`validate_catalogue`).
    """
    trajectories, problems = validate_catalogue(path, questionnaires)
    if problems:
        raise CatalogueError(problems)
    return {t.id: t for t in trajectories}


@cache
def catalogue() -> dict[str, Trajectory]:
    """The app's catalogue (:data:`CATALOGUE_FILE`) by id, in file order, loaded once.

    The app calls it at start-up and refuses to start on :class:`CatalogueError`. Treat
    the result as read-only.
    """
    return load_catalogue()


def trajectory(trajectory_id: str) -> Trajectory | None:
    """One trajectory of the catalogue, or None if there is no such id."""
    return catalogue().get(trajectory_id)
