"""What the respondents' answers add to the consolidated assessment page."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser
from survey.assessments import service as assessments
from survey.assessments.pages import answer_label
from survey.assessments.service import AssessmentContext
from survey.formatting import local_decimal
from survey.i18n import current_language, ngettext
from survey.i18n import gettext as _
from survey.respondents.consolidation import consolidation


async def respondents_summary(
    db: AsyncSession, user: CurrentUser, context: AssessmentContext
) -> dict[str, str]:
    """For the manager: per question, what the submitted responses say, in one line."""
    if context.is_personal or not assessments.is_manager(user, context.organisation.id):
        return {}
    items, n_submitted = await consolidation(db, user, context)
    if not n_submitted:
        return {}
    language = current_language()
    lines = {}
    for consensus in items:
        if not consensus.answers:
            continue
        start = (
            _("Not applicable")
            if consensus.suggest_not_applicable
            else answer_label(consensus.item, consensus.suggestion, False, language)
        )
        parts = [
            ngettext(
                "%(num)s respondent: starting value %(start)s",
                "%(num)s respondents: starting value %(start)s",
                len(consensus.answers),
                start=start,
            )
        ]
        if consensus.iqr is not None:
            parts.append(_("spread %(iqr)s", iqr=local_decimal(consensus.iqr, 2)))
        if consensus.agreement is not None:
            parts.append(_("agreement %(rwg)s", rwg=local_decimal(consensus.agreement, 2)))
        if consensus.needs_discussion:
            parts.append(_("discuss"))
        lines[consensus.item.id] = " · ".join(parts)
    return lines
