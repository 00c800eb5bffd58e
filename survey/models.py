"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from survey.accounts.models import LoginFailure, Membership, User
from survey.assessments.models import (
    Answer,
    Assessment,
    AssessmentResult,
    DimensionResult,
    Evidence,
    Response,
)
from survey.audit.models import AuditEvent
from survey.benchmarks.models import AssessmentBenchmark, QuestionnaireQuality
from survey.db import Base
from survey.meta import AppMeta
from survey.organisations.models import Organisation
from survey.questionnaires.models import QuestionnaireVersion
from survey.respondents.models import Invitation
from survey.rounds.models import Round
from survey.trajectories.models import (
    CoachNote,
    CoachSuggestion,
    Goal,
    Share,
    SupportRequest,
    SupportRequestChange,
)
from survey.web.store import StoreEntry

__all__ = [
    "Answer",
    "AppMeta",
    "Assessment",
    "AssessmentBenchmark",
    "AssessmentResult",
    "AuditEvent",
    "Base",
    "CoachNote",
    "CoachSuggestion",
    "DimensionResult",
    "Evidence",
    "Goal",
    "Invitation",
    "LoginFailure",
    "Membership",
    "Organisation",
    "QuestionnaireQuality",
    "QuestionnaireVersion",
    "Response",
    "Round",
    "Share",
    "StoreEntry",
    "SupportRequest",
    "SupportRequestChange",
    "User",
]
