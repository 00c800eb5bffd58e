"""``GET /api/v1/trajectories``: the catalogue of support trajectories (DESIGN §9)."""

from __future__ import annotations

from litestar import Controller, get

from survey.accounts.dependencies import LoggedIn
from survey.i18n import current_language
from survey.questionnaires import get_questionnaire
from survey.trajectories.catalogue import Trajectory, catalogue, intensity_name, provider_name
from survey.trajectories.suggestion_schemas import (
    ContactRead,
    DimensionRefRead,
    TextsRead,
    TrajectoryRead,
)


def _dimension_title(questionnaire_id: str, dimension_id: str, language: str) -> str:
    questionnaire = get_questionnaire(questionnaire_id)
    for dimension in questionnaire.dimensions if questionnaire else ():
        if dimension.id == dimension_id:
            return dimension.title.get(language)
    return dimension_id


def trajectory_read(trajectory: Trajectory, language: str) -> TrajectoryRead:
    """One trajectory as the API shows it: texts in ``language`` and in all three."""
    return TrajectoryRead(
        id=trajectory.id,
        provider=trajectory.provider,
        partner=trajectory.partner,
        provider_name=provider_name(trajectory.provider),
        intensity=trajectory.intensity,
        intensity_label=intensity_name(trajectory.intensity),
        name=trajectory.name.get(language),
        description=trajectory.description.get(language),
        titles=TextsRead(trajectory.name.nl, trajectory.name.fr, trajectory.name.en),
        descriptions=TextsRead(
            trajectory.description.nl, trajectory.description.fr, trajectory.description.en
        ),
        dimensions=[
            DimensionRefRead(
                questionnaire_id=ref.questionnaire,
                dimension_id=ref.dimension,
                title=_dimension_title(ref.questionnaire, ref.dimension, language),
            )
            for ref in trajectory.dimensions
        ],
        contact=ContactRead(
            name=trajectory.contact.name.get(language),
            url=trajectory.contact.url,
            email=trajectory.contact.email,
        ),
    )


class TrajectoryApi(Controller):
    path = "/api/v1/trajectories"
    tags = ["trajectories"]

    @get("/")
    async def list_trajectories(self, user: LoggedIn) -> list[TrajectoryRead]:
        """The catalogue of support trajectories of the Agentschap Integratie en Inburgering and
        the Huis van het Nederlands Brussel, in catalogue order: `name`, `description` and
        labels in the caller's language (`?lang=nl|fr|en` chooses it), `titles` and
        `descriptions` in all three."""
        language = current_language()
        return [trajectory_read(t, language) for t in catalogue().values()]
