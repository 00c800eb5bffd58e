"""The coaches' workspace (DESIGN §1, §9): the caseload of organisations that share with or
asked the coach's provider, each organisation's file (results and answers with comments and
evidence across rounds, the trend, its requests with their timeline), private coach notes,
goals on running trajectories, and coaches' own suggestions from their provider's catalogue.

Coaches read; they never edit answers. An organisation that neither shares with nor asked
their provider does not exist for them (404); once the consent is revoked its results,
answers and evidence are out of reach at the next request, while its requests stay."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Provider, User
from survey.accounts.service import CurrentUser
from survey.assessments import service as assessments
from survey.assessments.models import (
    Assessment,
    AssessmentResult,
    AssessmentState,
    DimensionResult,
    Evidence,
    Response,
)
from survey.assessments.presenters import result_read
from survey.assessments.schemas import ResultRead
from survey.assessments.service import AssessmentContext
from survey.audit.service import record
from survey.errors import Conflict, Forbidden, Invalid, NotFound
from survey.evidence.service import for_response
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.organisations.models import Organisation
from survey.questionnaires import registry
from survey.rounds.models import Round
from survey.rounds.service import get_by_name, latest_opened, list_rounds
from survey.trajectories import catalogue as trajectories
from survey.trajectories.models import (
    OPEN_STATES,
    CoachNote,
    CoachSuggestion,
    Goal,
    RequestState,
    Share,
    SupportRequest,
)
from survey.trajectories.requests import get_visible as visible_request
from survey.trajectories.requests import is_lead_coach
from survey.trajectories.sharing import coach_providers, follows, shares_with

NOTE_MAX_LENGTH = 5_000

# What needs attention first: a new request, then one in intake, then running ones; an
# organisation that only shares comes after, and one whose requests are all closed last.
ATTENTION = {
    RequestState.REQUESTED: 0,
    RequestState.INTAKE: 1,
    RequestState.RUNNING: 2,
}
ONLY_SHARES = 3
CLOSED = 4


def require_coach(user: CurrentUser) -> set[Provider]:
    providers = coach_providers(user)
    if not providers:
        raise Forbidden(_("The workspace is for the coaches of the support providers."))
    return providers


async def followed_organisation(
    db: AsyncSession, user: CurrentUser, organisation_id: int
) -> tuple[Organisation, set[Provider]]:
    """The organisation if it shares with or asked the coach's provider; else not found."""
    providers = require_coach(user)
    organisation = await db.get(Organisation, organisation_id)
    if organisation is None or not await follows(db, organisation_id, providers):
        raise NotFound(_("Organisation not found."))
    return organisation, providers


# -- caseload ----------------------------------------------------------------------------


@dataclass
class Case:
    organisation: Organisation
    shares: bool
    requests: list[SupportRequest] = field(default_factory=list)
    questionnaires: set[str] = field(default_factory=set)
    goals_total: int = 0
    goals_reached: int = 0

    @property
    def open_requests(self) -> list[SupportRequest]:
        return [r for r in self.requests if r.state in OPEN_STATES]

    @property
    def attention(self) -> int:
        ranks = [ATTENTION[r.state] for r in self.open_requests]
        if ranks:
            return min(ranks)
        return ONLY_SHARES if self.shares else CLOSED

    @property
    def waiting_since(self) -> dt.datetime:
        moments = [r.updated_at for r in self.open_requests] or [
            r.updated_at for r in self.requests
        ]
        return min(moments) if moments else dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class CaseFilter:
    state: str = ""
    sector: str = ""
    municipality: str = ""
    questionnaire: str = ""


async def caseload(
    db: AsyncSession, user: CurrentUser, filters: CaseFilter | None = None
) -> list[Case]:
    """The organisations that share with or asked the coach's provider, what needs attention
    first (new requests, longest waiting first), filtered by request state, sector,
    municipality and questionnaire."""
    providers = require_coach(user)
    filters = filters or CaseFilter()
    shared = set(
        await db.scalars(
            select(Share.organisation_id).where(
                Share.provider.in_(providers), Share.active.is_(True)
            )
        )
    )
    requests = list(
        await db.scalars(
            select(SupportRequest)
            .where(
                or_(SupportRequest.provider.in_(providers), SupportRequest.partner.in_(providers))
            )
            .order_by(SupportRequest.created_at)
        )
    )
    ids = shared | {r.organisation_id for r in requests}
    if not ids:
        return []
    organisations = {
        o.id: o for o in await db.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    cases = {oid: Case(organisations[oid], oid in shared) for oid in organisations}
    for request in requests:
        cases[request.organisation_id].requests.append(request)
    for oid, qid in await db.execute(
        select(Assessment.organisation_id, Assessment.questionnaire_id)
        .where(Assessment.organisation_id.in_(ids), Assessment.state == AssessmentState.SUBMITTED)
        .distinct()
    ):
        cases[oid].questionnaires.add(qid)
    reached = await goals_reached(
        db,
        [
            r.id
            for r in requests
            if r.state == RequestState.RUNNING or r.state == RequestState.COMPLETED
        ],
    )
    for request in requests:
        total, done = reached.get(request.id, (0, 0))
        cases[request.organisation_id].goals_total += total
        cases[request.organisation_id].goals_reached += done
    chosen = [
        case
        for case in cases.values()
        if (not filters.state or any(r.state.value == filters.state for r in case.requests))
        and (not filters.sector or case.organisation.sector == filters.sector)
        and (not filters.municipality or case.organisation.municipality == filters.municipality)
        and (not filters.questionnaire or filters.questionnaire in case.questionnaires)
    ]
    return sorted(
        chosen, key=lambda c: (c.attention, c.waiting_since, c.organisation.name.casefold())
    )


# -- goals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    round_name: str
    dimension_title: str
    questionnaire_title: str
    level: int | None  # the maturity reached in the latest submitted result, if any
    measured_in: str | None  # the round of that result
    # Whether that result is of the goal's round or a later one: only such a result tells
    # whether the goal is reached; an earlier one shows the way there.
    measured_for_goal: bool = False

    @property
    def reached(self) -> bool:
        return self.measured_for_goal and is_reached(self.goal, self.level)


def is_reached(goal: Goal, level: int | None) -> bool:
    """Whether ``level``, measured in the goal's round or later, meets the goal."""
    return level is not None and level >= goal.target_level


def dimension_titles(language: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(questionnaire id, dimension id) -> (questionnaire title, dimension title)."""
    return {
        (q.id, d.id): (q.title.get(language), d.title.get(language))
        for q in registry().values()
        for d in q.dimensions
    }


def find_dimension(dimension_id: str) -> tuple[str, str] | None:
    """A dimension id (``dimension`` or ``questionnaire/dimension``) as (questionnaire, dimension)."""
    wanted_q, _sep, wanted_d = dimension_id.rpartition("/")
    for questionnaire in registry().values():
        if wanted_q and questionnaire.id != wanted_q:
            continue
        for dimension in questionnaire.dimensions:
            if dimension.id == wanted_d:
                return questionnaire.id, dimension.id
    return None


@dataclass(frozen=True)
class Measured:
    """A dimension's maturity in an organisation's newest submitted result."""

    level: int | None
    round_name: str
    round_opens_on: dt.date


async def _latest_levels(
    db: AsyncSession, organisation_ids: list[int]
) -> dict[tuple[int, str, str], Measured]:
    """(organisation, questionnaire, dimension) -> the newest submitted result's maturity,
    for all the organisations in one query."""
    rows = await db.execute(
        select(
            Assessment.organisation_id,
            Assessment.questionnaire_id,
            DimensionResult.dimension_id,
            DimensionResult.maturity,
            Round.name,
            Round.opens_on,
        )
        .join(DimensionResult, DimensionResult.assessment_id == Assessment.id)
        .join(Round, Round.id == Assessment.round_id)
        .where(
            Assessment.organisation_id.in_(organisation_ids),
            Assessment.state == AssessmentState.SUBMITTED,
        )
        .order_by(Round.opens_on, Round.id)
    )
    latest: dict[tuple[int, str, str], Measured] = {}
    for oid, qid, did, maturity, round_name, opens_on in rows.all():
        latest[(oid, qid, did)] = Measured(maturity, round_name, opens_on)
    return latest


async def goal_progress(
    db: AsyncSession, organisation_id: int, request_ids: list[int] | None = None
) -> list[GoalProgress]:
    """The organisation's goals (of the given requests, or all) against its newest results
    of the goal's round or later."""
    statement = (
        select(Goal, Round)
        .join(SupportRequest, SupportRequest.id == Goal.request_id)
        .join(Round, Round.id == Goal.round_id)
        .where(SupportRequest.organisation_id == organisation_id)
        .order_by(Goal.id)
    )
    if request_ids is not None:
        statement = statement.where(Goal.request_id.in_(request_ids))
    rows = (await db.execute(statement)).all()
    if not rows:
        return []
    latest = await _latest_levels(db, [organisation_id])
    titles = dimension_titles(current_language())
    progress = []
    for goal, round_ in rows:
        q_title, d_title = titles.get(
            (goal.questionnaire_id, goal.dimension_id), (goal.questionnaire_id, goal.dimension_id)
        )
        measured = latest.get((organisation_id, goal.questionnaire_id, goal.dimension_id))
        progress.append(
            GoalProgress(
                goal=goal,
                round_name=round_.name,
                dimension_title=d_title,
                questionnaire_title=q_title,
                level=measured.level if measured else None,
                measured_in=measured.round_name if measured else None,
                measured_for_goal=measured is not None
                and measured.round_opens_on >= round_.opens_on,
            )
        )
    return progress


async def goals_page_context(
    db: AsyncSession, context: AssessmentContext, read: ResultRead
) -> dict[str, Any]:
    """The result page's goals (added by the app through ``result_extensions``)."""
    return {"goals": await goals_for_result(db, context.assessment)}


async def goals_for_result(db: AsyncSession, assessment: Assessment) -> list[GoalProgress]:
    """The goals agreed with the organisation on this questionnaire's parts, against this
    result (for the result page: "the next round's result shows progress")."""
    rows = (
        await db.execute(
            select(Goal, Round)
            .join(SupportRequest, SupportRequest.id == Goal.request_id)
            .join(Round, Round.id == Goal.round_id)
            .where(
                SupportRequest.organisation_id == assessment.organisation_id,
                Goal.questionnaire_id == assessment.questionnaire_id,
                SupportRequest.state.in_([RequestState.RUNNING, RequestState.COMPLETED]),
            )
            .order_by(Goal.id)
        )
    ).all()
    if not rows:
        return []
    this_round = await db.get(Round, assessment.round_id)
    levels = {
        d.dimension_id: d.maturity
        for d in await db.scalars(
            select(DimensionResult).where(DimensionResult.assessment_id == assessment.id)
        )
    }
    titles = dimension_titles(current_language())
    progress = []
    for goal, round_ in rows:
        q_title, d_title = titles.get(
            (goal.questionnaire_id, goal.dimension_id), (goal.questionnaire_id, goal.dimension_id)
        )
        level = levels.get(goal.dimension_id)
        progress.append(
            GoalProgress(
                goal=goal,
                round_name=round_.name,
                dimension_title=d_title,
                questionnaire_title=q_title,
                level=level,
                measured_in=this_round.name if this_round and level is not None else None,
                measured_for_goal=this_round is not None and this_round.opens_on >= round_.opens_on,
            )
        )
    return progress


async def goals_reached(db: AsyncSession, request_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Request id -> (goals, goals reached): a goal is reached when the organisation's newest
    result is of the goal's round or a later one and meets its level. Two queries, however
    many requests and organisations."""
    if not request_ids:
        return {}
    goals = (
        await db.execute(
            select(Goal, SupportRequest.organisation_id, Round.opens_on)
            .join(SupportRequest, SupportRequest.id == Goal.request_id)
            .join(Round, Round.id == Goal.round_id)
            .where(Goal.request_id.in_(request_ids))
        )
    ).all()
    if not goals:
        return {}
    latest = await _latest_levels(db, sorted({oid for _goal, oid, _opens in goals}))
    counts: dict[int, tuple[int, int]] = {}
    for goal, organisation_id, goal_opens_on in goals:
        measured = latest.get((organisation_id, goal.questionnaire_id, goal.dimension_id))
        done = (
            measured is not None
            and measured.round_opens_on >= goal_opens_on
            and is_reached(goal, measured.level)
        )
        total, reached = counts.get(goal.request_id, (0, 0))
        counts[goal.request_id] = (total + 1, reached + int(done))
    return counts


async def goal_rounds(db: AsyncSession) -> list[Round]:
    """The rounds a new goal can aim at (later than the round it is agreed in), the newest
    first."""
    set_in = await latest_opened(db)
    return [r for r in await list_rounds(db) if set_in is None or r.opens_on > set_in.opens_on]


@dataclass(frozen=True)
class GoalInput:
    dimension_id: str
    target_level: int
    round: str


async def set_goals(
    db: AsyncSession, user: CurrentUser, request_id: int, goals: list[GoalInput]
) -> SupportRequest:
    """Replace the goals of a running request (the lead provider's coaches)."""
    request = await visible_request(db, user, request_id)
    if not is_lead_coach(user, request):
        raise Forbidden(_("Only the coaches of the request's provider can set its goals."))
    if request.state != RequestState.RUNNING:
        raise Conflict(
            _("Goals are agreed on a running trajectory; this request is not running."),
            title=_("This step is not possible"),
        )
    existing = {
        (g.questionnaire_id, g.dimension_id): g
        for g in await db.scalars(select(Goal).where(Goal.request_id == request.id))
    }
    set_in = await latest_opened(db)
    errors: dict[str, str] = {}
    clean: dict[tuple[str, str], tuple[int, int]] = {}
    for index, goal in enumerate(goals):
        found = find_dimension(goal.dimension_id)
        if found is None:
            errors[f"goals[{index}].dimension_id"] = _("Choose a dimension of a questionnaire.")
            continue
        if not 1 <= goal.target_level <= 5:
            errors[f"goals[{index}].target_level"] = _("Choose a maturity level from 1 to 5.")
            continue
        round_ = await get_by_name(db, goal.round)
        if round_ is None:
            errors[f"goals[{index}].round"] = _("Choose an existing round.")
            continue
        kept = existing.get(found)
        asked = (goal.target_level, round_.id)
        unchanged = kept is not None and (kept.target_level, kept.round_id) == asked
        # A goal for a round that has opened could count as reached at once; one agreed
        # earlier and left as it was stays.
        if set_in is not None and round_.opens_on <= set_in.opens_on and not unchanged:
            errors[f"goals[{index}].round"] = _(
                "Choose a round after %(round)s: a goal is for a later round than the one "
                "it is agreed in.",
                round=set_in.name,
            )
            continue
        clean[found] = (goal.target_level, round_.id)
    if errors:
        raise Invalid(errors)
    for key, goal_row in existing.items():
        if key not in clean:
            await db.delete(goal_row)
    for (qid, did), (level, round_id) in clean.items():
        row = existing.get((qid, did))
        if row is None:
            row = Goal(request_id=request.id, questionnaire_id=qid, dimension_id=did)
            db.add(row)
        row.target_level = level
        row.round_id = round_id
        row.set_by = user.id
    record(
        db,
        actor_id=user.id,
        action="support_request.goals",
        object_type="support_request",
        object_id=request.id,
        organisation_id=request.organisation_id,
        goals=[f"{q}/{d}:{lv}" for (q, d), (lv, _r) in sorted(clean.items())],
    )
    await db.flush()
    return request


async def goals_of(db: AsyncSession, request_id: int) -> list[tuple[Goal, str]]:
    rows = await db.execute(
        select(Goal, Round.name)
        .join(Round, Round.id == Goal.round_id)
        .where(Goal.request_id == request_id)
        .order_by(Goal.id)
    )
    return [(goal, name) for goal, name in rows.all()]


# -- notes -------------------------------------------------------------------------------


async def notes(
    db: AsyncSession, user: CurrentUser, organisation_id: int
) -> list[tuple[CoachNote, str]]:
    """The coach notes of the caller's provider on the organisation, newest first."""
    _organisation, providers = await followed_organisation(db, user, organisation_id)
    rows = await db.execute(
        select(CoachNote, User.name)
        .outerjoin(User, User.id == CoachNote.author_id)
        .where(CoachNote.organisation_id == organisation_id, CoachNote.provider.in_(providers))
        .order_by(CoachNote.created_at.desc(), CoachNote.id.desc())
    )
    return [(note, name or "—") for note, name in rows.all()]


async def add_note(
    db: AsyncSession, user: CurrentUser, organisation_id: int, body: str
) -> CoachNote:
    _organisation, providers = await followed_organisation(db, user, organisation_id)
    text = body.strip()
    if not text:
        raise Invalid({"body": _("This field is required.")})
    if len(text) > NOTE_MAX_LENGTH:
        raise Invalid({"body": _("Use at most %(n)s characters.", n=NOTE_MAX_LENGTH)})
    note = CoachNote(
        organisation_id=organisation_id,
        provider=sorted(providers)[0],
        author_id=user.id,
        body=text,
    )
    db.add(note)
    await db.flush()
    record(
        db,
        actor_id=user.id,
        action="coach_note.create",
        object_type="coach_note",
        object_id=note.id,
        organisation_id=organisation_id,
    )
    return note


# -- coaches' suggestions ----------------------------------------------------------------


async def suggest(
    db: AsyncSession, user: CurrentUser, organisation_id: int, trajectory_id: str
) -> tuple[CoachSuggestion, bool]:
    """A coach suggests one of their own provider's trajectories to an organisation they
    follow; it appears among the organisation's suggestions as "suggested by your coach".
    Returns the suggestion and whether it is new (False: it was already suggested)."""
    _organisation, providers = await followed_organisation(db, user, organisation_id)
    entry = trajectories.trajectory(trajectory_id)
    if entry is None or entry.provider not in providers:
        raise Invalid({"trajectory_id": _("Choose one of your own organisation's trajectories.")})
    existing = await db.scalar(
        select(CoachSuggestion).where(
            CoachSuggestion.organisation_id == organisation_id,
            CoachSuggestion.trajectory_id == trajectory_id,
        )
    )
    if existing is not None:
        return existing, False
    suggestion = CoachSuggestion(
        organisation_id=organisation_id,
        trajectory_id=trajectory_id,
        provider=entry.provider,
        suggested_by=user.id,
    )
    db.add(suggestion)
    await db.flush()
    record(
        db,
        actor_id=user.id,
        action="coach_suggestion.create",
        object_type="coach_suggestion",
        object_id=suggestion.id,
        organisation_id=organisation_id,
        trajectory_id=trajectory_id,
    )
    return suggestion, True


async def coach_suggested(db: AsyncSession, organisation_id: int) -> list[str]:
    """The trajectory ids the organisation's coaches suggested to it, oldest first (for the
    result page's suggestions: reason "suggested by your coach")."""
    return list(
        await db.scalars(
            select(CoachSuggestion.trajectory_id)
            .where(CoachSuggestion.organisation_id == organisation_id)
            .order_by(CoachSuggestion.created_at, CoachSuggestion.id)
        )
    )


# -- an organisation's file --------------------------------------------------------------


@dataclass
class Submitted:
    assessment: Assessment
    round: Round
    title: str
    result: AssessmentResult | None


@dataclass
class OrganisationFile:
    organisation: Organisation
    shares: bool
    requests: list[SupportRequest]
    submitted: list[Submitted]
    trend: dict[str, list[tuple[str, float | None]]]


async def organisation_file(
    db: AsyncSession, user: CurrentUser, organisation_id: int
) -> OrganisationFile:
    """What the coach sees of a followed organisation; the view is audited (DESIGN §2)."""
    organisation, providers = await followed_organisation(db, user, organisation_id)
    shares = await shares_with(db, organisation_id, providers)
    requests = list(
        await db.scalars(
            select(SupportRequest)
            .where(
                SupportRequest.organisation_id == organisation_id,
                or_(SupportRequest.provider.in_(providers), SupportRequest.partner.in_(providers)),
            )
            .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
        )
    )
    submitted: list[Submitted] = []
    trend: dict[str, list[tuple[str, float | None]]] = {}
    if shares:
        language = current_language()
        rows = await db.execute(
            select(Assessment, Round, AssessmentResult)
            .join(Round, Round.id == Assessment.round_id)
            .outerjoin(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
            .where(
                Assessment.organisation_id == organisation_id,
                Assessment.state == AssessmentState.SUBMITTED,
            )
            .order_by(Round.opens_on.desc(), Assessment.questionnaire_id)
        )
        for assessment, round_, result in rows.all():
            definition = registry().get(assessment.questionnaire_id)
            title = definition.title.get(language) if definition else assessment.questionnaire_id
            submitted.append(Submitted(assessment, round_, title, result))
        for entry in reversed(submitted):
            trend.setdefault(entry.title, []).append(
                (entry.round.name, entry.result.score if entry.result else None)
            )
    record(
        db,
        actor_id=user.id,
        action="coach.view_organisation",
        object_type="organisation",
        object_id=organisation_id,
        organisation_id=organisation_id,
        shares=shares,
    )
    return OrganisationFile(organisation, shares, requests, submitted, trend)


@dataclass
class AssessmentFile:
    context: assessments.AssessmentContext
    result: ResultRead | None
    evidence: dict[str, list[Evidence]]


async def _shared_assessment(db: AsyncSession, user: CurrentUser, assessment_id: int) -> Assessment:
    providers = require_coach(user)
    assessment = await db.get(Assessment, assessment_id)
    if (
        assessment is None
        or assessment.state != AssessmentState.SUBMITTED
        or not await shares_with(db, assessment.organisation_id, providers)
    ):
        raise NotFound(_("Assessment not found."))
    return assessment


async def assessment_file(
    db: AsyncSession, user: CurrentUser, assessment_id: int
) -> AssessmentFile:
    """A submitted assessment of an organisation that shares with the coach's provider: its
    result and its answers with comments and evidence (read only; audited)."""
    assessment = await _shared_assessment(db, user, assessment_id)
    context = await assessments.consolidated_context(db, assessment)
    result_row = await db.get(AssessmentResult, assessment.id)
    read = None
    if result_row is not None:
        _result, dimensions = await assessments.get_result(db, context)
        read = result_read(context, result_row, dimensions, current_language())
    record(
        db,
        actor_id=user.id,
        action="coach.view_assessment",
        object_type="assessment",
        object_id=assessment.id,
        organisation_id=assessment.organisation_id,
    )
    return AssessmentFile(context, read, await for_response(db, context.response.id))


async def evidence_for_coach(db: AsyncSession, user: CurrentUser, evidence_id: int) -> Evidence:
    """A piece of evidence of the consolidated answers of a shared, submitted assessment."""
    evidence = await db.get(Evidence, evidence_id)
    response = await db.get(Response, evidence.response_id) if evidence else None
    if evidence is None or response is None or not response.is_consolidated:
        raise NotFound(_("This evidence does not exist."))
    try:
        await _shared_assessment(db, user, response.assessment_id)
    except NotFound:
        raise NotFound(_("This evidence does not exist.")) from None
    record(
        db,
        actor_id=user.id,
        action="coach.view_evidence",
        object_type="evidence",
        object_id=evidence.id,
        organisation_id=None,
    )
    return evidence
