"""A second questionnaire version with a renamed item: the definitions validate together, the
mapping is checked against the previous version, and answers from version 1 scored with
version 2 give the same scores, so a trend across the versions compares like with like."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from survey.questionnaires import get_questionnaire
from survey.questionnaires.loader import QUESTIONNAIRE_DIR, load_all, validate_directory
from survey.questionnaires.schema import Questionnaire
from survey.questionnaires.versions import item_id_map, translate_answers
from survey.scoring import StoredAnswer, score_response

QID = "cultuursensitief-werken"


def version_two(renames: dict[str, str], mapping: dict[str, str] | None = None) -> dict[str, Any]:
    """Version 2 of the real questionnaire with items renamed (old id → new id)."""
    data: dict[str, Any] = msgspec.to_builtins(get_questionnaire(QID, 1))
    data["version"] = 2
    for dimension in data["dimensions"]:
        for item in dimension["items"]:
            item["id"] = renames.get(item["id"], item["id"])
            condition = item.get("applies_if")
            if condition:
                condition["item"] = renames.get(condition["item"], condition["item"])
    data["previous_item_ids"] = (
        mapping if mapping is not None else {new: old for old, new in renames.items()}
    )
    return data


def folder_with(tmp_path: Path, second: dict[str, Any]) -> Path:
    (tmp_path / f"{QID}.yaml").write_bytes((QUESTIONNAIRE_DIR / f"{QID}.yaml").read_bytes())
    (tmp_path / f"{QID}.v2.yaml").write_text(
        yaml.safe_dump(second, allow_unicode=True, sort_keys=False)
    )
    return tmp_path


def test_a_second_version_in_its_own_file_validates_and_becomes_the_latest(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, version_two({"vb-missie": "vb-missie-en-visie"}))
    questionnaires, problems = validate_directory(folder)
    assert problems == []
    assert [(q.id, q.version) for q in questionnaires] == [(QID, 1), (QID, 2)]
    assert load_all(folder)[QID].version == 2


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        (
            {"vb-missie-en-visie": "vb-mission"},
            "previous_item_ids: 'vb-missie-en-visie' maps to 'vb-mission', which is not an item "
            "of version 1",
        ),
        (
            {"vb-missie-en-visie": "vb-missie", "vb-leiding": "vb-missie"},
            "previous_item_ids: 'vb-missie' of version 1 is mapped twice "
            "('vb-missie-en-visie' and 'vb-leiding')",
        ),
    ],
    ids=["unknown-old-item", "old-item-twice"],
)
def test_a_wrong_mapping_is_reported_with_file_and_problem(
    tmp_path: Path, mapping: dict[str, str], problem: str
) -> None:
    second = version_two({"vb-missie": "vb-missie-en-visie"}, mapping)
    _questionnaires, problems = validate_directory(folder_with(tmp_path, second))
    assert [str(p) for p in problems] == [f"{QID}.v2.yaml: {problem}"]


def test_renames_compose_along_versions() -> None:
    first = get_questionnaire(QID, 1)
    second = msgspec.convert(version_two({"vb-missie": "vb-missie-en-visie"}), Questionnaire)
    third_data = msgspec.to_builtins(second)
    third_data["version"] = 3
    third_data["dimensions"][0]["items"][0]["id"] = "vb-opdracht"
    third_data["previous_item_ids"] = {"vb-opdracht": "vb-missie-en-visie"}
    third = msgspec.convert(third_data, Questionnaire)
    mapping = item_id_map([first, second, third])
    assert mapping["vb-missie"] == "vb-opdracht"
    assert mapping["vb-leiding"] == "vb-leiding"
    with pytest.raises(ValueError, match="consecutive"):
        item_id_map([first, third])


def test_answers_of_version_1_score_the_same_under_version_2() -> None:
    """The trend stays comparable: the renamed item carries its answer over."""
    first = get_questionnaire(QID, 1)
    second = msgspec.convert(version_two({"vb-missie": "vb-missie-en-visie"}), Questionnaire)
    levels = iter([4, 2, 5, 3, 1, 4, 2, 3])
    answers = {
        item.id: StoredAnswer(value=next(levels))
        for item in first.dimensions[0].items
        if item.type in ("maturity", "likert5")
    }
    answers["vb-missie"] = StoredAnswer(value=4)  # weight 2 in visie-en-beleid
    moved = translate_answers(answers, [first, second])
    assert "vb-missie-en-visie" in moved and "vb-missie" not in moved
    assert len(moved) == len(answers)
    before = {d.dimension_id: d.score for d in score_response(first, answers).dimensions}
    after = {d.dimension_id: d.score for d in score_response(second, moved).dimensions}
    assert after == before
    # Without the mapping, the renamed item's answer would be lost and the score would move.
    unmapped = {k: v for k, v in answers.items() if k != "vb-missie"}
    lost = {d.dimension_id: d.score for d in score_response(second, unmapped).dimensions}
    assert lost["visie-en-beleid"] != before["visie-en-beleid"]
