"""The setup many integration tests share: an organisation and its manager, logged in on the
web pages (``web_manager``) or through the API (``manager_token``).

The organisation has the factory's values unless the test says otherwise with
``@pytest.mark.organisation(name="Kept name", ...)``."""

from __future__ import annotations

from typing import Any

import pytest

from survey.accounts.models import Role, User
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
