"""assessment results: the answers to number items kept with the result, compactly; a round's
assessments indexed by questionnaire

The network indicators read the team counts of "Diverse teams" for a whole round; from the
answers that took nine index lookups per organisation. A result now keeps the numbers its
response was given (item ids as a JSON array, numbers as little-endian float64), filled
here from the consolidated responses of the results already stored. The index on
(round, questionnaire) replaces the one on the round alone (its prefix serves those reads).

Revision ID: 0011_result_number_answers
Revises: 0010_relspeed_cell_storage
Create Date: 2026-12-06 14:00:00
"""
from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0011_result_number_answers'
down_revision: str | None = '0010_relspeed_cell_storage'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _number_items(definition: Any) -> list[str]:
    """The ids of the number items of a stored questionnaire definition, in its order."""
    if isinstance(definition, str):
        definition = json.loads(definition)
    return [
        item['id']
        for dimension in definition.get('dimensions', [])
        for item in dimension.get('items', [])
        if item.get('type') == 'number'
    ]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fill_number_answers() -> None:
    bind = op.get_bind()
    versions = sa.table('questionnaire_versions', sa.column('id', sa.Integer()), sa.column('definition', sa.JSON()))
    assessments = sa.table('assessments', sa.column('id', sa.Integer()), sa.column('questionnaire_version_id', sa.Integer()), sa.column('state', sa.String()))
    results = sa.table('assessment_results', sa.column('assessment_id', sa.Integer()), sa.column('number_item_ids', sa.Text()), sa.column('number_answers', sa.LargeBinary()))
    responses = sa.table('responses', sa.column('id', sa.Integer()), sa.column('assessment_id', sa.Integer()), sa.column('is_consolidated', sa.Boolean()))
    answers = sa.table('answers', sa.column('response_id', sa.Integer()), sa.column('item_id', sa.String()), sa.column('value', sa.JSON()), sa.column('not_applicable', sa.Boolean()))
    items_of = {version_id: _number_items(definition) for version_id, definition in bind.execute(sa.select(versions.c.id, versions.c.definition))}
    wanted = {item for items in items_of.values() for item in items}
    if not wanted:
        return
    version_of = dict(bind.execute(sa.select(assessments.c.id, assessments.c.questionnaire_version_id).join(results, results.c.assessment_id == assessments.c.id).where(assessments.c.state == 'submitted')).all())
    given: dict[int, dict[str, float]] = {}
    for assessment_id, item_id, value, not_applicable in bind.execute(
        sa.select(responses.c.assessment_id, answers.c.item_id, answers.c.value, answers.c.not_applicable)
        .join(answers, answers.c.response_id == responses.c.id)
        .join(results, results.c.assessment_id == responses.c.assessment_id)
        .where(responses.c.is_consolidated.is_(True), answers.c.item_id.in_(sorted(wanted)))
    ):
        # A reopened assessment's answers may have changed since its result: it gets its
        # numbers when it is submitted again.
        if assessment_id in version_of and not not_applicable and _is_number(value) and item_id in items_of[version_of[assessment_id]]:
            given.setdefault(assessment_id, {})[item_id] = float(value)
    if given:
        rows = []
        for assessment_id, numbers in given.items():
            ids = [item for item in items_of[version_of[assessment_id]] if item in numbers]
            rows.append({'id': assessment_id, 'ids': json.dumps(ids, separators=(',', ':')), 'numbers': struct.pack(f'<{len(ids)}d', *(numbers[item] for item in ids))})
        bind.execute(
            results.update().where(results.c.assessment_id == sa.bindparam('id')).values(number_item_ids=sa.bindparam('ids'), number_answers=sa.bindparam('numbers')),
            rows,
        )


def upgrade() -> None:
    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_item_ids', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('number_answers', sa.LargeBinary(), nullable=True))
    op.execute(sa.text("UPDATE assessment_results SET number_item_ids = '[]', number_answers = :empty").bindparams(sa.bindparam('empty', b'', type_=sa.LargeBinary())))
    _fill_number_answers()
    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.alter_column('number_item_ids', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('number_answers', existing_type=sa.LargeBinary(), nullable=False)
    op.create_index('ix_assessments_round_questionnaire', 'assessments', ['round_id', 'questionnaire_id'])
    op.drop_index('ix_assessments_round_id', table_name='assessments')


def downgrade() -> None:
    op.create_index('ix_assessments_round_id', 'assessments', ['round_id'])
    op.drop_index('ix_assessments_round_questionnaire', table_name='assessments')
    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.drop_column('number_answers')
        batch_op.drop_column('number_item_ids')
