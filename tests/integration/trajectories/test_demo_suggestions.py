"""The demo network shows suggestions: manager001's organisation is weak on accessibility,
and its result suggests trajectories of the Huis van het Nederlands and of the Agentschap
(issue #13: "a manager with weak accessibility results gets Huis van het Nederlands and
Agentschap suggestions with reasons")."""

from __future__ import annotations

from litestar.testing import TestClient

from survey.app import create_app
from survey.cli import main
from survey.demo import demo_logins
from survey.settings import load_settings


def test_the_first_demo_manager_gets_suggestions_of_both_providers(data_dir, capsys) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()
    settings = load_settings()
    manager = demo_logins(settings, 1)[0]
    assert manager.email.startswith("manager001@")

    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        logged_in = client.post(
            "/api/v1/auth/login", json={"email": manager.email, "password": manager.password}
        )
        assert logged_in.status_code == 200, logged_in.text
        organisation = client.get("/api/v1/auth/me").json()["memberships"][0]["organisation_id"]
        listed = client.get(f"/api/v1/organisations/{organisation}/assessments").json()
        newest = max(
            (a for a in listed if a["questionnaire_id"] == "toegankelijkheid"),
            key=lambda a: a["round"],
        )
        assert newest["state"] == "submitted"
        result = client.get(f"/api/v1/assessments/{newest['id']}/result").json()
        page = client.get(f"/assessments/{newest['id']}/result")

    weak = [d for d in result["dimensions"] if d["maturity"] is not None and d["maturity"] <= 2]
    assert len(weak) >= 4, result["dimensions"]
    suggestions = result["suggestions"]
    assert {s["provider"] for s in suggestions} == {"agentschap", "huis"}
    assert {"duidelijke-taal", "brede-toegankelijkheid"} <= {
        s["trajectory_id"] for s in suggestions
    }
    assert all(reason["text"] for s in suggestions for reason in s["reasons"])
    assert any(
        reason["figures"]["peer_figure"] is not None for s in suggestions for reason in s["reasons"]
    )
    assert page.status_code == 200
    assert 'id="suggestion-duidelijke-taal"' in page.text
