"""``survey trajectories validate``: an "ok" line per trajectory, or one line per problem
naming the file, the trajectory and the field, and exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.cli import main
from survey.trajectories.catalogue import CATALOGUE_FILE


def test_the_app_catalogue_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trajectories", "validate"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 13
    assert "ok: brede-toegankelijkheid — agentschap with huis, coaching, 8 dimensions" in out


def test_a_catalogue_with_a_mistake_fails_naming_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "catalogue.yaml"
    wrong.write_text(
        CATALOGUE_FILE.read_text(encoding="utf-8").replace(
            "    intensity: training\n", "    intensity: course\n", 1
        ),
        encoding="utf-8",
    )
    assert main(["trajectories", "validate", str(wrong)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "catalogue.yaml: trajectory vorming-diversiteit: intensity: 'course' is not allowed; "
        "use one of: information, training, coaching",
        "survey: 1 problem in the trajectory catalogue",
    ]
    assert "ok: duidelijke-taal — huis, training, 3 dimensions" in captured.out
    assert "vorming-diversiteit" not in captured.out
