"""The demo network follows the questionnaires' rules: one assessment per organisation,
questionnaire and round; "Diverse teams" on version 1 in the earlier round and version 2 in
the current one; team counts that add up (whole numbers, a subgroup at most its total, and a
subgroup only with its total). `survey demo --reset` rebuilds the same network for a seed."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

from survey.cli import main
from survey.questionnaires import get_questionnaire
from survey.questionnaires.counts import breaches_under_current_rules

QID = "diverse-teams"


def _rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path / "survey.sqlite3")
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def _answers(path: Path) -> list[tuple[Any, ...]]:
    """Every stored answer of the demo, with where it belongs, in a stable order."""
    return _rows(
        path,
        """
        SELECT a.organisation_id, a.questionnaire_id, r.name, v.version, s.respondent_id,
               x.item_id, x.value, x.not_applicable
        FROM answers x
        JOIN responses s ON s.id = x.response_id
        JOIN assessments a ON a.id = s.assessment_id
        JOIN rounds r ON r.id = a.round_id
        JOIN questionnaire_versions v ON v.id = a.questionnaire_version_id
        ORDER BY a.organisation_id, a.questionnaire_id, r.name, s.respondent_id, x.item_id
        """,
    )


def test_the_demo_follows_the_rules_and_is_reproducible(data_dir, capsys) -> None:
    assert main(["demo", "--seed", "2"]) == 0
    capsys.readouterr()

    # One assessment per organisation, questionnaire and round.
    assert (
        _rows(
            data_dir,
            "SELECT organisation_id, questionnaire_id, round_id FROM assessments "
            "GROUP BY organisation_id, questionnaire_id, round_id HAVING count(*) > 1",
        )
        == []
    )
    # The earlier round on version 1 of "Diverse teams", the current round on version 2.
    versions = _rows(
        data_dir,
        "SELECT r.name, v.version, count(*) FROM assessments a "
        "JOIN rounds r ON r.id = a.round_id "
        "JOIN questionnaire_versions v ON v.id = a.questionnaire_version_id "
        "WHERE a.questionnaire_id = 'diverse-teams' GROUP BY r.name, v.version ORDER BY r.name",
    )
    assert [(version, count > 100) for _round, version, count in versions] == [
        (1, True),
        (2, True),
    ]

    # Team counts add up in every response, the respondents' own ones included.
    answers = _answers(data_dir)
    responses: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(dict)
    for organisation, questionnaire, round_, version, respondent, item_id, value, na in answers:
        if questionnaire == QID:
            key = (organisation, round_, version, respondent)
            # SQLite hands a JSON number back as a number, anything else as JSON text.
            decoded = json.loads(value) if isinstance(value, str) else value
            responses[key][item_id] = "na" if na else decoded
    second = get_questionnaire(QID, 2)
    assert second is not None
    subgroups = {item.id: item.at_most for item in second.items if item.at_most}
    counted = 0
    for (_o, _r, version, _p), values in responses.items():
        definition = get_questionnaire(QID, version)
        assert definition is not None
        numbers = {k: (None if v == "na" else v) for k, v in values.items()}
        assert breaches_under_current_rules(definition, numbers) == [], values
        for item_id, total_id in subgroups.items():
            if item_id in values:
                assert total_id in values, f"{item_id} answered without {total_id}: {values}"
        counted += sum(isinstance(v, int) for v in numbers.values())
    assert counted > 1000

    # Benchmarks of both rounds computed, "Diverse teams" included.
    benchmarked = _rows(
        data_dir,
        "SELECT r.name, count(*) FROM assessment_benchmarks b "
        "JOIN assessments a ON a.id = b.assessment_id JOIN rounds r ON r.id = a.round_id "
        "WHERE a.questionnaire_id = 'diverse-teams' GROUP BY r.name",
    )
    assert len(benchmarked) == 2 and all(count > 50 for _round, count in benchmarked)

    # --reset rebuilds the same network for the same seed.
    assert main(["demo", "--seed", "2", "--reset"]) == 0
    assert _answers(data_dir) == answers
