"""msgspec's validation errors said at the field, in the reader's language (survey.web.forms)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import pytest

from survey.errors import Invalid
from survey.i18n import set_language
from survey.web.forms import decode_form, form_values


class Sample(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=5)]
    code: Annotated[str, msgspec.Meta(min_length=3)] = "abc"
    count: Annotated[int, msgspec.Meta(ge=1, le=9)] = 1
    kind: Literal["note", "link"] = "note"
    share: float = 0.0
    pattern: Annotated[str, msgspec.Meta(pattern="^[a-z]+$")] = "a"
    public: bool = False


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"name": "abcdef"}, {"name": "Gebruik maximaal 5 tekens."}),
        ({"name": ""}, {"name": "Dit veld is verplicht."}),
        ({}, {"name": "Dit veld is verplicht."}),
        ({"name": "a", "code": "ab"}, {"code": "Gebruik minstens 3 tekens."}),
        # a number field says the number it takes, whatever went wrong
        ({"name": "a", "count": "zeven"}, {"count": "Vul een heel getal in van 1 tot 9."}),
        ({"name": "a", "count": "2,5"}, {"count": "Vul een heel getal in van 1 tot 9."}),
        ({"name": "a", "count": "0"}, {"count": "Vul een heel getal in van 1 tot 9."}),
        ({"name": "a", "count": "10"}, {"count": "Vul een heel getal in van 1 tot 9."}),
        ({"name": "a", "kind": "file"}, {"kind": "Kies een van de mogelijkheden."}),
        ({"name": "a", "share": "veel"}, {"share": "Vul een getal in."}),
        ({"name": "a", "pattern": "A1"}, {"pattern": "Deze waarde is niet geldig."}),
        # every field that breaks its limit gets its own message at once
        (
            {"name": "abcdef", "count": "10"},
            {"name": "Gebruik maximaal 5 tekens.", "count": "Vul een heel getal in van 1 tot 9."},
        ),
    ],
)
def test_limits_are_messages_at_their_fields_in_dutch(values, errors) -> None:
    set_language("nl")
    with pytest.raises(Invalid) as refused:
        decode_form(values, Sample)
    assert refused.value.errors == errors


def test_a_valid_form_decodes_with_types_and_without_other_fields() -> None:
    form = {"name": " Ann ", "count": "3", "public": "on", "_csrf_token": "t", "share": "0.5"}
    values = form_values(form, Sample, checkboxes=("public",))
    assert decode_form(values, Sample) == Sample(name="Ann", count=3, public=True, share=0.5)


def test_the_rules_of_the_service_add_their_messages_to_the_limits() -> None:
    set_language("nl")

    def rules(values):
        return {"code": "nee", "name": "overschreven door de limiet"}

    with pytest.raises(Invalid) as refused:
        decode_form({"name": "abcdef", "code": "xyz"}, Sample, rules=rules)
    assert refused.value.errors == {"name": "Gebruik maximaal 5 tekens.", "code": "nee"}
