"""Demo data for support requests, sharing, coach notes, goals and coaches' suggestions:
each demo coach finds a filled workspace on first start (requests in every state with a
dated history, shares, a revoked share, notes, goals, some reached). Reproducible for a seed.

The first 100 demo organisations (manager001..100, among them the printed logins) are left
without requests, so a visitor can take the whole journey from the result page."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Membership, Provider, Role
from survey.assessments.models import Assessment, AssessmentState, DimensionResult
from survey.db import utcnow
from survey.organisations.models import Organisation
from survey.rounds.models import Round
from survey.trajectories.catalogue import Trajectory, catalogue
from survey.trajectories.models import (
    CoachNote,
    CoachSuggestion,
    Goal,
    RequestState,
    Share,
    SupportRequest,
    SupportRequestChange,
)

# Per provider: the final state of each demo request, in the order they are handed out.
STATES = (
    RequestState.REQUESTED,
    RequestState.REQUESTED,
    RequestState.REQUESTED,
    RequestState.INTAKE,
    RequestState.INTAKE,
    RequestState.RUNNING,
    RequestState.RUNNING,
    RequestState.RUNNING,
    RequestState.COMPLETED,
    RequestState.COMPLETED,
    RequestState.DECLINED,
    RequestState.WITHDRAWN,
)
PATHS = {
    RequestState.REQUESTED: [RequestState.REQUESTED],
    RequestState.INTAKE: [RequestState.REQUESTED, RequestState.INTAKE],
    RequestState.RUNNING: [RequestState.REQUESTED, RequestState.INTAKE, RequestState.RUNNING],
    RequestState.COMPLETED: [
        RequestState.REQUESTED,
        RequestState.INTAKE,
        RequestState.RUNNING,
        RequestState.COMPLETED,
    ],
    RequestState.DECLINED: [RequestState.REQUESTED, RequestState.INTAKE, RequestState.DECLINED],
    RequestState.WITHDRAWN: [RequestState.REQUESTED, RequestState.WITHDRAWN],
}
MESSAGES = (
    "We willen graag meer mensen uit de buurt bereiken. Kunnen we eens samenzitten?",
    "Nous aimerions être accompagnés pour rendre notre accueil plus accessible.",
    "Ons team wil hier werk van maken, maar we weten niet goed waar te beginnen.",
    None,
)
NOTES = {
    RequestState.REQUESTED: "Nieuwe aanvraag: eerst bellen met de verantwoordelijke.",
    RequestState.INTAKE: "Intakegesprek gepland; het team is gemotiveerd, de raad van bestuur nog niet.",
    RequestState.RUNNING: "Actieplan afgesproken; volgende opvolging over zes weken.",
    RequestState.COMPLETED: "Traject afgerond; eindgesprek met het hele team gehad.",
    RequestState.DECLINED: "Valt buiten ons aanbod; doorverwezen naar een partner.",
}
STEP_NOTES = {
    RequestState.INTAKE: "Bedankt voor je aanvraag. We plannen een intakegesprek.",
    RequestState.RUNNING: "We starten het traject en spreken doelen af.",
    RequestState.COMPLETED: "Het traject is afgerond. Veel succes met de volgende stappen!",
    RequestState.DECLINED: "Dit traject past nu niet; we verwijzen jullie door.",
    RequestState.WITHDRAWN: "We stellen dit even uit.",
}
SKIPPED = 100  # the first 100 organisations (manager001..100) keep a clean slate for journeys


async def load_demo_support(db: AsyncSession, seed: int) -> int:
    """Add the demo's requests, shares, notes, goals and suggestions; returns the number of
    requests."""
    rng = random.Random(seed + 13)
    organisations = list(await db.scalars(select(Organisation).order_by(Organisation.id)))
    rounds = list(await db.scalars(select(Round).order_by(Round.opens_on)))
    if len(organisations) <= SKIPPED or not rounds:
        return 0
    current_round = rounds[-1]
    managers = {
        m.organisation_id: m.user_id
        for m in await db.scalars(select(Membership).where(Membership.role == Role.MANAGER))
    }
    coaches: dict[Provider, list[int]] = defaultdict(list)
    for m in await db.scalars(
        select(Membership).where(Membership.role == Role.COACH).order_by(Membership.user_id)
    ):
        if m.provider is not None:
            coaches[m.provider].append(m.user_id)
    # The newest maturity of each organisation's dimensions (questionnaire, dimension).
    levels: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    rows = await db.execute(
        select(
            Assessment.organisation_id,
            Assessment.questionnaire_id,
            DimensionResult.dimension_id,
            DimensionResult.maturity,
        )
        .join(DimensionResult, DimensionResult.assessment_id == Assessment.id)
        .join(Round, Round.id == Assessment.round_id)
        .where(Assessment.state == AssessmentState.SUBMITTED)
        .order_by(Round.opens_on)
    )
    for organisation_id, qid, did, maturity in rows.all():
        if maturity is not None:
            levels[organisation_id][(qid, did)] = maturity
    candidates = [o for o in organisations[SKIPPED:] if levels.get(o.id)]
    rng.shuffle(candidates)
    by_provider: dict[Provider, list[Trajectory]] = defaultdict(list)
    for entry in catalogue().values():
        by_provider[entry.provider].append(entry)

    now = utcnow()
    count = 0
    used = iter(candidates)
    for provider in (Provider.AGENTSCHAP, Provider.HUIS):
        team = coaches.get(provider) or []
        if not team:
            continue
        for index, final in enumerate(STATES):
            organisation = next(used, None)
            if organisation is None:
                break
            own = levels[organisation.id]
            fitting = [
                t
                for t in by_provider[provider]
                if any((d.questionnaire, d.dimension) in own for d in t.dimensions)
            ] or by_provider[provider]
            entry = fitting[rng.randrange(len(fitting))]
            coach_id = team[index % len(team)]
            manager_id = managers.get(organisation.id)
            path = PATHS[final]
            start = now - dt.timedelta(
                days=8 * len(path) + rng.randrange(3, 20), hours=rng.randrange(9)
            )
            request = SupportRequest(
                organisation_id=organisation.id,
                trajectory_id=entry.id,
                provider=entry.provider,
                partner=entry.partner,
                state=final,
                message=MESSAGES[index % len(MESSAGES)],
                requested_by=manager_id,
                coach_id=coach_id if len(path) > 1 else None,
                created_at=start,
                updated_at=start,
            )
            db.add(request)
            await db.flush()
            moment = start
            previous: RequestState | None = None
            for step in path:
                by_manager = step in (RequestState.REQUESTED, RequestState.WITHDRAWN)
                db.add(
                    SupportRequestChange(
                        request_id=request.id,
                        at=moment,
                        actor_id=manager_id if by_manager else coach_id,
                        from_state=previous,
                        to_state=step,
                        note=request.message
                        if step == RequestState.REQUESTED
                        else STEP_NOTES.get(step),
                    )
                )
                request.updated_at = moment
                previous = step
                moment += dt.timedelta(days=rng.randrange(4, 9), hours=rng.randrange(1, 6))
            # Consent: on since the request; one organisation per provider revoked it later.
            revoked = final == RequestState.WITHDRAWN
            for sharing_with in (entry.provider, entry.partner):
                if sharing_with is None:
                    continue
                existing = await db.scalar(
                    select(Share).where(
                        Share.organisation_id == organisation.id, Share.provider == sharing_with
                    )
                )
                if existing is None:
                    db.add(
                        Share(
                            organisation_id=organisation.id,
                            provider=sharing_with,
                            active=not revoked,
                            granted_at=start,
                            revoked_at=moment if revoked else None,
                            changed_by=manager_id,
                        )
                    )
            if final in NOTES:
                db.add(
                    CoachNote(
                        organisation_id=organisation.id,
                        provider=provider,
                        author_id=coach_id,
                        body=NOTES[final],
                        created_at=moment,
                    )
                )
            if final in (RequestState.RUNNING, RequestState.COMPLETED):
                reached = index % 2 == 0
                for ref in entry.dimensions[:2]:
                    level = own.get((ref.questionnaire, ref.dimension))
                    if level is None:
                        continue
                    db.add(
                        Goal(
                            request_id=request.id,
                            questionnaire_id=ref.questionnaire,
                            dimension_id=ref.dimension,
                            target_level=level if reached else min(level + 1, 5),
                            round_id=current_round.id,
                            set_by=coach_id,
                            set_at=start + dt.timedelta(days=20),
                        )
                    )
            if index == 5:
                others = [t for t in by_provider[provider] if t.id != entry.id]
                if others:
                    db.add(
                        CoachSuggestion(
                            organisation_id=organisation.id,
                            trajectory_id=others[0].id,
                            provider=provider,
                            suggested_by=coach_id,
                            created_at=moment,
                        )
                    )
            count += 1
        # Two organisations that only share, without a request.
        for _ in range(2):
            organisation = next(used, None)
            if organisation is None:
                break
            db.add(
                Share(
                    organisation_id=organisation.id,
                    provider=provider,
                    active=True,
                    granted_at=now - dt.timedelta(days=rng.randrange(5, 60)),
                    changed_by=managers.get(organisation.id),
                )
            )
    await db.flush()
    return count
