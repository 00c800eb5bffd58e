"""Exports of an indicator view to CSV and XLSX, with the round, the release and the
filters in the file.

Text cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or NUL) are neutralised with a leading apostrophe (OWASP
"CSV injection"); numbers stay numbers, so a negative change is a number, not text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from litestar import Response
from openpyxl import Workbook

from survey.errors import Invalid
from survey.i18n import current_language
from survey.i18n import gettext as _
from survey.indicators.schemas import (
    AnyRead,
    IndicatorCellRead,
    MunicipalitiesRead,
    SpearheadsRead,
)
from survey.indicators.service import record_export

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")

Value = str | int | float | bool | None

CELL_FIELDS = (
    "indicator",
    "questionnaire",
    "dimension",
    "n_organisations",
    "suppressed",
    "registered_organisations",
    "share_participating",
    "mean",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "maturity_shares",
    "share_maturity_3_or_more",
    "mean_change",
    "share_maturity_3_or_more_before",
    "share",
    "provider",
    "trajectory_id",
    "requested",
    "running",
    "completed",
)


def neutralise(value: Value) -> Value:
    """A text that starts like a formula gets a leading apostrophe; other values unchanged.

    >>> neutralise("=1+1"), neutralise("-3"), neutralise(-3.5), neutralise("youth")
    ("'=1+1", "'-3", -3.5, 'youth')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_values(cell: IndicatorCellRead) -> list[Value]:
    out: list[Value] = []
    for field in CELL_FIELDS:
        value = getattr(cell, field)
        if isinstance(value, list):
            value = " / ".join(f"{v:g}" for v in value)
        out.append(value)
    return out


def _head(view: AnyRead, name: str) -> list[Sequence[Value]]:
    """The round, the release, the view and the filters, one per line."""
    release = view.release
    f = view.filters
    return [
        ("round", view.round),
        ("release", release.id if release else None),
        ("release_taken_at", release.taken_at.isoformat() if release else None),
        ("release_reason", release.reason if release else None),
        ("view", name),
        ("sector", f.sector),
        ("size", f.size),
        ("municipality", f.municipality),
        ("funded", f.funded),
        ("questionnaire", f.questionnaire),
        ("dimension", f.dimension),
        (),
    ]


def rows(view: AnyRead) -> list[Sequence[Value]]:
    """The header lines (round, release, view, filters), then one line per cell.

    - the cells of one filter combination: the cell's fields;
    - by spearhead: the spearhead's number and title (in the reader's language) before them,
      one line per cell of each part (its scores and its change), then its team cells;
    - the municipality table: the municipality's code and name before them.
    """
    if isinstance(view, SpearheadsRead):
        language = current_language()
        lines: list[Sequence[Value]] = [
            *_head(view, "spearheads"),
            ("spearhead", "spearhead_title", *CELL_FIELDS),
        ]
        for spearhead in view.spearheads:
            title = getattr(spearhead.title, language, spearhead.title.nl)
            cells = [
                cell
                for part in spearhead.parts
                for cell in (part.scores, part.change)
                if cell is not None
            ]
            for cell in [*cells, *spearhead.team]:
                lines.append((spearhead.number, title, *_cell_values(cell)))
        return lines
    if isinstance(view, MunicipalitiesRead):
        return [
            *_head(view, "municipalities"),
            ("municipality_code", "municipality_name", *CELL_FIELDS),
            *(
                (row.municipality, row.name, *_cell_values(cell))
                for row in view.rows
                for cell in row.cells
            ),
        ]
    return [*_head(view, "cells"), CELL_FIELDS, *(_cell_values(cell) for cell in view.cells)]


def to_csv(view: AnyRead) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows(view):
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(view: AnyRead) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "indicators"
    for row in rows(view):
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    db: Any, actor_id: int | None, read: AnyRead, export_format: str
) -> Response[bytes]:
    """The CSV or XLSX file of a view (audited)."""
    if export_format not in ("csv", "xlsx"):
        raise Invalid({"format": _("Choose csv or xlsx.")})
    record_export(db, actor_id, read.release.id if read.release else None, export_format)
    view = (
        "spearheads"
        if isinstance(read, SpearheadsRead)
        else "municipalities"
        if isinstance(read, MunicipalitiesRead)
        else None
    )
    release = read.release.id if read.release else "none"
    name = "-".join(
        part for part in ("indicators", view, f"{read.round}-release-{release}") if part
    )
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    if export_format == "csv":
        return Response(
            to_csv(read),
            media_type="text/csv",  # the framework adds the charset to a text type
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        to_xlsx(read),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
