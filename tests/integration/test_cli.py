"""The `survey` command as an operator uses it, on a fresh SQLite data folder."""

import io
import sys

import pytest

from survey.cli import main


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SURVEY_DATABASE_URL", raising=False)
    monkeypatch.delenv("SURVEY_ENV", raising=False)
    assert main(["db", "upgrade"]) == 0
    return tmp_path


def _org_create(number: str = "0403.170.701") -> list[str]:
    return [
        "org",
        "create",
        "--name",
        "Jeugdhuis Test",
        "--enterprise-number",
        number,
        "--sector",
        "youth-work",
        "--size",
        "10-49",
        "--municipality",
        "21004",
        "--funded",
    ]


def test_org_and_user_create_print_ids_and_the_user_can_log_in(
    data_dir, capsys, monkeypatch
) -> None:
    assert main(_org_create()) == 0
    organisation_id = capsys.readouterr().out.strip()
    assert organisation_id == "1"

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    code = main(
        [
            "user",
            "create",
            "--email",
            "Boss@Example.org",
            "--role",
            "manager",
            "--organisation",
            "BE 0403170701",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == "1"

    from litestar.testing import TestClient

    from survey.app import create_app

    with TestClient(create_app()) as client:
        response = client.post(
            "/api/v1/auth/login",
            json={"email": "boss@example.org", "password": "a long enough password"},
        )
        assert response.status_code == 200
        assert response.json()["user"]["organisation_ids"] == [1]


def test_org_create_refuses_a_wrong_enterprise_number(data_dir, capsys) -> None:
    assert main(_org_create("0403.170.702")) == 1
    assert "enterprise_number" in capsys.readouterr().err


def test_user_create_refuses_a_short_password_and_a_coach_without_provider(
    data_dir, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["user", "create", "--email", "a@example.org", "--role", "analyst"]) == 1
    assert "password" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["user", "create", "--email", "c@example.org", "--role", "coach"]) == 1
    assert "provider" in capsys.readouterr().err


def test_demo_is_reproducible_and_refuses_other_data(data_dir, capsys, monkeypatch) -> None:
    assert main(["demo", "--seed", "3"]) == 0
    first = capsys.readouterr().out
    assert "220 organisations" in first
    assert "manager001@demo.n-scan.example" in first
    assert main(["demo", "--seed", "3"]) == 0
    assert "already loaded" in capsys.readouterr().out

    other = data_dir / "other"
    monkeypatch.setenv("SURVEY_DATA_DIR", str(other))
    assert main(["db", "upgrade"]) == 0
    assert main(_org_create()) == 0
    capsys.readouterr()
    assert main(["demo"]) == 1
    assert "refusing" in capsys.readouterr().out


def test_demo_organisations_depend_only_on_the_seed() -> None:
    from survey.demo import demo_organisations

    assert demo_organisations(5) == demo_organisations(5)
    assert demo_organisations(5) != demo_organisations(6)
    organisations = demo_organisations(1)
    assert len({o.sector for o in organisations}) == 11
    assert len({o.size_band for o in organisations}) == 4
    assert len({o.municipality for o in organisations}) == 20


def test_serve_refuses_an_unmigrated_database(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path / "empty"))
    assert main(["serve", "--port", "8799"]) == 2
    assert "survey db upgrade" in capsys.readouterr().err


def test_every_command_has_help(capsys) -> None:
    for command in (
        ["db", "upgrade"],
        ["serve"],
        ["demo"],
        ["org", "create"],
        ["user", "create"],
        ["uploads", "sweep"],
        ["benchmarks", "recompute"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main([*command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: survey" in capsys.readouterr().out


def test_benchmarks_recompute_says_how_many_assessments(data_dir, capsys) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()
    assert main(["benchmarks", "recompute"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("Peer benchmarks recomputed for ")
    assert int(line.split()[4]) > 1000  # every assessment with a result in the demo network


def test_serve_first_recomputes_benchmarks_a_migration_left_empty(
    data_dir, capsys, monkeypatch
) -> None:
    import sqlite3

    import uvicorn

    assert main(["demo"]) == 0
    connection = sqlite3.connect(data_dir / "survey.sqlite3")
    with connection:
        connection.execute("DELETE FROM assessment_benchmarks")  # as `alembic upgrade` by hand
    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app))
    capsys.readouterr()

    assert main(["serve", "--port", "8797"]) == 0

    output = capsys.readouterr().out
    assert "Peer benchmarks recomputed for 8 round(s) × questionnaire(s)." in output
    assert served == ["survey.app:create_app"]
    (count,) = connection.execute("SELECT count(*) FROM assessment_benchmarks").fetchone()
    connection.close()
    assert count > 1000
