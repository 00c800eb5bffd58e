from __future__ import annotations

from typing import Annotated

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class MembershipRead(msgspec.Struct):
    role: str
    organisation_id: int | None = None
    provider: str | None = None


class MeRead(msgspec.Struct):
    id: int
    email: str
    name: str
    language: str
    roles: list[str]
    organisation_ids: list[int]
    memberships: list[MembershipRead]


class LoginResponse(msgspec.Struct):
    user: MeRead
    csrf_token: str
