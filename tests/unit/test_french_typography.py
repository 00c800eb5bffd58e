"""The French catalogue reads as French: "campagne" for a round, and the typography of
French punctuation (a space before : ; ? ! and « » quotes)."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from survey.i18n import quoted, with_colon

ROOT = Path(__file__).resolve().parents[2]
FRENCH_PO = ROOT / "survey" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"

# What may legitimately hold a colon or a question mark without a space before it.
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")
_URL = re.compile(r"\b(?:https?|mailto):\S+")
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_ENTITY = re.compile(r"&#?\w+;")
_TAG = re.compile(r"<[^>]*>")
_HTTP_HEADER = re.compile(r"Authorization: Bearer")
_TIGHT_PUNCTUATION = re.compile(r"[^\W\d_][:;?!]")


def _french_texts() -> list[tuple[str, str]]:
    with FRENCH_PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    texts: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        message_id = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend((message_id, text) for text in strings if text)
    return texts


def _without_exempt_parts(text: str) -> str:
    for pattern in (_URL, _PLACEHOLDER, _TIME, _ENTITY, _TAG, _HTTP_HEADER):
        text = pattern.sub(" ", text)
    return text


def test_french_says_campagne_never_cycle() -> None:
    texts = _french_texts()
    assert len(texts) > 150
    offending = [(mid, text) for mid, text in texts if re.search(r"\bcycles?\b", text, re.I)]
    assert offending == []


def test_french_punctuation_has_a_space_before_colon_semicolon_question_and_exclamation() -> None:
    offending = [
        (mid, text)
        for mid, text in _french_texts()
        if _TIGHT_PUNCTUATION.search(_without_exempt_parts(text))
    ]
    assert offending == []


def test_french_quotes_are_guillemets() -> None:
    offending = [(mid, text) for mid, text in _french_texts() if re.search(r"[“”]", text)]
    assert offending == []


def test_the_check_sees_tight_punctuation_but_not_placeholders_urls_or_times() -> None:
    assert _TIGHT_PUNCTUATION.search(_without_exempt_parts("Adresse e-mail:"))
    assert _TIGHT_PUNCTUATION.search(_without_exempt_parts("Vraiment?"))
    assert not _TIGHT_PUNCTUATION.search(_without_exempt_parts("Adresse e-mail :"))
    assert not _TIGHT_PUNCTUATION.search(
        _without_exempt_parts("à 10:00, voir https://example.org/a:b et %(name)s&nbsp;!")
    )


def test_templates_put_no_bare_colon_after_a_shown_value() -> None:
    """``{{ _("E-mail address") }}:`` reads "Adresse e-mail:" in French; the ``colon``
    filter writes the colon as each language does."""
    offending = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\}\}\s?:", line)
    ]
    assert offending == []


def test_colon_and_quotes_follow_the_language() -> None:
    assert with_colon("Adresse e-mail", "fr") == "Adresse e-mail\u00a0:"
    assert with_colon("E-mailadres", "nl") == "E-mailadres:"
    assert quoted("Combien ?", "fr") == "«\u00a0Combien ?\u00a0»"
    assert quoted("Hoeveel?", "nl") == "“Hoeveel?”"
