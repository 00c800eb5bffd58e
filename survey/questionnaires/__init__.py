"""Questionnaire definitions: the data files, their schema and their loader (DESIGN §2, §3)."""

from survey.questionnaires.loader import (
    QUESTIONNAIRE_DIR,
    DefinitionError,
    DefinitionProblem,
    all_versions,
    check_definition,
    get_questionnaire,
    load_all,
    load_file,
    registry,
    validate_directory,
)
from survey.questionnaires.schema import (
    Condition,
    Dimension,
    Item,
    ItemType,
    LocalText,
    Option,
    Questionnaire,
)

__all__ = [
    "QUESTIONNAIRE_DIR",
    "Condition",
    "DefinitionError",
    "DefinitionProblem",
    "Dimension",
    "Item",
    "ItemType",
    "LocalText",
    "Option",
    "Questionnaire",
    "all_versions",
    "check_definition",
    "get_questionnaire",
    "load_all",
    "load_file",
    "registry",
    "validate_directory",
]
