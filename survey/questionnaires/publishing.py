"""Published questionnaire versions: the definitions in the files, frozen in the database.

An assessment points at the stored version it was started on, so its scores stay
reproducible when the files move on to a new version.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.questionnaires import all_versions
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.schema import Questionnaire

_decoded: dict[str, Questionnaire] = {}


class PublishedVersionChanged(RuntimeError):
    """A definition file changed the content of a version that is already published."""


# Item fields added to the definition format after versions were published: left out of the
# hash while they hold their default, so a version published before them keeps its hash.
_LATER_ITEM_DEFAULTS: dict[str, object] = {"integer": False, "at_most": None}


def content_hash(definition: Questionnaire) -> str:
    content: dict[str, Any] = msgspec.to_builtins(definition)
    for dimension in content["dimensions"]:
        for item in dimension["items"]:
            for name, default in _LATER_ITEM_DEFAULTS.items():
                if name in item and item[name] == default:
                    del item[name]
    return hashlib.sha256(msgspec.json.encode(content)).hexdigest()


def definition_of(version: QuestionnaireVersion) -> Questionnaire:
    """The stored definition of a published version (decoded once per process)."""
    cached = _decoded.get(version.content_hash)
    if cached is None:
        cached = msgspec.convert(version.definition, Questionnaire)
        _decoded[version.content_hash] = cached
    return cached


async def load_definition(db: AsyncSession, version: QuestionnaireVersion) -> Questionnaire:
    """:func:`definition_of` for a version loaded without its (large) definition column:
    read from the database only the first time a process meets its content."""
    cached = _decoded.get(version.content_hash)
    if cached is None:
        stored = await db.scalar(
            select(QuestionnaireVersion.definition).where(QuestionnaireVersion.id == version.id)
        )
        cached = msgspec.convert(stored, Questionnaire)
        _decoded[version.content_hash] = cached
    return cached


def _changed_message(definition: Questionnaire) -> str:
    return (
        f"Questionnaire {definition.id!r} version {definition.version} is already published "
        "with different content. Published versions are immutable: give the changed "
        "definition a new version number (with previous_item_ids for renamed items)."
    )


async def changed_published_versions(db: AsyncSession) -> list[str]:
    """Why the definition files disagree with what is published, one sentence each."""
    problems = []
    for definition in all_versions():
        stored_hash = await db.scalar(
            select(QuestionnaireVersion.content_hash).where(
                QuestionnaireVersion.questionnaire_id == definition.id,
                QuestionnaireVersion.version == definition.version,
            )
        )
        if stored_hash is not None and stored_hash != content_hash(definition):
            problems.append(_changed_message(definition))
    return problems


async def publish_definitions(db: AsyncSession) -> list[QuestionnaireVersion]:
    """Store every definition version not yet published (older versions too, so their files
    stay checked); refuse a changed published one."""
    published: list[QuestionnaireVersion] = []
    for definition in all_versions():
        digest = content_hash(definition)
        existing = await db.scalar(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.questionnaire_id == definition.id,
                QuestionnaireVersion.version == definition.version,
            )
        )
        if existing is None:
            as_builtins: dict[str, Any] = msgspec.to_builtins(definition)
            existing = QuestionnaireVersion(
                questionnaire_id=definition.id,
                version=definition.version,
                definition=as_builtins,
                content_hash=digest,
            )
            db.add(existing)
        elif existing.content_hash != digest:
            raise PublishedVersionChanged(_changed_message(definition))
        published.append(existing)
    await db.flush()
    return published


async def latest_versions(db: AsyncSession) -> dict[str, QuestionnaireVersion]:
    """Questionnaire id -> its newest published version."""
    latest: dict[str, QuestionnaireVersion] = {}
    for version in await db.scalars(
        select(QuestionnaireVersion).order_by(QuestionnaireVersion.version)
    ):
        latest[version.questionnaire_id] = version
    return latest
