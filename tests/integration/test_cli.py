"""The `survey` command as an operator uses it, on a fresh SQLite data folder."""

import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from survey.cli import main


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


def test_org_create_shows_the_valid_values_in_its_help_and_its_error(capsys, monkeypatch) -> None:
    from survey.organisations.reference import MUNICIPALITY_CODES, SECTORS, SIZE_BANDS

    monkeypatch.setenv("COLUMNS", "1000")  # no line breaks inside a value
    with pytest.raises(SystemExit) as help_exit:
        main(["org", "create", "--help"])
    assert help_exit.value.code == 0
    help_text = capsys.readouterr().out
    assert all(value in help_text for value in (*SECTORS, *SIZE_BANDS, *MUNICIPALITY_CODES))

    for option, wrong, valid in (
        ("--sector", "x", SECTORS),
        ("--size", "11-12", SIZE_BANDS),
        ("--municipality", "1000", MUNICIPALITY_CODES),
    ):
        arguments = _org_create()
        arguments[arguments.index(option) + 1] = wrong
        with pytest.raises(SystemExit) as error_exit:
            main(arguments)
        assert error_exit.value.code == 2
        error = capsys.readouterr().err
        assert option in error
        assert all(f"'{value}'" in error for value in valid), error


def test_db_upgrade_says_what_it_did(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SURVEY_DATABASE_URL", raising=False)
    monkeypatch.delenv("SURVEY_ENV", raising=False)

    assert main(["db", "upgrade", "--revision", "0003_benchmarks"]) == 0
    created = capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    upgraded = capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    unchanged = capsys.readouterr().out

    assert "Created the database (schema revision 0003_benchmarks)." in created
    from survey.migrate import head_revision
    from survey.settings import load_settings

    head = head_revision(load_settings().database_url)
    assert f"Upgraded the database from schema revision 0003_benchmarks to {head}." in upgraded
    assert "already up to date" in unchanged
    assert "revision head" not in created + upgraded + unchanged


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_listens_on_survey_port_and_stops_cleanly(tmp_path, stop_signal) -> None:
    from tests.e2e.harness import app_environment, free_port, run_survey, survey_command

    env = {**app_environment(tmp_path), "SURVEY_PORT": str(free_port())}
    run_survey(env, "db", "upgrade")
    server = subprocess.Popen(
        survey_command("serve"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{env['SURVEY_PORT']}/healthz"):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer on SURVEY_PORT"
                time.sleep(0.3)
        # Ctrl+C reaches every process of the terminal's group; a service manager sends SIGTERM.
        os.killpg(server.pid, stop_signal)
        out, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    assert server.returncode == 0, err
    assert "Traceback" not in err
    assert "N-scan stopped." in out


def test_just_start_and_serve_take_a_port() -> None:
    just = Path(sys.executable).parent / "just"
    for recipe in ("start", "serve"):
        planned = subprocess.run(
            [str(just), "--dry-run", recipe, "--port", "8001"],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=False,
        )
        assert planned.returncode == 0, planned.stderr
        assert "survey serve --port 8001" in planned.stderr + planned.stdout
