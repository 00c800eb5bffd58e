"""Team counts that can be true: the ``integer`` and ``at_most`` rules of number items in the
definition format (checked on load and by ``survey questionnaires validate``), version 2 of
``diverse-teams`` that publishes them, and the pure function that finds version-1 counts
breaking them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from survey.cli import main
from survey.questionnaires import get_questionnaire, load_file
from survey.questionnaires.counts import (
    count_breaches,
    older_version_breaches,
    unusable_count_items,
)
from survey.questionnaires.publishing import content_hash
from tests.unit.test_questionnaire_loader import (
    Definition,
    item,
    minimal_definition,
    problems_of,
    text,
    write,
)

QID = "diverse-teams"


def with_counts(**extra: dict[str, Any]) -> Definition:
    """The minimal definition with two more number items: ``total`` and ``part`` of it."""
    definition = minimal_definition()
    items = definition["dimensions"][0]["items"]
    items.append({"id": "total", "type": "number", "text": text("Total"), "integer": True})
    items.append(
        {"id": "part", "type": "number", "text": text("Part"), "integer": True, "at_most": "total"}
    )
    for item_id, fields in extra.items():
        item(definition, item_id).update(fields)
    return definition


RULES: list[tuple[str, Callable[[], Definition], str]] = [
    (
        "integer only on number items",
        lambda: with_counts(b={"integer": True}),
        "proef.yaml: item b: integer: only number items can ask for whole numbers; "
        "this is a likert5 item",
    ),
    (
        "at_most only on number items",
        lambda: with_counts(c={"at_most": "total"}),
        "proef.yaml: item c: at_most: only number items can be at most another count; "
        "this is a yes_partly_no item",
    ),
    (
        "at_most not on itself",
        lambda: with_counts(part={"at_most": "part"}),
        "proef.yaml: item part: at_most: refers to the item itself; "
        "name the item that holds the total",
    ),
    (
        "at_most names a known item",
        lambda: with_counts(part={"at_most": "leiding-totaal"}),
        "proef.yaml: item part: at_most: refers to unknown item 'leiding-totaal'; "
        "the total must be an item too",
    ),
    (
        "at_most names a number item",
        lambda: with_counts(part={"at_most": "a"}),
        "proef.yaml: item part: at_most: item 'a' is a maturity item; "
        "a count can only be at most a number item",
    ),
    (
        "a whole-number count has a whole-number total",
        lambda: with_counts(total={"integer": False}),
        "proef.yaml: item part: at_most: item 'total' allows numbers that are not whole; "
        "give it 'integer: true' as well",
    ),
    (
        "no circle of totals",
        lambda: with_counts(total={"at_most": "part"}),
        "proef.yaml: item total: at_most: the totals go round in a circle (total -> part -> total)",
    ),
]


@pytest.mark.parametrize(
    ("make", "expected"), [pytest.param(make, line, id=rule) for rule, make, line in RULES]
)
def test_count_rules_are_checked_on_load(
    tmp_path: Path, make: Callable[[], Definition], expected: str
) -> None:
    assert expected in problems_of(write(tmp_path, make()))


def test_valid_count_rules_load(tmp_path: Path) -> None:
    questionnaire = load_file(write(tmp_path, with_counts()))
    part = questionnaire.item("part")
    assert part is not None and part.integer and part.at_most == "total"


def test_cli_validate_reports_a_count_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, with_counts(part={"at_most": "staff"}))
    assert main(["questionnaires", "validate", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "proef.yaml: item part: at_most: refers to unknown item 'staff'; "
        "the total must be an item too",
        "survey: 1 problem in 1 file",
    ]


# --------------------------------------------------------------------------------------------
# diverse-teams version 2


def test_diverse_teams_version_2_publishes_the_count_rules() -> None:
    first, second = get_questionnaire(QID, 1), get_questionnaire(QID, 2)
    assert first is not None and second is not None
    assert get_questionnaire(QID) is second  # new assessments start on version 2
    counts = {i.id: i for i in second.items if i.type == "number"}
    assert all(i.integer for i in counts.values())
    assert {i.id: i.at_most for i in counts.values() if i.at_most} == {
        "tc-personeel-migratie": "tc-personeel-totaal",
        "tc-personeel-buiten-eu": "tc-personeel-migratie",
        "tc-leiding-totaal": "tc-personeel-totaal",
        "tc-leiding-migratie": "tc-leiding-totaal",
        "tc-leiding-buiten-eu": "tc-leiding-migratie",
        "tc-bestuur-migratie": "tc-bestuur-totaal",
        "tc-bestuur-buiten-eu": "tc-bestuur-migratie",
    }
    # Every subgroup's total is an item (the leaders' total included).
    assert {i.at_most for i in counts.values() if i.at_most} <= set(counts)
    # Version 1 keeps no rules: it is published and must not change.
    assert not any(i.integer or i.at_most for i in first.items)
    # Same items, same meaning: answers of version 1 carry over one to one.
    assert [i.id for i in first.items] == [i.id for i in second.items]


def test_published_versions_keep_their_content_hash() -> None:
    """The new fields of the format do not change the hash of versions published before
    them, or the app would refuse to start on an existing database."""
    first = get_questionnaire(QID, 1)
    assert first is not None
    assert content_hash(first) == (
        "c878653f088bf08c09568daa46c4b1727077f375141498c0a59f56532be851d7"
    )


# --------------------------------------------------------------------------------------------
# Which counts break the rules


def test_count_breaches_in_version_2() -> None:
    second = get_questionnaire(QID, 2)
    assert second is not None
    breaches = count_breaches(
        second,
        {
            "tc-personeel-totaal": 5,
            "tc-personeel-migratie": 10,  # above its total
            "tc-personeel-buiten-eu": 2.5,  # not whole (and at most 10: fine)
            "tc-leiding-totaal": "unknown",
            "tc-leiding-migratie": 3,
            "tc-leiding-buiten-eu": 4,  # above 3
            "tc-bestuur-totaal": None,  # not applicable
            "tc-bestuur-migratie": 7,
        },
    )
    assert [(b.item_id, b.rule, b.total_id) for b in breaches] == [
        ("tc-personeel-migratie", "at_most", "tc-personeel-totaal"),
        ("tc-personeel-buiten-eu", "integer", None),
        ("tc-leiding-buiten-eu", "at_most", "tc-leiding-migratie"),
    ]


def test_an_unknown_total_passes_the_rule_to_the_next_total() -> None:
    second = get_questionnaire(QID, 2)
    assert second is not None
    values = {
        "tc-personeel-totaal": 5,
        "tc-personeel-migratie": "unknown",
        "tc-personeel-buiten-eu": 6,
    }
    assert [(b.item_id, b.total_id, b.total) for b in count_breaches(second, values)] == [
        ("tc-personeel-buiten-eu", "tc-personeel-totaal", 5.0)
    ]
    values["tc-personeel-buiten-eu"] = 5
    assert count_breaches(second, values) == []


def test_version_1_counts_that_break_the_rules_of_version_2() -> None:
    first, second = get_questionnaire(QID, 1), get_questionnaire(QID, 2)
    assert first is not None and second is not None
    answers: dict[str, object] = {
        "tc-personeel-totaal": 5,
        "tc-personeel-migratie": 10,
        "tc-personeel-buiten-eu": 1,
        "tc-leiding-totaal": 2.5,
        "tc-bestuur-totaal": 8,
        "tc-bestuur-migratie": 3,
        "rw-vacatures": 4,  # not a count
    }
    # Version 1 itself has no rules, so its answers were saved as they are ...
    assert count_breaches(first, answers) == []
    # ... and measured against version 2 these counts cannot be used.
    breaches = older_version_breaches([first, second], answers)
    assert [(b.item_id, b.rule) for b in breaches] == [
        ("tc-personeel-migratie", "at_most"),
        ("tc-leiding-totaal", "integer"),
    ]
    assert unusable_count_items(breaches) == {
        "tc-personeel-totaal",
        "tc-personeel-migratie",
        "tc-leiding-totaal",
    }


def test_count_figures_in_hints_and_messages_are_written_as_the_language_writes_numbers() -> None:
    """One number style per language (issue 11), also for whole-number counts: Dutch
    "0 tot 100.000" and "12.345", never "100000" or "1.23457e+06"."""
    from survey import i18n
    from survey.assessments.models import Answer
    from survey.assessments.pages import item_view
    from survey.assessments.schemas import AnswerWrite
    from survey.assessments.service import check_count_rules
    from survey.errors import CountRuleBroken

    questionnaire = get_questionnaire(QID, 2)
    total = questionnaire.item("tc-personeel-totaal")
    part = questionnaire.item("tc-personeel-migratie")
    assert total is not None and part is not None
    i18n.set_language("nl")
    try:
        view = item_view(total, "3.1", None, "nl", {total.id}, questionnaire)
        assert view.number_hint is not None and "100.000" in view.number_hint
        with pytest.raises(CountRuleBroken) as refused:
            check_count_rules(
                questionnaire,
                part,
                AnswerWrite(revision=0, value=12346, not_applicable=False, comment=None),
                {total.id: Answer(item_id=total.id, value=12345, not_applicable=False)},
            )
        assert "12.345" in refused.value.errors["value"]
    finally:
        i18n.set_language("nl")
