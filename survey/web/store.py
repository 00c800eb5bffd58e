"""A Litestar store in a database table, shared by every worker process.

Server-side sessions and login rate limits live here, so two workers (or two
hosts) see the same session and the same attempt counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from litestar.stores.base import Store
from sqlalchemy import LargeBinary, String, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import Base, utcnow


class StoreEntry(Base):
    __tablename__ = "store_entries"

    namespace: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)


def _expiry(expires_in: int | dt.timedelta | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in if isinstance(expires_in, int) else expires_in.total_seconds()
    return utcnow() + dt.timedelta(seconds=seconds)


class DatabaseStore(Store):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        namespace: str,
        dialect_name: str,
        read_sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        current_read_session: Callable[[], AsyncSession | None] | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        # Reading an entry takes no write lock; only an expired entry or a renewal writes.
        self._read_sessionmaker = read_sessionmaker or sessionmaker
        # The read-only session of the request being served, if any: the entry is read in
        # the request's own transaction instead of one more of its own.
        self._current_read_session = current_read_session or (lambda: None)
        self.namespace = namespace
        self._insert = pg_insert if dialect_name == "postgresql" else sqlite_insert

    async def set(
        self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        row = {
            "namespace": self.namespace,
            "key": key,
            "value": data,
            "expires_at": _expiry(expires_in),
        }
        async with self._sessionmaker() as db, db.begin():
            statement = self._insert(StoreEntry).values(**row)
            await db.execute(
                statement.on_conflict_do_update(
                    index_elements=["namespace", "key"],
                    set_={
                        "value": statement.excluded.value,
                        "expires_at": statement.excluded.expires_at,
                    },
                )
            )

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        """The value, or None when there is none or it expired (the expired entry is then
        removed). A read takes no write lock: only removing or renewing writes."""
        query = select(StoreEntry.value, StoreEntry.expires_at).where(
            StoreEntry.namespace == self.namespace, StoreEntry.key == key
        )
        current = self._current_read_session()
        if current is not None:
            entry = (await current.execute(query)).first()
        else:
            async with self._read_sessionmaker() as db, db.begin():
                entry = (await db.execute(query)).first()
        if not entry:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= utcnow():
            await self.delete(key)
            return None
        if renew_for is not None and expires_at is not None:
            async with self._sessionmaker() as db, db.begin():
                await db.execute(
                    update(StoreEntry)
                    .where(StoreEntry.namespace == self.namespace, StoreEntry.key == key)
                    .values(expires_at=_expiry(renew_for))
                )
        return bytes(value)

    async def delete(self, key: str) -> None:
        async with self._sessionmaker() as db, db.begin():
            await db.execute(
                delete(StoreEntry).where(
                    StoreEntry.namespace == self.namespace, StoreEntry.key == key
                )
            )

    async def delete_all(self) -> None:
        async with self._sessionmaker() as db, db.begin():
            await db.execute(delete(StoreEntry).where(StoreEntry.namespace == self.namespace))

    async def delete_expired(self) -> None:
        async with self._sessionmaker() as db, db.begin():
            await db.execute(
                delete(StoreEntry).where(
                    StoreEntry.namespace == self.namespace, StoreEntry.expires_at <= utcnow()
                )
            )

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        async with self._sessionmaker() as db:
            expires_at = await db.scalar(
                select(StoreEntry.expires_at).where(
                    StoreEntry.namespace == self.namespace, StoreEntry.key == key
                )
            )
        if expires_at is None:
            return None
        return max(int((expires_at - utcnow()).total_seconds()), 0)


async def purge_expired_entries(db: AsyncSession) -> int:
    """Remove expired sessions (and other expired entries) of every namespace; how many."""
    result = await db.execute(delete(StoreEntry).where(StoreEntry.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
