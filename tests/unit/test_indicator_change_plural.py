"""The change since the previous round reads "+1 point" and "+12 points" in English, "0 point"
and "+1 point" in French (which puts 0 and 1 in the singular), "+1 punt" in Dutch."""

from types import SimpleNamespace

import pytest

from survey import i18n
from survey.formatting import register_filters
from survey.web.rendering import environment


def _change(language: str, mean_change: float, n_organisations: int = 5) -> str:
    i18n.set_language(language)
    try:
        env = environment()
        register_filters(env)  # as the app does at start-up (decimal, percent)
        macros = env.get_template("indicators/_macros.html").module
        cell = SimpleNamespace(
            suppressed=False,
            n_organisations=n_organisations,
            mean_change=mean_change,
            share_maturity_3_or_more_before=None,
            share_maturity_3_or_more=None,
        )
        html = str(macros.change_text(cell))  # type: ignore[attr-defined]
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    return " ".join(html.replace("<strong>", "").replace("</strong>", "").split()[:2])


@pytest.mark.parametrize(
    ("language", "change", "n", "expected"),
    [
        ("en", 1.2, 5, "+1 point"),
        ("en", 0.0, 5, "0 points"),
        ("en", 12.0, 5, "+12 points"),
        ("en", 1.5, 12, "+1.5 points"),
        ("en", -1.0, 5, "−1 point"),
        ("fr", 0.0, 5, "0 point"),
        ("fr", 1.0, 5, "+1 point"),
        ("fr", 7.8, 12, "+7,8 points"),
        ("nl", 1.0, 5, "+1 punt"),
        ("nl", 3.0, 5, "+3 punten"),
    ],
)
def test_the_change_in_points_takes_the_plural_of_the_figure_shown(
    language: str, change: float, n: int, expected: str
) -> None:
    assert _change(language, change, n) == expected
