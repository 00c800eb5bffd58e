"""The setup many integration tests share: an organisation and its manager, logged in on the
web pages (``web_manager``) or through the API (``manager_token``); for the command-line
tests, a fresh SQLite data folder with the schema in place (``data_dir``).

The organisation has the factory's values unless the test says otherwise with
``@pytest.mark.organisation(name="Kept name", ...)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from survey.accounts.models import Role, User
from survey.cli import main
from survey.organisations.models import Organisation
from tests.factories import api_login, login, make_organisation, make_user


@pytest.fixture
async def organisation(request: pytest.FixtureRequest, db: Any) -> Organisation:
    marker = request.node.get_closest_marker("organisation")
    return await make_organisation(db, **(marker.kwargs if marker else {}))


@pytest.fixture
async def manager(db: Any, organisation: Organisation) -> User:
    """The organisation's manager, not logged in."""
    return await make_user(db, Role.MANAGER, organisation)


@pytest.fixture
async def web_manager(client: Any, manager: User) -> User:
    """The manager, logged in on the web pages."""
    await login(client, manager)
    return manager


@pytest.fixture
async def manager_token(client: Any, manager: User) -> str:
    """The manager logged in through the API: the CSRF token to send."""
    return await api_login(client, manager)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The command's data folder: SQLite under ``tmp_path``, migrated with ``survey db upgrade``."""
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SURVEY_DATABASE_URL", raising=False)
    monkeypatch.delenv("SURVEY_ENV", raising=False)
    assert main(["db", "upgrade"]) == 0
    return tmp_path
