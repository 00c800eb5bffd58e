"""The English interface writes a percentage the English way, "29%", not "29 %" (the French
way, which some source texts carry and the English catalogue must correct)."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from survey.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
DUTCH_PO = ROOT / "survey" / "locale" / "nl" / "LC_MESSAGES" / "messages.po"
_SPACE_BEFORE_PERCENT = re.compile(r"(?:\d|%\([a-z_]+\)s) %")


def test_english_texts_put_no_space_before_a_percent_sign() -> None:
    with DUTCH_PO.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    english = translations("en")
    spaced = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        text = english.ugettext(message.id)
        if _SPACE_BEFORE_PERCENT.search(text):
            spaced.append(text)
    assert spaced == []
