"""What a network indicator cell may show: the one place for the privacy rules of DESIGN
§5 and §7 applied to indicators.

The rules, in the order they are applied to every cell of a release
--------------------------------------------------------------------
1. **Small groups.** A cell built on fewer than :data:`MIN_ORGANISATIONS` (5)
   organisations is suppressed: ``suppressed`` is true, it carries no value, and
   ``n_organisations`` stays (DESIGN §9).
2. **Releases that differ by a few organisations.** A cell whose organisations differ by
   1 to 4 (:data:`CHANGED_BELOW` − 1) from the same cell of the previous release of the
   same round is suppressed: comparing the two releases would isolate those
   organisations. An organisation "differs" when it entered or left the cell, or its
   submission changed (reopened, submitted again), or its profile moved it.
3. **Complementary suppression.** ``n_organisations`` is public, so a value of a
   suppressed cell could be computed as its parent minus its shown siblings (a mean times
   its n, a share times its n). Every partition of a shown parent along one filter — the
   network into sectors, a sector into size bands, a sector × size band into
   municipalities, into funded / not funded, … — must therefore not have exactly one
   suppressed child (children without organisations do not count): the next smallest
   shown sibling is suppressed as well (ties: the first in reference-list order), or the
   parent itself when no sibling is left, and this repeats over every partition until
   none has exactly one suppressed child. A partition into several filters at once (a
   sector into size band × municipality) is a union of one-filter partitions, so it
   never has a single suppressed cell either.
4. **Two queries.** Two queries whose filters differ by one value read a parent and one
   of its children (``sector=youth-work`` and ``sector=youth-work&municipality=21012``):
   their difference is the union of the shown siblings, or it contains a suppressed one,
   which rule 3 protects. Both read the same release, whose set of cells (every filter
   combination) is fixed when it is taken, so no query is computed on the fly and two
   queries cannot disagree.
5. **What a shown cell shows** grows with its group, as DESIGN §5 says for every
   distribution: from 5 organisations means, changes and shares in whole points or
   percent; from :data:`QUARTILES_FROM` (10) the quartiles, the share per maturity level
   and one decimal; from :data:`TAILS_FROM` (20) P10 and P90. Team composition is shares
   only, never counts of people.

Limits: the rules block differencing of one cell against its siblings; they do not solve
the general linear system of every cell at once (a pattern of suppressed cells across
several filters may still be constrained by the margins, never to a single
organisation's value, since every cell with a value has ≥ 5 organisations).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.indicators.core import ALL, KINDS, STATISTICS, Axes, CellMatrix

__all__ = [
    "CHANGED_BELOW",
    "MIN_ORGANISATIONS",
    "QUARTILES_FROM",
    "TAILS_FROM",
    "apply",
    "complementary",
    "scope_of",
    "suppress",
]

MIN_ORGANISATIONS: Final = 5
"""Fewest organisations a cell's value may be built on (DESIGN §7)."""

CHANGED_BELOW: Final = 5
"""A cell whose organisations differ from the previous release of the round by at least 1
and fewer than this many is suppressed; a release in an open round needs at least this
many changed organisations."""

QUARTILES_FROM: Final = 10
TAILS_FROM: Final = 20

_QUARTILES = ("p25", "p50", "p75")
_TAILS = ("p10", "p90")
_LEVELS = tuple(f"level_{level}" for level in range(1, 6))


def scope_of(family: tuple[str, str, str]) -> str:
    """Which submissions a family's cells are built on: a questionnaire, or :data:`ALL`."""
    kind, questionnaire, _dimension = family
    # Support requests are not submissions: any changed organisation of the cell counts.
    return ALL if kind in ("participation", "requests") else questionnaire


def complementary(
    n: npt.NDArray[np.int64], suppressed: npt.NDArray[np.bool_], axes: Axes
) -> npt.NDArray[np.bool_]:
    """Rule 3: ``n`` and ``suppressed`` have shape (families, combinations); returns the
    suppression after complementary suppression (a new array).

    Passes over the filters one after the other (sector, size band, municipality, funded),
    each seeing what the previous one suppressed, until a whole pass changes nothing."""
    shape = (n.shape[0], *axes.shape)
    counts = n.reshape(shape)
    hidden = suppressed.reshape(shape).copy()
    populated = counts > 0
    biggest = np.iinfo(np.int64).max
    while True:
        moved = False
        for axis in range(1, 5):
            c = np.moveaxis(counts, axis, -1)
            p = np.moveaxis(populated, axis, -1)
            h = np.moveaxis(hidden, axis, -1)  # a view: writes reach ``hidden``
            parent_shown = ~h[..., -1] & p[..., -1]
            hidden_children = np.count_nonzero(h[..., :-1] & p[..., :-1], axis=-1)
            single = np.nonzero(parent_shown & (hidden_children == 1))
            if not single[0].size:
                continue
            moved = True
            # Only the partitions with a single suppressed child: their shown siblings.
            children_n, children_h = c[single][:, :-1], h[single][:, :-1]
            candidates = np.where(~children_h & (children_n > 0), children_n, biggest)
            smallest = candidates.argmin(axis=-1)
            has_candidate = candidates[np.arange(smallest.size), smallest] < biggest
            chosen = tuple(index[has_candidate] for index in single)
            h[(*chosen, smallest[has_candidate])] = True
            alone = tuple(index[~has_candidate] for index in single)
            h[(*alone, np.full(alone[0].size, h.shape[-1] - 1))] = True
        if not moved:
            return hidden.reshape(n.shape)


def apply(
    families: list[tuple[str, str, str]],
    frame: pd.DataFrame,
    axes: Axes,
    changed: dict[str, npt.NDArray[np.int64]] | None = None,
) -> pd.DataFrame:
    """Rules 1 to 5 on the cells of :func:`survey.indicators.core.cells`: adds
    ``suppressed`` and leaves only what each cell may show (rounded). ``changed`` maps a
    scope (:func:`scope_of`) to the number of changed organisations per combination since
    the previous release of the round (None for a round's first release)."""
    matrix = CellMatrix.of(frame, families)
    suppress(families, matrix, axes, changed)
    out = matrix.frame()
    out.index = frame.index
    return out


def suppress(
    families: list[tuple[str, str, str]],
    cells: CellMatrix,
    axes: Axes,
    changed: dict[str, npt.NDArray[np.int64]] | None = None,
) -> None:
    """:func:`apply` on cells as arrays, in place: sets ``cells.suppressed`` and rounds or
    clears ``cells.values``."""
    n_families, n_combos = len(families), axes.size
    n = np.zeros((n_families, n_combos), np.int64)
    family, combo, size = cells.family, cells.combo, cells.n_organisations
    n[family, combo] = size
    hidden = n < MIN_ORGANISATIONS  # a stored cell without organisations too (participation)
    if changed:
        for k, key in enumerate(families):
            moved = changed.get(scope_of(key))
            if moved is not None:
                hidden[k] |= (moved >= 1) & (moved < CHANGED_BELOW) & (n[k] > 0)
    hidden = complementary(n, hidden, axes)
    suppressed = hidden[family, combo]
    values = cells.values
    offsets = cells.offsets
    per_cell = np.diff(offsets)
    # Every statistic rounded (the counts are whole numbers, which rounding keeps).
    per_unit = np.where(size >= QUARTILES_FROM, 10.0, 1.0)  # one decimal or whole
    _half_up_in_place(values, np.repeat(per_unit, per_cell))
    scores = cells.kind == KINDS.index("scores")
    for names, below in (((*_QUARTILES, *_LEVELS), QUARTILES_FROM), (_TAILS, TAILS_FROM)):
        first = offsets[:-1][scores & (size < below)]
        for name in names:
            values[first + STATISTICS["scores"].index(name)] = np.nan
    values[np.repeat(suppressed, per_cell)] = np.nan
    cells.suppressed = suppressed


def _half_up_in_place(values: npt.NDArray[np.float64], per_unit: npt.NDArray[np.float64]) -> None:
    """``values`` rounded half up to 1/``per_unit``, written over them:
    ⌊x · u + 0.5 + 10⁻⁹⌋ / u (the tiny epsilon absorbs binary noise)."""
    np.multiply(values, per_unit, out=values)
    values += 0.5
    values += 1e-9
    np.floor(values, out=values)
    np.divide(values, per_unit, out=values)
