import pytest

from survey.organisations.reference import (
    enterprise_number_from_base,
    format_enterprise_number,
    normalise_enterprise_number,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0403170701", "0403170701"),  # 97 - (4031707 mod 97) = 1
        ("0403.170.701", "0403170701"),
        ("BE 0403.170.701", "0403170701"),
        ("be0403170701", "0403170701"),
        (" 0403 170 701 ", "0403170701"),
        ("403170701", "0403170701"),  # the old nine-digit form
        ("0202.239.951", "0202239951"),  # 97 - (2022399 mod 97) = 51
    ],
)
def test_valid_numbers_are_normalised_to_ten_digits(raw: str, expected: str) -> None:
    assert normalise_enterprise_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "0403170702",  # wrong check digits
        "0403.170.799",
        "BE0403170700",
        "040317070",  # one digit short, and not a valid nine-digit form
        "04031707011",  # too long
        "04O3170701",  # a letter O
        "",
        "BE",
    ],
)
def test_invalid_numbers_are_refused(raw: str) -> None:
    assert normalise_enterprise_number(raw) is None


def test_generated_numbers_validate_and_format() -> None:
    for base in (0, 1, 97, 4031707, 99_999_999):
        number = enterprise_number_from_base(base)
        assert normalise_enterprise_number(number) == number
    assert format_enterprise_number("0403170701") == "0403.170.701"
