"""An assessment keeps the questionnaire version it was started on; new assessments start on
the newest published version (DESIGN §2; issue 4 "Versions")."""

from __future__ import annotations

import msgspec

from survey.accounts.models import Role
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.publishing import content_hash
from survey.questionnaires.schema import Questionnaire
from tests.factories import api_login, make_organisation, make_user
from tests.integration.assessments.helpers import manager_with_assessment, put_answer, start
from tests.unit.test_questionnaire_versions import version_two


async def test_a_started_assessment_keeps_its_version_when_a_new_one_is_published(
    client, db
) -> None:
    a = await manager_with_assessment(client, db)
    second = msgspec.convert(version_two({"vb-missie": "vb-missie-en-visie"}), Questionnaire)
    db.add(
        QuestionnaireVersion(
            questionnaire_id=second.id,
            version=2,
            definition=msgspec.to_builtins(second),
            content_hash=content_hash(second),
        )
    )
    await db.commit()

    body = (await client.get(f"/api/v1/assessments/{a.assessment_id}")).json()
    assert body["questionnaire_version"] == 1
    kept = await put_answer(client, a.token, a.assessment_id, "vb-missie", 4)
    assert kept.status_code == 200
    unknown = await put_answer(client, a.token, a.assessment_id, "vb-missie-en-visie", 4)
    assert unknown.status_code == 404

    other = await make_organisation(db)
    manager = await make_user(db, Role.MANAGER, other)
    token = await api_login(client, manager)
    newer = await start(client, token, other.id)
    assert (await client.get(f"/api/v1/assessments/{newer}")).json()["questionnaire_version"] == 2
    renamed = await put_answer(client, token, newer, "vb-missie-en-visie", 4)
    assert renamed.status_code == 200
    listed = {q["id"]: q["version"] for q in (await client.get("/api/v1/questionnaires")).json()}
    assert listed["cultuursensitief-werken"] == 2
