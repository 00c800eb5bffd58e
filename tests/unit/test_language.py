import pytest

from survey.i18n import negotiate_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "nl"),
        ("", "nl"),
        ("fr-BE,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9", "nl"),
        ("de;q=1, en;q=0.5, fr;q=0.7", "fr"),
        ("nl-BE", "nl"),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    header: str | None, expected: str
) -> None:
    assert negotiate_language(header) == expected
