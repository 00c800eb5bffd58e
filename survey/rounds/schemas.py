from __future__ import annotations

import datetime as dt

import msgspec


class RoundRead(msgspec.Struct):
    name: str
    opens_on: dt.date
    closes_on: dt.date
    state: str
    closed_at: dt.datetime | None = None
