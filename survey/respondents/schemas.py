from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    language: str = "nl"


class RespondentRead(msgspec.Struct):
    invitation_id: int
    email: str
    name: str | None
    state: str
    answered: int
    applicable: int
    invited_at: dt.datetime
    expires_at: dt.datetime
    submitted_at: dt.datetime | None


class RespondentAnswerRead(msgspec.Struct, omit_defaults=True):
    name: str
    value: Any
    not_applicable: bool
    # why this count does not add up (not whole; more or less than another count); only when so
    count_problem: str | None = None


class ItemConsensusRead(msgspec.Struct, omit_defaults=True):
    item_id: str
    n: int
    answers: list[RespondentAnswerRead]
    suggestion: Any
    suggest_not_applicable: bool
    iqr: float | None
    rwg: float | None
    needs_discussion: bool
    # why the starting value does not add up with the other starting values; only when so
    count_problem: str | None = None


class ConsolidationRead(msgspec.Struct):
    assessment_id: int
    submitted_responses: int
    items: list[ItemConsensusRead]


class PrefillRequest(msgspec.Struct, forbid_unknown_fields=True):
    overwrite: bool = False


class PrefillRead(msgspec.Struct, omit_defaults=True):
    changed: int
    # items not filled in because their starting values do not add up (count rules)
    skipped: list[str] = []
