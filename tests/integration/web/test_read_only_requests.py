"""Reading requests take no write lock and cannot write; the GETs that must write say so
(issue 15)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, update

from survey.accounts.models import User
from survey.db import create_engine, create_sessionmaker
from survey.web.store import StoreEntry


async def test_a_page_answers_while_a_save_holds_the_write_lock(
    client, db, sessionmaker: Any, organisation, web_manager
) -> None:
    # Another request is in the middle of a save: on SQLite it holds the write lock.
    async with sessionmaker() as writer, writer.begin():
        await writer.execute(update(User).where(User.id == web_manager.id).values(name="Saving"))
        page = await asyncio.wait_for(client.get(f"/organisations/{organisation.id}"), 10)
        answer = await asyncio.wait_for(client.get("/api/v1/auth/me"), 10)

    assert page.status_code == 200
    assert answer.status_code == 200
    assert answer.json()["email"] == web_manager.email


async def test_a_write_in_a_reading_transaction_is_refused_every_time(settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine, read_only=True)() as reader:
            with pytest.raises(Exception, match=r"(?i)read.?only|readonly"):
                async with reader.begin():
                    reader.add(StoreEntry(namespace="test", key="k", value=b"v"))
        async with create_sessionmaker(engine)() as writer, writer.begin():
            writer.add(StoreEntry(namespace="test", key="k", value=b"v"))
        async with create_sessionmaker(engine, read_only=True)() as reader:
            stored = await reader.scalar(select(StoreEntry.value).where(StoreEntry.key == "k"))
        assert stored == b"v"
    finally:
        await engine.dispose()


async def test_a_language_chosen_on_a_page_is_kept_for_the_next_login(
    client, db, sessionmaker: Any, organisation, web_manager
) -> None:
    switched = await client.get("/?lang=fr")

    assert switched.status_code == 200
    assert '<html lang="fr">' in switched.text
    async with sessionmaker() as check:
        assert await check.scalar(select(User.language).where(User.id == web_manager.id)) == "fr"
