from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from survey.accounts.dependencies import LoggedIn
from survey.assessments import service
from survey.assessments.presenters import assessment_read, result_read, summary_read
from survey.assessments.result_extensions import extend_result
from survey.assessments.schemas import (
    AnswerRead,
    AnswerWrite,
    AssessmentCreate,
    AssessmentRead,
    AssessmentSummary,
    QuestionnaireSummary,
    ResultRead,
)
from survey.errors import NotFound
from survey.i18n import current_language
from survey.organisations.service import get_visible
from survey.questionnaires.publishing import definition_of, latest_versions
from survey.questionnaires.schema import Questionnaire
from survey.web.dependencies import BRIEF_WRITES, BriefWriter, Db


class AssessmentApi(Controller):
    path = "/api/v1/assessments"
    tags = ["assessments"]

    @post("/", status_code=HTTP_201_CREATED, name="api_assessments_start")
    async def start(
        self, db: Db, user: LoggedIn, data: JSONBody[AssessmentCreate]
    ) -> AssessmentRead:
        """Start an assessment: organisation, questionnaire, round. 409 with its id if it exists."""
        assessment = await service.start(
            db, user, data.organisation_id, data.questionnaire_id, data.round
        )
        return assessment_read(user, await service.get_context(db, user, assessment.id))

    @get("/{assessment_id:int}", name="api_assessments_read")
    async def read(self, db: Db, user: LoggedIn, assessment_id: FromPath[int]) -> AssessmentRead:
        """State, progress and the caller's response."""
        return assessment_read(user, await service.get_context(db, user, assessment_id))

    @put(
        "/{assessment_id:int}/answers/{item_id:str}",
        status_code=HTTP_200_OK,
        name="api_assessments_save_answer",
        opt={BRIEF_WRITES: True},
    )
    async def save_answer(
        self,
        db: Db,
        writer: BriefWriter,
        user: LoggedIn,
        assessment_id: FromPath[int],
        item_id: FromPath[str],
        data: JSONBody[AnswerWrite],
    ) -> AnswerRead:
        """Save one answer. 409 with the current answer under `current` when `revision` is stale."""
        context = await service.get_context(db, user, assessment_id, evidence=False)
        answer = await service.save_answer_briefly(
            writer.single_statement, writer.transaction, user, context, item_id, data
        )
        return service.answer_read(item_id, answer)

    @post("/{assessment_id:int}/submit", status_code=HTTP_200_OK, name="api_assessments_submit")
    async def submit(self, db: Db, user: LoggedIn, assessment_id: FromPath[int]) -> AssessmentRead:
        """Submit the organisation's assessment (scores are computed and stored), or, for an
        invited respondent, their own response."""
        context = await service.get_context(db, user, assessment_id, for_change=True)
        if context.is_personal:
            await service.submit_response(db, user, context)
        else:
            await service.submit(db, user, context)
        return assessment_read(user, context)

    @post("/{assessment_id:int}/reopen", status_code=HTTP_200_OK, name="api_assessments_reopen")
    async def reopen(self, db: Db, user: LoggedIn, assessment_id: FromPath[int]) -> AssessmentRead:
        """Reopen a submitted assessment (or a respondent's own response) while the round is open."""
        context = await service.get_context(db, user, assessment_id, for_change=True)
        if context.is_personal:
            await service.reopen_response(db, user, context)
        else:
            await service.reopen(db, user, context)
        return assessment_read(user, context)

    @get("/{assessment_id:int}/result", name="api_assessments_result")
    async def result(self, db: Db, user: LoggedIn, assessment_id: FromPath[int]) -> ResultRead:
        """Scores, maturity and coverage per dimension and overall (texts in the caller's language),
        with the peer benchmark and the change since the previous round under `benchmark`, and
        the suggested support trajectories, ranked, under `suggestions`."""
        context = await service.get_context(db, user, assessment_id)
        result, dimensions = await service.get_result(db, context)
        language = current_language()
        read = result_read(context, result, dimensions, language)
        return await extend_result(db, context, read, language)


class OrganisationAssessmentApi(Controller):
    path = "/api/v1/organisations"
    tags = ["assessments"]

    @get("/{organisation_id:int}/assessments", name="api_assessments_list_assessments")
    async def list_assessments(
        self, db: Db, user: LoggedIn, organisation_id: FromPath[int]
    ) -> list[AssessmentSummary]:
        """The organisation's assessments, newest round first."""
        await get_visible(db, user, organisation_id)
        return [
            summary_read(listing)
            for listing in await service.list_for_organisation(db, organisation_id)
        ]


class QuestionnaireApi(Controller):
    path = "/api/v1/questionnaires"
    tags = ["questionnaires"]

    @get("/", name="api_assessments_list_questionnaires")
    async def list_questionnaires(self, db: Db, user: LoggedIn) -> list[QuestionnaireSummary]:
        """The newest published version of each questionnaire."""
        return [
            QuestionnaireSummary(
                id=version.questionnaire_id,
                version=version.version,
                title=definition_of(version).title,
                dimensions=len(definition_of(version).dimensions),
                items=len(definition_of(version).items),
            )
            for version in (await latest_versions(db)).values()
        ]

    @get("/{questionnaire_id:str}", name="api_assessments_read_questionnaire")
    async def read_questionnaire(
        self, db: Db, user: LoggedIn, questionnaire_id: FromPath[str]
    ) -> Questionnaire:
        """The full published definition: dimensions, items, options, texts in nl/fr/en."""
        version = (await latest_versions(db)).get(questionnaire_id)
        if version is None:
            raise NotFound("There is no questionnaire with this id.")
        return definition_of(version)
