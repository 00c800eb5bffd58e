"""Assessments: starting, answering, submitting, reopening and scoring (DESIGN §2, §4, §9)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import ColumnElement, bindparam, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from survey.accounts.models import Role
from survey.accounts.service import CurrentUser
from survey.assessments.models import (
    Answer,
    Assessment,
    AssessmentResult,
    AssessmentState,
    DimensionResult,
    Evidence,
    Response,
)
from survey.assessments.pages import item_numbers, number_message
from survey.assessments.schemas import (
    COMMENT_MAX_LENGTH,
    AnswerRead,
    AnswerWrite,
    DimensionProgress,
    Progress,
)
from survey.audit.service import record
from survey.db import utcnow
from survey.errors import Conflict, CountRuleBroken, DomainError, Forbidden, Invalid, NotFound
from survey.events import (
    AssessmentEvent,
    AssessmentReopened,
    AssessmentSubmitted,
    ResultsRescored,
    publish,
)
from survey.i18n import current_language, format_number, quoted
from survey.i18n import gettext as _
from survey.organisations.models import Organisation
from survey.organisations.service import can_view
from survey.questionnaires.counts import count_breaches
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import definition_of, latest_versions, load_definition
from survey.questionnaires.schema import Item, Questionnaire
from survey.rounds.models import Round, RoundState
from survey.rounds.service import current_round, get_by_name, today
from survey.scoring import (
    RULES_VERSION,
    ResponseScore,
    StoredAnswer,
    applicable_item_ids,
    has_enough_scored_weight,
    item_score,
    score_response,
    score_responses,
    scored_weight_share,
)

EDITABLE_STATES = frozenset({AssessmentState.DRAFT, AssessmentState.REOPENED})


def accepts_answers(assessment: Assessment, round_: Round) -> bool:
    """Answers can change: the assessment is a draft or reopened, and its round is open."""
    return assessment.state in EDITABLE_STATES and round_.state_on(today()) == RoundState.OPEN


@dataclass
class AssessmentContext:
    """An assessment with everything a page or API answer about it needs."""

    assessment: Assessment
    organisation: Organisation
    round: Round
    version: QuestionnaireVersion
    questionnaire: Questionnaire
    response: Response
    answers: dict[str, Answer] = field(default_factory=dict)
    # item id -> number of pieces of evidence attached to the answer in this response
    evidence_counts: dict[str, int] = field(default_factory=dict)
    # Read for a change, in the transaction that writes (the assessment row locked on
    # PostgreSQL): a save need not read it again (see save_answer).
    read_for_change: bool = False

    @property
    def round_is_open(self) -> bool:
        return self.round.state_on(today()) == RoundState.OPEN

    @property
    def is_editable(self) -> bool:
        return accepts_answers(self.assessment, self.round)

    @property
    def is_personal(self) -> bool:
        """The caller works on their own response (a respondent), not the consolidated one."""
        return self.response.respondent_id is not None

    def stored_answers(self) -> dict[str, StoredAnswer]:
        return {
            item_id: StoredAnswer(value=answer.value, not_applicable=answer.not_applicable)
            for item_id, answer in self.answers.items()
        }

    def applicable_items(self) -> set[str]:
        return applicable_item_ids(self.questionnaire, self.stored_answers())


def is_manager(user: CurrentUser, organisation_id: int) -> bool:
    return Role.MANAGER in user.roles_in(organisation_id)


def works_on_consolidated(user: CurrentUser, organisation_id: int) -> bool:
    """Managers (and admins, read-only) see the consolidated response; respondents their own."""
    return user.is_admin or is_manager(user, organisation_id)


def can_edit(user: CurrentUser, context: AssessmentContext) -> bool:
    if not context.is_editable:
        return False
    if context.is_personal:
        return context.response.respondent_id == user.id and context.response.submitted_at is None
    return is_manager(user, context.organisation.id)


def answer_read(item_id: str, answer: Answer | None) -> AnswerRead:
    if answer is None:
        return AnswerRead(
            item_id=item_id,
            value=None,
            not_applicable=False,
            comment=None,
            revision=0,
            updated_at=None,
        )
    return AnswerRead(
        item_id=item_id,
        value=answer.value,
        not_applicable=answer.not_applicable,
        comment=answer.comment,
        revision=answer.revision,
        updated_at=answer.updated_at,
    )


def is_answered(answer: Answer | None) -> bool:
    return answer is not None and (answer.not_applicable or answer.value is not None)


def progress(context: AssessmentContext) -> Progress:
    """Answered items over applicable items, per dimension and overall."""
    applicable = context.applicable_items()
    dimensions = []
    for dimension in context.questionnaire.dimensions:
        items = [item.id for item in dimension.items if item.id in applicable]
        answered = sum(1 for item_id in items if is_answered(context.answers.get(item_id)))
        dimensions.append(
            DimensionProgress(dimension_id=dimension.id, answered=answered, applicable=len(items))
        )
    return Progress(
        answered=sum(d.answered for d in dimensions),
        applicable=sum(d.applicable for d in dimensions),
        dimensions=dimensions,
    )


async def _load_context(
    db: AsyncSession,
    assessment_id: int,
    *,
    user: CurrentUser | None = None,
    for_change: bool = False,
    evidence: bool = True,
) -> AssessmentContext:
    """The assessment with the consolidated response, or, for a ``user`` who is not its
    organisation's manager (nor an admin), with their own response; "not found" when
    ``user`` may not see it. Few statements: the assessment with its organisation,
    round and version (without its definition, decoded once per process) in one, the
    response with its answers in one, the evidence counts in one."""
    statement = (
        select(Assessment, Organisation, Round, QuestionnaireVersion)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .join(Round, Round.id == Assessment.round_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
        .where(Assessment.id == assessment_id)
        .options(defer(QuestionnaireVersion.definition))
    )
    if for_change:
        statement = statement.with_for_update(of=Assessment).execution_options(
            populate_existing=True
        )
    row = (await db.execute(statement)).one_or_none()
    if row is None:
        raise NotFound(_("Assessment not found."))
    assessment, organisation, round_, version = row
    respondent_id: int | None = None
    if user is not None:
        if not can_view(user, assessment.organisation_id):
            raise NotFound(_("Assessment not found."))
        if not works_on_consolidated(user, assessment.organisation_id):
            respondent_id = user.id
    which = (
        Response.is_consolidated.is_(True)
        if respondent_id is None
        else Response.respondent_id == respondent_id
    )
    rows = (
        await db.execute(
            select(Response, Answer)
            .outerjoin(Answer, Answer.response_id == Response.id)
            .where(Response.assessment_id == assessment.id, which)
        )
    ).all()
    if not rows and respondent_id is not None:
        raise Forbidden(
            _("Only the manager and the people invited to answer can open this assessment.")
        )
    if not rows:
        raise NotFound(_("Assessment not found."))
    response = rows[0][0]
    answers = {a.item_id: a for _r, a in rows if a is not None}
    evidence_counts = (
        {
            item_id: int(count)
            for item_id, count in await db.execute(
                select(Evidence.item_id, func.count(Evidence.id))
                .where(Evidence.response_id == response.id)
                .group_by(Evidence.item_id)
            )
        }
        if evidence
        else {}
    )
    return AssessmentContext(
        assessment=assessment,
        organisation=organisation,
        round=round_,
        version=version,
        questionnaire=await load_definition(db, version),
        response=response,
        answers=answers,
        evidence_counts=evidence_counts,
        read_for_change=for_change,
    )


async def read_again_for_change(
    db: AsyncSession, context: AssessmentContext, *, with_answers: bool = False
) -> None:
    """Read again, in the transaction that is to write, what a change depends on: the
    assessment's state (its row locked until the transaction ends on PostgreSQL, as
    ``get_context(for_change=True)`` does, so a submit and the saves of one assessment
    happen one after the other), its round and the response; with ``with_answers`` also
    the response's answers (a count is checked against the others). One statement, two
    with the answers: a save whose context was read before its write transaction holds
    the write lock that long only."""
    row = (
        await db.execute(
            select(Assessment, Round, Response)
            .join(Round, Round.id == Assessment.round_id)
            .join(
                Response,
                (Response.assessment_id == Assessment.id) & (Response.id == context.response.id),
            )
            .where(Assessment.id == context.assessment.id)
            .with_for_update(of=Assessment)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(_("Assessment not found."))
    context.assessment, context.round, context.response = row
    if with_answers:
        context.answers = {
            answer.item_id: answer
            for answer in await db.scalars(
                select(Answer)
                .where(Answer.response_id == context.response.id)
                .execution_options(populate_existing=True)
            )
        }
    context.read_for_change = True


async def consolidated_context(db: AsyncSession, assessment: Assessment) -> AssessmentContext:
    """The assessment with the organisation's consolidated response, for a reader whose
    access the caller has checked (a coach the organisation shares with)."""
    return await _load_context(db, assessment.id)


async def get_context(
    db: AsyncSession,
    user: CurrentUser,
    assessment_id: int,
    *,
    for_change: bool = False,
    evidence: bool = True,
) -> AssessmentContext:
    """The assessment if the caller may see it; anything else is "not found".

    Managers get the consolidated response; a respondent gets their own response, and
    "not found" for an assessment they were not invited to. ``for_change`` locks the
    assessment row until the transaction ends, so answers, submit and reopen of one
    assessment happen one after the other (PostgreSQL; SQLite already serialises writers
    with BEGIN IMMEDIATE). Without ``evidence`` the evidence counts are not read (an
    answer saved through the API does not show them).
    """
    return await _load_context(
        db, assessment_id, user=user, for_change=for_change, evidence=evidence
    )


@dataclass(frozen=True)
class AssessmentListing:
    assessment: Assessment
    round: Round
    version: QuestionnaireVersion
    result: AssessmentResult | None


async def list_for_organisation(db: AsyncSession, organisation_id: int) -> list[AssessmentListing]:
    """The organisation's assessments with their round, version and stored result."""
    rows = await db.execute(
        select(Assessment, Round, QuestionnaireVersion, AssessmentResult)
        .join(Round, Round.id == Assessment.round_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
        .outerjoin(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .where(Assessment.organisation_id == organisation_id)
        .order_by(Round.opens_on.desc(), Assessment.questionnaire_id)
    )
    return [AssessmentListing(a, r, v, res) for a, r, v, res in rows.all()]


async def start(
    db: AsyncSession,
    user: CurrentUser,
    organisation_id: int,
    questionnaire_id: str,
    round_name: str,
) -> Assessment:
    if not can_view(user, organisation_id) or await db.get(Organisation, organisation_id) is None:
        raise NotFound(_("Organisation not found."))
    if not is_manager(user, organisation_id):
        raise Forbidden(_("Only the organisation's manager can start an assessment."))
    version = (await latest_versions(db)).get(questionnaire_id)
    if version is None:
        raise Invalid({"questionnaire_id": _("There is no questionnaire with this id.")})
    round_ = await get_by_name(db, round_name)
    if round_ is None:
        raise Invalid({"round": _("There is no round with this name.")})
    if round_.state_on(today()) != RoundState.OPEN:
        raise Conflict(_("This round is not open."))
    existing = await db.scalar(
        select(Assessment.id).where(
            Assessment.organisation_id == organisation_id,
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.round_id == round_.id,
        )
    )
    if existing is not None:
        raise Conflict(_("This assessment already exists."), assessment_id=existing)
    assessment = Assessment(
        organisation_id=organisation_id,
        questionnaire_id=questionnaire_id,
        questionnaire_version_id=version.id,
        round_id=round_.id,
        created_by=user.id,
    )
    try:
        async with db.begin_nested():
            db.add(assessment)
            await db.flush()
    except IntegrityError:
        # Started by someone else at the same moment.
        existing = await db.scalar(
            select(Assessment.id).where(
                Assessment.organisation_id == organisation_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.round_id == round_.id,
            )
        )
        raise Conflict(_("This assessment already exists."), assessment_id=existing) from None
    db.add(Response(assessment_id=assessment.id, is_consolidated=True))
    record(
        db,
        actor_id=user.id,
        action="assessment.start",
        object_type="assessment",
        object_id=assessment.id,
        organisation_id=organisation_id,
        questionnaire=questionnaire_id,
        round=round_name,
    )
    await db.flush()
    return assessment


def _ensure_editable(user: CurrentUser, context: AssessmentContext) -> None:
    if context.is_personal:
        if context.response.respondent_id != user.id:
            raise Forbidden(_("You can only change your own response."))
        if context.response.submitted_at is not None:
            raise Conflict(_("Your response is submitted. Reopen it to change answers."))
    elif not is_manager(user, context.organisation.id):
        raise Forbidden(_("Only the organisation's manager can change this assessment."))
    if not context.round_is_open:
        raise Conflict(_("The round is closed; answers can no longer change."))
    if context.assessment.state not in EDITABLE_STATES:
        raise Conflict(_("This assessment is submitted. Reopen it to change answers."))


def validate_answer(item: Item, data: AnswerWrite) -> AnswerWrite:
    """The answer in its stored form, or :class:`Invalid` naming the field."""
    if data.comment is not None and len(data.comment) > COMMENT_MAX_LENGTH:
        raise Invalid({"comment": _("Use at most %(n)s characters.", n=COMMENT_MAX_LENGTH)})
    comment = data.comment.strip() if data.comment and data.comment.strip() else None
    if data.not_applicable:
        if not item.allow_not_applicable:
            raise Invalid(
                {"not_applicable": _("This question cannot be answered with 'not applicable'.")}
            )
        if _has_value(data.value):
            raise Invalid(
                {"not_applicable": _("Give an answer or choose “not applicable”, not both.")}
            )
        return AnswerWrite(revision=data.revision, value=None, not_applicable=True, comment=comment)
    value = data.value
    if isinstance(value, float) and value.is_integer() and (item.type != "number" or item.integer):
        value = int(value)
    if isinstance(value, str) and item.type == "text":
        value = value.strip() or None
    if value is not None:
        try:
            item_score(item, value)
        except ValueError:
            raise Invalid({"value": _value_message(item)}) from None
    return AnswerWrite(revision=data.revision, value=value, not_applicable=False, comment=comment)


def _has_value(value: Any) -> bool:
    """Whether ``value`` says something; an empty list is the answer "none of these"."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def question_label(questionnaire: Questionnaire, item_id: str) -> str:
    """A question as people see it: its number and its text in the reader's quotation marks,
    e.g. 3.2 “How many …?” (« … » in French)."""
    item = questionnaire.item(item_id)
    text = item.text.get(current_language()) if item else item_id
    return f"{item_numbers(questionnaire).get(item_id, '')} {quoted(text or '')}".strip()


def check_count_rules(
    questionnaire: Questionnaire, item: Item, clean: AnswerWrite, answers: dict[str, Answer]
) -> None:
    """Refuse a count that breaks the rules of ``questionnaire`` with the other answers of the
    same response: not a whole number, a subgroup above its total, or a total below a
    subgroup already saved. "unknown" and "not applicable" are no numbers and pass.

    Only breaches this answer takes part in count, so an older answer never blocks an
    unrelated one. Raises :class:`CountRuleBroken` for the ``value`` field, naming the other
    question.
    """
    if item.type != "number" or not (item.integer or any(i.at_most for i in questionnaire.items)):
        return
    values: dict[str, object] = {
        item_id: None if answer.not_applicable else answer.value
        for item_id, answer in answers.items()
    }
    values[item.id] = None if clean.not_applicable else clean.value
    for breach in count_breaches(questionnaire, values):
        if breach.rule == "integer" and breach.item_id == item.id:
            raise CountRuleBroken({"value": number_message(item)})
        if breach.rule != "at_most" or breach.total_id is None or breach.total is None:
            continue
        if breach.item_id == item.id:
            raise CountRuleBroken(
                {
                    "value": _(
                        "This number cannot be higher than your answer to question "
                        "%(question)s: %(total)s.",
                        question=question_label(questionnaire, breach.total_id),
                        total=format_number(breach.total),
                    )
                }
            )
        if breach.total_id == item.id:
            raise CountRuleBroken(
                {
                    "value": _(
                        "This number cannot be lower than your answer to question "
                        "%(question)s: %(part)s. Change that answer first.",
                        question=question_label(questionnaire, breach.item_id),
                        part=format_number(breach.value),
                    )
                }
            )


def _value_message(item: Item) -> str:
    if item.type in ("maturity", "likert5"):
        return _("Choose a level from 1 to 5.")
    if item.type == "number":
        return number_message(item)
    if item.type == "text":
        return _("Use at most %(n)s characters.", n=item.max_length)
    return _("Choose one of the options.")


async def _write_answer(
    db: AsyncSession,
    user: CurrentUser,
    context: AssessmentContext,
    item_id: str,
    clean: AnswerWrite,
    guard: ColumnElement[bool] | None = None,
) -> Answer | None:
    """The one statement that saves a validated answer in ``context``'s response: at
    revision 0 an insert that does nothing when the answer exists, else an update of the
    answer still at ``clean.revision``; with ``guard``, it writes only while the guard
    holds. The saved row (RETURNING the whole row), or None when nothing was written."""
    values: dict[str, Any] = {
        "value": clean.value,
        "not_applicable": clean.not_applicable,
        "comment": clean.comment,
        "updated_at": utcnow(),
        "updated_by": user.id,
    }
    response_id = context.response.id
    refresh = {"populate_existing": True}
    answer: Answer | None
    if clean.revision == 0:
        row = {"response_id": response_id, "item_id": item_id, "revision": 1, **values}
        insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
        if guard is None:
            statement = insert(Answer).values(**row)
        else:
            columns = Answer.__table__.c
            statement = insert(Answer).from_select(
                list(row),
                select(
                    *(
                        bindparam(None, value, type_=columns[name].type)
                        for name, value in row.items()
                    )
                ).where(guard),
            )
        answer = await db.scalar(
            statement.on_conflict_do_nothing(index_elements=["response_id", "item_id"]).returning(
                Answer
            ),
            execution_options=refresh,
        )
    else:
        conditions = [
            Answer.response_id == response_id,
            Answer.item_id == item_id,
            Answer.revision == clean.revision,
        ]
        if guard is not None:
            conditions.append(guard)
        answer = await db.scalar(
            update(Answer)
            .where(*conditions)
            .values(revision=Answer.revision + 1, **values)
            .returning(Answer),
            execution_options={**refresh, "synchronize_session": False},
        )
    return answer


async def save_answer(
    db: AsyncSession, user: CurrentUser, context: AssessmentContext, item_id: str, data: AnswerWrite
) -> Answer:
    """Save one answer in the consolidated response, based on ``data.revision``.

    One statement decides: an insert that does nothing when the answer exists, or an
    update guarded by the revision. A stale revision raises :class:`Conflict` with the
    current answer; nothing is overwritten. A ``context`` read in another transaction
    (an autosave reads before it takes the write lock) is read again here first, in
    ``db``: :func:`read_again_for_change`.
    """
    item = context.questionnaire.item(item_id)
    if item is None:
        raise NotFound(_("This question does not exist in this questionnaire."))
    if not context.read_for_change:
        await read_again_for_change(db, context, with_answers=item.type == "number")
    _ensure_editable(user, context)
    clean = validate_answer(item, data)
    check_count_rules(context.questionnaire, item, clean, context.answers)
    answer = await _write_answer(db, user, context, item_id, clean)
    if answer is None:
        current = await db.scalar(
            select(Answer)
            .where(Answer.response_id == context.response.id, Answer.item_id == item_id)
            .execution_options(populate_existing=True)
        )
        raise Conflict(
            _("Someone else changed this answer in the meantime. The current answer is shown."),
            current=answer_read(item_id, current),
        )
    saved: Answer = answer
    context.answers[item_id] = saved
    return saved


def _still_editable(context: AssessmentContext) -> ColumnElement[bool]:
    """In SQL, what :func:`_ensure_editable` found on ``context``: the assessment a draft
    or reopened, its round open today, a personal response not submitted. On PostgreSQL
    the assessment row is share-locked (a submit, which locks it for update, waits, or
    is waited for: the same order as ``get_context(for_change=True)`` gives)."""
    day = today()
    conditions = [
        Assessment.id == context.assessment.id,
        Assessment.state.in_([state.value for state in EDITABLE_STATES]),
        Round.closed_at.is_(None),
        Round.opens_on <= day,
        Round.closes_on >= day,
    ]
    check = select(literal(1)).select_from(Assessment).join(Round, Round.id == Assessment.round_id)
    if context.is_personal:
        check = check.join(Response, Response.assessment_id == Assessment.id)
        conditions += [Response.id == context.response.id, Response.submitted_at.is_(None)]
    return check.where(*conditions).with_for_update(read=True, of=Assessment).exists()


async def save_answer_at_once(
    db: AsyncSession, user: CurrentUser, context: AssessmentContext, item_id: str, data: AnswerWrite
) -> Answer | None:
    """:func:`save_answer` in one statement, for a ``context`` read before (an autosave):
    the insert or the update guarded by the revision also checks, as it writes, that the
    assessment can still change (:func:`_still_editable`), so ``db`` may be a session of
    single statements (:func:`survey.db.create_sessionmaker`): on SQLite the write lock is
    then held only while SQLite runs the statement.

    None when the statement wrote nothing (a stale revision, the assessment submitted or
    its round closed since ``context`` was read) or when the answer is a count, which is
    checked against the other answers: then :func:`save_answer`, in a transaction, saves
    it or says why not.
    """
    item = context.questionnaire.item(item_id)
    if item is None:
        raise NotFound(_("This question does not exist in this questionnaire."))
    _ensure_editable(user, context)
    clean = validate_answer(item, data)
    if item.type == "number":
        return None
    answer = await _write_answer(db, user, context, item_id, clean, guard=_still_editable(context))
    if answer is not None:
        context.answers[item_id] = answer
    return answer


SessionBlock = Callable[[], AbstractAsyncContextManager[AsyncSession]]


async def save_answer_briefly(
    single_statement: SessionBlock,
    transaction: SessionBlock,
    user: CurrentUser,
    context: AssessmentContext,
    item_id: str,
    data: AnswerWrite,
) -> Answer:
    """An autosave of a ``context`` read before: :func:`save_answer_at_once` in a session
    of ``single_statement``; when that wrote nothing, :func:`save_answer` in a
    ``transaction`` (it reads again what it depends on, saves, or raises the conflict)."""
    async with single_statement() as db:
        answer = await save_answer_at_once(db, user, context, item_id, data)
    if answer is not None:
        return answer
    async with transaction() as db:
        try:
            return await save_answer(db, user, context, item_id, data)
        except DomainError as refused:  # nothing written: end the transaction as it is,
            refusal = refused  # so what it read for the page (the current answer) stays
    raise refusal


async def submit(db: AsyncSession, user: CurrentUser, context: AssessmentContext) -> ResponseScore:
    if context.is_personal:
        raise Forbidden(_("Only the organisation's manager can submit the assessment."))
    _ensure_editable(user, context)
    answers = context.stored_answers()
    scores = score_response(context.questionnaire, answers)
    await store_result(
        db, context.assessment.id, scores, encode_number_answers(context.questionnaire, answers)
    )
    now = utcnow()
    context.assessment.state = AssessmentState.SUBMITTED
    context.assessment.submitted_at = now
    context.assessment.submitted_by = user.id
    context.response.submitted_at = now
    record(
        db,
        actor_id=user.id,
        action="assessment.submit",
        object_type="assessment",
        object_id=context.assessment.id,
        organisation_id=context.organisation.id,
        score=scores.score,
    )
    await db.flush()
    await publish(db, _event(AssessmentSubmitted, user, context))
    return scores


async def reopen(db: AsyncSession, user: CurrentUser, context: AssessmentContext) -> None:
    if context.is_personal or not is_manager(user, context.organisation.id):
        raise Forbidden(_("Only the organisation's manager can reopen this assessment."))
    if context.assessment.state != AssessmentState.SUBMITTED:
        raise Conflict(_("Only a submitted assessment can be reopened."))
    if not context.round_is_open:
        raise Conflict(_("The round is closed; the assessment can no longer be reopened."))
    context.assessment.state = AssessmentState.REOPENED
    context.response.submitted_at = None
    record(
        db,
        actor_id=user.id,
        action="assessment.reopen",
        object_type="assessment",
        object_id=context.assessment.id,
        organisation_id=context.organisation.id,
    )
    await db.flush()
    await publish(db, _event(AssessmentReopened, user, context))


def _event(
    kind: type[AssessmentSubmitted] | type[AssessmentReopened],
    user: CurrentUser,
    context: AssessmentContext,
) -> AssessmentEvent:
    return kind(
        assessment_id=context.assessment.id,
        organisation_id=context.organisation.id,
        round_id=context.round.id,
        questionnaire_id=context.assessment.questionnaire_id,
        questionnaire_version_id=context.assessment.questionnaire_version_id,
        actor_id=user.id,
    )


async def store_result(
    db: AsyncSession, assessment_id: int, scores: ResponseScore, number_answers: NumberAnswers
) -> None:
    """Replace the stored scores of an assessment (and the numbers it was given)."""
    await db.execute(delete(DimensionResult).where(DimensionResult.assessment_id == assessment_id))
    await db.execute(
        delete(AssessmentResult).where(AssessmentResult.assessment_id == assessment_id)
    )
    add_result(db, assessment_id, scores, number_answers)
    await db.flush()


async def rescore_outdated(db: AsyncSession) -> int:
    """Score again the stored results that an older :data:`~survey.scoring.RULES_VERSION`
    made, then recompute the peer figures of their rounds × questionnaires, so no page
    shows a score by rules that no longer hold; the peer groups' snapshots are renewed too,
    since a change of rules moves many scores at once. ``survey db upgrade`` calls this. Returns how many results were scored again.

    A submitted assessment is scored from its stored answers, which cannot have changed
    since it was submitted. A reopened one shows the scores of its last submission while
    its answers may already differ: rules version 2 changed only the overall rule, which
    is applied to its stored dimension results.
    """
    outdated = (
        await db.execute(
            select(Assessment, QuestionnaireVersion)
            .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
            .join(
                QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id
            )
            .where(AssessmentResult.rules_version != RULES_VERSION)
            .order_by(Assessment.id)
        )
    ).all()
    if not outdated:
        return 0
    versions = {version.id: version for _assessment, version in outdated}
    responses: dict[int, dict[int, dict[str, StoredAnswer]]] = {}
    for assessment, version in outdated:
        if assessment.state == AssessmentState.REOPENED:
            await _apply_overall_rule(db, assessment.id, definition_of(version))
        else:
            responses.setdefault(version.id, {})[assessment.id] = {}
    answers = await db.execute(
        select(Response.assessment_id, Answer.item_id, Answer.value, Answer.not_applicable)
        .join(Answer, Answer.response_id == Response.id)
        .join(AssessmentResult, AssessmentResult.assessment_id == Response.assessment_id)
        .where(Response.is_consolidated.is_(True), AssessmentResult.rules_version != RULES_VERSION)
    )
    by_assessment = {a: r for by_version in responses.values() for a, r in by_version.items()}
    for assessment_id, item_id, value, not_applicable in answers:
        if assessment_id in by_assessment:
            by_assessment[assessment_id][item_id] = StoredAnswer(value, not_applicable)
    for version_id, by_version in responses.items():
        questionnaire = definition_of(versions[version_id])
        for assessment_id, scores in score_responses(questionnaire, by_version).items():
            numbers = encode_number_answers(questionnaire, by_version[assessment_id])
            await store_result(db, assessment_id, scores, numbers)
    rescored = sorted(
        {(assessment.round_id, assessment.questionnaire_id) for assessment, _version in outdated}
    )
    await publish(db, ResultsRescored(round_questionnaires=tuple(rescored)))
    return len(outdated)


async def _apply_overall_rule(
    db: AsyncSession, assessment_id: int, questionnaire: Questionnaire
) -> None:
    result = await db.get(AssessmentResult, assessment_id)
    assert result is not None
    weights = {d.id: d.weight for d in questionnaire.dimensions}
    rows = list(
        await db.scalars(
            select(DimensionResult).where(DimensionResult.assessment_id == assessment_id)
        )
    )
    share = scored_weight_share(
        [weights.get(row.dimension_id, 1.0) for row in rows], [row.status for row in rows]
    )
    if not has_enough_scored_weight(share):
        result.score = None
        result.maturity = None
    result.rules_version = RULES_VERSION
    result.computed_at = utcnow()
    await db.flush()


_ID_LIST = msgspec.json.Encoder()


def encode_dimension_scores(scores: Iterable[tuple[str, float | None]]) -> tuple[str, bytes]:
    """``AssessmentResult.dimension_ids`` and ``dimension_scores`` of (dimension id, score)
    pairs: the ids as a JSON array, the scores as little-endian float64 (NaN: no score).

    >>> ids, packed = encode_dimension_scores([("d1", 12.5), ("d2", None)])
    >>> ids, np.frombuffer(packed, dtype="<f8").tolist()
    ('["d1","d2"]', [12.5, nan])
    """
    pairs = list(scores)
    ids = _ID_LIST.encode([dimension_id for dimension_id, _ in pairs]).decode()
    values = np.array([np.nan if s is None else s for _, s in pairs], dtype="<f8")
    return ids, values.tobytes()


NumberAnswers = tuple[str, bytes]
"""``AssessmentResult.number_item_ids`` and ``number_answers`` (:func:`encode_number_answers`)."""


def encode_number_answers(
    questionnaire: Questionnaire, answers: Mapping[str, StoredAnswer]
) -> NumberAnswers:
    """The answers to the number items of ``questionnaire`` that hold a number, as stored
    with the result: the item ids as a JSON array, the numbers as little-endian float64.
    An item left open, answered "unknown" or marked not applicable is left out.

    >>> from survey.questionnaires import registry
    >>> ids, packed = encode_number_answers(
    ...     registry()["diverse-teams"],
    ...     {"tc-personeel-totaal": StoredAnswer(12), "tc-leiding-totaal": StoredAnswer("unknown")},
    ... )
    >>> ids, np.frombuffer(packed, dtype="<f8").tolist()
    ('["tc-personeel-totaal"]', [12.0])
    """
    found = [
        (item.id, float(answer.value))
        for item in questionnaire.items
        if item.type == "number"
        and (answer := answers.get(item.id)) is not None
        and not answer.not_applicable
        and isinstance(answer.value, int | float)
        and not isinstance(answer.value, bool)
    ]
    ids = _ID_LIST.encode([item_id for item_id, _ in found]).decode()
    return ids, np.array([number for _, number in found], dtype="<f8").tobytes()


def add_result(
    db: AsyncSession, assessment_id: int, scores: ResponseScore, number_answers: NumberAnswers
) -> None:
    """Add the scores of an assessment that has none stored yet, with the numbers it was
    given (:func:`encode_number_answers` of the scored answers)."""
    dimension_ids, dimension_scores = encode_dimension_scores(
        (d.dimension_id, d.score) for d in scores.dimensions
    )
    number_item_ids, numbers = number_answers
    db.add(
        AssessmentResult(
            assessment_id=assessment_id,
            rules_version=scores.rules_version,
            score=scores.score,
            maturity=scores.maturity,
            coverage=scores.coverage,
            dimension_ids=dimension_ids,
            dimension_scores=dimension_scores,
            number_item_ids=number_item_ids,
            number_answers=numbers,
        )
    )
    db.add_all(
        DimensionResult(
            assessment_id=assessment_id,
            dimension_id=d.dimension_id,
            score=d.score,
            maturity=d.maturity,
            coverage=d.coverage,
            status=d.status,
            answered_items=d.answered_items,
            applicable_items=d.applicable_items,
        )
        for d in scores.dimensions
    )


async def get_result(
    db: AsyncSession, context: AssessmentContext
) -> tuple[AssessmentResult, list[DimensionResult]]:
    if context.is_personal:
        raise Forbidden(
            _("The scores are for the organisation's manager; you see your own answers.")
        )
    result = await db.get(AssessmentResult, context.assessment.id)
    if result is None:
        raise Conflict(
            _("This assessment has not been submitted yet, so it has no scores."),
            title=_("Not submitted yet"),
        )
    order = {d.id: index for index, d in enumerate(context.questionnaire.dimensions)}
    dimensions = sorted(
        await db.scalars(
            select(DimensionResult).where(DimensionResult.assessment_id == context.assessment.id)
        ),
        key=lambda d: order.get(d.dimension_id, len(order)),
    )
    return result, dimensions


@dataclass(frozen=True)
class QuestionnaireStatus:
    """One questionnaire on an organisation's page: the current round's assessment, if any."""

    questionnaire_id: str
    title: str
    listing: AssessmentListing | None


async def organisation_overview(
    db: AsyncSession, organisation_id: int, language: str
) -> tuple[Round | None, list[QuestionnaireStatus], list[AssessmentListing]]:
    """The current round, each questionnaire's state in it, and earlier assessments."""
    round_ = await current_round(db)
    listings = await list_for_organisation(db, organisation_id)
    in_round = {
        x.assessment.questionnaire_id: x for x in listings if round_ and x.round.id == round_.id
    }
    statuses = [
        QuestionnaireStatus(qid, definition_of(version).title.get(language), in_round.get(qid))
        for qid, version in (await latest_versions(db)).items()
    ]
    earlier = [x for x in listings if not round_ or x.round.id != round_.id]
    return round_, statuses, earlier


async def submit_response(db: AsyncSession, user: CurrentUser, context: AssessmentContext) -> None:
    """A respondent hands in their own response; the manager then sees its answers."""
    if not context.is_personal:
        raise Conflict(_("This is not a personal response."))
    _ensure_editable(user, context)
    context.response.submitted_at = utcnow()
    record(
        db,
        actor_id=user.id,
        action="response.submit",
        object_type="response",
        object_id=context.response.id,
        organisation_id=context.organisation.id,
        assessment_id=context.assessment.id,
    )
    await db.flush()


async def reopen_response(db: AsyncSession, user: CurrentUser, context: AssessmentContext) -> None:
    """A respondent takes back their submitted response, while the assessment is still open."""
    if not context.is_personal or context.response.respondent_id != user.id:
        raise Forbidden(_("You can only reopen your own response."))
    if context.response.submitted_at is None:
        raise Conflict(_("Your response is not submitted."))
    if not context.round_is_open:
        raise Conflict(_("The round is closed; the assessment can no longer be reopened."))
    if context.assessment.state not in EDITABLE_STATES:
        raise Conflict(
            _(
                "The organisation's assessment is already submitted; your response can no longer change."
            )
        )
    context.response.submitted_at = None
    record(
        db,
        actor_id=user.id,
        action="response.reopen",
        object_type="response",
        object_id=context.response.id,
        organisation_id=context.organisation.id,
        assessment_id=context.assessment.id,
    )
    await db.flush()


async def personal_assessment_ids(db: AsyncSession, user_id: int) -> set[int]:
    """The assessments in which ``user_id`` has their own response (as an invited respondent)."""
    return set(
        await db.scalars(select(Response.assessment_id).where(Response.respondent_id == user_id))
    )
