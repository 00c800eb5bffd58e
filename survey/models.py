"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from survey.accounts.models import Membership, User
from survey.audit.models import AuditEvent
from survey.db import Base
from survey.meta import AppMeta
from survey.organisations.models import Organisation
from survey.rounds.models import Round
from survey.web.store import StoreEntry

__all__ = [
    "AppMeta",
    "AuditEvent",
    "Base",
    "Membership",
    "Organisation",
    "Round",
    "StoreEntry",
    "User",
]
