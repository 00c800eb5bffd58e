"""Unit tests of the questionnaire definition loader (survey/questionnaires/loader.py).

Each rule of DESIGN §2/§3 on definition files gets a minimal bad definition,
written as YAML to a temporary folder; the problem must name the file, the item
(or dimension) and the field with the problem.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey.cli import main
from survey.questionnaires import (
    QUESTIONNAIRE_DIR,
    DefinitionError,
    DefinitionProblem,
    Questionnaire,
    check_definition,
    get_questionnaire,
    load_all,
    load_file,
    registry,
    validate_directory,
)

Definition = dict[str, Any]


def text(words: str) -> dict[str, str]:
    return {"nl": f"{words} (nl)", "fr": f"{words} (fr)", "en": f"{words} (en)"}


def levels(words: str) -> list[dict[str, str]]:
    return [text(f"{words} {level}") for level in range(1, 6)]


def minimal_definition() -> Definition:
    """A valid definition with one item of each type, the last one conditional."""
    return {
        "id": "proef",
        "version": 1,
        "title": text("Proef"),
        "intro": text("Intro"),
        "dimensions": [
            {
                "id": "visie",
                "title": text("Visie"),
                "why": text("Waarom"),
                "maturity": levels("Niveau"),
                "items": [
                    {"id": "a", "type": "maturity", "text": text("A"), "anchors": levels("A")},
                    {"id": "b", "type": "likert5", "text": text("B"), "reverse": True},
                    {"id": "c", "type": "yes_partly_no", "text": text("C")},
                    {
                        "id": "d",
                        "type": "choice",
                        "text": text("D"),
                        "options": [
                            {"id": "x", "label": text("X"), "score": 0},
                            {"id": "y", "label": text("Y"), "score": 1},
                        ],
                    },
                    {
                        "id": "e",
                        "type": "multi",
                        "text": text("E"),
                        "options": [
                            {"id": "p", "label": text("P")},
                            {"id": "q", "label": text("Q")},
                        ],
                    },
                    {"id": "f", "type": "number", "text": text("F"), "minimum": 0, "maximum": 10},
                    {
                        "id": "g",
                        "type": "text",
                        "text": text("G"),
                        "applies_if": {"item": "c", "any_of": ["yes", "partly"]},
                    },
                ],
            }
        ],
    }


def write(folder: Path, definition: Definition | str, name: str = "proef.yaml") -> Path:
    path = folder / name
    content = definition if isinstance(definition, str) else yaml.safe_dump(definition)
    path.write_text(content, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    return [str(problem) for problem in caught.value.problems]


def item(definition: Definition, item_id: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = definition["dimensions"][0]["items"]
    return next(entry for entry in items if entry["id"] == item_id)


# --------------------------------------------------------------------------------------------
# The real definitions


def test_the_real_definition_file_validates() -> None:
    questionnaire = load_file(QUESTIONNAIRE_DIR / "cultuursensitief-werken.yaml")
    assert questionnaire.id == "cultuursensitief-werken"
    assert questionnaire.version == 1
    assert len(questionnaire.dimensions) == 6
    assert len(questionnaire.items) == 42
    assert check_definition(questionnaire, "cultuursensitief-werken.yaml") == []


def test_every_definition_in_the_package_folder_validates() -> None:
    questionnaires, problems = validate_directory()
    assert problems == []
    assert "cultuursensitief-werken" in {q.id for q in questionnaires}


def test_registry_and_get_questionnaire() -> None:
    latest = registry()
    assert registry() is latest  # loaded once per process
    questionnaire = latest["cultuursensitief-werken"]
    assert get_questionnaire("cultuursensitief-werken") is questionnaire
    assert get_questionnaire("cultuursensitief-werken", 1) is questionnaire
    assert get_questionnaire("cultuursensitief-werken", 99) is None
    assert get_questionnaire("no-such-questionnaire") is None


def test_minimal_definition_is_valid(tmp_path: Path) -> None:
    questionnaire = load_file(write(tmp_path, minimal_definition()))
    assert isinstance(questionnaire, Questionnaire)
    assert [entry.id for entry in questionnaire.items] == ["a", "b", "c", "d", "e", "f", "g"]


# --------------------------------------------------------------------------------------------
# Rules across fields: one bad definition per rule


def _set(path: str, value: Any) -> Callable[[Definition], None]:
    """A mutation setting ``item_id.field`` (or a top-level field) to ``value``."""

    def mutate(definition: Definition) -> None:
        target, _, field = path.rpartition(".")
        node = item(definition, target) if target else definition
        node[field] = value

    return mutate


def _drop(path: str) -> Callable[[Definition], None]:
    def mutate(definition: Definition) -> None:
        target, _, field = path.rpartition(".")
        del item(definition, target)[field]

    return mutate


def _rename_file(definition: Definition) -> None:
    definition["id"] = "andere-naam"


def _duplicate_dimension(definition: Definition) -> None:
    second = copy.deepcopy(definition["dimensions"][0])
    for entry in second["items"]:
        entry["id"] += "2"
    second["items"][-1]["applies_if"]["item"] = "c2"
    definition["dimensions"].append(second)


def _duplicate_item(definition: Definition) -> None:
    item(definition, "b")["id"] = "a"


def _four_maturity_levels(definition: Definition) -> None:
    definition["dimensions"][0]["maturity"].pop()


def _no_items(definition: Definition) -> None:
    definition["dimensions"][0]["items"] = []


def _three_items(definition: Definition) -> None:
    del definition["dimensions"][0]["items"][3:]


def _one_option(definition: Definition) -> None:
    item(definition, "d")["options"].pop()


def _same_option_id(definition: Definition) -> None:
    item(definition, "e")["options"][1]["id"] = "p"


def _partly_scored(definition: Definition) -> None:
    del item(definition, "d")["options"][1]["score"]


def _reversed_unscored_choice(definition: Definition) -> None:
    choice = item(definition, "d")
    choice["reverse"] = True
    for option in choice["options"]:
        del option["score"]


def _condition_on(source: str, *values: Any) -> Callable[[Definition], None]:
    return _set("g.applies_if", {"item": source, "any_of": list(values)})


def _condition_on_later_item(definition: Definition) -> None:
    item(definition, "b")["applies_if"] = {"item": "c", "any_of": ["yes"]}


def _blank_french(definition: Definition) -> None:
    item(definition, "b")["text"]["fr"] = "   "


def _blank_dimension_text(definition: Definition) -> None:
    definition["dimensions"][0]["why"]["en"] = "\t "


def _unknown_previous_item(definition: Definition) -> None:
    definition["version"] = 2
    definition["previous_item_ids"] = {"a": "a-old", "zz": "b-old"}


RULES: list[tuple[str, Callable[[Definition], None], str, str]] = [
    # (rule, mutation, expected start of the problem line, expected words in it)
    (
        "file name equals id",
        _rename_file,
        "proef.yaml: id: ",
        "'andere-naam' does not match the file name 'proef.yaml'",
    ),
    (
        "dimension ids unique",
        _duplicate_dimension,
        "proef.yaml: dimension visie: id: ",
        "used twice (dimensions[0] and dimensions[1])",
    ),
    (
        "item ids unique",
        _duplicate_item,
        "proef.yaml: item a: id: ",
        "used twice (in dimension visie)",
    ),
    (
        "five maturity descriptions",
        _four_maturity_levels,
        "proef.yaml: dimension visie: maturity: ",
        "expected 5 level descriptions, got 4",
    ),
    ("at least one item", _no_items, "proef.yaml: dimension visie: items: ", "has no items"),
    (
        "at least five items",
        _three_items,
        "proef.yaml: dimension visie: items: ",
        "expected at least 5 items, got 3",
    ),
    (
        "maturity item has five anchors",
        lambda d: item(d, "a")["anchors"].pop(),
        "proef.yaml: item a: anchors: ",
        "expected 5 levels, got 4",
    ),
    (
        "maturity item needs anchors",
        _drop("a.anchors"),
        "proef.yaml: item a: anchors: ",
        "a maturity item needs 5 anchors",
    ),
    (
        "likert5 anchors absent or five",
        _set("b.anchors", levels("B")[:3]),
        "proef.yaml: item b: anchors: ",
        "expected 5 levels, got 3",
    ),
    (
        "other types have no anchors",
        _set("c.anchors", levels("C")),
        "proef.yaml: item c: anchors: ",
        "only maturity and likert5 items have anchors; this is a yes_partly_no item",
    ),
    (
        "choice needs two options",
        _one_option,
        "proef.yaml: item d: options: ",
        "a choice item needs at least 2 options, got 1",
    ),
    (
        "multi needs options",
        _drop("e.options"),
        "proef.yaml: item e: options: ",
        "a multi item needs at least 2 options, got 0",
    ),
    (
        "option ids unique",
        _same_option_id,
        "proef.yaml: item e: options: ",
        "option id 'p' is used twice",
    ),
    (
        "all options scored or none",
        _partly_scored,
        "proef.yaml: item d: options: ",
        "either every option has a score or none has; with a score: x; without: y",
    ),
    (
        "other types have no options",
        _set("b.options", [{"id": "x", "label": text("X")}, {"id": "y", "label": text("Y")}]),
        "proef.yaml: item b: options: ",
        "only choice and multi items have options; this is a likert5 item",
    ),
    (
        "reverse only on ordered, yes_partly_no and choice",
        _set("e.reverse", True),
        "proef.yaml: item e: reverse: ",
        "only maturity, likert5, yes_partly_no and choice items can be reversed; this is a multi item",
    ),
    (
        "reverse on an unscored choice has no effect",
        _reversed_unscored_choice,
        "proef.yaml: item d: reverse: ",
        "has no effect on a choice item whose options have no score",
    ),
    (
        "number minimum not above maximum",
        _set("f.minimum", 11),
        "proef.yaml: item f: minimum: ",
        "11 is greater than maximum 10",
    ),
    (
        "minimum only on number items",
        _set("c.minimum", 1),
        "proef.yaml: item c: minimum: ",
        "only number items have a minimum; this is a yes_partly_no item",
    ),
    (
        "applies_if not on itself",
        _condition_on("g", "yes"),
        "proef.yaml: item g: applies_if.item: ",
        "refers to the item itself",
    ),
    (
        "applies_if on an earlier item",
        _condition_on_later_item,
        "proef.yaml: item b: applies_if.item: ",
        "refers to item 'c', which comes later in the questionnaire",
    ),
    (
        "applies_if on a known item",
        _condition_on("zz", "yes"),
        "proef.yaml: item g: applies_if.item: ",
        "refers to unknown item 'zz'",
    ),
    (
        "applies_if not on a number item",
        _condition_on("f", 3),
        "proef.yaml: item g: applies_if.item: ",
        "item 'f' is a number item; a condition can only refer to",
    ),
    (
        "applies_if level of an ordered item",
        _condition_on("a", 1, 6),
        "proef.yaml: item g: applies_if.any_of: ",
        "6 is not an answer of item 'a' (a maturity item: levels 1 to 5)",
    ),
    (
        "applies_if level is a number, not text",
        _condition_on("b", "3"),
        "proef.yaml: item g: applies_if.any_of: ",
        "'3' is not an answer of item 'b' (a likert5 item: levels 1 to 5)",
    ),
    (
        "applies_if yes/partly/no",
        _condition_on("c", "maybe"),
        "proef.yaml: item g: applies_if.any_of: ",
        "'maybe' is not an answer of item 'c' (a yes_partly_no item: yes, partly or no)",
    ),
    (
        "applies_if option id",
        _condition_on("e", "p", "r"),
        "proef.yaml: item g: applies_if.any_of: ",
        "'r' is not an answer of item 'e' (a multi item: its option ids: p, q)",
    ),
    (
        "applies_if any_of not empty",
        _condition_on("d"),
        "proef.yaml: item g: applies_if.any_of: ",
        "is empty, so the item would never apply",
    ),
    (
        "previous_item_ids keys are items of this version",
        _unknown_previous_item,
        "proef.yaml: previous_item_ids: ",
        "'zz' is not an item of this version",
    ),
    (
        "no blank item text",
        _blank_french,
        "proef.yaml: item b: text.fr: ",
        "is blank (only white space)",
    ),
    (
        "no blank dimension text",
        _blank_dimension_text,
        "proef.yaml: dimension visie: why.en: ",
        "is blank (only white space)",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "start", "words"),
    [pytest.param(mutate, start, words, id=rule) for rule, mutate, start, words in RULES],
)
def test_each_rule_names_file_item_and_problem(
    tmp_path: Path, mutate: Callable[[Definition], None], start: str, words: str
) -> None:
    definition = minimal_definition()
    mutate(definition)
    problems = problems_of(write(tmp_path, definition))
    matching = [line for line in problems if line.startswith(start)]
    assert matching, f"no problem starting with {start!r} in {problems}"
    assert any(words in line for line in matching), problems


def test_check_definition_returns_problems_without_raising() -> None:
    questionnaire = load_file(QUESTIONNAIRE_DIR / "cultuursensitief-werken.yaml")
    problems = check_definition(questionnaire, "hernoemd.yaml")
    assert problems == [
        DefinitionProblem(
            file="hernoemd.yaml",
            item=None,
            problem="id: 'cultuursensitief-werken' does not match the file name 'hernoemd.yaml'; "
            "the file must be named 'cultuursensitief-werken.yaml'",
        )
    ]


def test_problem_text_format() -> None:
    problem = DefinitionProblem(
        "cultuursensitief-werken.yaml", "pb-werving", "anchors: expected 5 levels, got 4"
    )
    assert str(problem) == (
        "cultuursensitief-werken.yaml: item pb-werving: anchors: expected 5 levels, got 4"
    )
    assert (
        str(DefinitionProblem("x.yaml", None, "the file is empty")) == "x.yaml: the file is empty"
    )


def test_all_problems_of_a_file_are_reported_at_once(tmp_path: Path) -> None:
    definition = minimal_definition()
    item(definition, "a")["anchors"].pop()
    item(definition, "f")["minimum"] = 20
    with pytest.raises(DefinitionError) as caught:
        load_file(write(tmp_path, definition))
    assert [p.item for p in caught.value.problems] == ["a", "f"]
    message = str(caught.value)
    assert message.startswith("2 problems in questionnaire definitions:")
    assert "proef.yaml: item a: anchors: expected 5 levels, got 4" in message
    assert "proef.yaml: item f: minimum: 20 is greater than maximum 10" in message


# --------------------------------------------------------------------------------------------
# Decoding: YAML syntax and msgspec types, in plain words


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "id: proef\nversion: 1\ntitle:\n  nl: 'Proef\n  fr: x\n")
    [problem] = problems_of(path)
    assert problem.startswith("proef.yaml: line ")
    assert "YAML syntax error" in problem

    path = write(tmp_path, "id: proef\nversion: 1\n  title: x\n")
    [problem] = problems_of(path)
    # The wording after "not allowed" differs between libyaml and pure-Python PyYAML.
    assert problem.startswith(
        "proef.yaml: line 3, column 8: YAML syntax error: mapping values are not allowed"
    )


def test_repeated_key_names_the_line(tmp_path: Path) -> None:
    content = yaml.safe_dump(minimal_definition(), sort_keys=False).replace(
        "version: 1\n", "version: 1\nversion: 2\n"
    )
    problems = problems_of(write(tmp_path, content))
    assert problems == [
        "proef.yaml: line 3: key 'version' appears twice in the same mapping (first on line 2); "
        "the second would silently replace the first"
    ]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            _set("c.text", {"nl": 12, "fr": "x", "en": "y"}),
            "proef.yaml: item c: text.nl: expected text, got 12",
            id="wrong type names the item id",
        ),
        pytest.param(
            _drop("c.text"),
            "proef.yaml: item c: missing required field 'text'",
            id="missing field",
        ),
        pytest.param(
            _set("c.anchor", []),
            "proef.yaml: item c: unknown field 'anchor' (did you mean 'anchors'?)",
            id="unknown field with a suggestion",
        ),
        pytest.param(
            _set("c.type", "likert7"),
            "proef.yaml: item c: type: 'likert7' is not allowed; use one of: "
            "choice, likert5, maturity, multi, number, text, yes_partly_no",
            id="unknown item type",
        ),
        pytest.param(
            _set("c.weight", 0),
            "proef.yaml: item c: weight: must be greater than 0, got 0",
            id="weight positive",
        ),
        pytest.param(
            _set("c.text", {"nl": "", "fr": "x", "en": "y"}),
            "proef.yaml: item c: text.nl: must not be empty",
            id="empty text",
        ),
        pytest.param(
            _set("c.text", {"nl": "x", "fr": "y"}),
            "proef.yaml: item c: text: missing required field 'en'",
            id="missing language",
        ),
        pytest.param(
            _set("c.id", "Bad Id"),
            "proef.yaml: dimensions[0].items[2]: id: expected an id of lower-case letters and "
            "digits, words joined by a single - or _ (like 'pb-werving'), got 'Bad Id'",
            id="bad id is named by its path",
        ),
        pytest.param(
            _drop("c.id"),
            "proef.yaml: dimensions[0].items[2]: missing required field 'id'",
            id="missing id is named by its path",
        ),
        pytest.param(
            _set("g.applies_if", {"item": "c", "any_of": [True]}),
            "proef.yaml: item g: applies_if.any_of[0]: expected a whole number or text, "
            "got true (true or false) (YAML reads unquoted yes, no, on, off, true and false "
            "as true or false: put the value in quotes)",
            id="unquoted yes",
        ),
        pytest.param(
            lambda d: d["dimensions"][0].__setitem__("weight", -1),
            "proef.yaml: dimension visie: weight: must be greater than 0, got -1",
            id="dimension field names the dimension",
        ),
        pytest.param(
            _set("version", 0),
            "proef.yaml: version: must be at least 1, got 0",
            id="top-level field",
        ),
    ],
)
def test_decode_errors_in_plain_words(
    tmp_path: Path, mutate: Callable[[Definition], None], expected: str
) -> None:
    definition = minimal_definition()
    mutate(definition)
    assert problems_of(write(tmp_path, definition)) == [expected]


def test_unquoted_yes_in_yaml_gets_a_hint(tmp_path: Path) -> None:
    content = yaml.safe_dump(minimal_definition()).replace("- 'yes'", "- yes")
    assert "- yes\n" in content
    [problem] = problems_of(write(tmp_path, content))
    assert problem.startswith("proef.yaml: item g: applies_if.any_of[0]: expected a whole number")
    assert "put the value in quotes" in problem


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "",
            "proef.yaml: the file is empty; it must hold one questionnaire (id, version, title, …)",
        ),
        (
            "- id: proef\n",
            "proef.yaml: the file must hold one questionnaire as a mapping (id, version, title, …), "
            "got a list",
        ),
    ],
)
def test_file_that_is_not_a_questionnaire(tmp_path: Path, content: str, expected: str) -> None:
    assert problems_of(write(tmp_path, content)) == [expected]


# --------------------------------------------------------------------------------------------
# Folders


def test_load_all_gives_the_latest_version_by_id(tmp_path: Path) -> None:
    first = minimal_definition()
    second = minimal_definition()
    second["version"] = 2
    write(tmp_path, first, "proef.yml")
    write(tmp_path, second, "proef.yaml")
    loaded = load_all(tmp_path)
    assert list(loaded) == ["proef"]
    assert loaded["proef"].version == 2


def test_load_all_lists_the_problems_of_all_files(tmp_path: Path) -> None:
    bad = minimal_definition()
    bad["id"] = "eerste"
    item(bad, "a")["anchors"].pop()
    write(tmp_path, bad, "eerste.yaml")
    write(tmp_path, "id: tweede\nversion: [\n", "tweede.yaml")
    write(tmp_path, minimal_definition())
    with pytest.raises(DefinitionError) as caught:
        load_all(tmp_path)
    assert [problem.file for problem in caught.value.problems] == ["eerste.yaml", "tweede.yaml"]


def test_load_all_refuses_the_same_version_twice(tmp_path: Path) -> None:
    write(tmp_path, minimal_definition(), "proef.yaml")
    write(tmp_path, minimal_definition(), "proef.yml")
    with pytest.raises(DefinitionError) as caught:
        load_all(tmp_path)
    assert [str(problem) for problem in caught.value.problems] == [
        "proef.yaml: questionnaire proef version 1 is also defined in proef.yml; "
        "each version must be defined once",
        "proef.yml: questionnaire proef version 1 is also defined in proef.yaml; "
        "each version must be defined once",
    ]


@pytest.mark.parametrize("make_folder", [False, True], ids=["missing folder", "empty folder"])
def test_validate_directory_without_definitions(tmp_path: Path, make_folder: bool) -> None:
    folder = tmp_path / "definitions"
    if make_folder:
        folder.mkdir()
    questionnaires, problems = validate_directory(folder)
    assert questionnaires == []
    assert len(problems) == 1
    assert problems[0].file == str(folder)


def test_validate_directory_keeps_the_valid_ones(tmp_path: Path) -> None:
    write(tmp_path, minimal_definition())
    write(tmp_path, "version: 1\n", "kapot.yaml")
    questionnaires, problems = validate_directory(tmp_path)
    assert [q.id for q in questionnaires] == ["proef"]
    assert [str(p) for p in problems] == ["kapot.yaml: missing required field 'id'"]


# --------------------------------------------------------------------------------------------
# survey questionnaires validate


def test_cli_validates_the_package_definitions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questionnaires", "validate"]) == 0
    out = capsys.readouterr().out
    assert "ok: cultuursensitief-werken v1 — 6 dimensions, 42 items\n" in out


def test_cli_validates_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, minimal_definition())
    assert main(["questionnaires", "validate", str(path)]) == 0
    assert capsys.readouterr().out == "ok: proef v1 — 1 dimension, 7 items\n"


def test_cli_reports_each_problem_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = minimal_definition()
    item(definition, "a")["anchors"].pop()
    item(definition, "f")["minimum"] = 20
    write(tmp_path, definition)
    assert main(["questionnaires", "validate", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "proef.yaml: item a: anchors: expected 5 levels, got 4",
        "proef.yaml: item f: minimum: 20 is greater than maximum 10",
        "survey: 2 problems in 1 file",
    ]


def test_cli_help_describes_validate(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["questionnaires", "validate", "--help"])
    assert exited.value.code == 0
    assert "definition file" in capsys.readouterr().out


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "proef.yaml"
    path.write_bytes(b"id: proef\nversion: \xff\n")
    [problem] = problems_of(path)
    assert problem.startswith("proef.yaml: line 2: not readable as UTF-8 text: ")
