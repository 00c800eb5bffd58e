"""Evidence per answer: notes, links and files; the type of a file is read from its content;
files are at most 10 MB, kept outside the web root and only for people who may see the answer."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from survey.accounts.models import Role
from survey.i18n import translations
from tests.factories import api_login, make_organisation, make_user
from tests.integration.assessments.helpers import (
    invited_respondent,
    manager_with_assessment,
    nl,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ITEM = "vb-missie"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def stored_files(settings: Any) -> list[Path]:
    folder = Path(settings.uploads_dir)
    return list(folder.iterdir()) if folder.exists() else []


async def upload(client: Any, token: str, assessment_id: int, name: str, data: bytes) -> Any:
    return await client.post(
        f"/assessments/{assessment_id}/evidence/{ITEM}",
        data={"_csrf_token": token, "kind": "file"},
        files={"file": (name, data, "application/octet-stream")},
    )


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("missie.pdf", PDF, "application/pdf"),
        ("foto.png", PNG, "image/png"),
        # a Word document with a misleading name: the content decides
        (
            "plan.txt",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
async def test_a_file_is_attached_and_downloaded_with_the_type_its_content_has(
    client, db, settings, name, data, content_type
) -> None:
    a = await manager_with_assessment(client, db)
    response = await upload(client, a.token, a.assessment_id, name, data)
    assert response.status_code == 303, response.text

    listed = (await client.get(f"/api/v1/assessments/{a.assessment_id}/evidence")).json()
    assert [(e["kind"], e["file_name"], e["content_type"]) for e in listed] == [
        ("file", name, content_type)
    ]
    download = await client.get(listed[0]["download_url"])
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"].startswith(content_type)
    assert download.headers["content-disposition"].startswith("attachment")
    # kept in the data folder, never under the static files the app serves
    stored = stored_files(settings)
    assert len(stored) == 1 and stored[0].read_bytes() == data
    assert name not in stored[0].name
    page = await client.get(f"/assessments/{a.assessment_id}/evidence/{ITEM}")
    assert name in page.text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("archive.docx", b"PK\x03\x04not really a zip"),
        ("empty.pdf", b""),
    ],
)
async def test_a_file_of_another_type_is_refused_at_the_field(
    client, db, settings, name, data
) -> None:
    a = await manager_with_assessment(client, db)
    response = await upload(client, a.token, a.assessment_id, name, data)
    assert response.status_code == 422
    assert 'id="file-error"' in response.text
    listed = (await client.get(f"/api/v1/assessments/{a.assessment_id}/evidence")).json()
    assert listed == []
    assert stored_files(settings) == []


async def test_a_file_over_10_mb_is_refused_with_a_clear_message(client, db) -> None:
    a = await manager_with_assessment(client, db)
    too_big = PDF + b"0" * (10 * 1024 * 1024)
    response = await upload(client, a.token, a.assessment_id, "big.pdf", too_big)
    assert response.status_code == 422
    assert nl("The file is larger than 10 MB. Attach a smaller file or a link.") in response.text


async def test_notes_and_links_through_the_api_with_field_errors(client, db) -> None:
    a = await manager_with_assessment(client, db)
    base = f"/api/v1/assessments/{a.assessment_id}/evidence/{ITEM}"
    headers = {"x-csrftoken": a.token}
    for wrong in ("javascript:alert(1)", "https://[::1", "http://exa mple.org", "ftp://x.org"):
        bad = await client.post(base, json={"kind": "link", "url": wrong}, headers=headers)
        assert bad.status_code == 400, wrong
        assert set(bad.json()["errors"]) == {"url"}
    empty = await client.post(base, json={"kind": "note", "note": "   "}, headers=headers)
    assert empty.status_code == 400 and set(empty.json()["errors"]) == {"note"}

    link = await client.post(
        base, json={"kind": "link", "url": "www.example.org/plan"}, headers=headers
    )
    assert link.status_code == 201
    assert link.json()["url"] == "https://www.example.org/plan"
    note = await client.post(
        base, json={"kind": "note", "note": "Zie jaarverslag p. 4"}, headers=headers
    )
    assert note.status_code == 201

    page = await client.get(f"/assessments/{a.assessment_id}/dimensions/visie-en-beleid")
    two = translations("nl").ungettext(
        "%(num)s piece of evidence", "%(num)s pieces of evidence", 2
    ) % {"num": 2}
    assert two in page.text

    removed = await client.delete(
        f"/api/v1/assessments/{a.assessment_id}/evidence/{note.json()['id']}", headers=headers
    )
    assert removed.status_code == 204
    listed = (await client.get(f"/api/v1/assessments/{a.assessment_id}/evidence")).json()
    assert [e["kind"] for e in listed] == ["link"]


async def test_the_result_names_the_answers_that_carry_evidence(client, db) -> None:
    a = await manager_with_assessment(client, db)
    await client.post(
        f"/api/v1/assessments/{a.assessment_id}/evidence/{ITEM}",
        json={"kind": "note", "note": "Missie op de website"},
        headers={"x-csrftoken": a.token},
    )
    submitted = await client.post(
        f"/api/v1/assessments/{a.assessment_id}/submit", headers={"x-csrftoken": a.token}
    )
    assert submitted.status_code == 200
    result = (await client.get(f"/api/v1/assessments/{a.assessment_id}/result")).json()
    assert result["items_with_evidence"] == [ITEM]
    page = await client.get(f"/assessments/{a.assessment_id}/result")
    assert nl("Answers with evidence") in page.text


async def test_files_are_only_for_people_who_may_see_the_answer(client, db) -> None:
    a = await manager_with_assessment(client, db)
    await upload(client, a.token, a.assessment_id, "missie.pdf", PDF)
    url = (await client.get(f"/api/v1/assessments/{a.assessment_id}/evidence")).json()[0][
        "download_url"
    ]
    html_url = url.removeprefix("/api/v1")

    other_manager = await make_user(db, Role.MANAGER, await make_organisation(db))
    await api_login(client, other_manager)
    assert (await client.get(url)).status_code == 404
    assert (await client.get(html_url)).status_code == 404

    # A respondent of the same organisation answers in their own response: not the manager's
    # (own organisation, role not allowed: 403).
    respondent = await invited_respondent(db, a.organisation, a.assessment_id)
    token = await api_login(client, respondent)
    assert (await client.get(url)).status_code == 403
    own = (await client.get(f"/api/v1/assessments/{a.assessment_id}/evidence")).json()
    assert own == []
    # …and cannot remove the manager's evidence
    evidence_id = url.split("/")[-2]
    refused = await client.delete(
        f"/api/v1/assessments/{a.assessment_id}/evidence/{evidence_id}",
        headers={"x-csrftoken": token},
    )
    assert refused.status_code == 404

    client.cookies.clear()
    assert (await client.get(url)).status_code == 401


async def test_uploads_need_the_csrf_token(client, db) -> None:
    a = await manager_with_assessment(client, db)
    response = await client.post(
        f"/assessments/{a.assessment_id}/evidence/{ITEM}",
        data={"kind": "file"},
        files={"file": ("missie.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 403


async def test_evidence_of_a_submitted_assessment_cannot_change(client, db) -> None:
    a = await manager_with_assessment(client, db)
    await client.post(
        f"/api/v1/assessments/{a.assessment_id}/submit", headers={"x-csrftoken": a.token}
    )
    response = await client.post(
        f"/api/v1/assessments/{a.assessment_id}/evidence/{ITEM}",
        json={"kind": "note", "note": "Te laat"},
        headers={"x-csrftoken": a.token},
    )
    assert response.status_code == 409


def test_a_zip_bomb_is_not_unpacked_to_find_its_type() -> None:
    """A 1 GB "mimetype" entry packs into about 1 MB; only its size in the directory is read."""
    from survey.evidence.files import sniff_content_type

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("mimetype", "w", force_zip64=True) as entry,
    ):
        chunk = b"a" * (1024 * 1024)
        for _ in range(1024):
            entry.write(chunk)
    assert sniff_content_type(buffer.getvalue()) is None
