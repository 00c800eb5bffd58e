"""Files in the uploads folder that no evidence refers to are swept away, once old enough; the
files of evidence, young files and anything that is not a storage key stay."""

from __future__ import annotations

import os
import time
from pathlib import Path

from survey.cli import main
from survey.evidence import files
from survey.evidence.service import referenced_storage_keys
from tests.factories import csrf_token, login
from tests.integration.assessments.helpers import manager_with_assessment
from tests.integration.evidence.test_evidence import PDF, stored_files, upload


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def _age(path: Path, hours: float) -> None:
    moment = time.time() - hours * 3600
    os.utime(path, (moment, moment))


async def test_only_old_files_without_evidence_are_removed(
    client, db, settings, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    await login(client, setup.manager)
    uploaded = await upload(client, await csrf_token(client), setup.assessment_id, "a.pdf", PDF)
    assert uploaded.status_code == 303
    (kept,) = stored_files(settings)
    _age(kept, 48)  # old, but its evidence exists
    folder = Path(settings.uploads_dir)
    orphan = folder / ("ab" * 16)
    orphan.write_bytes(PDF)
    _age(orphan, 48)
    young_orphan = folder / ("cd" * 16)
    young_orphan.write_bytes(PDF)
    _age(young_orphan, 0.5)
    not_a_key = folder / "notes.txt"
    not_a_key.write_text("an operator's note")
    _age(not_a_key, 48)

    async with sessionmaker() as session:
        referenced = await referenced_storage_keys(session)
    removed = files.remove_unreferenced(folder, referenced, time.time() - 24 * 3600)

    assert removed == [orphan.name]
    assert _names(folder) == sorted([kept.name, young_orphan.name, not_a_key.name])
    # the evidence file still downloads
    listed = (await client.get(f"/api/v1/assessments/{setup.assessment_id}/evidence")).json()
    (evidence_id,) = [evidence["id"] for evidence in listed]
    download = await client.get(f"/api/v1/evidence/{evidence_id}/download")
    assert download.status_code == 200
    assert download.content == PDF


def test_the_sweep_command_says_what_it_removed(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SURVEY_DATABASE_URL", raising=False)
    monkeypatch.delenv("SURVEY_ENV", raising=False)
    assert main(["db", "upgrade"]) == 0
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    orphan = uploads / ("ef" * 16)
    orphan.write_bytes(PDF)
    _age(orphan, 3)
    capsys.readouterr()

    assert main(["uploads", "sweep", "--older-than-hours", "1", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        orphan.name,
        "Would remove 1 file(s) that no evidence refers to.",
    ]
    assert orphan.exists()

    assert main(["uploads", "sweep", "--older-than-hours", "1"]) == 0
    assert capsys.readouterr().out.strip() == "Removed 1 file(s) that no evidence refers to."
    assert not orphan.exists()

    assert main(["uploads", "sweep", "--older-than-hours", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
