"""The API's bodies for support requests, shares, coach notes and goals (DESIGN §9)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from survey.db import StoredInt

TrajectoryId = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Note = Annotated[str, msgspec.Meta(max_length=2_000)]
NoteBody = Annotated[str, msgspec.Meta(min_length=1, max_length=5_000)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class SupportRequestCreate(msgspec.Struct, forbid_unknown_fields=True):
    organisation_id: StoredInt
    trajectory_id: TrajectoryId
    assessment_id: StoredInt | None = None
    message: Note | None = None


class SupportRequestPatch(msgspec.Struct, forbid_unknown_fields=True):
    state: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    note: Note | None = None


class HistoryEntry(msgspec.Struct):
    at: dt.datetime
    author: str
    from_state: str | None
    to_state: str
    note: str | None


class GoalRead(msgspec.Struct):
    questionnaire_id: str
    dimension_id: str
    target_level: int
    round: str


class SupportRequestRead(msgspec.Struct):
    id: int
    organisation_id: int
    trajectory_id: str
    provider: str
    partner: str | None
    state: str
    message: str | None
    assessment_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    allowed_states: list[str] = []
    history: list[HistoryEntry] | None = None
    goals: list[GoalRead] | None = None


class ShareRead(msgspec.Struct):
    provider: str
    active: bool
    since: dt.datetime | None


class CoachNoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: NoteBody


class CoachNoteRead(msgspec.Struct):
    id: int
    provider: str
    author: str
    body: str
    created_at: dt.datetime


class GoalWrite(msgspec.Struct, forbid_unknown_fields=True):
    dimension_id: Slug
    target_level: Annotated[int, msgspec.Meta(ge=1, le=5)]
    round: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class CaseloadEntry(msgspec.Struct):
    organisation_id: int
    name: str
    sector: str
    municipality: str
    shares: bool
    open_requests: int
    newest_state: str | None
    attention: int
    goals_reached: int
    goals_total: int


# -- the HTML forms ------------------------------------------------------------------------
# Decoded with ``survey.web.forms`` (each field's limits, a message at the field). A choice
# the page offers (a trajectory, a state, a dimension, a round) is only bounded here: the
# service says which values exist, with the message it gives the API.

Choice = Annotated[str, msgspec.Meta(max_length=80)]


class SupportRequestForm(msgspec.Struct):
    """A suggestion's "request" button on the result page."""

    trajectory_id: Choice = ""
    note: Note | None = None
    assessment_id: StoredInt | None = None


class StepForm(msgspec.Struct):
    """A step of a request: the coach's next state, or the manager's withdrawal."""

    state: Annotated[str, msgspec.Meta(max_length=20)] = ""
    note: Note | None = None


class CoachSuggestionForm(msgspec.Struct):
    trajectory_id: Choice = ""


class GoalForm(msgspec.Struct):
    """A goal to agree (dimension, level, round), or the goal to remove. The level is picked
    from a list: anything else sent gets the service's message, which names the levels."""

    dimension_id: Choice = ""
    target_level: Choice = ""
    round: Annotated[str, msgspec.Meta(max_length=40)] = ""
    remove: Choice = ""
