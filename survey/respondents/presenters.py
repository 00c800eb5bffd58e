"""What the respondents' answers add to the consolidated assessment page."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser
from survey.assessments import service as assessments
from survey.assessments.pages import answer_label
from survey.assessments.service import AssessmentContext
from survey.i18n import current_language, ngettext
from survey.i18n import gettext as _
from survey.questionnaires.schema import Item
from survey.respondents.consolidation import ItemConsensus, consensus_per_item
from survey.respondents.service import personal_responses, stamps_of, submitted_stamps
from survey.scoring.consensus import DISCUSSION_RWG_BELOW, RWG_TOLERANCE

CONSENSUS_CACHE_SIZE = 512
# (assessment, questionnaire content, submitted responses with their moments) → the
# consensus per item id. Submitted answers cannot change until their response is reopened,
# which changes the key: an entry never goes stale, old ones are dropped.
_consensus_cache: OrderedDict[Hashable, dict[str, ItemConsensus]] = OrderedDict()


def _remember(key: Hashable, consensus: dict[str, ItemConsensus]) -> None:
    _consensus_cache[key] = consensus
    _consensus_cache.move_to_end(key)
    while len(_consensus_cache) > CONSENSUS_CACHE_SIZE:
        _consensus_cache.popitem(last=False)


async def _consensus(db: AsyncSession, context: AssessmentContext) -> dict[str, ItemConsensus]:
    """The consensus per item of the submitted responses (none submitted: empty), computed
    once per set of submitted responses: a page view reads only which are submitted."""
    stamps = await submitted_stamps(db, context.assessment.id)
    if not stamps:
        return {}
    assessment_id, content = context.assessment.id, context.version.content_hash
    cached = _consensus_cache.get((assessment_id, content, stamps))
    if cached is not None:
        _consensus_cache.move_to_end((assessment_id, content, stamps))
        return cached
    submitted = [
        p
        for p in await personal_responses(db, assessment_id)
        if p.response.submitted_at is not None
    ]
    consensus = {c.item.id: c for c in consensus_per_item(context.questionnaire, submitted)}
    # Under the responses read (one may have been submitted since the stamps were read).
    _remember((assessment_id, content, stamps_of(submitted)), consensus)
    return consensus


async def respondents_summary(
    db: AsyncSession, user: CurrentUser, context: AssessmentContext, items: Sequence[Item]
) -> dict[str, str]:
    """For the manager: per question of ``items``, what the submitted responses say, in
    one line."""
    if context.is_personal or not assessments.is_manager(user, context.organisation.id):
        return {}
    by_item = await _consensus(db, context)
    if not by_item:
        return {}
    language = current_language()
    lines = {}
    for item in items:
        consensus = by_item.get(item.id)
        if consensus is None or not consensus.answers:
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
        closeness = closeness_words(consensus)
        if closeness:
            parts.append(closeness)
        lines[consensus.item.id] = " · ".join(parts)
    return lines


def closeness_words(consensus: ItemConsensus) -> str | None:
    """How close together the answers are, in words a manager reads at a glance; the
    figures (spread, agreement) and what they mean are on the consolidation page. Far apart
    is the flag's own threshold (agreement below 0.5), so the words and the flag agree."""
    if consensus.agreement is None:  # fewer than two answers on the scale
        return None
    if consensus.needs_discussion:
        return _("answers far apart: talk it through")
    if consensus.agreement < DISCUSSION_RWG_BELOW - RWG_TOLERANCE:  # two: too few to flag
        return _("answers far apart")
    if consensus.agreement > 1 - RWG_TOLERANCE:
        return _("everyone gave the same answer")
    return _("answers close together")
