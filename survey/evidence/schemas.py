from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec


class EvidenceCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A note or a link (files go as multipart to ``…/file``)."""

    kind: Literal["note", "link"]
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    url: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class EvidenceRead(msgspec.Struct):
    id: int
    item_id: str
    kind: str
    note: str | None
    url: str | None
    file_name: str | None
    content_type: str | None
    size: int | None
    download_url: str | None
    created_at: dt.datetime
