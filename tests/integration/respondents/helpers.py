"""Helpers for the respondent tests: the invitation mails in the outbox, a manager's
invitation, a new person accepting it, and people who joined, answered and submitted."""

from __future__ import annotations

import email
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.factories import PASSWORD, api_login, csrf_token
from tests.integration.assessments.helpers import Setup, answer, api_post


def outbox_messages(settings: Any) -> list[email.message.Message]:
    folder = Path(settings.outbox_dir)
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime) if folder.exists() else []
    return [email.message_from_bytes(path.read_bytes()) for path in files]


def link_in(message: email.message.Message) -> str:
    body = message.get_payload(decode=True).decode()
    found = re.search(r"http://testserver\.local(/invitations/[A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


async def invite(client: Any, token: str, assessment_id: int, address: str, **extra: Any) -> Any:
    return await client.post(
        f"/api/v1/assessments/{assessment_id}/invitations",
        json={"email": address, **extra},
        headers={"x-csrftoken": token},
    )


async def accept_as_new_person(client: Any, path: str, name: str = "Sara Janssens") -> Any:
    client.cookies.clear()
    token = await csrf_token(client)
    return await client.post(path, data={"name": name, "password": PASSWORD, "_csrf_token": token})


async def join(
    client: Any,
    settings: Any,
    manager_token: str,
    assessment_id: int,
    address: str = "sara@example.org",
    name: str = "Sara Janssens",
) -> str:
    """The manager invites ``address``; a new person accepts through the mail's link. Returns
    the respondent's CSRF token (they are logged in now)."""
    sent_before = len(outbox_messages(settings))
    await invite(client, manager_token, assessment_id, address)
    await accept_as_new_person(client, link_in(outbox_messages(settings)[sent_before]), name=name)
    return await csrf_token(client)


async def submitted_by(
    client: Any, settings: Any, setup: Setup, answers: Mapping[str, Mapping[str, Any]]
) -> None:
    """Each named person joins (``name@example.org``), answers and submits; then the manager
    logs in again (``setup.token``)."""
    for name, values in answers.items():
        manager_token = await api_login(client, setup.manager)
        address = f"{name.lower()}@example.org"
        token = await join(client, settings, manager_token, setup.assessment_id, address, name)
        for item_id, value in values.items():
            await answer(client, token, setup.assessment_id, item_id, value)
        submitted = await api_post(
            client, token, f"/api/v1/assessments/{setup.assessment_id}/submit"
        )
        assert submitted.status_code == 200
    setup.token = await api_login(client, setup.manager)
