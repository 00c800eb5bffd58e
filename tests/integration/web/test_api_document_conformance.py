"""What the API answers matches its OpenAPI document (found by schemathesis with a demo
session and with a read-only token): a whole-number answer fits the documented answer,
an export is a file of the type it says, an unknown round is a documented 404, and a BI
tool with a token can read the document it works from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest

from survey.indicators.tokens import create_token
from tests.integration.indicators.test_indicator_surfaces import released_network

INDICATOR_ROUTES = [
    "/api/v1/indicators",
    "/api/v1/indicators/export",
    "/api/v1/indicators/municipalities",
    "/api/v1/indicators/spearheads",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unions(value: Any, where: str = "") -> Iterator[tuple[str, list[Any]]]:
    if isinstance(value, dict):
        if "oneOf" in value:
            yield where, value["oneOf"]
        for key, inner in value.items():
            yield from unions(inner, f"{where}/{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from unions(inner, f"{where}/{index}")


def validator(document: dict[str, Any], component: str) -> Any:
    return jsonschema_rs.validator_for(
        {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    )


async def bearer(db: Any) -> dict[str, str]:
    await released_network(db)
    _row, token = await create_token(db, None, "BI")
    await db.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("component", "value"),
    [
        ("ReasonFigures", {"answer": 2, "gap": 0.0, "maturity": 2, "score": 21.43}),
        ("ReasonFigures", {"answer": 2.5, "gap": 0.0, "maturity": None, "score": 0}),
        ("AnswerWrite", {"value": 3, "revision": 0}),
    ],
)
async def test_a_whole_number_answer_fits_the_documented_answer(
    client: Any, component: str, value: dict[str, Any]
) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    assert validator(document, component).is_valid(value)


async def test_no_union_in_the_document_refuses_a_value_of_two_of_its_members(
    client: Any,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    for where, members in unions(document):
        types = [member.get("type") for member in members if isinstance(member, dict)]
        assert not {"integer", "number"} <= set(types), where


async def test_the_csv_export_says_its_type_once_and_the_document_lists_both_files(
    client: Any, db: Any
) -> None:
    headers = await bearer(db)

    csv = await client.get("/api/v1/indicators/export", params={"format": "csv"}, headers=headers)
    xlsx = await client.get("/api/v1/indicators/export", params={"format": "xlsx"}, headers=headers)
    document = (await client.get("/schema/openapi.json")).json()

    assert csv.status_code == 200 and xlsx.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert xlsx.headers["content-type"] == XLSX
    answer = document["paths"]["/api/v1/indicators/export"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {"text/csv", XLSX}


@pytest.mark.parametrize("path", INDICATOR_ROUTES)
async def test_an_unknown_round_is_a_documented_not_found(client: Any, db: Any, path: str) -> None:
    headers = await bearer(db)

    response = await client.get(path, params={"round": "1999"}, headers=headers)
    document = (await client.get("/schema/openapi.json")).json()

    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "404" in document["paths"][path]["get"]["responses"]


async def test_a_read_only_token_reads_the_api_document(client: Any, db: Any) -> None:
    headers = await bearer(db)

    response = await client.get("/schema/openapi.json", headers=headers)

    assert response.status_code == 200
    assert "/api/v1/indicators" in response.json()["paths"]
