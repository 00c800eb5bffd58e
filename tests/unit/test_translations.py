"""Every interface text has a Dutch and a French translation (English is the message id)."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("survey/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def _source_messages() -> set[str]:
    messages: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHOD_MAP,
        OPTIONS,
        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_interface_text_is_translated(language: str) -> None:
    with (ROOT / "survey" / "locale" / language / "LC_MESSAGES" / "messages.po").open(
        "rb"
    ) as handle:
        catalog = read_po(handle, locale=language)
    messages = _source_messages()
    assert len(messages) > 150  # the extraction itself works
    missing = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert missing == [], (
        f"untranslated in {language}.po (run `just i18n` and translate): {missing}"
    )
