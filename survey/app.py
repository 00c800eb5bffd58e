"""create_app(): plugins, controllers, error mapping; nothing else."""

from __future__ import annotations

import asyncio
import re

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXRequest
from litestar.static_files import create_static_files_router

from survey.accounts.api import AuthApi
from survey.accounts.dependencies import load_caller, provide_current_user, provide_user
from survey.accounts.views import AccountViews
from survey.assessments.api import AssessmentApi, OrganisationAssessmentApi, QuestionnaireApi
from survey.assessments.organisation_views import OrganisationPageViews
from survey.assessments.result_extensions import add_result_extension, add_result_page_context
from survey.assessments.summaries import add_summary_provider
from survey.assessments.views import AssessmentViews
from survey.benchmarks.api import QualityApi
from survey.benchmarks.presenters import attach_benchmark
from survey.benchmarks.views import QualityViews, benchmark_page_context
from survey.db import create_engine, create_read_engine, create_sessionmaker, writer_turns
from survey.evidence.api import EvidenceApi
from survey.evidence.views import EvidenceViews
from survey.formatting import register_filters as register_formatting_filters
from survey.home import PageViews
from survey.housekeeping import housekeeping_every_hour, housekeeping_now
from survey.indicators.api import INDICATOR_API_PATHS, IndicatorApi
from survey.indicators.exports import EXPORT_MEDIA_TYPES
from survey.indicators.spearheads import spearhead_plan
from survey.indicators.views import IndicatorViews
from survey.listeners import connect as connect_listeners
from survey.organisations.api import OrganisationApi
from survey.organisations.views import OrganisationViews
from survey.questionnaires import registry
from survey.questionnaires.publishing import publish_definitions
from survey.respondents.api import RespondentApi
from survey.respondents.presenters import respondents_summary
from survey.respondents.views import InvitationViews, RespondentViews
from survey.rounds.api import RoundApi
from survey.settings import PROJECT_ROOT, Settings, load_settings
from survey.trajectories.api import CaseloadApi, ShareApi, SupportRequestApi
from survey.trajectories.catalogue import catalogue
from survey.trajectories.catalogue_api import TrajectoryApi
from survey.trajectories.suggestions import suggestions_for
from survey.trajectories.views import CoachingViews, SupportRequestViews
from survey.trajectories.workspace import goals_page_context
from survey.web.bearer import BearerScopeMiddleware
from survey.web.dependencies import (
    ReadSessionMiddleware,
    RequestContextMiddleware,
    provide_db,
    provide_writer,
    request_read_session,
)
from survey.web.input import InputGuardMiddleware
from survey.web.openapi import document_problems
from survey.web.problems import EXCEPTION_HANDLERS
from survey.web.rendering import add_environment_setup, compile_every_template
from survey.web.security import SecurityHeadersMiddleware, SessionCsrfMiddleware
from survey.web.serving import freeze_start_up_objects, unfreeze_objects
from survey.web.sessions import RenewingSessionConfig
from survey.web.store import DatabaseStore

HTMX_DIST = PROJECT_ROOT / "node_modules" / "htmx.org" / "dist"
CSRF_EXEMPT_PATHS = ("/api/v1/auth/login", "/static/", "/schema")
API_DOCUMENT = "/schema/openapi.json"
CSRF_EXEMPT = [f"^{re.escape(path)}" for path in CSRF_EXEMPT_PATHS]
# Routes that answer 429 when a limit is reached (failed logins, invitations sent).
LIMITED_PATHS = frozenset(
    {"/login", "/api/v1/auth/login", "/api/v1/assessments/{assessment_id:int}/invitations"}
)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    registry()  # refuse to start on an invalid questionnaire definition
    catalogue()  # and on an invalid trajectory catalogue
    spearhead_plan()  # and on an invalid mapping of the VGC plan's spearheads
    connect_listeners()
    add_environment_setup(register_formatting_filters)
    add_summary_provider(respondents_summary)
    # The result's extensions, in this order: the suggestions read the benchmark.
    add_result_extension(attach_benchmark)  # peer benchmark and trend in every result
    add_result_extension(suggestions_for)  # suggested trajectories in every result
    add_result_page_context(benchmark_page_context)  # benchmark charts on the result page
    add_result_page_context(goals_page_context)  # goals on the result page
    engine = create_engine(settings.database_url)
    read_engine = create_read_engine(engine)
    sessionmaker = create_sessionmaker(engine)
    read_sessionmaker = create_sessionmaker(read_engine, read_only=True)
    single_statement_sessionmaker = create_sessionmaker(engine, single_statements=True)

    session_config = RenewingSessionConfig(
        key="nscan_session",
        max_age=settings.session_max_age,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        store="sessions",
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="nscan_csrf",
        header_name="x-csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        exclude=CSRF_EXEMPT,
    )

    async def publish_questionnaires(_app: Litestar) -> None:
        async with sessionmaker() as db, db.begin():
            await publish_definitions(db)

    housekeeping: list[asyncio.Task[None]] = []

    async def start_housekeeping(_app: Litestar) -> None:
        await housekeeping_now(sessionmaker)
        housekeeping.append(asyncio.create_task(housekeeping_every_hour(sessionmaker)))

    def compile_templates(_app: Litestar) -> None:
        compile_every_template(settings)

    async def dispose_engine(_app: Litestar) -> None:
        for task in housekeeping:
            task.cancel()
        await asyncio.gather(*housekeeping, return_exceptions=True)
        await engine.dispose()
        await read_engine.dispose()

    app = Litestar(
        route_handlers=[
            PageViews,
            AccountViews,
            OrganisationViews,
            OrganisationPageViews,
            AssessmentViews,
            QualityViews,
            RespondentViews,
            InvitationViews,
            EvidenceViews,
            IndicatorViews,
            SupportRequestViews,
            CoachingViews,
            AuthApi,
            RoundApi,
            OrganisationApi,
            OrganisationAssessmentApi,
            QuestionnaireApi,
            AssessmentApi,
            QualityApi,
            RespondentApi,
            EvidenceApi,
            IndicatorApi,
            SupportRequestApi,
            ShareApi,
            CaseloadApi,
            TrajectoryApi,
            create_static_files_router(
                path="/static/vendor/htmx",
                directories=[HTMX_DIST],
                include_in_schema=False,
                name="htmx",
            ),
            create_static_files_router(
                path="/static",
                directories=[PROJECT_ROOT / "static"],
                include_in_schema=False,
                name="static",
            ),
        ],
        dependencies={
            "db": Provide(provide_db),
            "writer": Provide(provide_writer, sync_to_thread=False),
            "current_user": Provide(provide_current_user, sync_to_thread=False),
            "user": Provide(provide_user, sync_to_thread=False),
        },
        middleware=[
            DefineMiddleware(SecurityHeadersMiddleware, strict_transport=settings.is_production),
            # A BI tool with a read-only token reads the API document too (it is public).
            DefineMiddleware(BearerScopeMiddleware, allowed=(*INDICATOR_API_PATHS, API_DOCUMENT)),
            ReadSessionMiddleware,  # the session entry, the caller and a reading handler
            session_config.middleware,
            DefineMiddleware(SessionCsrfMiddleware, exclude=CSRF_EXEMPT_PATHS),
            DefineMiddleware(RequestContextMiddleware, load_caller=load_caller),
            DefineMiddleware(InputGuardMiddleware),
        ],
        csrf_config=csrf_config,
        stores={
            "sessions": DatabaseStore(
                sessionmaker,
                "sessions",
                engine.dialect.name,
                read_sessionmaker,
                current_read_session=request_read_session,
            ),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="N-scan API",
            version="1.0.0",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        state=State(
            {
                "settings": settings,
                "sessionmaker": sessionmaker,
                "read_sessionmaker": read_sessionmaker,
                "single_statement_sessionmaker": single_statement_sessionmaker,
                "engine": engine,
                "writer_turns": writer_turns(engine),
            }
        ),
        on_startup=[
            publish_questionnaires,
            start_housekeeping,
            compile_templates,
            freeze_start_up_objects,  # the last
        ],
        on_shutdown=[dispose_engine, unfreeze_objects],
        request_class=HTMXRequest,
        debug=False,
    )
    document_problems(
        app,
        csrf_exempt=CSRF_EXEMPT,
        limited=LIMITED_PATHS,
        files={"/api/v1/indicators/export": tuple(EXPORT_MEDIA_TYPES.values())},
    )
    return app
