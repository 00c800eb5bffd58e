"""Load and validate questionnaire definition files (DESIGN §2 "Questionnaire", §3).

A definition file (``survey/questionnaires/<id>.yaml``) holds one questionnaire
version. Loading it is two steps:

1. decode the YAML into :class:`~survey.questionnaires.schema.Questionnaire`
   (types, required fields, value limits: msgspec does this from the Structs);
2. :func:`check_definition`: the rules that cross fields (unique ids, five
   anchors for a maturity item, conditions on earlier items, …).

Every problem is a :class:`DefinitionProblem` naming the file, the item (or
dimension) and the problem in plain words; :class:`DefinitionError` carries all
the problems found, so an author fixes a file in one pass. The app loads the
definitions once at start-up through :func:`registry` and refuses to start when
one is invalid; ``survey questionnaires validate`` reports the same problems.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import msgspec
import msgspec.inspect
import yaml

from survey.questionnaires.schema import (
    ORDERED_TYPES,
    Item,
    LocalText,
    Questionnaire,
    blank_languages,
)

__all__ = [
    "QUESTIONNAIRE_DIR",
    "DefinitionError",
    "DefinitionProblem",
    "FileProblems",
    "all_versions",
    "check_definition",
    "get_questionnaire",
    "load_all",
    "load_file",
    "registry",
    "validate_directory",
]

QUESTIONNAIRE_DIR: Path = Path(__file__).resolve().parent
"""Where the questionnaire definition files live (``survey/questionnaires``)."""

DEFINITION_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")
N_LEVELS = 5  # maturity levels and ordered answer levels 1..5 (DESIGN §3, §9)
MIN_ITEMS_PER_DIMENSION = 5  # DESIGN §3: "Each dimension has at least five items"
ANCHORED_TYPES: frozenset[str] = ORDERED_TYPES
OPTION_TYPES: frozenset[str] = frozenset({"choice", "multi"})
REVERSIBLE_TYPES: frozenset[str] = frozenset({"maturity", "likert5", "yes_partly_no", "choice"})
CONDITION_SOURCE_TYPES: frozenset[str] = frozenset(
    {"maturity", "likert5", "yes_partly_no", "choice", "multi"}
)
YES_PARTLY_NO: tuple[str, ...] = ("yes", "partly", "no")
_DEFAULT_MAX_LENGTH: object = next(
    field.default for field in msgspec.structs.fields(Item) if field.name == "max_length"
)


class DefinitionProblem(msgspec.Struct, frozen=True):
    """One problem in a definition file.

    ``item`` names where the problem is: an item id, a dimension id (``kind`` is
    then ``"dimension"``) or, when the id itself is missing or wrong, a path such
    as ``dimensions[2].items[0]`` (``kind`` ``"path"``); ``None`` for the file or
    the questionnaire as a whole. ``problem`` starts with the field concerned.

    >>> str(DefinitionProblem("cultuursensitief-werken.yaml", "pb-werving", "anchors: expected 5 levels, got 4"))
    'cultuursensitief-werken.yaml: item pb-werving: anchors: expected 5 levels, got 4'
    """

    file: str
    item: str | None
    problem: str
    kind: Literal["item", "dimension", "path"] = "item"

    def __str__(self) -> str:
        if self.item is None:
            return f"{self.file}: {self.problem}"
        where = self.item if self.kind == "path" else f"{self.kind} {self.item}"
        return f"{self.file}: {where}: {self.problem}"


P = TypeVar("P")


class FileProblems(Exception, Generic[P]):
    """A data file the app reads at start-up is invalid; ``problems`` lists every problem
    found, one a line under a heading that counts them."""

    subject = "the file"

    def __init__(self, problems: Sequence[P]) -> None:
        self.problems: list[P] = list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in {self.subject}:"
        super().__init__("\n".join([heading, *(f"  {problem}" for problem in self.problems)]))


class DefinitionError(FileProblems[DefinitionProblem]):
    """One or more questionnaire definition files are invalid; ``problems`` lists them all."""

    subject = "questionnaire definitions"


# --------------------------------------------------------------------------------------------
# Rules across fields


def _blank_texts(text: LocalText | None, field: str) -> Iterator[str]:
    if text is None:
        return
    for language in blank_languages(text):
        yield f"{field}.{language}: is blank (only white space); write the {language} text"


def _answer_values(item: Item) -> tuple[str, list[int | str]]:
    """A description of the valid answers of ``item`` and the values themselves."""
    if item.type in ORDERED_TYPES:
        return "levels 1 to 5", list(range(1, N_LEVELS + 1))
    if item.type == "yes_partly_no":
        return "yes, partly or no", list(YES_PARTLY_NO)
    option_ids: list[int | str] = [option.id for option in item.options or ()]
    listed = ", ".join(str(option_id) for option_id in option_ids) or "none defined"
    return f"its option ids: {listed}", option_ids


def _is_valid_answer(value: int | str, valid: list[int | str]) -> bool:
    # bool is an int to Python; msgspec already refuses it, but stay exact.
    return not isinstance(value, bool) and any(
        type(value) is type(candidate) and value == candidate for candidate in valid
    )


def _check_condition(
    item: Item, position: dict[str, int], items: dict[str, Item], index: int
) -> Iterator[str]:
    condition = item.applies_if
    if condition is None:
        return
    source_id = condition.item
    if source_id == item.id:
        yield "applies_if.item: refers to the item itself; a condition must refer to an earlier item"
        return
    if source_id not in position:
        yield f"applies_if.item: refers to unknown item {source_id!r}"
        return
    if position[source_id] > index:
        yield (
            f"applies_if.item: refers to item {source_id!r}, which comes later in the "
            "questionnaire; a condition can only refer to an earlier item"
        )
        return
    source = items[source_id]
    if source.type not in CONDITION_SOURCE_TYPES:
        yield (
            f"applies_if.item: item {source_id!r} is a {source.type} item; a condition can only "
            "refer to a maturity, likert5, yes_partly_no, choice or multi item"
        )
        return
    if not condition.any_of:
        yield "applies_if.any_of: is empty, so the item would never apply"
        return
    description, valid = _answer_values(source)
    for value in condition.any_of:
        if not _is_valid_answer(value, valid):
            yield (
                f"applies_if.any_of: {value!r} is not an answer of item {source_id!r} "
                f"(a {source.type} item: {description})"
            )


def _check_at_most(item: Item, items: dict[str, Item]) -> Iterator[str]:
    """``at_most`` names another number item (the total this count is part of), without a cycle."""
    total_id = item.at_most
    if total_id is None or item.type != "number":
        return
    if total_id == item.id:
        yield "at_most: refers to the item itself; name the item that holds the total"
        return
    total = items.get(total_id)
    if total is None:
        yield f"at_most: refers to unknown item {total_id!r}; the total must be an item too"
        return
    if total.type != "number":
        yield (
            f"at_most: item {total_id!r} is a {total.type} item; a count can only be at most "
            "a number item"
        )
        return
    if item.integer and not total.integer:
        yield (
            f"at_most: item {total_id!r} allows numbers that are not whole; give it "
            "'integer: true' as well"
        )
    chain = [item.id, total_id]
    while (following := items[chain[-1]].at_most) is not None and following in items:
        if following == item.id:
            yield f"at_most: the totals go round in a circle ({' -> '.join([*chain, following])})"
            return
        if following in chain:
            return  # a circle further on, reported at its own items
        chain.append(following)


def _check_item(
    item: Item, position: dict[str, int], items: dict[str, Item], index: int
) -> Iterator[str]:
    kind = item.type
    # anchors
    if kind == "maturity":
        if not item.anchors:
            yield "anchors: a maturity item needs 5 anchors (levels 1 to 5), got none"
        elif len(item.anchors) != N_LEVELS:
            yield f"anchors: expected {N_LEVELS} levels, got {len(item.anchors)}"
    elif kind == "likert5":
        if item.anchors is not None and len(item.anchors) != N_LEVELS:
            yield (
                f"anchors: expected {N_LEVELS} levels, got {len(item.anchors)} "
                "(or leave anchors out to use the standard labels)"
            )
    elif item.anchors is not None:
        yield f"anchors: only maturity and likert5 items have anchors; this is a {kind} item"
    # options
    if kind in OPTION_TYPES:
        options = item.options or []
        if len(options) < 2:
            yield f"options: a {kind} item needs at least 2 options, got {len(options)}"
        seen: set[str] = set()
        for option in options:
            if option.id in seen:
                yield f"options: option id {option.id!r} is used twice"
            seen.add(option.id)
        scored = [option.id for option in options if option.score is not None]
        unscored = [option.id for option in options if option.score is None]
        if scored and unscored:
            yield (
                "options: either every option has a score or none has; "
                f"with a score: {', '.join(scored)}; without: {', '.join(unscored)}"
            )
        if kind == "choice" and item.reverse and not scored:
            yield "reverse: has no effect on a choice item whose options have no score"
    elif item.options is not None:
        yield f"options: only choice and multi items have options; this is a {kind} item"
    # reverse
    if item.reverse and kind not in REVERSIBLE_TYPES:
        yield (
            "reverse: only maturity, likert5, yes_partly_no and choice items can be reversed; "
            f"this is a {kind} item"
        )
    # number and text settings
    if kind == "number":
        if item.minimum is not None and item.maximum is not None and item.minimum > item.maximum:
            yield f"minimum: {item.minimum:g} is greater than maximum {item.maximum:g}"
    else:
        for field in ("minimum", "maximum"):
            if getattr(item, field) is not None:
                yield f"{field}: only number items have a {field}; this is a {kind} item"
        if item.allow_unknown:
            yield f"allow_unknown: only number items can be answered 'unknown'; this is a {kind} item"
        if item.integer:
            yield f"integer: only number items can ask for whole numbers; this is a {kind} item"
        if item.at_most is not None:
            yield f"at_most: only number items can be at most another count; this is a {kind} item"
    if kind != "text" and item.max_length != _DEFAULT_MAX_LENGTH:
        yield f"max_length: only text items have a max_length; this is a {kind} item"
    yield from _check_condition(item, position, items, index)
    yield from _check_at_most(item, items)
    # texts
    yield from _blank_texts(item.text, "text")
    yield from _blank_texts(item.help, "help")
    yield from _blank_texts(item.evidence_prompt, "evidence_prompt")
    for level, anchor in enumerate(item.anchors or ()):
        yield from _blank_texts(anchor, f"anchors[{level}]")
    for number, option in enumerate(item.options or ()):
        yield from _blank_texts(option.label, f"options[{number}].label")


def check_definition(questionnaire: Questionnaire, file: str) -> list[DefinitionProblem]:
    """The problems of a decoded definition that msgspec cannot see: rules across fields.

    ``file`` is the name of the definition file (its stem must equal the
    questionnaire id); problems name it. An empty list means the definition is valid.
    """
    problems: list[DefinitionProblem] = []

    def add(item: str | None, problem: str, kind: Literal["item", "dimension"] = "item") -> None:
        problems.append(DefinitionProblem(file=file, item=item, problem=problem, kind=kind))

    stem = Path(file).stem
    if stem not in (questionnaire.id, f"{questionnaire.id}.v{questionnaire.version}"):
        versioned = (
            f" (or '{questionnaire.id}.v{questionnaire.version}.yaml' next to earlier versions)"
            if questionnaire.version > 1
            else ""
        )
        add(
            None,
            f"id: {questionnaire.id!r} does not match the file name {Path(file).name!r}; "
            f"the file must be named '{questionnaire.id}.yaml'{versioned}",
        )
    for problem in (
        *_blank_texts(questionnaire.title, "title"),
        *_blank_texts(questionnaire.intro, "intro"),
    ):
        add(None, problem)
    if not questionnaire.dimensions:
        add(None, "dimensions: the questionnaire has no dimensions")

    dimension_at: dict[str, int] = {}
    item_at: dict[str, str] = {}  # item id -> id of the dimension where it first appears
    all_items: list[Item] = []
    for d, dimension in enumerate(questionnaire.dimensions):
        if dimension.id in dimension_at:
            add(
                dimension.id,
                f"id: used twice (dimensions[{dimension_at[dimension.id]}] and dimensions[{d}])",
                "dimension",
            )
        else:
            dimension_at[dimension.id] = d
        if len(dimension.maturity) != N_LEVELS:
            add(
                dimension.id,
                f"maturity: expected {N_LEVELS} level descriptions, got {len(dimension.maturity)}",
                "dimension",
            )
        if not dimension.items:
            add(
                dimension.id,
                f"items: the dimension has no items (at least {MIN_ITEMS_PER_DIMENSION} needed)",
                "dimension",
            )
        elif len(dimension.items) < MIN_ITEMS_PER_DIMENSION:
            add(
                dimension.id,
                f"items: expected at least {MIN_ITEMS_PER_DIMENSION} items, "
                f"got {len(dimension.items)}",
                "dimension",
            )
        texts = [
            *_blank_texts(dimension.title, "title"),
            *_blank_texts(dimension.why, "why"),
        ]
        for level, description in enumerate(dimension.maturity):
            texts.extend(_blank_texts(description, f"maturity[{level}]"))
        for problem in texts:
            add(dimension.id, problem, "dimension")
        for item in dimension.items:
            if item.id not in item_at:
                item_at[item.id] = dimension.id
            else:
                first = item_at[item.id]
                where = (
                    f"in dimension {first}"
                    if first == dimension.id
                    else f"in dimension {first} and in dimension {dimension.id}"
                )
                add(item.id, f"id: used twice ({where})")
            all_items.append(item)

    # First occurrence wins for duplicated ids; the duplicate is reported above.
    position: dict[str, int] = {}
    items: dict[str, Item] = {}
    for index, item in enumerate(all_items):
        position.setdefault(item.id, index)
        items.setdefault(item.id, item)
    for index, item in enumerate(all_items):
        for problem in _check_item(item, position, items, index):
            add(item.id, problem)

    if questionnaire.previous_item_ids and questionnaire.version == 1:
        add(None, "previous_item_ids: version 1 has no previous version to map item ids to")
    for new_id in questionnaire.previous_item_ids:
        if new_id not in items:
            add(None, f"previous_item_ids: {new_id!r} is not an item of this version")
    return problems


# --------------------------------------------------------------------------------------------
# Decoding a file


class _Loader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """The safe YAML loader msgspec.yaml uses, noting keys repeated in one mapping.

    PyYAML lets the last of two equal keys win silently; in a definition file that
    loses a text or a setting, so the loader records each repetition with its line.
    """

    def __init__(self, stream: bytes) -> None:
        super().__init__(stream)
        self.repeated_keys: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                self.repeated_keys.append(
                    f"line {line}: key {key!r} appears twice in the same mapping (first on line "
                    f"{seen[key]}); the second would silently replace the first"
                )
            else:
                seen[key] = line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _parse_yaml(data: bytes, file: str) -> tuple[Any, list[DefinitionProblem]]:
    loader = _Loader(data)
    try:
        raw = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = error.problem or error.context or "invalid YAML"
        context = ""
        if error.context and error.problem and error.context_mark:
            context = f" ({error.context} on line {error.context_mark.line + 1})"
        return None, [DefinitionProblem(file, None, f"{where}YAML syntax error: {what}{context}")]
    except yaml.reader.ReaderError as error:  # bytes that are not UTF-8, control characters
        line = data[: error.position].count(b"\n") + 1
        problem = f"line {line}: not readable as UTF-8 text: {error.reason}"
        return None, [DefinitionProblem(file, None, problem)]
    except yaml.YAMLError as error:
        return None, [DefinitionProblem(file, None, "YAML error: " + " ".join(str(error).split()))]
    finally:
        loader.dispose()
    return raw, [DefinitionProblem(file, None, text) for text in loader.repeated_keys]


_ERROR_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "null": "nothing",
}
_BOOL_HINT = (
    " (YAML reads unquoted yes, no, on, off, true and false as true or false: "
    "put the value in quotes)"
)


def _split_path(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _PATH_PART.findall(path)]


def _format_path(parts: Sequence[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _value_at(raw: Any, parts: Sequence[str | int]) -> tuple[bool, Any]:
    value = raw
    for part in parts:
        found = (isinstance(part, int) and isinstance(value, list) and part < len(value)) or (
            isinstance(part, str) and isinstance(value, dict) and part in value
        )
        if not found:
            return False, None
        value = value[part]
    return True, value


def _schema_type_at(parts: Sequence[str | int]) -> msgspec.inspect.Type | None:
    """The msgspec type expected at ``parts`` of a Questionnaire, optional wrappers removed."""

    def unwrap(kind: msgspec.inspect.Type) -> msgspec.inspect.Type:
        while True:
            if isinstance(kind, msgspec.inspect.Metadata):
                kind = kind.type
            elif isinstance(kind, msgspec.inspect.UnionType):
                rest = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
                if len(rest) != 1:
                    return kind
                kind = rest[0]
            else:
                return kind

    kind = unwrap(msgspec.inspect.type_info(Questionnaire))
    for part in parts:
        if isinstance(kind, msgspec.inspect.ListType) and isinstance(part, int):
            kind = unwrap(kind.item_type)
        elif isinstance(kind, msgspec.inspect.DictType) and isinstance(part, str):
            kind = unwrap(kind.value_type)
        elif isinstance(kind, msgspec.inspect.StructType) and isinstance(part, str):
            fields = {field.encode_name: field.type for field in kind.fields}
            if part not in fields:
                return None
            kind = unwrap(fields[part])
        else:
            return None
    return kind


def _type_words(names: str) -> str:
    words = [_TYPE_WORDS.get(name.strip(), name.strip()) for name in names.split("|")]
    words = [word for word in words if word != "nothing"] or words
    return " or ".join(words)


def _shown(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true or false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain_words(message: str, parts: Sequence[str | int], raw: Any) -> str:
    """msgspec's validation message in the words of a definition author."""
    found, value = _value_at(raw, parts)
    got = _shown(value) if found else "nothing"
    if match := re.fullmatch(r"Expected `([^`]+)`, got `([^`]+)`", message):
        if not parts and match[1] == "object":
            if match[2] == "null":
                return "the file is empty; it must hold one questionnaire (id, version, title, …)"
            return (
                "the file must hold one questionnaire as a mapping (id, version, title, …), "
                f"got {_TYPE_WORDS.get(match[2], match[2])}"
            )
        hint = _BOOL_HINT if match[2] == "bool" and "bool" not in match[1] else ""
        return f"expected {_type_words(match[1])}, got {got}{hint}"
    if match := re.fullmatch(r"Object missing required field `([^`]+)`", message):
        return f"missing required field {match[1]!r}"
    if match := re.fullmatch(r"Object contains unknown field `([^`]+)`", message):
        kind = _schema_type_at(parts)
        known = (
            [field.encode_name for field in kind.fields]
            if isinstance(kind, msgspec.inspect.StructType)
            else []
        )
        close = difflib.get_close_matches(match[1], known, n=1)
        suggestion = f" (did you mean {close[0]!r}?)" if close else ""
        listed = f"; allowed: {', '.join(known)}" if known and not close else ""
        return f"unknown field {match[1]!r}{suggestion}{listed}"
    if match := re.fullmatch(r"Invalid enum value (.+)", message):
        kind = _schema_type_at(parts)
        allowed = (
            ", ".join(str(v) for v in kind.values)
            if isinstance(kind, msgspec.inspect.LiteralType)
            else ""
        )
        return f"{match[1]} is not allowed" + (f"; use one of: {allowed}" if allowed else "")
    if re.fullmatch(r"Expected `str` matching regex .+", message):
        return (
            f"expected an id of lower-case letters and digits, words joined by a single - or _ "
            f"(like 'pb-werving'), got {got}"
        )
    if match := re.fullmatch(r"Expected `(?:str|array|object)` of length (>=|<=) (\d+)", message):
        if match[1] == ">=" and match[2] == "1":
            return "must not be empty"
        limit = "at least" if match[1] == ">=" else "at most"
        return f"must have a length of {limit} {match[2]}, got {got}"
    if match := re.fullmatch(r"Expected `(?:int|float)` (>=|>|<=|<) (\S+)", message):
        words = {">=": "at least", ">": "greater than", "<=": "at most", "<": "less than"}
        limit = match[2].removesuffix(".0")
        return f"must be {words[match[1]]} {limit}, got {got}"
    return message[:1].lower() + message[1:]


def _decode_problem(error: msgspec.ValidationError, raw: Any, file: str) -> DefinitionProblem:
    """Turn msgspec's ``Expected `str`, got `int` - at `$.dimensions[0].items[3].text.nl```
    into ``<file>: item <id>: text.nl: expected text, got 12``."""
    match = _ERROR_PATH.match(str(error))
    assert match is not None  # the pattern matches any text
    parts = _split_path(match["path"] or "")
    plain = _plain_words(match["message"], parts, raw)

    # The deepest dimension or item on the path, named by its id where it has a valid one.
    owner: list[str | int] = []
    if len(parts) >= 2 and parts[0] == "dimensions" and isinstance(parts[1], int):
        owner = list(parts[:2])
        if len(parts) >= 4 and parts[2] == "items" and isinstance(parts[3], int):
            owner = list(parts[:4])
    rest = list(parts[len(owner) :])
    if not owner:
        return DefinitionProblem(file, None, f"{_format_path(rest)}: {plain}" if rest else plain)
    found, node = _value_at(raw, owner)
    node_id = node.get("id") if found and isinstance(node, dict) else None
    problem = f"{_format_path(rest)}: {plain}" if rest else plain
    if isinstance(node_id, str) and node_id.strip() and rest != ["id"]:
        kind: Literal["item", "dimension"] = "item" if len(owner) == 4 else "dimension"
        return DefinitionProblem(file, node_id, problem, kind)
    return DefinitionProblem(file, _format_path(owner), problem, "path")


def _load(path: Path) -> tuple[Questionnaire | None, list[DefinitionProblem]]:
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [DefinitionProblem(file, None, f"cannot read the file: {error.strerror}")]
    raw, problems = _parse_yaml(data, file)
    if raw is None and problems:
        return None, problems
    try:
        # What msgspec.yaml.decode(data, type=Questionnaire) does after parsing.
        questionnaire = msgspec.convert(
            raw, type=Questionnaire, builtin_types=(datetime.datetime, datetime.date)
        )
    except msgspec.ValidationError as error:
        return None, [*problems, _decode_problem(error, raw, file)]
    problems.extend(check_definition(questionnaire, file))
    return (None if problems else questionnaire), problems


def load_file(path: Path) -> Questionnaire:
    """Decode and check one definition file.

    Raises
    ------
    DefinitionError
        With every problem found: a YAML syntax error (with its line), a key
        repeated in a mapping, a wrong type or value (naming the item), or a
        rule of :func:`check_definition`. Decoding stops at the first wrong type,
        so fixing it may reveal further problems.
    """
    questionnaire, problems = _load(path)
    if questionnaire is None:
        raise DefinitionError(problems)
    return questionnaire


# --------------------------------------------------------------------------------------------
# A folder of definitions


def _definition_files(path: Path) -> tuple[list[Path], list[DefinitionProblem]]:
    if path.is_file():
        return [path], []
    if not path.is_dir():
        return [], [DefinitionProblem(str(path), None, "no such file or folder")]
    files = sorted(p for p in path.iterdir() if p.suffix in DEFINITION_SUFFIXES and p.is_file())
    if not files:
        suffixes = " or ".join(f"*{suffix}" for suffix in DEFINITION_SUFFIXES)
        return [], [DefinitionProblem(str(path), None, f"no definition files ({suffixes}) found")]
    return files, []


def _load_versions(
    path: Path,
) -> tuple[dict[tuple[str, int], Questionnaire], list[DefinitionProblem]]:
    files, problems = _definition_files(path)
    loaded: dict[tuple[str, int], list[tuple[str, Questionnaire]]] = {}
    for file in files:
        questionnaire, file_problems = _load(file)
        problems.extend(file_problems)
        if questionnaire is not None:
            key = (questionnaire.id, questionnaire.version)
            loaded.setdefault(key, []).append((file.name, questionnaire))
    versions: dict[tuple[str, int], Questionnaire] = {}
    file_of: dict[tuple[str, int], str] = {}
    for (questionnaire_id, version), found in loaded.items():
        if len(found) > 1:
            names = [name for name, _ in found]
            for name in names:
                others = ", ".join(other for other in names if other != name)
                problems.append(
                    DefinitionProblem(
                        name,
                        None,
                        f"questionnaire {questionnaire_id} version {version} is also defined "
                        f"in {others}; each version must be defined once",
                    )
                )
        else:
            versions[(questionnaire_id, version)] = found[0][1]
            file_of[(questionnaire_id, version)] = found[0][0]
    for key in sorted(versions):
        previous = versions.get((key[0], key[1] - 1))
        if previous is not None:
            problems.extend(
                DefinitionProblem(file_of[key], None, problem)
                for problem in check_item_mapping(versions[key], previous)
            )
    return versions, problems


def check_item_mapping(questionnaire: Questionnaire, previous: Questionnaire) -> list[str]:
    """The problems of ``previous_item_ids`` against the previous version's items.

    Each value must be an item of the previous version, mapped once; an item id of the
    previous version that is still used in this version keeps its meaning and must not
    also be the target of a renamed item.
    """
    problems = []
    old_ids = {item.id for item in previous.items}
    new_ids = {item.id for item in questionnaire.items}
    seen: dict[str, str] = {}
    for new_id, old_id in questionnaire.previous_item_ids.items():
        if old_id not in old_ids:
            problems.append(
                f"previous_item_ids: {new_id!r} maps to {old_id!r}, which is not an item of "
                f"version {previous.version}"
            )
        elif old_id in seen:
            problems.append(
                f"previous_item_ids: {old_id!r} of version {previous.version} is mapped twice "
                f"({seen[old_id]!r} and {new_id!r})"
            )
        elif old_id in new_ids and old_id != new_id:
            problems.append(
                f"previous_item_ids: {new_id!r} maps to {old_id!r}, but {old_id!r} is still an "
                "item of this version; rename the old item or drop the mapping"
            )
        seen.setdefault(old_id, new_id)
    return problems


def _latest(versions: dict[tuple[str, int], Questionnaire]) -> dict[str, Questionnaire]:
    latest: dict[str, Questionnaire] = {}
    for (questionnaire_id, version), questionnaire in sorted(versions.items()):
        if questionnaire_id not in latest or version > latest[questionnaire_id].version:
            latest[questionnaire_id] = questionnaire
    return latest


def validate_directory(
    directory: Path | None = None,
) -> tuple[list[Questionnaire], list[DefinitionProblem]]:
    """Check every definition file in ``directory`` (default :data:`QUESTIONNAIRE_DIR`).

    ``directory`` may also be one file. Returns the valid questionnaires (ordered
    by id and version) and the problems of all files; never raises for an invalid
    definition.
    """
    versions, problems = _load_versions(QUESTIONNAIRE_DIR if directory is None else directory)
    return [versions[key] for key in sorted(versions)], problems


def load_all(directory: Path = QUESTIONNAIRE_DIR) -> dict[str, Questionnaire]:
    """The latest version of each questionnaire in ``directory``, by questionnaire id.

    Raises
    ------
    DefinitionError
        Listing the problems of all files at once, including two files that
        define the same questionnaire version.
    """
    versions, problems = _load_versions(directory)
    if problems:
        raise DefinitionError(problems)
    return _latest(versions)


@cache
def _versions() -> dict[tuple[str, int], Questionnaire]:
    versions, problems = _load_versions(QUESTIONNAIRE_DIR)
    if problems:
        raise DefinitionError(problems)
    return versions


@cache
def registry() -> dict[str, Questionnaire]:
    """The questionnaires of :data:`QUESTIONNAIRE_DIR`, latest version by id, loaded once.

    The app calls it at start-up and refuses to start on :class:`DefinitionError`.
    Treat the result as read-only. (Tests that change the files clear both
    ``registry.cache_clear()`` and ``_versions.cache_clear()``.)
    """
    return _latest(_versions())


def all_versions() -> list[Questionnaire]:
    """Every version in :data:`QUESTIONNAIRE_DIR`, ordered by id and version (published all)."""
    versions = _versions()
    return [versions[key] for key in sorted(versions)]


def get_questionnaire(questionnaire_id: str, version: int | None = None) -> Questionnaire | None:
    """A questionnaire from the registry: the given version, or the latest; ``None`` if unknown."""
    if version is None:
        return registry().get(questionnaire_id)
    return _versions().get((questionnaire_id, version))
